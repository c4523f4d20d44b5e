"""Mirror frames left-right ('h') or top-bottom ('v')."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.model.errors import ViewerError


def flip(pixels: npt.NDArray[Any], direction: str) -> npt.NDArray[Any]:
    """Return mirrored frames; 'h' reverses columns, 'v' reverses rows."""
    if direction == "h":
        return np.ascontiguousarray(pixels[:, :, ::-1])
    if direction == "v":
        return np.ascontiguousarray(pixels[:, ::-1])
    raise ViewerError(f"flip direction '{direction}' must be 'h' or 'v'")
