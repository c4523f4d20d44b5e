"""Modality values (what a person types, e.g. HU) to stored values, and the stored type.

Values that the stored type cannot hold are never wrapped around: the array is widened
to a type that holds them (commit then updates Bits Allocated/Stored and Pixel
Representation), and values beyond 32 bits are refused.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.model.display import ModalityTransform
from viewer.model.errors import ViewerError

_WIDENING: tuple[np.dtype[Any], ...] = tuple(
    np.dtype(t) for t in (np.uint8, np.int8, np.uint16, np.int16, np.uint32, np.int32)
)


def to_stored(value: float, modality: ModalityTransform) -> int:
    """The stored value whose modality value is nearest to `value` (rounded)."""
    stored = modality.inverse(float(value))
    if not np.isfinite(stored):
        raise ViewerError(f"value {value} has no stored equivalent (rescale slope {modality.slope})")
    return int(np.rint(stored))


def stored_range(lo: float, hi: float, modality: ModalityTransform) -> tuple[float, float]:
    """The stored-value interval equivalent to modality interval [lo, hi] (slope may be < 0)."""
    a, b = modality.inverse(float(lo)), modality.inverse(float(hi))
    return (a, b) if a <= b else (b, a)


def dtype_for(values_min: int, values_max: int, current: np.dtype[Any]) -> np.dtype[Any]:
    """`current` if it holds [values_min, values_max], else the smallest integer type that does."""
    if current.kind not in "iu":
        return current
    info = np.iinfo(current)
    if info.min <= values_min and values_max <= info.max:
        return current
    for candidate in _WIDENING:
        c = np.iinfo(candidate)
        if c.min <= values_min and values_max <= c.max and candidate.itemsize >= current.itemsize:
            return candidate
    raise ViewerError(f"values {values_min}..{values_max} do not fit in 32-bit stored pixels; refusing the edit")


def fit_value(array: npt.NDArray[Any], value: int) -> npt.NDArray[Any]:
    """`array`, widened (copied) when needed so that it can hold `value` without wrapping."""
    if array.dtype.kind not in "iu":
        return array
    target = dtype_for(value, value, array.dtype)
    if target == array.dtype:
        return array
    lo, hi = int(array.min(initial=0)), int(array.max(initial=0))
    target = dtype_for(min(lo, value), max(hi, value), target)
    return array.astype(target)
