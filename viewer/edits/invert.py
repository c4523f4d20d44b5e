"""Reverse the stored value range: v -> (min + max) - v over what Bits Stored allows."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt


def value_limits(bits_stored: int, signed: bool) -> tuple[int, int]:
    """Smallest and largest stored value for (0028,0101) Bits Stored and the sign."""
    if signed:
        return -(1 << (bits_stored - 1)), (1 << (bits_stored - 1)) - 1
    return 0, (1 << bits_stored) - 1


def invert(pixels: npt.NDArray[Any], bits_stored: int, signed: bool) -> npt.NDArray[Any]:
    """Return pixels with the stored range reversed (black becomes white)."""
    lo, hi = value_limits(bits_stored, signed)
    if pixels.dtype.kind == "f":
        return (lo + hi) - pixels
    out = (lo + hi) - pixels.astype(np.int64)
    return out.astype(pixels.dtype)
