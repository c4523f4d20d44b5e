"""Reverse values within the image's own range: v' = min + max - v (min, max over all frames).

The range is the image's, not what Bits Stored allows: inverting a CT with values
-1024..3071 keeps them in -1024..3071, so the stored window and rescale still apply
(4095 - v or -1 - v would move every value out of the window's reach).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from viewer.edits.operation import EditContext, Operation, Pixels


def value_range(pixels: npt.NDArray[Any]) -> tuple[Any, Any]:
    """(min, max) of every value of every frame, as the array's own type."""
    return pixels.min(), pixels.max()


def invert(pixels: npt.NDArray[Any], low: Any, high: Any) -> npt.NDArray[Any]:
    """`pixels` with low + high - v, in their own type.

    Integers are computed modulo 2**bits on the unsigned view: the true result lies in
    low..high, so it is exact even for 64-bit values whose sum would overflow.
    """
    if pixels.dtype.kind == "f":
        return (low + high) - pixels
    unsigned = np.dtype(f"{pixels.dtype.byteorder}u{pixels.dtype.itemsize}")
    bounds = np.array([low, high], dtype=pixels.dtype).view(unsigned)
    total = bounds[:1] + bounds[1:]  # wraps silently: arrays, not scalars
    out = total - pixels.view(unsigned)
    return out.view(pixels.dtype)


@dataclass(frozen=True)
class Invert(Operation):
    name: ClassVar[str] = "invert"
    reads_all_frames: ClassVar[bool] = True  # the range is the whole image's
    frame: int | None = None

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        low, high = value_range(pixels)  # over all frames, also when one is inverted
        out = pixels.copy()
        for i in self.target_frames(len(pixels)):
            out[i] = invert(pixels[i], low, high)
        return out
