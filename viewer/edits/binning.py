"""Downsample by an integer factor: the mean of each N x N block (remainder dropped)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from viewer.edits.operation import EditContext, Operation, Pixels, Planes, field_error
from viewer.model.errors import ViewerError
from viewer.model.geometry import FrameGeometry


def bin_pixels(pixels: npt.NDArray[Any], factor: int) -> npt.NDArray[Any]:
    """Mean of `factor` x `factor` blocks, rounded to the stored type.

    Rows and columns that do not fill a whole block at the bottom/right are dropped,
    so the image origin (the first pixel) keeps its place.
    """
    frames, rows, columns = pixels.shape[:3]
    if factor < 1:
        raise ViewerError(f"bin factor {factor} must be >= 1")
    if factor > rows or factor > columns:
        raise ViewerError(f"bin factor {factor} is larger than the {columns} x {rows} image")
    if factor == 1:
        return pixels.copy()
    r, c = rows // factor, columns // factor
    trimmed = pixels[:, : r * factor, : c * factor]
    shape = (frames, r, factor, c, factor) + pixels.shape[3:]
    means = trimmed.reshape(shape).mean(axis=(2, 4), dtype=np.float64)
    if pixels.dtype.kind in "iu":
        means = np.rint(means)
    return means.astype(pixels.dtype)


def bin_planes(planes: Planes, factor: int) -> Planes:
    """Overlay planes binned: a pixel is set where any pixel of its block is set."""
    frames, rows, columns = planes.shape
    r, c = rows // factor, columns // factor
    blocks = planes[:, : r * factor, : c * factor].reshape(frames, r, factor, c, factor)
    return np.ascontiguousarray(blocks.any(axis=(2, 4)))


@dataclass(frozen=True)
class Bin(Operation):
    """Downsample by an integer factor: the mean of each factor x factor block."""

    name: ClassVar[str] = "bin"
    frame_wise: ClassVar[bool] = True
    geometric: ClassVar[bool] = True
    factor: int

    def check(self) -> None:
        if self.factor < 1:
            raise field_error(self, "factor", f"{self.factor} must be >= 1")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return bin_pixels(pixels, self.factor)

    def geometry(self, frame: FrameGeometry) -> FrameGeometry:
        """The first binned pixel is the mean of the first factor x factor block."""
        shift = (self.factor - 1) / 2
        return replace(
            frame,
            rows=frame.rows // self.factor,
            columns=frame.columns // self.factor,
            position=frame.moved(shift, shift),
            row_spacing=None if frame.row_spacing is None else frame.row_spacing * self.factor,
            column_spacing=None if frame.column_spacing is None else frame.column_spacing * self.factor,
        )

    def point(self, row: float, column: float, rows: int, columns: int) -> tuple[float, float]:
        """Pixel centres: binned pixel k is the mean of source pixels k*f .. k*f+f-1."""
        shift = (self.factor - 1) / 2
        return (row - shift) / self.factor, (column - shift) / self.factor

    @property
    def scale(self) -> float:
        return 1 / self.factor

    def overlay(self, planes: Planes) -> Planes:
        return bin_planes(planes, self.factor)
