"""Crop a series to a box of voxels drawn in its volume planes: the document operations
that do it (a rectangle of every acquired frame, and the frames between two slices).

The box is in the volume's patient-ordered voxels (viewer.model.volume); each of its
three ranges maps back to the acquired frames' rows, columns or slices, whichever
direction the acquisition ran. Saving the edited series writes one file per kept slice.
"""

from __future__ import annotations

from viewer.edits.crop import Crop
from viewer.edits.frames import KeepFrames
from viewer.edits.operation import Operation
from viewer.model.errors import ViewerError
from viewer.model.volume import Volume

#: A box of voxels: inclusive (first, last) along the patient x, y and z axes.
Box = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


def _acquired_range(volume: Volume, patient_axis: int, sign: int, box: Box) -> tuple[int, int]:
    """The inclusive range of acquired indices along the acquisition axis that runs along
    `patient_axis` (reversed when the acquisition runs against the patient axis)."""
    first, last = box[patient_axis]
    size = volume.values.shape[patient_axis]
    if not 0 <= first <= last < size:
        raise ViewerError(f"box {first}..{last} is outside 0..{size - 1} along the {'xyz'[patient_axis]} axis")
    low, high = sorted(volume.acquired_index((patient_axis, sign), v) for v in (first, last))
    return low, high


def box_crop(volume: Volume, box: Box) -> list[Operation]:
    """The operations that keep only `box` of the series `volume` was built from: a crop of
    every frame (unless the box spans whole rows and columns) and the frames of the
    box's slices (unless it spans them all)."""
    (slice_axis, _), (row_axis, row_sign), (column_axis, column_sign) = volume.acquired_axes
    operations: list[Operation] = []
    top, bottom = _acquired_range(volume, row_axis, row_sign, box)
    left, right = _acquired_range(volume, column_axis, column_sign, box)
    rows, columns = volume.values.shape[row_axis], volume.values.shape[column_axis]
    if (top, bottom, left, right) != (0, rows - 1, 0, columns - 1):
        operations.append(Crop(left, top, right - left + 1, bottom - top + 1))
    first, last = box[slice_axis]
    _acquired_range(volume, slice_axis, 1, box)  # checks the range
    if (first, last) != (0, volume.values.shape[slice_axis] - 1):
        kept = sorted(volume.frames[v] for v in range(first, last + 1))
        operations.append(KeepFrames(",".join(str(f + 1) for f in kept)))
    return operations
