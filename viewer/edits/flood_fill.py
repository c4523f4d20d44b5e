"""Flood fill: the 4-connected region around a seed whose values are within a tolerance."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.model.errors import ViewerError


def connected_region(frame: npt.NDArray[Any], seed: tuple[int, int], tolerance: float) -> npt.NDArray[np.bool_]:
    """Pixels 4-connected to `seed` with |value - seed value| <= tolerance (stored units).

    Grows by whole-array dilation restricted to the candidate mask, so the cost is
    numpy passes rather than Python per pixel.
    """
    rows, columns = frame.shape[:2]
    r, c = seed
    if not (0 <= r < rows and 0 <= c < columns):
        raise ViewerError(f"seed ({r}, {c}) is outside the {columns} x {rows} image")
    values = frame.astype(np.float64)
    candidate = np.abs(values - values[r, c]) <= tolerance
    region = np.zeros_like(candidate)
    region[r, c] = True
    while True:
        grown = region.copy()
        grown[1:] |= region[:-1]
        grown[:-1] |= region[1:]
        grown[:, 1:] |= region[:, :-1]
        grown[:, :-1] |= region[:, 1:]
        grown &= candidate
        if np.array_equal(grown, region):
            return region
        region = grown


def flood_fill(frame: npt.NDArray[Any], seed: tuple[int, int], tolerance: float, value: int) -> npt.NDArray[Any]:
    """Return a copy of `frame` with the connected region around `seed` set to `value`."""
    out = frame.copy()
    out[connected_region(frame, seed, tolerance)] = value
    return out
