"""DIMSE with pynetdicom, as a Service Class User: C-ECHO, C-FIND, C-GET, C-MOVE and C-STORE.

Files are sent and received as they are encoded: a send proposes each file's own transfer
syntax and sends the file's bytes; a retrieve proposes every syntax we can store, one
presentation context each, so the archive can send what it holds without transcoding.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.uid import UID
from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, build_role, evt
from pynetdicom.association import Association
from pynetdicom.presentation import StoragePresentationContexts
from pynetdicom.status import (
    GENERAL_STATUS,
    QR_FIND_SERVICE_CLASS_STATUS,
    QR_GET_SERVICE_CLASS_STATUS,
    QR_MOVE_SERVICE_CLASS_STATUS,
    STORAGE_SERVICE_CLASS_STATUS,
)

from viewer.io.pacs.node import Node, PacsError
from viewer.io.pacs.query import Match, Query, match_from
from viewer.io.pacs.transfer import Transfer, store_received
from viewer.model.progress import Cancelled
from viewer.model.source import ProgressCallback

TIMEOUT = 15.0
# pynetdicom's sop_class attributes are made at import time (mypy cannot see them): named here.
VERIFICATION = UID("1.2.840.10008.1.1")
PATIENT_ROOT_FIND = UID("1.2.840.10008.5.1.4.1.2.1.1")
STUDY_ROOT_FIND = UID("1.2.840.10008.5.1.4.1.2.2.1")
STUDY_ROOT_MOVE = UID("1.2.840.10008.5.1.4.1.2.2.2")
STUDY_ROOT_GET = UID("1.2.840.10008.5.1.4.1.2.2.3")
MAX_CONTEXTS = 128
#: Syntaxes a retrieve accepts, each in its own context so the archive need not transcode.
RECEIVABLE_SYNTAXES = tuple(
    UID(uid)
    for uid in (
        "1.2.840.10008.1.2.1",  # Explicit VR Little Endian
        "1.2.840.10008.1.2",  # Implicit VR Little Endian
        "1.2.840.10008.1.2.1.99",  # Deflated Explicit VR Little Endian
        "1.2.840.10008.1.2.4.50",  # JPEG Baseline
        "1.2.840.10008.1.2.4.51",  # JPEG Extended
        "1.2.840.10008.1.2.4.57",  # JPEG Lossless
        "1.2.840.10008.1.2.4.70",  # JPEG Lossless SV1
        "1.2.840.10008.1.2.4.80",  # JPEG-LS Lossless
        "1.2.840.10008.1.2.4.81",  # JPEG-LS Near-Lossless
        "1.2.840.10008.1.2.4.90",  # JPEG 2000 Lossless
        "1.2.840.10008.1.2.4.91",  # JPEG 2000
        "1.2.840.10008.1.2.5",  # RLE Lossless
        "1.2.840.10008.1.2.2",  # Explicit VR Big Endian (retired, still stored)
    )
)


_SUBOPERATION_COUNTS = (
    "NumberOfRemainingSuboperations",
    "NumberOfCompletedSuboperations",
    "NumberOfFailedSuboperations",
    "NumberOfWarningSuboperations",
)


def echo(node: Node, calling_aet: str) -> float:
    """C-ECHO; the round trip in seconds, association included."""
    start = time.perf_counter()
    with _association(node, calling_aet, [(VERIFICATION, None)]) as assoc:
        _check(assoc.send_c_echo(), node, "C-ECHO")
    return time.perf_counter() - start


def find(node: Node, query: Query, calling_aet: str, limit: int) -> list[Match]:
    """C-FIND at the query's level (Study Root; Patient Root for patients), at most `limit`."""
    level = query.resolved_level
    model = PATIENT_ROOT_FIND if level == "PATIENT" else STUDY_ROOT_FIND
    matches: list[Match] = []
    with _association(node, calling_aet, [(model, None)]) as assoc:
        for status, identifier in assoc.send_c_find(query.identifier(), model):
            code = _check(status, node, "C-FIND")
            if code in (0xFF00, 0xFF01) and identifier is not None:
                matches.append(match_from(identifier, level))
                if len(matches) >= limit:
                    assoc.abort()  # the rest is not wanted; C-CANCEL would still stream it
                    break
    return matches


def get(
    node: Node,
    folder: Path,
    study_uid: str,
    series_uid: str,
    calling_aet: str,
    progress: ProgressCallback,
    move_port: int = 0,
    listen_address: str = "0.0.0.0",
) -> Transfer:
    """C-GET a study or one series into `folder`, one ``<SOP Instance UID>.dcm`` per instance.

    With `move_port`, C-MOVE instead, to a storage SCP of ours listening there for the
    time of the retrieve (for nodes without C-GET; the node must know `calling_aet` at
    this machine and port, and reach it).
    """
    classes = _sop_classes_in_study(node, study_uid, calling_aet)
    result = Transfer()
    total = [0]
    cancelled: list[Cancelled] = []

    def on_store(event: Any) -> int:  # runs on an association's thread
        if cancelled:
            return 0xA700  # refused: out of resources (the person stopped the transfer)
        uid = str(event.request.AffectedSOPInstanceUID)
        try:
            result.done.append(store_received(folder, uid, event.encoded_dataset(include_meta=True)))
        except OSError as exc:
            result.failed.append((uid, f"cannot write: {exc.strerror or exc}"))
            return 0xA700
        try:
            progress(len(result.done), total[0])
        except Cancelled as exc:
            cancelled.append(exc)
        return 0x0000

    identifier = Dataset()
    identifier.QueryRetrieveLevel = "SERIES" if series_uid else "STUDY"
    identifier.StudyInstanceUID = study_uid
    if series_uid:
        identifier.SeriesInstanceUID = series_uid
    handlers = [(evt.EVT_C_STORE, on_store)]
    if move_port:
        with _storage_scp(calling_aet, classes, listen_address, move_port, handlers):
            with _association(node, calling_aet, [(STUDY_ROOT_MOVE, None)]) as assoc:
                responses = assoc.send_c_move(identifier, calling_aet, STUDY_ROOT_MOVE)
                last = _follow(responses, node, "C-MOVE", total, cancelled, lambda: assoc.is_aborted)
    else:
        contexts = [(STUDY_ROOT_GET, None), *_storage_contexts(classes, MAX_CONTEXTS - 1)]
        roles = [build_role(uid, scp_role=True) for uid in dict.fromkeys(classes)]
        with _association(node, calling_aet, contexts, roles, handlers) as assoc:
            responses = assoc.send_c_get(identifier, STUDY_ROOT_GET)
            last = _follow(responses, node, "C-GET", total, cancelled, lambda: assoc.is_aborted)
    if cancelled:
        raise cancelled[0]
    not_sent = int(last.get("NumberOfFailedSuboperations", 0) or 0) - len(result.failed)
    if not_sent > 0:
        result.failed.append(("", f"{node} could not send {not_sent} instance(s)"))
    return result


def _follow(
    responses: Iterator[tuple[Dataset, Dataset | None]],
    node: Node,
    what: str,
    total: list[int],
    cancelled: list[Cancelled],
    aborted: Callable[[], bool],
) -> Dataset:
    """Read a retrieve's responses to the last (a failure raises); `total` follows its counts."""
    last = Dataset()
    for status, _identifier in responses:
        if cancelled:
            raise cancelled[0]
        if not status and aborted():
            raise PacsError(f"{node} aborted the association during {what} (does it know our AE title?)")
        _check(status, node, what, allow_partial=True)
        last = status
        total[0] = sum(int(status.get(k, 0) or 0) for k in _SUBOPERATION_COUNTS)
    return last


@contextmanager
def _storage_scp(aet: str, classes: Sequence[str], address: str, port: int, handlers: Sequence[Any]) -> Iterator[None]:
    """Our storage SCP, accepting every storage class and syntax, while the block runs."""
    ae = AE(ae_title=aet)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = TIMEOUT
    for uid in dict.fromkeys([*classes, *(str(cx.abstract_syntax) for cx in StoragePresentationContexts)]):
        ae.add_supported_context(uid, ALL_TRANSFER_SYNTAXES)
    try:
        server = ae.start_server((address, port), block=False, evt_handlers=list(handlers))
    except OSError as exc:
        raise PacsError(f"cannot listen on {address}:{port} for C-MOVE: {exc.strerror or exc}") from None
    try:
        yield
    finally:
        if server is not None:  # None only when start_server blocks, which it does not here
            server.shutdown()


def send(node: Node, paths: Sequence[Path], calling_aet: str, progress: ProgressCallback) -> Transfer:
    """C-STORE each file as it is encoded (its own transfer syntax), reporting each failure."""
    result = Transfer()
    pairs: dict[tuple[str, str], list[Path]] = {}
    for path in paths:
        try:
            meta = dcmread(path, stop_before_pixels=True, specific_tags=["SOPClassUID"]).file_meta
            pair = (str(meta.MediaStorageSOPClassUID), str(meta.TransferSyntaxUID))
        except Exception as exc:  # unreadable, or no file meta: not sendable as a file
            result.failed.append((str(path), f"not a DICOM file with file meta ({type(exc).__name__})"))
            continue
        pairs.setdefault(pair, []).append(path)
    keys = list(pairs)
    for start in range(0, len(keys), MAX_CONTEXTS):
        chunk = keys[start : start + MAX_CONTEXTS]
        contexts = [(UID(sop_class), [UID(syntax)]) for sop_class, syntax in chunk]
        with _association(node, calling_aet, contexts) as assoc:
            for pair in chunk:
                for path in pairs[pair]:
                    progress(len(result.done) + len(result.failed), len(paths))
                    _store_one(assoc, node, path, pair, result)
    progress(len(result.done) + len(result.failed), len(paths))
    return result


def _store_one(assoc: Association, node: Node, path: Path, pair: tuple[str, str], result: Transfer) -> None:
    try:
        status = assoc.send_c_store(path)
    except ValueError:  # no accepted presentation context for this class and syntax
        sop_class, syntax = (UID(uid) for uid in pair)
        result.failed.append((str(path), f"{node} does not accept {sop_class.name} in {syntax.name}"))
        return
    code = int(status.get("Status", -1)) if status else -1
    if code == 0 or (code & 0xF000) == 0xB000:
        result.done.append(path)
    elif code == -1:
        raise PacsError(f"{node} stopped answering during C-STORE (timeout or aborted association)")
    else:
        result.failed.append((str(path), f"{node} refused it: {_describe(status, STORAGE_SERVICE_CLASS_STATUS)}"))


def _sop_classes_in_study(node: Node, study_uid: str, calling_aet: str) -> list[str]:
    """The SOP classes the study holds (its SOP Classes in Study), else the common ones."""
    ds = Dataset()
    ds.QueryRetrieveLevel = "STUDY"
    ds.StudyInstanceUID = study_uid
    ds.SOPClassesInStudy = ""
    model = STUDY_ROOT_FIND
    classes: list[str] = []
    with _association(node, calling_aet, [(model, None)]) as assoc:
        for status, identifier in assoc.send_c_find(ds, model):
            if _check(status, node, "C-FIND") in (0xFF00, 0xFF01) and identifier is not None:
                value = identifier.get("SOPClassesInStudy", [])
                classes += [str(v) for v in ([value] if isinstance(value, str) else value) if v]
    return classes or [str(cx.abstract_syntax) for cx in StoragePresentationContexts]


def _storage_contexts(classes: Sequence[str], budget: int) -> list[tuple[UID, list[UID] | None]]:
    """One context per class and syntax where they fit in `budget`, else one per class."""
    unique = list(dict.fromkeys(classes))
    if len(unique) * len(RECEIVABLE_SYNTAXES) <= budget:
        return [(UID(c), [syntax]) for c in unique for syntax in RECEIVABLE_SYNTAXES]
    return [(UID(c), list(RECEIVABLE_SYNTAXES)) for c in unique[:budget]]


@contextmanager
def _association(
    node: Node,
    calling_aet: str,
    contexts: Sequence[tuple[Any, list[UID] | None]],
    roles: Sequence[Any] = (),
    handlers: Sequence[Any] = (),
) -> Iterator[Association]:
    ae = AE(ae_title=calling_aet)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = ae.connection_timeout = TIMEOUT
    for abstract, syntaxes in contexts:
        if syntaxes is None:
            ae.add_requested_context(abstract)
        else:
            ae.add_requested_context(abstract, syntaxes)
    assoc = ae.associate(node.host, node.port, ae_title=node.aet, ext_neg=list(roles), evt_handlers=list(handlers))
    if not assoc.is_established:
        raise PacsError(_why_not_established(node, assoc))
    try:
        yield assoc
    except BaseException:
        assoc.abort()  # cancelled or failed half-way: nothing more is wanted
        raise
    else:
        if assoc.is_established:
            assoc.release()
    finally:
        ae.shutdown()


def _why_not_established(node: Node, assoc: Association) -> str:
    answer = assoc.acceptor.primitive
    if assoc.is_rejected and answer is not None:
        return f"{node} rejected the association: {answer.reason_str} ({answer.source_str})"
    if answer is not None and answer.result == 0:
        return f"{node} accepted none of the proposed presentation contexts"
    try:
        with socket.create_connection((node.host, node.port), timeout=TIMEOUT):
            pass
    except OSError as exc:
        return f"cannot reach {node}: {exc.strerror or exc}"
    return f"{node} did not answer the association request within {TIMEOUT:g} s"


def _check(status: Dataset, node: Node, what: str, allow_partial: bool = False) -> int:
    """The status code; an empty status (timeout, abort) or a failure raises PacsError."""
    if not status or "Status" not in status:
        raise PacsError(f"{node} stopped answering during {what} (timeout or aborted association)")
    code = int(status.Status)
    if code in (0x0000, 0xFF00, 0xFF01) or (code & 0xF000) == 0xB000:
        return code
    if allow_partial and code in (0xFE00, 0xA702):  # cancelled; some sub-operations failed
        return code
    tables = {"C-GET": QR_GET_SERVICE_CLASS_STATUS, "C-MOVE": QR_MOVE_SERVICE_CLASS_STATUS}
    table = tables.get(what, QR_FIND_SERVICE_CLASS_STATUS)
    raise PacsError(f"{node} refused {what}: {_describe(status, table)}")


def _describe(status: Dataset, table: dict[int, tuple[str, str]]) -> str:
    """'status 0xC000 (Unable to Process): the node's comment'."""
    code = int(status.Status)
    meaning = {**GENERAL_STATUS, **table}.get(code, ("", ""))[1]
    comment = str(status.get("ErrorComment", "")).strip()
    return f"status 0x{code:04X}" + (f" ({meaning})" if meaning else "") + (f": {comment}" if comment else "")
