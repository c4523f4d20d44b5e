"""Patient geometry of a frame and how crop, bin, flip and rotate move it.

(0020,0032) Image Position (Patient) is the center of the first transmitted pixel;
(0020,0037) Image Orientation (Patient) holds the row direction (along a row, towards
increasing column) and the column direction (down a column, towards increasing row);
(0028,0030) Pixel Spacing is [row spacing (between rows), column spacing (between
columns)] (PS3.3 C.7.6.2.1.1, 10.7.1.3).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

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

    def _moved(self, rows_down: float, columns_right: float) -> Vector | None:
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

    def crop(self, x: int, y: int, width: int, height: int) -> FrameGeometry:
        return replace(self, rows=height, columns=width, position=self._moved(y, x))

    def bin(self, factor: int) -> FrameGeometry:
        """The first binned pixel is the mean of the first factor x factor block."""
        shift = (factor - 1) / 2
        return replace(
            self,
            rows=self.rows // factor,
            columns=self.columns // factor,
            position=self._moved(shift, shift),
            row_spacing=None if self.row_spacing is None else self.row_spacing * factor,
            column_spacing=None if self.column_spacing is None else self.column_spacing * factor,
        )

    def flip(self, direction: str) -> FrameGeometry:
        if direction == "h":  # columns reversed: the first pixel was the last of row 0
            return replace(
                self,
                position=self._moved(0, self.columns - 1),
                row_direction=_neg(self.row_direction),
            )
        return replace(
            self,
            position=self._moved(self.rows - 1, 0),
            column_direction=_neg(self.column_direction),
        )

    def rotate(self, degrees: int) -> FrameGeometry:
        """Clockwise rotation of the pixel grid (not of the patient)."""
        if degrees == 180:
            return replace(
                self,
                position=self._moved(self.rows - 1, self.columns - 1),
                row_direction=_neg(self.row_direction),
                column_direction=_neg(self.column_direction),
            )
        swapped = replace(
            self,
            rows=self.columns,
            columns=self.rows,
            row_spacing=self.column_spacing,
            column_spacing=self.row_spacing,
        )
        if degrees == 90:
            # new[r, c] = old[rows-1-c, r]: along a new row, old rows decrease;
            # down a new column, old columns increase.
            return replace(
                swapped,
                position=self._moved(self.rows - 1, 0),
                row_direction=_neg(self.column_direction),
                column_direction=self.row_direction,
            )
        # 270: new[r, c] = old[c, columns-1-r]
        return replace(
            swapped,
            position=self._moved(0, self.columns - 1),
            row_direction=self.column_direction,
            column_direction=_neg(self.row_direction),
        )


def _neg(v: Vector | None) -> Vector | None:
    return None if v is None else -v


def format_ds(value: float) -> str:
    """A Decimal String of at most 16 characters (PS3.5 6.2), without '-0'."""
    from pydicom.valuerep import format_number_as_ds

    value = float(value)
    if abs(value) < 1e-10:
        value = 0.0
    text = format_number_as_ds(value)
    return "0" if text in ("-0", "-0.0", "0.0") else text
