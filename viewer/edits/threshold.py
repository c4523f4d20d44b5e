"""Threshold edits: fill inside / outside a modality-value range, or binarize to a mask."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.edits.values import fit_value, stored_range, to_stored
from viewer.model.display import ModalityTransform


def threshold_mask(
    stored: npt.NDArray[Any], lo: float, hi: float, modality: ModalityTransform
) -> npt.NDArray[np.bool_]:
    """True where the modality value of `stored` lies in [lo, hi] (an empty mask if lo > hi)."""
    if lo > hi:
        return np.zeros(stored.shape, dtype=bool)
    if modality.lut is not None:
        values = modality.apply(stored)
        return (values >= lo) & (values <= hi)
    s_lo, s_hi = stored_range(lo, hi, modality)
    # Compare in stored space: exact for integer data, no float copy of the frame.
    if stored.dtype.kind in "iu":
        return (stored >= np.ceil(s_lo - 1e-9)) & (stored <= np.floor(s_hi + 1e-9))
    return (stored >= s_lo) & (stored <= s_hi)


def fill(
    stored: npt.NDArray[Any],
    lo: float,
    hi: float,
    value: float,
    modality: ModalityTransform,
    inside: bool,
) -> npt.NDArray[Any]:
    """Return a copy where pixels inside (or outside) [lo, hi] become modality `value`."""
    mask = threshold_mask(stored, lo, hi, modality)
    if not inside:
        mask = ~mask
    new = to_stored(value, modality)
    out = fit_value(stored, new)
    if out is stored:
        out = stored.copy()
    out[mask] = new
    return out


def binarize(stored: npt.NDArray[Any], lo: float, hi: float, modality: ModalityTransform) -> npt.NDArray[np.uint8]:
    """A 0/1 mask: 1 where the modality value is in [lo, hi], 0 elsewhere."""
    return threshold_mask(stored, lo, hi, modality).astype(np.uint8)
