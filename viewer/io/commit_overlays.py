"""Overlay planes (60xx) after an edit: moved, cut, flipped, rotated and binned with the pixels.

The document's overlays are already on the edited grid (``Document.overlays`` follows
every operation, see ``viewer.model.overlays``); this writes each one back as the
bounding box of its extent, one bit per pixel (Overlay Bits Allocated 1), with the
frames it still covers. Value-only edits leave overlay data byte for byte; only the
ROI statistics, which describe the old pixel values, go. Nothing is dropped silently:
overlays that end up outside the image, or could not be read, are removed and listed.
"""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels import pack_bits

from viewer.io.tag_changes import TagRecorder
from viewer.model.document import Document
from viewer.model.overlays import Overlay, overlay_groups

#: Elements 60xx,eeee that describe the old pixel values of an ROI overlay.
_ROI_STATISTICS = (0x1301, 0x1302, 0x1303)  # ROI Area, Mean, Standard Deviation


def _remove_group(rec: TagRecorder, ds: Dataset, group: int, why: str) -> None:
    elements = [int(e.tag) for e in ds if e.tag.group == group]
    for tag in elements:
        del ds[tag]
    rec.note(f"overlay {group:04X}", f"{len(elements)} element(s)", f"(removed: {why})")


def _write(rec: TagRecorder, ds: Dataset, overlay: Overlay) -> None:
    """`overlay` as the bounding box of its extent, with the image frames it covers."""
    group = overlay.group
    rows_any, columns_any = overlay.extent[0].any(axis=1), overlay.extent[0].any(axis=0)
    top, bottom = int(np.argmax(rows_any)), len(rows_any) - int(np.argmax(rows_any[::-1]))
    left, right = int(np.argmax(columns_any)), len(columns_any) - int(np.argmax(columns_any[::-1]))
    planes = overlay.planes[:, top:bottom, left:right]
    if overlay.frames is not None:  # a contiguous run of image frames, gaps left empty
        first, last = min(overlay.frames), max(overlay.frames)
        run = np.zeros((last - first + 1, *planes.shape[1:]), dtype=bool)
        run[[f - first for f in overlay.frames]] = planes
        planes = run
        rec.set(ds, group << 16 | 0x0015, vr="IS", value=str(len(run)))
        rec.set(ds, group << 16 | 0x0051, vr="US", value=first + 1)
    rec.set(ds, group << 16 | 0x0010, vr="US", value=bottom - top)
    rec.set(ds, group << 16 | 0x0011, vr="US", value=right - left)
    rec.set(ds, group << 16 | 0x0050, vr="SS", value=[top + 1, left + 1])
    rec.set(ds, group << 16 | 0x0100, vr="US", value=1)
    rec.set(ds, group << 16 | 0x0102, vr="US", value=0)
    tag = group << 16 | 0x3000
    old = rec.text(ds[tag].value) if tag in ds else ""
    ds.add_new(tag, "OW", pack_bits(planes.ravel(), pad=True))
    rec.note(f"({group:04X},3000)", old, f"{rec.text(ds[tag].value)} ({int(np.count_nonzero(planes))} set)")


def commit_overlays(rec: TagRecorder, ds: Dataset, document: Document, geometric: bool, warnings: list[str]) -> None:
    """Make the 60xx groups of `ds` describe the edited image (see the module docstring)."""
    groups = overlay_groups(ds)
    if not groups:
        return
    for group in groups:
        for element in _ROI_STATISTICS:
            rec.delete(ds, group << 16 | element)
    if not geometric:
        return
    source = {o.group: o for o in document.source.overlays}
    moved = {o.group: o for o in document.overlays}
    for group in groups:
        overlay = moved.get(group)
        if group not in source:
            _remove_group(rec, ds, group, "unreadable, so it cannot follow the edit")
            warnings.append(f"overlay {group:04X} could not be read and was removed (it would be misplaced)")
        elif overlay is None:
            _remove_group(rec, ds, group, "nothing of it is left in the edited image")
        else:
            _write(rec, ds, overlay)
            if overlay.outside:
                warnings.append(f"overlay {group:04X}: {overlay.outside} set pixel(s) outside the image are not kept")
