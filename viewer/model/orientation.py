"""Orientation markers: which way the patient lies along each edge of the image shown.

Patient axes (PS3.3 C.7.6.2.1.1): +x towards the patient's Left, +y Posterior, +z Head.
A direction is named by its components in order of size (an oblique one by two or three
letters, e.g. "LP"); components under MIN_COMPONENT are left out. The right edge is where
the row direction points, the bottom where the column direction points; edits (flip,
rotate) turn the directions as they turn the pixels (``Operation.geometry``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.model.geometry import FrameGeometry, frame_geometry

Vector = npt.NDArray[np.float64]
MIN_COMPONENT = 0.25
_LETTERS = (("R", "L"), ("A", "P"), ("F", "H"))  # (negative, positive) along x, y, z


def direction_name(direction: Vector) -> str:
    """Letters for the way `direction` points, largest component first."""
    order = np.argsort(-np.abs(direction))
    return "".join(
        _LETTERS[axis][1 if direction[axis] > 0 else 0] for axis in order if abs(direction[axis]) >= MIN_COMPONENT
    )


def edge_labels(row_direction: Vector, column_direction: Vector) -> tuple[str, str, str, str]:
    """(left, right, top, bottom) markers of an image with these direction cosines."""
    return (
        direction_name(-row_direction),
        direction_name(row_direction),
        direction_name(-column_direction),
        direction_name(column_direction),
    )


def _from_letters(text: str) -> Vector | None:
    """A (Patient Orientation) direction such as "L", "FP" as a unit vector."""
    vector = np.zeros(3)
    for letter in text.strip().upper():
        for axis, (negative, positive) in enumerate(_LETTERS):
            if letter in (negative, positive):
                vector[axis] += 1.0 if letter == positive else -1.0
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm else None


def _directions(attributes: Any) -> Vector | None:
    """Row and column directions (6 values) from Image Orientation (Patient), else from
    Patient Orientation (radiographs: "L\\F" = rows run to the left, columns to the feet)."""
    try:
        values = np.array([float(v) for v in attributes.get("ImageOrientationPatient")], dtype=float)
        if values.shape == (6,) and np.all(np.isfinite(values)):
            return values
    except (TypeError, ValueError):
        pass
    letters = attributes.get("PatientOrientation")
    if letters is None or isinstance(letters, str) or len(letters) != 2:
        return None
    row, column = _from_letters(str(letters[0])), _from_letters(str(letters[1]))
    return None if row is None or column is None else np.concatenate([row, column])


def shown_geometry(document: Any, index: int) -> FrameGeometry | None:
    """Where frame `index` lies in the patient as it is shown now (after every edit), or
    None without Image Orientation (Patient) or Patient Orientation."""
    attributes = document.frame_attributes(index)
    values = _directions(attributes)
    if values is None:
        return None
    p = document.source_pixels
    geometry = frame_geometry(attributes, p.rows, p.columns)
    geometry = replace(geometry, row_direction=values[:3], column_direction=values[3:])
    for op in document.edits.operations if document.edits is not None else []:
        geometry = op.geometry(geometry)
    return geometry


def edge_labels_of(geometry: FrameGeometry | None) -> tuple[str, str, str, str] | None:
    """The markers of a frame placed as `geometry` (None without directions)."""
    if geometry is None or geometry.row_direction is None or geometry.column_direction is None:
        return None
    return edge_labels(geometry.row_direction, geometry.column_direction)


def shown_edge_labels(document: Any, index: int) -> tuple[str, str, str, str] | None:
    """The markers of frame `index` as it is shown now (after flips and turns), or None
    without Image Orientation (Patient) or Patient Orientation."""
    return edge_labels_of(shown_geometry(document, index))


def patient_position(document: Any, index: int, row: float, column: float) -> Vector | None:
    """(x, y, z) in mm of pixel (row, column) of frame `index` as shown, or None when the
    file does not place its frames in the patient."""
    geometry = shown_geometry(document, index)
    if geometry is None or geometry.position is None or geometry.row_spacing is None:
        return None
    return geometry.moved(row, column)
