"""Paint and erase with a round brush; strokes touch only a bounding box."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

Box = tuple[int, int, int, int]  # row0, row1, col0, col1 (half-open)


def stroke_mask(
    shape: tuple[int, int], points: list[tuple[float, float]], radius: float
) -> tuple[Box, npt.NDArray[np.bool_]] | None:
    """The pixels a brush of `radius` covers along `points` ((row, column) pairs).

    Returns the bounding box and the mask inside it, or None if it misses the image.
    Consecutive points are joined so that a fast drag leaves no gaps.
    """
    rows, columns = shape
    if not points:
        return None
    dense: list[tuple[float, float]] = [points[0]]
    for (r0, c0), (r1, c1) in zip(points, points[1:]):
        steps = max(1, int(np.ceil(max(abs(r1 - r0), abs(c1 - c0)) / max(radius / 2, 0.5))))
        dense += [(r0 + (r1 - r0) * t / steps, c0 + (c1 - c0) * t / steps) for t in range(1, steps + 1)]
    pts = np.array(dense, dtype=float)
    reach = radius + 1
    row0 = max(0, int(np.floor(pts[:, 0].min() - reach)))
    row1 = min(rows, int(np.ceil(pts[:, 0].max() + reach)) + 1)
    col0 = max(0, int(np.floor(pts[:, 1].min() - reach)))
    col1 = min(columns, int(np.ceil(pts[:, 1].max() + reach)) + 1)
    if row0 >= row1 or col0 >= col1:
        return None
    rr, cc = np.mgrid[row0:row1, col0:col1]
    mask = np.zeros(rr.shape, dtype=bool)
    r2 = radius * radius
    for r, c in pts:
        mask |= (rr - r) ** 2 + (cc - c) ** 2 <= r2
    if not mask.any():
        return None
    return (row0, row1, col0, col1), mask


def _stroke(
    frame: npt.NDArray[Any], points: list[tuple[float, float]], radius: float, source: Any
) -> tuple[Box, npt.NDArray[Any]] | None:
    """The stroke's box with its covered pixels taken from `source` (a value or an array)."""
    found = stroke_mask(frame.shape[:2], points, radius)
    if found is None:
        return None
    (r0, r1, c0, c1), mask = found
    region = frame[r0:r1, c0:c1].copy()
    if isinstance(source, np.ndarray):
        region[mask] = source[r0:r1, c0:c1][mask].astype(region.dtype)
    else:
        region[mask] = source
    return (r0, r1, c0, c1), region


def paint(
    frame: npt.NDArray[Any], points: list[tuple[float, float]], radius: float, value: int
) -> tuple[Box, npt.NDArray[Any]] | None:
    """New values of the stroke's bounding box with the brush painted in `value`."""
    return _stroke(frame, points, radius, value)


def erase(
    frame: npt.NDArray[Any],
    original: npt.NDArray[Any],
    points: list[tuple[float, float]],
    radius: float,
) -> tuple[Box, npt.NDArray[Any]] | None:
    """New values of the stroke's bounding box with the brush restoring `original`."""
    return _stroke(frame, points, radius, original)
