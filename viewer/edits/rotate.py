"""Rotate frames clockwise by 90, 180 or 270 degrees."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.model.errors import ViewerError


def rotate(pixels: npt.NDArray[Any], degrees: int) -> npt.NDArray[Any]:
    """Return frames rotated clockwise; rows and columns swap for 90 and 270."""
    if degrees not in (90, 180, 270):
        raise ViewerError(f"rotation {degrees} must be 90, 180 or 270 (clockwise)")
    # np.rot90 turns counter-clockwise for positive k in (rows, columns) axes.
    return np.ascontiguousarray(np.rot90(pixels, k=-degrees // 90, axes=(1, 2)))
