"""Rotate frames clockwise by 90, 180 or 270 degrees."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from viewer.edits.operation import EditContext, Operation, Pixels, Planes, field_error
from viewer.model.errors import ViewerError
from viewer.model.geometry import FrameGeometry, negated


def rotate(pixels: npt.NDArray[Any], degrees: int) -> npt.NDArray[Any]:
    """Return frames rotated clockwise; rows and columns swap for 90 and 270."""
    if degrees not in (90, 180, 270):
        raise ViewerError(f"rotation {degrees} must be 90, 180 or 270 (clockwise)")
    # np.rot90 turns counter-clockwise for positive k in (rows, columns) axes.
    return np.ascontiguousarray(np.rot90(pixels, k=-degrees // 90, axes=(1, 2)))


@dataclass(frozen=True)
class Rotate(Operation):
    """Turn the pixel grid clockwise (not the patient) by 90, 180 or 270 degrees."""

    name: ClassVar[str] = "rotate"
    frame_wise: ClassVar[bool] = True
    geometric: ClassVar[bool] = True
    degrees: int

    def check(self) -> None:
        if self.degrees not in (90, 180, 270):
            raise field_error(self, "degrees", f"{self.degrees} must be 90, 180 or 270")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return rotate(pixels, self.degrees)

    @property
    def quarter_turns(self) -> int:
        return self.degrees // 90

    def geometry(self, frame: FrameGeometry) -> FrameGeometry:
        rows, columns = frame.rows, frame.columns
        if self.degrees == 180:
            return replace(
                frame,
                position=frame.moved(rows - 1, columns - 1),
                row_direction=negated(frame.row_direction),
                column_direction=negated(frame.column_direction),
            )
        if self.degrees == 90:
            # new[r, c] = old[rows-1-c, r]: along a new row, old rows decrease;
            # down a new column, old columns increase.
            return replace(
                frame.transposed(),
                position=frame.moved(rows - 1, 0),
                row_direction=negated(frame.column_direction),
                column_direction=frame.row_direction,
            )
        # 270: new[r, c] = old[c, columns-1-r]
        return replace(
            frame.transposed(),
            position=frame.moved(0, columns - 1),
            row_direction=frame.column_direction,
            column_direction=negated(frame.row_direction),
        )

    def point(self, row: float, column: float, rows: int, columns: int) -> tuple[float, float]:
        if self.degrees == 90:  # new[r, c] = old[rows-1-c, r]
            return column, rows - 1 - row
        if self.degrees == 180:
            return rows - 1 - row, columns - 1 - column
        return columns - 1 - column, row  # 270: new[r, c] = old[c, columns-1-r]

    def overlay(self, planes: Planes) -> Planes:
        return rotate(planes, self.degrees)
