"""`dicom-viewer edit`: operations from options or a recipe, applied in order, then saved.

A folder input with a folder output processes every DICOM file below it, keeps going
past bad files, and ends with a summary.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from viewer.edits.operations import (
    Bin,
    Binarize,
    Crop,
    DeleteFrames,
    FillInside,
    FillOutside,
    Flip,
    Invert,
    KeepFrames,
    Operation,
    Rotate,
    operation_from_json,
)
from viewer.io.save import SYNTAX_CHOICES, SaveReport, save
from viewer.model.document import open_document
from viewer.model.errors import ViewerError

RECIPE_VERSION = 1


class _AddOperation(argparse.Action):
    """Append an operation to args.operations, keeping the command-line order."""

    def __init__(self, *args: Any, make: Any = None, **kwargs: Any) -> None:
        self.make = make
        super().__init__(*args, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):  # type: ignore[no-untyped-def]
        ops = getattr(namespace, "operations", None) or []
        values = values if isinstance(values, list) else [values]
        try:
            ops.append(self.make(*values))
        except (TypeError, ValueError) as exc:
            parser.error(f"{option_string}: {exc}")
        namespace.operations = ops


def add_edit_parser(sub: Any) -> None:
    """Register `edit` and its options on the sub-command parser."""
    edit = sub.add_parser("edit", help="edit pixels and save a new DICOM file")
    edit.add_argument("path", help="input file, or folder for batch editing")
    edit.add_argument("-o", "--output", required=True, help="output file (or folder)")
    edit.set_defaults(operations=[])
    edit.add_argument("--crop", nargs=4, type=int, metavar=("X", "Y", "W", "H"), action=_AddOperation, make=Crop)
    edit.add_argument("--flip", choices=("h", "v"), action=_AddOperation, make=Flip)
    edit.add_argument("--rotate", type=int, choices=(90, 180, 270), action=_AddOperation, make=Rotate)
    edit.add_argument("--bin", type=int, metavar="N", action=_AddOperation, make=Bin)
    edit.add_argument("--fill-outside", nargs=3, type=float, metavar=("LO", "HI", "VALUE"), action=_AddOperation, make=FillOutside)
    edit.add_argument("--fill-inside", nargs=3, type=float, metavar=("LO", "HI", "VALUE"), action=_AddOperation, make=FillInside)
    edit.add_argument("--binarize", nargs=2, type=float, metavar=("LO", "HI"), action=_AddOperation, make=Binarize)
    edit.add_argument("--invert", nargs=0, action=_AddOperation, make=Invert)
    edit.add_argument("--delete-frames", metavar="SPEC", action=_AddOperation, make=DeleteFrames)
    edit.add_argument("--keep-frames", metavar="SPEC", action=_AddOperation, make=KeepFrames)
    edit.add_argument("--syntax", choices=SYNTAX_CHOICES, default="keep")
    edit.add_argument("--recipe", metavar="FILE.json", help="operations recorded by the GUI")
    edit.add_argument("--report", action="store_true", help="print the tags that change and warnings")


def load_recipe(path: str | Path) -> list[Operation]:
    """Operations from a recipe file: {"version": 1, "operations": [...]} or a plain list."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as exc:
        raise ViewerError(f"cannot read recipe '{path}': {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise ViewerError(f"recipe '{path}' is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    steps = data.get("operations") if isinstance(data, dict) else data
    if not isinstance(steps, list):
        raise ViewerError(f"recipe '{path}' has no list of operations")
    return [operation_from_json(step) for step in steps]


def recipe_json(operations: list[Operation]) -> str:
    """The recipe file text for `operations` (what Edit > Export recipe writes)."""
    return json.dumps({"version": RECIPE_VERSION, "operations": [op.to_json() for op in operations]}, indent=2)


def edit_file(source: Path, target: Path, operations: list[Operation], syntax: str) -> SaveReport:
    """Open `source`, apply `operations`, save to `target`."""
    document = open_document(source)
    if operations:
        work = document.begin_edit()
        for op in operations:
            work.apply(op)
    return save(document, target, syntax)


def format_report(report: SaveReport) -> str:
    lines = [f"saved {report.path} ({report.transfer_syntax.name}, {report.bytes_written} bytes)"]
    lines += [f"  change: {change}" for change in report.changes]
    lines += [f"  warning: {warning}" for warning in report.warnings]
    return "\n".join(lines)


def _dicom_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def _edit_folder(args: argparse.Namespace, operations: list[Operation], out: TextIO) -> int:
    source, target = Path(args.path), Path(args.output)
    if target.exists() and not target.is_dir():
        raise ViewerError(f"'{target}' must be a folder when the input is a folder")
    if target.resolve() == source.resolve():
        raise ViewerError("the output folder must differ from the input folder")
    files = _dicom_files(source)
    failures: list[tuple[Path, str]] = []
    saved = 0
    progress = sys.stderr if sys.stderr.isatty() else None
    for n, path in enumerate(files, 1):
        relative = path.relative_to(source)
        if progress:
            done = int(30 * n / len(files))
            progress.write(f"\r[{'#' * done}{'.' * (30 - done)}] {n}/{len(files)} {relative}"[:100].ljust(100))
            progress.flush()
        try:
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            report = edit_file(path, target / relative, operations, args.syntax)
            saved += 1
            if args.report:
                out.write(format_report(report) + "\n")
        except ViewerError as exc:
            failures.append((relative, str(exc)))
        except Exception as exc:  # one bad file never stops the batch
            failures.append((relative, f"unexpected {type(exc).__name__}: {exc}"))
    if progress:
        progress.write("\n")
    out.write(f"{saved} saved, {len(failures)} failed, {len(files)} files\n")
    for relative, message in failures:
        out.write(f"  failed: {relative}: {' '.join(message.split())}\n")
    return 0 if not failures else 1


def run_edit(args: argparse.Namespace, out: TextIO) -> int:
    """Run `dicom-viewer edit`; raises ViewerError for the one-line error."""
    operations = list(args.operations)
    if args.recipe:
        operations += load_recipe(args.recipe)
    if Path(args.path).is_dir():
        return _edit_folder(args, operations, out)
    report = edit_file(Path(args.path), Path(args.output), operations, args.syntax)
    if args.report:
        out.write(format_report(report) + "\n")
    return 0
