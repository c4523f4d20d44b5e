"""Crop to a rectangle of columns x..x+w-1 and rows y..y+h-1 (0-based)."""

from __future__ import annotations

from typing import Any

import numpy.typing as npt

from viewer.model.errors import ViewerError


def check_crop(rows: int, columns: int, x: int, y: int, width: int, height: int) -> None:
    """Refuse a rectangle that is empty or reaches outside the image."""
    if width <= 0 or height <= 0:
        raise ViewerError(f"crop size {width} x {height} is empty")
    if x < 0 or y < 0 or x + width > columns or y + height > rows:
        raise ViewerError(f"crop {x},{y} {width}x{height} reaches outside the {columns} x {rows} image")


def crop(pixels: npt.NDArray[Any], x: int, y: int, width: int, height: int) -> npt.NDArray[Any]:
    """Return frames cropped to the rectangle; `pixels` is (frames, rows, columns[, samples])."""
    check_crop(pixels.shape[1], pixels.shape[2], x, y, width, height)
    return pixels[:, y : y + height, x : x + width].copy()
