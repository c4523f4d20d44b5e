"""Commit edited pixels to a new dataset with every dependent attribute made true again.

pydicom's ``set_pixel_data`` covers the Image Pixel module only. Here the whole list of
DESIGN.md "What a save must keep true" is applied to a fresh copy of the header, every
change recorded as old -> new, so the person sees what a save will change and a
failure leaves the document untouched (validate first, then change).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom import dcmread
from pydicom.dataset import Dataset

from viewer.edits.session import edit_state
from viewer.edits.working import FrameSummary, WorkingPixels
from viewer.io.commit_geometry import commit_geometry
from viewer.io.commit_overlays import commit_overlays
from viewer.io.commit_pixels import choose_pixel_type, storage_dtype
from viewer.io.commit_shutter import commit_shutter
from viewer.io.commit_windows import (
    modality_range,
    reset_rescale,
    update_group_windows,
    update_windows,
    warn_uncovered,
)
from viewer.io.derivation import mark_derived
from viewer.io.stream_write import StreamedFrames
from viewer.io.tag_changes import TagChange, TagRecorder
from viewer.model.document import Document
from viewer.model.errors import ViewerError
from viewer.model.header import drop_stray_elements, keep_unreadable_as_bytes
from viewer.model.warning_notes import collect_warnings

__all__ = ["CommitResult", "DamagedInputError", "TagChange", "commit", "choose_pixel_type"]


class DamagedInputError(ViewerError):
    """The input's pixel data is damaged and saving it was not explicitly allowed."""


#: Elements that describe the old pixels and have no meaning after an edit.
_STALE = ("IconImageSequence", "SmallestPixelValueInSeries", "LargestPixelValueInSeries", "DigitalSignaturesSequence")


@dataclass
class CommitResult:
    """The dataset to write, the pixels to encode (None: keep the file's), and the report."""

    dataset: Dataset
    pixels: npt.NDArray[Any] | StreamedFrames | None  # StreamedFrames: computed as they are written
    changes: list[TagChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _header_for_save(document: Document) -> Dataset:
    document.check_unchanged()
    try:
        with collect_warnings([]):
            ds = dcmread(document.path, stop_before_pixels=True, force=document.forced)
    except Exception as exc:
        raise ViewerError(f"cannot re-read '{document.path.name}' to save it: {exc}") from None
    if getattr(ds, "file_meta", None) is None or "TransferSyntaxUID" not in ds.file_meta:
        from pydicom.dataset import FileMetaDataset

        ds.file_meta = ds.file_meta if getattr(ds, "file_meta", None) is not None else FileMetaDataset()
        ds.file_meta.TransferSyntaxUID = document.transfer_syntax
    return ds


def _raw_kept(ds: Dataset) -> list[TagChange]:
    """Values that cannot be read as their VR are written back as raw bytes (VR UN), listed."""
    return [
        TagChange(path, f"{size} bytes, not a whole number of {vr} values", "kept as raw bytes (UN)")
        for path, vr, size in keep_unreadable_as_bytes(ds)
    ]


def _even_fragments(ds: Dataset, frames: int) -> list[TagChange]:
    """Encapsulated pixel data whose fragments have odd lengths cannot be written as they are
    (a pad byte would fall outside the item and break the file for other readers): each
    frame is re-wrapped with even length. The frames' bytes, and so the pixels, stay."""
    from pydicom.encaps import encapsulate, generate_fragments, generate_frames

    syntax = ds.file_meta.TransferSyntaxUID
    if not syntax.is_compressed or "PixelData" not in ds:
        return []
    data = ds.PixelData
    if all(len(fragment) % 2 == 0 for fragment in generate_fragments(data)):
        return []
    wrapped = [bytes(frame) for frame in generate_frames(data, number_of_frames=frames)]
    ds.PixelData = encapsulate([frame + b"\x00" * (len(frame) % 2) for frame in wrapped], has_bot=len(wrapped) > 1)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    for keyword in ("ExtendedOffsetTable", "ExtendedOffsetTableLengths"):  # offsets of the old wrapping
        if keyword in ds:
            del ds[keyword]
    return [TagChange("PixelData", "odd-length fragment(s)", f"{len(wrapped)} frame(s) re-wrapped with even lengths")]


def refuse_damaged(document: Document, allow_damaged: bool) -> None:
    """A damaged input is saved only when explicitly allowed (checked before any work)."""
    damage = document.source.damage
    if damage and not allow_damaged:
        raise DamagedInputError(
            f"'{document.path.name}' is damaged ({damage}); refusing to save it as if it were whole "
            "(--allow-damaged saves it anyway, recorded in the Derivation Description)"
        )


def commit(
    document: Document,
    series_uid: str | None = None,
    allow_damaged: bool = False,
    estimate: FrameSummary | None = None,
    instance_uid: str | None = None,
) -> CommitResult:
    """Build the dataset that a save of `document` writes, with the report of changes.

    `series_uid` puts an edited object into a new series (used when a whole edited
    series of files is saved, so the copies form one derived series). A damaged input
    (pixel data cut short, frames that do not decode) is refused with
    :class:`DamagedInputError` unless `allow_damaged`; then the damage is recorded in
    the Derivation Description (edited) or the warnings (saved as it is).

    `estimate` stands for the streamed frames' summary (``StreamedEdits.estimated_summary``):
    the frames are then measured as a save writes them, and the save commits again with
    the measured summary and the same `instance_uid` (otherwise a new one) to check it.
    """
    if document.frame_headers is not None:
        raise ViewerError("a series of files is saved into a folder, one file per frame (viewer.io.series)")
    refuse_damaged(document, allow_damaged)
    damage = document.source.damage
    warnings: list[str] = []
    if damage:
        warnings.append(f"the input is damaged: {damage}")
    if document.is_lossy:
        warnings.append("the source was lossy compressed; the copy stays marked Lossy Image Compression 01")
    if not document.is_edited:
        ds = document.read_full_dataset()
        if "PixelData" in ds and "Rows" in ds:
            changes = [TagChange(tag, kind, "") for tag, kind in drop_stray_elements(ds)] + _raw_kept(ds)
            changes += _even_fragments(ds, document.source_pixels.frames)
            return CommitResult(ds, None, changes, warnings)
        # pydicom could not read the whole object (e.g. truncated encapsulated data):
        # write the header with the frames that do decode, as an explicit repair.
        if not allow_damaged:
            raise DamagedInputError(
                f"'{document.path.name}' has incomplete Pixel Data; refusing to save it as if it were whole "
                "(--allow-damaged re-encodes the frames that decode)"
            )
        header = _header_for_save(document)
        header.PhotometricInterpretation = document.pixels.photometric_interpretation
        if document.source_pixels.samples_per_pixel > 1:
            header.PlanarConfiguration = 0
        warnings.append("the source's Pixel Data is incomplete; the copy is re-encoded from the frames that decode")
        change = TagChange("PixelData", "incomplete", f"{document.frame_count} frame(s) re-encoded")
        return CommitResult(header, document.load_all_frames(), [change], warnings)
    work = edit_state(document)
    ds = _header_for_save(document)
    rec = TagRecorder()
    for tag, kind in drop_stray_elements(ds):
        rec.note(tag, kind, "")
    rec.changes += _raw_kept(ds)
    source = document.source_pixels
    summary = estimate if estimate is not None else work.summary()  # streamed edits: a pass over the frames
    frames, (rows, columns) = summary.frames, summary.frame_shape[:2]
    empty = not frames or not rows or not columns

    # Image Pixel module; per-frame extremes serve the type, the windows and the min/max tags
    mins, maxs = summary.mins, summary.maxs
    bits_allocated, bits_stored, signed, type_warnings = choose_pixel_type(
        summary.dtype,
        source.bits_allocated,
        source.bits_stored,
        source.pixel_representation == 1,
        None if empty else (mins.min(), maxs.max()),
    )
    warnings += type_warnings
    rec.set(ds, "Rows", rows)
    rec.set(ds, "Columns", columns)
    if "NumberOfFrames" in ds or frames > 1:
        rec.set(ds, "NumberOfFrames", str(frames))
    photometric = document.pixels.photometric_interpretation
    rec.set(ds, "SamplesPerPixel", source.samples_per_pixel)
    rec.set(ds, "PhotometricInterpretation", photometric)
    if source.samples_per_pixel > 1:
        rec.set(ds, "PlanarConfiguration", 0)
    rec.set(ds, "BitsAllocated", bits_allocated)
    rec.set(ds, "BitsStored", bits_stored)
    rec.set(ds, "HighBit", bits_stored - 1)
    rec.set(ds, "PixelRepresentation", 1 if signed else 0)
    vr = "SS" if signed else "US"
    for keyword, value in (("SmallestImagePixelValue", mins.min()), ("LargestImagePixelValue", maxs.max())):
        if keyword in ds:
            if bits_allocated <= 16 and not empty:
                rec.set(ds, keyword, int(value), vr=vr)
            else:
                rec.delete(ds, keyword)
    for keyword in _STALE:
        rec.delete(ds, keyword)

    # Modality LUT: a whole-image binarize leaves plain 0/1 values
    if work.modality_reset:
        reset_rescale(rec, ds)

    # Windows against the new modality range
    if not source.is_color and not empty:
        low, high = modality_range(document, mins, maxs)
        replace_all = work.modality_reset
        update_windows(rec, ds, low, high, replace_all, "", warnings)
        update_group_windows(rec, ds, low, high, replace_all, warnings)
        if summary.source_extremes is not None:
            stored = np.array(summary.source_extremes)
            before = document.source.modality_for(0).apply(stored)
            warn_uncovered(ds, (float(before.min()), float(before.max())), (low, high), warnings)

    # Geometry and functional groups; overlay planes follow the pixels
    commit_geometry(rec, ds, document, rows, columns)
    geometric = any(op.geometric for op in work.operations)
    commit_overlays(rec, ds, document, geometric, warnings)
    commit_shutter(rec, ds, document, geometric)

    # Derivation
    mark_derived(
        rec, ds, document, f"from a damaged input ({damage}; missing pixels saved as 0)" if damage else "", instance_uid
    )
    if series_uid:
        rec.set(ds, "SeriesInstanceUID", series_uid)
    rec.check()
    dtype = storage_dtype(bits_allocated, signed)
    if isinstance(work, WorkingPixels):
        pixels: npt.NDArray[Any] | StreamedFrames = work.pixels.astype(dtype, copy=False)
    else:
        pixels = StreamedFrames(work, dtype, summary, measure=estimate is not None)
    return CommitResult(ds, pixels, rec.changes, warnings)
