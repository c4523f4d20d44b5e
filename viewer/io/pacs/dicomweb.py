"""DICOMweb with dicomweb-client: QIDO-RS (find), WADO-RS (get) and STOW-RS (send).

Retrieves ask for the stored transfer syntax (``transfer-syntax=*``) so pixel data
arrives as the archive holds it; there is no patient level in QIDO-RS, so a patient
search groups the matching studies by Patient ID.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests
from dicomweb_client.api import DICOMwebClient
from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian

from viewer.io.pacs.node import Node, PacsError
from viewer.io.pacs.query import FIELDS, Match, Query, match_from
from viewer.io.pacs.transfer import Transfer, store_received
from viewer.model.source import ProgressCallback

TIMEOUT = 15.0
#: Files per STOW-RS request: bounded so a large send never holds every dataset at once.
STOW_BATCH = 16
_STORED_SYNTAX = (("application/dicom", "*"),)


def echo(node: Node) -> float:
    """A one-study QIDO-RS search (DICOMweb has no echo); the round trip in seconds."""
    start = time.perf_counter()
    with _web_errors(node, "QIDO-RS"):
        _client(node).search_for_studies(limit=1)
    return time.perf_counter() - start


def find(node: Node, query: Query, limit: int) -> list[Match]:
    level = query.resolved_level
    filters = {k: v for k, v in query.filters().items() if k != "StudyInstanceUID"}
    client = _client(node)
    with _web_errors(node, "QIDO-RS"):
        if level == "SERIES":
            found = client.search_for_series(
                study_instance_uid=query.study_uid, fields=FIELDS[level], search_filters=filters, limit=limit
            )
        else:
            if query.study_uid:
                filters["StudyInstanceUID"] = query.study_uid
            found = client.search_for_studies(fields=FIELDS["STUDY"], search_filters=filters, limit=limit)
    matches = [match_from(Dataset.from_json(item), level) for item in found]
    return _by_patient(matches) if level == "PATIENT" else matches


def get(node: Node, folder: Path, study_uid: str, series_uid: str, progress: ProgressCallback) -> Transfer:
    """WADO-RS a study or series into `folder`, instance by instance as they stream in."""
    client = _client(node)
    result = Transfer()
    with _web_errors(node, "WADO-RS"):
        total = len(client.search_for_instances(study_uid, series_uid or None, fields=["SOPInstanceUID"]))
        if series_uid:
            instances = client.iter_series(study_uid, series_uid, media_types=_STORED_SYNTAX)
        else:
            instances = client.iter_study(study_uid, media_types=_STORED_SYNTAX)
        progress(0, total)
        for ds in instances:
            result.done.append(store_received(folder, str(ds.get("SOPInstanceUID", "")), _part10(ds)))
            progress(len(result.done), total)
    return result


def send(node: Node, paths: Sequence[Path], progress: ProgressCallback) -> Transfer:
    """STOW-RS in batches; failures as the archive lists them (Failed SOP Sequence)."""
    client = _client(node)
    result = Transfer()
    for start in range(0, len(paths), STOW_BATCH):
        progress(len(result.done) + len(result.failed), len(paths))
        batch: dict[str, Path] = {}
        datasets = []
        for path in paths[start : start + STOW_BATCH]:
            try:
                ds = dcmread(path)
            except Exception as exc:  # not DICOM: listed, the others still go
                result.failed.append((str(path), f"not a DICOM file ({type(exc).__name__})"))
                continue
            batch[str(ds.get("SOPInstanceUID", ""))] = path
            datasets.append(ds)
        if datasets:
            with _web_errors(node, "STOW-RS"):
                answer = client.store_instances(datasets)
            refused = {
                str(item.get("ReferencedSOPInstanceUID", "")): int(item.get("FailureReason", 0))
                for item in (answer.get("FailedSOPSequence", []) if answer is not None else [])
            }
            for uid, path in batch.items():
                if uid in refused:
                    result.failed.append((str(path), f"{node} refused it: failure reason 0x{refused[uid]:04X}"))
                else:
                    result.done.append(path)
        progress(len(result.done) + len(result.failed), len(paths))
    return result


def _client(node: Node) -> DICOMwebClient:
    client = DICOMwebClient(node.url, timeout=TIMEOUT)
    client.set_http_retry_params(retry=False)  # an unreachable node answers at once, not after 5 tries
    return client


def _part10(ds: Dataset) -> bytes:
    """The dataset as a Part 10 file; file meta made from the dataset where the part had none."""
    if not getattr(ds, "file_meta", None) or "TransferSyntaxUID" not in ds.file_meta:
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = ds.SOPClassUID
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta = meta
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def _by_patient(studies: list[Match]) -> list[Match]:
    patients: dict[str, Match] = {}
    for study in studies:
        key = study.get("PatientID", "")
        entry = patients.setdefault(key, {k: study.get(k, "") for k in FIELDS["PATIENT"]})
        entry["NumberOfPatientRelatedStudies"] = str(int(entry["NumberOfPatientRelatedStudies"] or 0) + 1)
    return list(patients.values())


@contextmanager
def _web_errors(node: Node, what: str) -> Iterator[None]:
    """requests' exceptions as one line naming the node."""
    try:
        yield
    except requests.exceptions.HTTPError as exc:
        response = exc.response
        status = f"HTTP {response.status_code} {response.reason}" if response is not None else str(exc)
        raise PacsError(f"{node}: {what} failed: {status}") from None
    except requests.exceptions.Timeout:
        raise PacsError(f"{node} did not answer {what} within {TIMEOUT:g} s") from None
    except requests.exceptions.ConnectionError as exc:
        raise PacsError(f"cannot reach {node}: {_root_cause(exc)}") from None
    except requests.exceptions.RequestException as exc:
        raise PacsError(f"{node}: {what} failed: {exc}") from None


def _root_cause(exc: BaseException) -> str:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    for arg in getattr(exc, "args", ()):
        text = str(arg)
        if "Errno" in text or "refused" in text.lower():
            return text.split("] ", 1)[-1].rstrip(")'")
    return str(exc).split(": ", 1)[-1] or type(exc).__name__
