"""Pad: enlarge the canvas by margins filled with one value (the inverse of crop).

Margins are in pixels on each side; the value is in modality units (e.g. -1000 HU for
air), written through the inverse rescale like every value. The old first pixel keeps
its place in patient space, so the new first pixel lies `left` columns and `top` rows
before it; overlay planes grow with unset margins.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from viewer.edits.operation import EditContext, Operation, Pixels, Planes, field_error
from viewer.edits.values import fit_value, to_stored
from viewer.model.errors import ViewerError
from viewer.model.geometry import FrameGeometry

#: Largest side a padded image may have (DICOM Rows and Columns are 16-bit).
MAX_SIDE = 65535


def pad(pixels: npt.NDArray[Any], left: int, top: int, right: int, bottom: int, value: Any) -> npt.NDArray[Any]:
    """Frames (frames, rows, columns[, samples]) with margins of `value` around them."""
    frames, rows, columns = pixels.shape[:3]
    if rows + top + bottom > MAX_SIDE or columns + left + right > MAX_SIDE:
        raise ViewerError(f"padding would make the image larger than {MAX_SIDE} pixels on a side")
    out = np.full((frames, rows + top + bottom, columns + left + right, *pixels.shape[3:]), value, dtype=pixels.dtype)
    out[:, top : top + rows, left : left + columns] = pixels
    return out


@dataclass(frozen=True)
class Pad(Operation):
    """Add `left`, `top`, `right`, `bottom` pixels of modality `value` around every frame."""

    name: ClassVar[str] = "pad"
    geometric: ClassVar[bool] = True
    left: int
    top: int
    right: int
    bottom: int
    value: float

    def check(self) -> None:
        for side in ("left", "top", "right", "bottom"):
            margin = getattr(self, side)
            if not 0 <= margin <= MAX_SIDE:
                raise field_error(self, side, f"{margin} must be in 0..{MAX_SIDE}")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        if ctx.is_color:
            raise ViewerError("pad works on grayscale images; this one is colour")
        values = [to_stored(self.value, ctx.modality_for(i)) for i in range(len(pixels))]
        if len(set(values)) > 1:
            raise ViewerError("the frames have different rescales; pad value has no single stored value")
        stored = values[0]
        return pad(fit_value(pixels, stored), self.left, self.top, self.right, self.bottom, stored)

    def geometry(self, frame: FrameGeometry) -> FrameGeometry:
        return replace(
            frame,
            rows=frame.rows + self.top + self.bottom,
            columns=frame.columns + self.left + self.right,
            position=frame.moved(-self.top, -self.left),
        )

    def point(self, row: float, column: float, rows: int, columns: int) -> tuple[float, float]:
        return row + self.top, column + self.left

    def overlay(self, planes: Planes) -> Planes:
        return pad(planes, self.left, self.top, self.right, self.bottom, False)
