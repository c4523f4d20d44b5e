"""Talking to an archive: echo, find, get and send over DIMSE or DICOMweb, Qt-free.

The node decides the protocol (``AET@HOST:PORT`` or an ``http(s)://`` URL); callers see
one interface, one kind of match and one transfer report, and every failure is a
PacsError with one line that names the node. pynetdicom and dicomweb-client are imported
on first use, so naming a node or a query costs nothing at start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from viewer.io.pacs.node import DEFAULT_CALLING_AET, Node, PacsError, check_aet, parse_node
from viewer.io.pacs.query import FIELDS, LEVELS, Match, Query
from viewer.io.pacs.transfer import Transfer, uid_file_name
from viewer.model.progress import no_progress
from viewer.model.source import ProgressCallback

__all__ = [
    "DEFAULT_CALLING_AET",
    "FIELDS",
    "LEVELS",
    "Match",
    "Node",
    "PacsError",
    "Query",
    "Transfer",
    "echo",
    "find",
    "get",
    "parse_node",
    "send",
    "uid_file_name",
]
#: Matches a search returns at most (an archive can hold millions).
FIND_LIMIT = 5000


def echo(node: Node, calling_aet: str = DEFAULT_CALLING_AET) -> float:
    """Seconds for a verification round trip (C-ECHO, or a one-study QIDO-RS search)."""
    from viewer.io.pacs import dicomweb, dimse

    return dicomweb.echo(node) if node.is_web else dimse.echo(node, check_aet(calling_aet, "calling AE title"))


def find(node: Node, query: Query, calling_aet: str = DEFAULT_CALLING_AET, limit: int = FIND_LIMIT) -> list[Match]:
    """Matches at the query's level, at most `limit`."""
    from viewer.io.pacs import dicomweb, dimse

    if node.is_web:
        return dicomweb.find(node, query, limit)
    return dimse.find(node, query, check_aet(calling_aet, "calling AE title"), limit)


def get(
    node: Node,
    folder: Path,
    study_uid: str,
    series_uid: str = "",
    calling_aet: str = DEFAULT_CALLING_AET,
    progress: ProgressCallback = no_progress,
    move_port: int = 0,
    listen_address: str = "0.0.0.0",
) -> Transfer:
    """Retrieve a study (or one of its series) into `folder`, one file per instance
    (DIMSE: C-GET, or C-MOVE to our storage SCP on `move_port` for nodes that need it).
    `progress(done, total)` follows each instance and cancels by raising Cancelled."""
    if not study_uid:
        raise PacsError("a retrieve needs a Study Instance UID")
    folder.mkdir(parents=True, exist_ok=True)
    from viewer.io.pacs import dicomweb, dimse

    if node.is_web:
        return dicomweb.get(node, folder, study_uid, series_uid, progress)
    if move_port and not 0 < move_port < 65536:
        raise PacsError(f"C-MOVE port {move_port} is not between 1 and 65535")
    aet = check_aet(calling_aet, "calling AE title")
    return dimse.get(node, folder, study_uid, series_uid, aet, progress, move_port, listen_address)


def send(
    node: Node,
    paths: Sequence[Path],
    calling_aet: str = DEFAULT_CALLING_AET,
    progress: ProgressCallback = no_progress,
) -> Transfer:
    """Store files on the node as they are encoded; each refused file is listed with why."""
    from viewer.io.pacs import dicomweb, dimse

    if node.is_web:
        return dicomweb.send(node, list(paths), progress)
    return dimse.send(node, list(paths), check_aet(calling_aet, "calling AE title"), progress)
