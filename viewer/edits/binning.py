"""Downsample by an integer factor: the mean of each N x N block (remainder dropped)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.model.errors import ViewerError


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
