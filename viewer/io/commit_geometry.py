"""Geometry after an edit: position, orientation, spacing of every frame, functional groups
following the kept frames, and the per-frame vectors of classic multi-frame objects.

Each operation says how it moves a frame (:meth:`Operation.geometry`); this module reads
the frames' geometry from the header, follows the operations and writes the result.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from viewer.edits.operation import Operation
from viewer.edits.session import edit_state
from viewer.io.tag_changes import TagRecorder
from viewer.model.document import Document
from viewer.model.errors import ViewerError, describe_attribute
from viewer.model.functional_groups import frame_view
from viewer.model.geometry import FrameGeometry, format_ds, frame_geometry


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


def _write_geometry(
    rec: TagRecorder, ds: Dataset, geometry: FrameGeometry, where: str, orientation: bool = True
) -> None:
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


def macro_item(groups: Dataset, keyword: str) -> Dataset | None:
    seq = groups.get(keyword)
    return seq[0] if seq else None


def refuse_tiled(ds: Dataset, operations: list[Operation]) -> None:
    """A tiled image (whole-slide microscopy) is one Total Pixel Matrix cut into frames:
    cropping, binning, turning or removing tiles one by one would leave the matrix size and
    the tile positions wrong. Such edits are refused; value edits keep the tiling."""
    tiled = "TotalPixelMatrixRows" in ds or str(ds.get("DimensionOrganizationType", "")).startswith("TILED")
    changed = [op.name for op in operations if op.geometric]
    if tiled and changed:
        raise ViewerError(
            f"'{changed[0]}' is not supported on a tiled whole-slide image: each tile would change but not "
            "the Total Pixel Matrix or the tile positions (value edits such as threshold and invert work)"
        )


def commit_geometry(rec: TagRecorder, ds: Dataset, document: Document, rows: int, columns: int) -> None:
    work = edit_state(document)
    refuse_tiled(ds, work.operations)
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
            item = macro_item(groups, macro)
            if item is not None:
                _write_geometry(rec, item, geometries[i], where + macro.replace("Sequence", "") + " > ")
    if shared_seq:
        for macro in ("PlanePositionSequence", "PlaneOrientationSequence", "PixelMeasuresSequence"):
            item = macro_item(shared_seq[0], macro)
            if item is not None:
                _write_geometry(
                    rec, item, geometries[0], f"SharedFunctionalGroupsSequence > {macro.replace('Sequence', '')} > "
                )


def _trim_frame_vectors(rec: TagRecorder, ds: Dataset, kept: list[int], original_count: int) -> None:
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
