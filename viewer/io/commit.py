"""Commit edited pixels to a new dataset with every dependent attribute made true again.

pydicom's ``set_pixel_data`` covers the Image Pixel module only. Here the whole list of
DESIGN.md "What a save must keep true" is applied to a fresh copy of the header, every
change recorded as old -> new, so the person sees what a save will change and a
failure leaves the document untouched (validate first, then change).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence
from pydicom.uid import UID, generate_uid

from viewer.edits.operation import Operation
from viewer.model import codecs
from viewer.model.display import Window, get_voi_luts, get_windows
from viewer.model.document import Document
from viewer.model.errors import ViewerError, describe_attribute
from viewer.model.functional_groups import frame_view
from viewer.model.geometry import FrameGeometry, format_ds
from viewer.model.header import collect_warnings

DERIVATION_PREFIX = "Edited with dicom-viewer: "
#: Attributes of Enhanced MR (PS3.3 C.8.13.4 MR Pulse Sequence, C.7.6.18.2 Bulk Motion
#: Synchronization) that the validator allows only while Image Type value 1 is ORIGINAL.
_ORIGINAL_ONLY_MR = (
    "PulseSequenceName",
    "MRAcquisitionType",
    "EchoPulseSequence",
    "MultipleSpinEcho",
    "MultiPlanarExcitation",
    "PhaseContrast",
    "VelocityEncodingAcquisitionSequence",
    "TimeOfFlightContrast",
    "ArterialSpinLabelingContrast",
    "SteadyStatePulseSequence",
    "EchoPlanarPulseSequence",
    "SaturationRecovery",
    "SpectrallySelectedSuppression",
    "OversamplingPhase",
    "GeometryOfKSpaceTraversal",
    "RectilinearPhaseEncodeReordering",
    "SegmentedKSpaceTraversal",
    "CoverageOfKSpace",
    "NumberOfKSpaceTrajectories",
    "BulkMotionCompensationTechnique",
    "BulkMotionSignalSource",
)
_ORIGINAL_ONLY = {
    "1.2.840.10008.5.1.4.1.1.4.1": _ORIGINAL_ONLY_MR,  # Enhanced MR Image
    "1.2.840.10008.5.1.4.1.1.4.3": _ORIGINAL_ONLY_MR,  # Enhanced MR Color Image
}
#: Elements that describe the old pixels and have no meaning after an edit.
_STALE = ("IconImageSequence", "SmallestPixelValueInSeries", "LargestPixelValueInSeries", "DigitalSignaturesSequence")


@dataclass(frozen=True)
class TagChange:
    """One attribute the save changes: where, old value, new value (as text)."""

    path: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.path}: {self.old or '(absent)'} -> {self.new or '(removed)'}"


@dataclass
class CommitResult:
    """The dataset to write, the pixels to encode (None: keep the file's), and the report."""

    dataset: Dataset
    pixels: npt.NDArray[Any] | None
    changes: list[TagChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _Recorder:
    """Sets and deletes attributes, remembering what changed."""

    def __init__(self) -> None:
        self.changes: list[TagChange] = []

    @staticmethod
    def _text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, Sequence):
            return f"{len(value)} item(s)"
        if isinstance(value, (list, tuple, MultiValue)):
            return "\\".join(str(v) for v in value)
        if isinstance(value, (bytes, bytearray)):
            return f"<{len(value)} bytes>"
        return str(value)

    def set(self, ds: Dataset, keyword: str, value: Any, where: str = "", vr: str | None = None) -> None:
        old = self._text(ds.get(keyword)) if keyword in ds else ""
        if vr is not None:
            if keyword in ds and ds[keyword].VR != vr:
                del ds[keyword]
            from pydicom.datadict import tag_for_keyword

            tag = tag_for_keyword(keyword)
            assert tag is not None, keyword  # keywords here are dictionary names
            ds.add_new(tag, vr, value)
        else:
            setattr(ds, keyword, value)
        new = self._text(ds.get(keyword))
        if old != new:
            self.changes.append(TagChange(f"{where}{keyword}", old, new))

    def delete(self, ds: Dataset, keyword: str, where: str = "") -> None:
        if keyword in ds:
            text = self._text(ds[keyword].value)
            del ds[keyword]
            self.changes.append(TagChange(f"{where}{keyword}", text, ""))

    def note(self, path: str, old: str, new: str) -> None:
        self.changes.append(TagChange(path, old, new))


# -- pixel type -------------------------------------------------------------------------
def _bits_needed(vmin: int, vmax: int, signed: bool) -> int:
    bits = 1
    while True:
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        if lo <= vmin and vmax <= hi:
            return bits
        bits += 1


def choose_pixel_type(
    array: npt.NDArray[Any],
    bits_allocated: int,
    bits_stored: int,
    signed: bool,
    extremes: tuple[Any, Any] | None = None,
) -> tuple[int, int, bool, list[str]]:
    """(bits allocated, bits stored, signed, warnings) that hold `array`; widened, never narrowed."""
    if array.size == 0 or array.dtype.kind not in "iub":
        return bits_allocated, bits_stored, signed, []
    vmin, vmax = (int(v) for v in (extremes or (array.min(), array.max())))
    new_signed = signed or vmin < 0
    need = _bits_needed(vmin, vmax, new_signed)
    warnings = []
    if need <= bits_stored and new_signed == signed:
        return bits_allocated, bits_stored, signed, []
    new_stored = max(need, bits_stored)
    new_allocated = next(b for b in (8, 16, 32) if b >= max(new_stored, bits_allocated))
    if new_stored > 32:
        raise ViewerError(f"values {vmin}..{vmax} need {new_stored} bits; at most 32 can be stored")
    warnings.append(
        f"values {vmin}..{vmax} do not fit in Bits Stored {bits_stored} "
        f"({'signed' if signed else 'unsigned'}); widened to {new_stored} bits"
        f"{' signed' if new_signed else ''} in {new_allocated}-bit pixels"
    )
    return new_allocated, new_stored, new_signed, warnings


def _storage_dtype(bits_allocated: int, signed: bool) -> np.dtype[Any]:
    size = max(bits_allocated, 8) // 8
    return np.dtype(f"<{'i' if signed else 'u'}{size}")


# -- geometry ---------------------------------------------------------------------------
def _floats(value: Any, count: int) -> npt.NDArray[np.float64] | None:
    try:
        out = np.array([float(v) for v in value], dtype=float)
    except (TypeError, ValueError):
        return None
    return out if out.shape == (count,) and np.all(np.isfinite(out)) else None


def frame_geometry(view: Dataset, rows: int, columns: int) -> FrameGeometry:
    """Read one frame's geometry from its attributes (see :func:`frame_view`)."""
    position = _floats(view.get("ImagePositionPatient"), 3)
    orientation = _floats(view.get("ImageOrientationPatient"), 6)
    spacing = _floats(view.get("PixelSpacing") or view.get("ImagerPixelSpacing"), 2)
    return FrameGeometry(
        rows,
        columns,
        position,
        None if orientation is None else orientation[:3],
        None if orientation is None else orientation[3:],
        None if spacing is None else float(spacing[0]),
        None if spacing is None else float(spacing[1]),
    )


def apply_geometry(geometries: list[FrameGeometry], operations: list[Operation]) -> list[FrameGeometry]:
    """Follow every operation, in order, for each frame (each operation knows its effect)."""
    for op in operations:
        kept = op.kept_frames(len(geometries))
        if kept is not None:
            geometries = [geometries[i] for i in kept]
        geometries = [op.geometry(g) for g in geometries]
    return geometries


def _ds_list(values: Any, keyword: str) -> list[str]:
    """Decimal strings of computed values; an absurd source value (e.g. a spacing of
    1e308 binned to infinity) is named instead of failing inside pydicom."""
    numbers = [float(v) for v in values]
    if not all(np.isfinite(numbers)):
        raise ViewerError(f"{describe_attribute(keyword)} becomes infinite after this edit; the file's value is absurd")
    return [format_ds(v) for v in numbers]


def _write_geometry(rec: _Recorder, ds: Dataset, geometry: FrameGeometry, where: str, orientation: bool = True) -> None:
    """Write position, orientation and spacing into `ds` where they already exist."""
    if "ImagePositionPatient" in ds and geometry.position is not None:
        rec.set(ds, "ImagePositionPatient", _ds_list(geometry.position, "ImagePositionPatient"), where)
    if (
        orientation
        and "ImageOrientationPatient" in ds
        and geometry.row_direction is not None
        and geometry.column_direction is not None
    ):
        directions = [*geometry.row_direction, *geometry.column_direction]
        rec.set(ds, "ImageOrientationPatient", _ds_list(directions, "ImageOrientationPatient"), where)
    if geometry.row_spacing is not None:
        for keyword in ("PixelSpacing", "ImagerPixelSpacing"):
            if keyword in ds:
                rec.set(ds, keyword, _ds_list([geometry.row_spacing, geometry.column_spacing], keyword), where)


def _macro_item(groups: Dataset, keyword: str) -> Dataset | None:
    seq = groups.get(keyword)
    return seq[0] if seq else None


# -- windows ----------------------------------------------------------------------------
def _fits(window: Window, low: float, high: float) -> bool:
    """A window still fits when it overlaps the data's modality range."""
    return window.low <= high and window.high >= low


def _fitted_window(low: float, high: float) -> Window:
    """0.5/1 for a 0/1 mask; otherwise black at the minimum and white at the maximum."""
    return Window((low + high) / 2, max(high - low, 1.0), explanation="FITTED TO EDITED DATA")


def _update_windows(
    rec: _Recorder, ds: Dataset, low: float, high: float, replace_all: bool, where: str, warnings: list[str]
) -> None:
    """Keep windows and VOI LUTs that still show the data, replace the rest (and say so)."""
    windows = get_windows(ds)
    luts = get_voi_luts(ds)
    keep = [] if replace_all else [w for w in windows if _fits(w, low, high)]
    lut_ok = not replace_all and any(
        lut.first_mapped <= high and lut.first_mapped + len(lut.data) - 1 >= low for lut in luts
    )
    if luts and not lut_ok:
        rec.delete(ds, "VOILUTSequence", where)
        _warn_once(warnings, "the VOI LUT no longer fits the edited values; it is replaced by a window")
    if len(keep) == len(windows) and windows and not replace_all:
        return
    if not windows and (lut_ok or "VOILUTSequence" in ds):
        return
    if not windows and not luts and not replace_all:
        return
    dropped = [w for w in windows if w not in keep]
    if dropped:
        shown = ", ".join(f"{w.center:g}/{w.width:g}" for w in dropped)
        _warn_once(warnings, f"window(s) {shown} no longer fit the edited values {low:g}..{high:g}")
    if not keep:
        keep = [_fitted_window(low, high)]
    rec.set(
        ds, "WindowCenter", [format_ds(w.center) for w in keep] if len(keep) > 1 else format_ds(keep[0].center), where
    )
    rec.set(ds, "WindowWidth", [format_ds(w.width) for w in keep] if len(keep) > 1 else format_ds(keep[0].width), where)
    if "WindowCenterWidthExplanation" in ds or any(w.explanation for w in keep):
        texts = [w.explanation or "WINDOW" for w in keep]
        rec.set(ds, "WindowCenterWidthExplanation", texts if len(texts) > 1 else texts[0], where)


def _warn_once(warnings: list[str], text: str) -> None:
    if text not in warnings:
        warnings.append(text)


# -- the commit -------------------------------------------------------------------------
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


def commit(document: Document, series_uid: str | None = None) -> CommitResult:
    """Build the dataset that a save of `document` writes, with the report of changes.

    `series_uid` puts an edited object into a new series (used when a whole edited
    series of files is saved, so the copies form one derived series).
    """
    if document.frame_headers is not None:
        raise ViewerError("a series of files is saved into a folder, one file per frame (viewer.io.series)")
    warnings: list[str] = []
    if document.is_lossy:
        warnings.append("the source was lossy compressed; the copy stays marked Lossy Image Compression 01")
    if not document.is_edited:
        ds = document.read_full_dataset()
        if "PixelData" in ds and "Rows" in ds:
            return CommitResult(ds, None, [], warnings)
        # pydicom could not read the whole object (e.g. truncated encapsulated data):
        # write the header with the frames that do decode, as an explicit repair.
        header = _header_for_save(document)
        header.PhotometricInterpretation = document.pixels.photometric_interpretation
        if document.source_pixels.samples_per_pixel > 1:
            header.PlanarConfiguration = 0
        warnings.append("the source's Pixel Data is incomplete; the copy is re-encoded from the frames that decode")
        change = TagChange("PixelData", "incomplete", f"{document.frame_count} frame(s) re-encoded")
        return CommitResult(header, document.load_all_frames(), [change], warnings)
    work = document.edits
    assert work is not None
    ds = _header_for_save(document)
    rec = _Recorder()
    source = document.source_pixels
    pixels = work.pixels
    frames, rows, columns = pixels.shape[:3]

    # Image Pixel module; per-frame extremes serve the type, the windows and the min/max tags
    flat = pixels.reshape(frames, -1)
    mins, maxs = flat.min(axis=1), flat.max(axis=1)
    bits_allocated, bits_stored, signed, type_warnings = choose_pixel_type(
        pixels, source.bits_allocated, source.bits_stored, source.pixel_representation == 1, (mins.min(), maxs.max())
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
            if bits_allocated <= 16 and pixels.size:
                rec.set(ds, keyword, int(value), vr=vr)
            else:
                rec.delete(ds, keyword)
    for keyword in _STALE:
        rec.delete(ds, keyword)

    # Modality LUT: a whole-image binarize leaves plain 0/1 values
    if work.modality_reset:
        _reset_rescale(rec, ds)

    # Windows against the new modality range
    if not source.is_color and pixels.size:
        low, high = _modality_range(document, mins, maxs)
        replace_all = work.modality_reset
        _update_windows(rec, ds, low, high, replace_all, "", warnings)
        _update_group_windows(rec, ds, low, high, replace_all, warnings)

    # Geometry and functional groups
    _commit_geometry(rec, ds, document, rows, columns)

    # Derivation
    _mark_derived(rec, ds, document)
    if series_uid:
        rec.set(ds, "SeriesInstanceUID", series_uid)
    return CommitResult(ds, pixels.astype(_storage_dtype(bits_allocated, signed), copy=False), rec.changes, warnings)


def _modality_range(document: Document, mins: npt.NDArray[Any], maxs: npt.NDArray[Any]) -> tuple[float, float]:
    """Lowest and highest modality value over all frames, from per-frame stored extremes."""
    work = document.edits
    assert work is not None
    per_frame = "PerFrameFunctionalGroupsSequence" in document.dataset and not work.modality_reset
    indices = range(len(mins)) if per_frame else [0]  # classic objects: one rescale for all
    lows, highs = [], []
    for i in indices:
        values = document.modality(i).apply(
            np.array([mins[i], maxs[i]]) if per_frame else np.array([mins.min(), maxs.max()])
        )
        lows.append(float(values.min()))
        highs.append(float(values.max()))
    return min(lows), max(highs)


def _reset_rescale(rec: _Recorder, ds: Dataset) -> None:
    for target, where in _rescale_places(ds):
        if "RescaleSlope" in target or "RescaleIntercept" in target:
            rec.set(target, "RescaleIntercept", "0", where)
            rec.set(target, "RescaleSlope", "1", where)
        rec.delete(target, "ModalityLUTSequence", where)
    if "DoseGridScaling" in ds:
        rec.set(ds, "DoseGridScaling", "1")


def _rescale_places(ds: Dataset) -> list[tuple[Dataset, str]]:
    places = [(ds, "")]
    for seq_keyword in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        for i, groups in enumerate(ds.get(seq_keyword, []) or []):
            item = _macro_item(groups, "PixelValueTransformationSequence")
            if item is not None:
                places.append((item, f"{seq_keyword}[{i + 1}] > PixelValueTransformation > "))
    return places


def _update_group_windows(
    rec: _Recorder, ds: Dataset, low: float, high: float, replace_all: bool, warnings: list[str]
) -> None:
    for seq_keyword in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        for i, groups in enumerate(ds.get(seq_keyword, []) or []):
            item = _macro_item(groups, "FrameVOILUTSequence")
            if item is not None:
                _update_windows(rec, item, low, high, replace_all, f"{seq_keyword}[{i + 1}] > FrameVOILUT > ", warnings)


def _commit_geometry(rec: _Recorder, ds: Dataset, document: Document, rows: int, columns: int) -> None:
    work = document.edits
    assert work is not None
    source = document.source_pixels
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    shared_seq = ds.get("SharedFunctionalGroupsSequence")
    count = source.frames if per_frame else 1
    originals = [frame_geometry(frame_view(ds, i), source.rows, source.columns) for i in range(count)]
    operations = work.operations if per_frame else [op for op in work.operations if not op.selects_frames]
    geometries = apply_geometry(originals, operations)
    geometric = any(op.geometric for op in work.operations)
    if not per_frame:
        if geometric:
            _write_geometry(rec, ds, geometries[0], "")
        _trim_frame_vectors(rec, ds, work.source_frames, source.frames)
        return
    # Enhanced: per-frame items follow the kept frames, in order
    if len(work.source_frames) != len(per_frame) or work.source_frames != list(range(len(per_frame))):
        kept = [copy.deepcopy(per_frame[i]) for i in work.source_frames]
        rec.note("PerFrameFunctionalGroupsSequence", f"{len(per_frame)} item(s)", f"{len(kept)} item(s)")
        ds.PerFrameFunctionalGroupsSequence = kept
        per_frame = ds.PerFrameFunctionalGroupsSequence
    if not geometric:
        return
    for i, groups in enumerate(per_frame):
        where = f"PerFrameFunctionalGroupsSequence[{i + 1}] > "
        for macro in ("PlanePositionSequence", "PlaneOrientationSequence", "PixelMeasuresSequence"):
            item = _macro_item(groups, macro)
            if item is not None:
                _write_geometry(rec, item, geometries[i], where + macro.replace("Sequence", "") + " > ")
    if shared_seq:
        for macro in ("PlanePositionSequence", "PlaneOrientationSequence", "PixelMeasuresSequence"):
            item = _macro_item(shared_seq[0], macro)
            if item is not None:
                _write_geometry(
                    rec, item, geometries[0], f"SharedFunctionalGroupsSequence > {macro.replace('Sequence', '')} > "
                )


def _trim_frame_vectors(rec: _Recorder, ds: Dataset, kept: list[int], original_count: int) -> None:
    """Classic multi-frame per-frame vectors (e.g. Frame Time Vector) keep the kept frames."""
    if kept == list(range(original_count)):
        return
    for keyword in (
        "FrameTimeVector",
        "SliceLocationVector",
        "RRIntervalVector",
        "TriggerTimeVector",
        "AngularViewVector",
    ):
        value = ds.get(keyword)
        if value is not None and len(value) == original_count:
            rec.set(ds, keyword, [value[i] for i in kept])


def _mark_derived(rec: _Recorder, ds: Dataset, document: Document) -> None:
    work = document.edits
    assert work is not None
    sop_class = UID(str(ds.get("SOPClassUID", "")))
    enhanced = "PerFrameFunctionalGroupsSequence" in ds or any(
        word in sop_class.name for word in ("Enhanced", "Legacy Converted")
    )
    image_type = list(ds.get("ImageType", []) or [])
    if image_type:
        image_type[0] = "DERIVED"
        if len(image_type) > 1 and not enhanced:  # enhanced IODs allow only PRIMARY here
            image_type[1] = "SECONDARY"
        rec.set(ds, "ImageType", image_type)
    for keyword in _ORIGINAL_ONLY.get(str(ds.get("SOPClassUID", "")), ()):
        rec.delete(ds, keyword)
    for seq_keyword in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        for i, groups in enumerate(ds.get(seq_keyword, []) or []):
            for macro in groups:
                if macro.VR == "SQ" and macro.value and "FrameType" in macro.value[0]:
                    frame_type = list(macro.value[0].FrameType)
                    frame_type[0] = "DERIVED"
                    rec.set(macro.value[0], "FrameType", frame_type, f"{seq_keyword}[{i + 1}] > {macro.keyword} > ")
    description = DERIVATION_PREFIX + "; ".join(op.describe() for op in work.operations)
    rec.set(ds, "DerivationDescription", description[:1024])
    original_class = ds.get("SOPClassUID")
    original_instance = ds.get("SOPInstanceUID")
    if original_class and original_instance and "PerFrameFunctionalGroupsSequence" not in ds:
        reference = Dataset()
        reference.ReferencedSOPClassUID = original_class
        reference.ReferencedSOPInstanceUID = original_instance
        sources = list(ds.get("SourceImageSequence", []) or [])
        rec.set(ds, "SourceImageSequence", [*sources, reference])
    new_uid = generate_uid()
    rec.set(ds, "SOPInstanceUID", new_uid)
    ds.file_meta.MediaStorageSOPInstanceUID = new_uid
    if document.is_lossy and str(ds.get("LossyImageCompression", "")).strip() != "01":
        rec.set(ds, "LossyImageCompression", "01")
        method = codecs.lossy_method(document.transfer_syntax)
        if method and "LossyImageCompressionMethod" not in ds:
            rec.set(ds, "LossyImageCompressionMethod", method)
