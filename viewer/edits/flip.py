"""Mirror frames left-right ('h') or top-bottom ('v')."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from viewer.edits.operation import EditContext, Operation, Pixels, Planes, field_error
from viewer.model.errors import ViewerError
from viewer.model.geometry import FrameGeometry, negated


def flip(pixels: npt.NDArray[Any], direction: str) -> npt.NDArray[Any]:
    """Return mirrored frames; 'h' reverses columns, 'v' reverses rows."""
    if direction == "h":
        return np.ascontiguousarray(pixels[:, :, ::-1])
    if direction == "v":
        return np.ascontiguousarray(pixels[:, ::-1])
    raise ViewerError(f"flip direction '{direction}' must be 'h' or 'v'")


@dataclass(frozen=True)
class Flip(Operation):
    """Mirror left-right ('h': columns reversed) or top-bottom ('v': rows reversed)."""

    name: ClassVar[str] = "flip"
    frame_wise: ClassVar[bool] = True
    geometric: ClassVar[bool] = True
    direction: str

    def check(self) -> None:
        if self.direction not in ("h", "v"):
            raise field_error(self, "direction", f"{self.direction!r} must be 'h' or 'v'")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return flip(pixels, self.direction)

    def geometry(self, frame: FrameGeometry) -> FrameGeometry:
        if self.direction == "h":  # the first pixel was the last of row 0
            return replace(
                frame, position=frame.moved(0, frame.columns - 1), row_direction=negated(frame.row_direction)
            )
        return replace(frame, position=frame.moved(frame.rows - 1, 0), column_direction=negated(frame.column_direction))

    def point(self, row: float, column: float, rows: int, columns: int) -> tuple[float, float]:
        return (row, columns - 1 - column) if self.direction == "h" else (rows - 1 - row, column)

    def overlay(self, planes: Planes) -> Planes:
        return flip(planes, self.direction)
