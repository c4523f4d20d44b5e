"""`dicom-viewer pacs echo|find|get|send NODE ...`: a PACS over DIMSE or DICOMweb (viewer.io.pacs).

NODE is ``AET@HOST:PORT`` (C-ECHO, C-FIND, C-GET, C-STORE) or an ``http(s)://`` DICOMweb
base URL (QIDO-RS, WADO-RS, STOW-RS). Exit 1 when the node cannot be reached, refuses
us, or any file fails; the failures are listed one per line.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from viewer.io.pacs.node import DEFAULT_CALLING_AET


def add_parser(sub: Any) -> None:
    pacs = sub.add_parser("pacs", help="echo, find, get or send with a PACS (DIMSE or DICOMweb)")
    actions = pacs.add_subparsers(dest="action", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("node", metavar="NODE", help="AET@HOST:PORT or an http(s):// DICOMweb base URL")
    common.add_argument("--calling-aet", default=DEFAULT_CALLING_AET, metavar="AET", help="our AE title (DIMSE)")
    actions.add_parser("echo", parents=[common], help="verify the node answers (C-ECHO)")
    find = actions.add_parser("find", parents=[common], help="search patients, studies or series")
    find.add_argument("--patient-id", default="", metavar="ID")
    find.add_argument("--patient-name", default="", metavar="NAME", help="wildcards * and ? allowed")
    find.add_argument("--study-uid", default="", metavar="UID", help="with it, the study's series are listed")
    find.add_argument("--modality", default="", metavar="M")
    find.add_argument("--level", choices=["patient", "study", "series"], help="default: study, series with --study-uid")
    find.add_argument("--json", action="store_true", help="one JSON list of matches")
    get = actions.add_parser("get", parents=[common], help="retrieve a study or series into a folder")
    get.add_argument("--study-uid", required=True, metavar="UID")
    get.add_argument("--series-uid", default="", metavar="UID")
    get.add_argument("-o", "--output", required=True, metavar="FOLDER")
    get.add_argument(
        "--move-port", type=int, default=0, metavar="PORT", help="C-MOVE to us on PORT (the node must know our AET)"
    )
    get.add_argument("--listen-address", default="0.0.0.0", metavar="ADDR", help="where --move-port listens")
    send = actions.add_parser("send", parents=[common], help="store files (or the files under folders)")
    send.add_argument("paths", nargs="+", metavar="PATH")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.io import pacs

    node = pacs.parse_node(args.node)
    if args.action == "echo":
        seconds = pacs.echo(node, args.calling_aet)
        out.write(f"{node} answered in {seconds * 1000:.0f} ms\n")
        return 0
    if args.action == "find":
        query = pacs.Query(
            args.patient_id, args.patient_name, args.study_uid, args.modality, (args.level or "").upper()
        )
        matches = pacs.find(node, query, args.calling_aet)
        _print_matches(matches, pacs.FIELDS[query.resolved_level], args.json, out)
        if len(matches) >= pacs.FIND_LIMIT:
            err.write(f"dicom-viewer: stopped at the first {pacs.FIND_LIMIT} matches; narrow the query\n")
        return 0
    progress = _progress_line(err)
    if args.action == "get":
        folder = Path(args.output)
        result = pacs.get(
            node,
            folder,
            args.study_uid,
            args.series_uid,
            args.calling_aet,
            progress,
            args.move_port,
            args.listen_address,
        )
        verb = f"received {len(result.done)} instance(s) into {folder}"
    else:
        files = _files(args.paths)
        result = pacs.send(node, files, args.calling_aet, progress)
        verb = f"sent {len(result.done)} of {len(files)} file(s) to {node}"
    err.write("\r" if err.isatty() else "")
    for name, reason in result.failed:
        err.write(f"dicom-viewer: {name}: {reason}\n" if name else f"dicom-viewer: {reason}\n")
    out.write(verb + "\n")
    if args.action == "get" and not result.done and not result.failed:
        err.write(f"dicom-viewer: error: {node} has no instances of that study/series\n")
        return 1
    return 1 if result.failed else 0


def _files(paths: list[str]) -> list[Path]:
    """Files as given; folders expanded to the files under them, sorted."""
    from viewer.model.errors import ViewerError

    files: list[Path] = []
    for text in paths:
        path = Path(text)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise ViewerError(f"{path}: no such file or folder")
    return files


def _print_matches(matches: list[dict[str, str]], fields: tuple[str, ...], as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(matches, indent=1) + "\n")
        return
    widths = [max([len(f)] + [len(m.get(f, "")) for m in matches]) for f in fields]
    for row in [dict(zip(fields, fields, strict=True)), *matches]:
        out.write("  ".join(row.get(f, "").ljust(w) for f, w in zip(fields, widths, strict=True)).rstrip() + "\n")


def _progress_line(err: TextIO) -> Any:
    """A progress callback that rewrites one line on a terminal and stays silent otherwise."""

    def report(done: int, total: int) -> None:
        if err.isatty():
            err.write(f"\r{done} of {total or '?'} instance(s)")
            err.flush()

    return report
