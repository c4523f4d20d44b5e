"""Open a folder: find DICOM images, group them into series, sort each series.

Single-frame images of one series (same Series Instance UID and frame size) become one
document whose frames are the files, sorted by position along the slice normal
(PS3.3 C.7.6.2.1.1), then by (0020,0013) Instance Number. Multi-frame files stay
documents of their own.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset

from viewer.model.document import Document, open_document, open_series
from viewer.model.errors import ViewerError, one_line
from viewer.model.prescan import prescan
from viewer.model.warning_notes import collect_warnings


@dataclass
class SeriesEntry:
    """Files of one series in display order."""

    series_uid: str
    description: str
    paths: list[Path] = field(default_factory=list)
    patient: str = ""  # name and ID, as the series browser groups them
    study: str = ""  # description and date
    modality: str = ""


def _context(ds: Dataset) -> dict[str, str]:
    """Patient, study and modality words of one file, for grouping in the series browser."""
    patient = " ".join(str(v) for v in (ds.get("PatientName", ""), ds.get("PatientID", "")) if str(v))
    study = " ".join(str(v) for v in (ds.get("StudyDescription", ""), ds.get("StudyDate", "")) if str(v))
    return {
        "patient": patient or "(no patient)",
        "study": study or "(no study)",
        "modality": str(ds.get("Modality", "")),
    }


@dataclass
class FolderScan:
    """What a folder holds: series to open and files that were skipped, with reasons."""

    series: list[SeriesEntry]
    skipped: list[tuple[Path, str]]


def _slice_key(ds: Dataset) -> tuple[float, float]:
    """Position along the normal of the image plane, then Instance Number."""
    position = float("inf")
    try:
        orientation = np.array([float(v) for v in ds.ImageOrientationPatient], dtype=float)
        ipp = np.array([float(v) for v in ds.ImagePositionPatient], dtype=float)
        normal = np.cross(orientation[:3], orientation[3:])
        position = float(np.dot(normal, ipp))
    except (AttributeError, TypeError, ValueError):
        pass
    try:
        instance = float(ds.InstanceNumber)
    except (AttributeError, TypeError, ValueError):
        instance = float("inf")
    return position, instance


DICOMDIR_CLASS = "1.2.840.10008.1.3.10"  # Media Storage Directory Storage


def is_dicomdir(path: Path) -> bool:
    """True for a DICOMDIR (a media directory that lists the files of a file-set)."""
    if not path.is_file():
        return False
    try:
        with collect_warnings([]):
            meta = dcmread(path, stop_before_pixels=True, specific_tags=["MediaStorageSOPClassUID"]).file_meta
    except Exception:
        return False
    return str(meta.get("MediaStorageSOPClassUID", "")) == DICOMDIR_CLASS


def dicomdir_files(path: Path) -> list[Path]:
    """The files a DICOMDIR lists (those that exist), in its order."""
    from pydicom.fileset import FileSet

    prescan(path)
    try:
        with collect_warnings([]):
            instances = list(FileSet(dcmread(path)))
    except Exception as exc:
        raise ViewerError(f"cannot read the DICOMDIR '{path.name}': {one_line(exc)}") from None
    return [Path(instance.path) for instance in instances if Path(instance.path).is_file()]


def scan_folder(
    folder: str | Path,
    progress: Callable[[int, int], None] | None = None,
    found: Callable[[SeriesEntry], None] | None = None,
) -> FolderScan:
    """Find and group the DICOM images under `folder` (recursively), or those a DICOMDIR lists.

    `found` hears of each series as its first file is read (an entry of that one file), so
    a browser can list it and draw its thumbnail long before a large folder is read."""
    folder = Path(folder)
    if is_dicomdir(folder):
        files = dicomdir_files(folder)
    elif folder.is_dir():
        files = sorted(Path(root) / name for root, _, names in os.walk(folder) for name in names)
    else:
        raise ViewerError(f"'{folder}' is not a folder or a DICOMDIR")
    groups: dict[tuple[str, int, int, int, int, int, str], list[tuple[tuple[float, float], Path]]] = defaultdict(list)
    descriptions: dict[tuple[str, int, int, int, int, int, str], str] = {}
    contexts: dict[tuple[str, int, int, int, int, int, str], dict[str, str]] = {}
    singles: list[SeriesEntry] = []
    skipped: list[tuple[Path, str]] = []
    for n, path in enumerate(files):
        if progress:
            progress(n, len(files))
        try:
            prescan(path)
            with collect_warnings([]):
                ds = dcmread(path, stop_before_pixels=True)
        except ViewerError as exc:
            skipped.append((path, str(exc)))
            continue
        except Exception:
            skipped.append((path, "not a DICOM file"))
            continue
        if "Rows" not in ds:
            skipped.append((path, "no image"))
            continue
        uid = str(ds.get("SeriesInstanceUID", "") or path)
        description = str(ds.get("SeriesDescription", "") or ds.get("Modality", "") or path.name)
        try:
            frames = int(ds.get("NumberOfFrames", 1) or 1)
            key = (
                uid,
                int(ds.Rows),
                int(ds.Columns),
                int(ds.get("SamplesPerPixel", 1) or 1),
                int(ds.get("BitsAllocated", 0) or 0),
                int(ds.get("PixelRepresentation", 0) or 0),
                str(ds.get("PhotometricInterpretation", "")),
            )
        except (TypeError, ValueError):
            skipped.append((path, "invalid image dimensions"))
            continue
        if frames > 1:
            singles.append(SeriesEntry(uid, description, [path], **_context(ds)))
            if found is not None:
                found(singles[-1])
            continue
        if key not in groups:
            contexts[key] = _context(ds)
            if found is not None:
                found(SeriesEntry(uid, description, [path], **contexts[key]))
        groups[key].append((_slice_key(ds), path))
        descriptions[key] = description
    series = [
        SeriesEntry(
            key[0],
            descriptions[key],
            [p for _, p in sorted(items, key=lambda kp: (kp[0], str(kp[1])))],
            **contexts[key],
        )
        for key, items in groups.items()
    ]
    return FolderScan(series + singles, skipped)


def open_entries(
    entries: list[SeriesEntry], progress: Callable[[int, int], None] | None = None
) -> list[Document | ViewerError]:
    """Open scanned series one by one (off the GUI thread): each a document or the reason
    it cannot be opened. A cancel (progress raising) keeps the ones opened so far."""
    from viewer.model.progress import Cancelled

    opened: list[Document | ViewerError] = []
    for n, entry in enumerate(entries):
        try:
            if progress:
                progress(n, len(entries))
        except Cancelled:
            break
        try:
            opened.append(open_entry(entry))
        except ViewerError as exc:
            opened.append(ViewerError(f"{entry.description}: {exc}"))
    return opened


def open_entry(entry: SeriesEntry) -> Document:
    """Open a scanned series: one file as itself, several as one multi-frame document."""
    if len(entry.paths) == 1:
        return open_document(entry.paths[0])
    return open_series(entry.paths)
