"""Patient geometry of a frame; each geometric operation says how it moves it.

(0020,0032) Image Position (Patient) is the center of the first transmitted pixel;
(0020,0037) Image Orientation (Patient) holds the row direction (along a row, towards
increasing column) and the column direction (down a column, towards increasing row);
(0028,0030) Pixel Spacing is [row spacing (between rows), column spacing (between
columns)] (PS3.3 C.7.6.2.1.1, 10.7.1.3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FrameGeometry:
    """Where one frame sits in patient space. Any part may be unknown (None)."""

    rows: int
    columns: int
    position: Vector | None = None  # (3,) mm
    row_direction: Vector | None = None  # (3,) unit
    column_direction: Vector | None = None  # (3,) unit
    row_spacing: float | None = None  # mm between rows
    column_spacing: float | None = None  # mm between columns

    def moved(self, rows_down: float, columns_right: float) -> Vector | None:
        """Position of the (fractional) pixel (rows_down, columns_right) of this frame."""
        if self.position is None or self.row_direction is None or self.column_direction is None:
            return self.position
        if self.row_spacing is None or self.column_spacing is None:
            return self.position
        return (
            self.position
            + columns_right * self.column_spacing * self.row_direction
            + rows_down * self.row_spacing * self.column_direction
        )

    def transposed(self) -> FrameGeometry:
        """Rows and columns (and their spacings) exchanged: the start of a quarter turn."""
        return replace(
            self, rows=self.columns, columns=self.rows, row_spacing=self.column_spacing, column_spacing=self.row_spacing
        )


def negated(v: Vector | None) -> Vector | None:
    """The opposite direction (None stays unknown)."""
    return None if v is None else -v


def format_ds(value: float) -> str:
    """A Decimal String of at most 16 characters (PS3.5 6.2), without '-0'."""
    from pydicom.valuerep import format_number_as_ds

    value = float(value)
    if abs(value) < 1e-10:
        value = 0.0
    text = format_number_as_ds(value)
    return "0" if text in ("-0", "-0.0", "0.0") else text


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


def nice_length(longest: float) -> float:
    """The largest 1, 2 or 5 x 10^n not above `longest` (a scale bar's length)."""
    if not longest > 0 or not np.isfinite(longest):
        raise ValueError(f"no scale bar fits {longest!r}")
    power = 10.0 ** np.floor(np.log10(longest))
    return float(max(step * power for step in (1, 2, 5) if step * power <= longest))


def row_to_column_spacing(document: Any) -> float:
    """Height of a shown pixel relative to its width, from (0028,0030) Pixel Spacing (1 when
    absent or unusable); quarter turns swap the two. What the image is drawn with."""
    spacing = document.frame_attributes(0).get("PixelSpacing")
    try:
        row, column = float(spacing[0]), float(spacing[1])
        if document.quarter_turns % 2:
            row, column = column, row
        if row > 0 and column > 0 and math.isfinite(row / column):
            return row / column
    except (TypeError, ValueError, IndexError):
        pass
    return 1.0
