"""The Image Pixel module after an edit: the smallest stored type that holds the values."""

from __future__ import annotations

from typing import Any

import numpy as np

from viewer.model.errors import ViewerError


def _bits_needed(vmin: int, vmax: int, signed: bool) -> int:
    bits = 1
    while True:
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        if lo <= vmin and vmax <= hi:
            return bits
        bits += 1


def choose_pixel_type(
    dtype: np.dtype[Any],
    bits_allocated: int,
    bits_stored: int,
    signed: bool,
    extremes: tuple[Any, Any] | None,
) -> tuple[int, int, bool, list[str]]:
    """(bits allocated, bits stored, signed, warnings) that hold integer values of `dtype`
    within `extremes` (None: no pixels); widened, never narrowed."""
    if extremes is None or dtype.kind not in "iub":
        return bits_allocated, bits_stored, signed, []
    vmin, vmax = (int(v) for v in extremes)
    new_signed = signed or vmin < 0
    need = _bits_needed(vmin, vmax, new_signed)
    warnings = []
    if need <= bits_stored and new_signed == signed:
        return bits_allocated, bits_stored, signed, []
    new_stored = max(need, bits_stored)
    new_allocated = next(b for b in (8, 16, 32) if b >= max(new_stored, bits_allocated))
    if new_stored > 32:
        raise ViewerError(f"values {vmin}..{vmax} need {new_stored} bits; at most 32 can be stored")
    warnings.append(
        f"values {vmin}..{vmax} do not fit in Bits Stored {bits_stored} "
        f"({'signed' if signed else 'unsigned'}); widened to {new_stored} bits"
        f"{' signed' if new_signed else ''} in {new_allocated}-bit pixels"
    )
    return new_allocated, new_stored, new_signed, warnings


def storage_dtype(bits_allocated: int, signed: bool) -> np.dtype[Any]:
    size = max(bits_allocated, 8) // 8
    return np.dtype(f"<{'i' if signed else 'u'}{size}")
