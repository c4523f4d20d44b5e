"""Crop to a rectangle of columns x..x+w-1 and rows y..y+h-1 (0-based)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy.typing as npt

from viewer.edits.operation import EditContext, Operation, Pixels, Planes
from viewer.model.errors import ViewerError
from viewer.model.geometry import FrameGeometry


def check_crop(rows: int, columns: int, x: int, y: int, width: int, height: int) -> None:
    """Refuse a rectangle that is empty or reaches outside the image."""
    if width <= 0 or height <= 0:
        raise ViewerError(f"crop size {width} x {height} is empty")
    if x < 0 or y < 0 or x + width > columns or y + height > rows:
        raise ViewerError(f"crop {x},{y} {width}x{height} reaches outside the {columns} x {rows} image")


def crop(pixels: npt.NDArray[Any], x: int, y: int, width: int, height: int) -> npt.NDArray[Any]:
    """Return frames cropped to the rectangle; `pixels` is (frames, rows, columns[, samples])."""
    check_crop(pixels.shape[1], pixels.shape[2], x, y, width, height)
    return pixels[:, y : y + height, x : x + width].copy()


@dataclass(frozen=True)
class Crop(Operation):
    """Keep columns x..x+width-1 and rows y..y+height-1; the first kept pixel moves the origin."""

    name: ClassVar[str] = "crop"
    frame_wise: ClassVar[bool] = True
    geometric: ClassVar[bool] = True
    x: int
    y: int
    width: int
    height: int

    def check(self) -> None:
        if self.width < 1 or self.height < 1 or self.x < 0 or self.y < 0:
            raise ViewerError(f"crop {self.x},{self.y} {self.width}x{self.height} is empty or starts outside the image")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return crop(pixels, self.x, self.y, self.width, self.height)

    def geometry(self, frame: FrameGeometry) -> FrameGeometry:
        return replace(frame, rows=self.height, columns=self.width, position=frame.moved(self.y, self.x))

    def point(self, row: float, column: float, rows: int, columns: int) -> tuple[float, float]:
        return row - self.y, column - self.x

    def overlay(self, planes: Planes) -> Planes:
        return crop(planes, self.x, self.y, self.width, self.height)
