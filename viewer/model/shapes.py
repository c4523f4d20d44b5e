"""Measurement shapes on a frame and the pixels they hold, by one pixel rule.

Coordinates are pixels: x = column, y = row, pixel centres at integers (the centre of
the top-left pixel is (0, 0)). A pixel belongs to a region when its centre is inside the
shape or on its boundary (DESIGN.md), so ``Rect(0, 0, 2, 2)`` holds 3 x 3 pixels and a
zero-size rectangle holds the one pixel under it. Only pixels inside the image count.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from viewer.model.errors import ViewerError

Mask = npt.NDArray[np.bool_]
#: Boundary tolerance in pixels: a centre this close to an edge is on it.
ON_EDGE = 1e-9
MAX_POLYGON_POINTS = 100_000


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    kind = "line"

    @property
    def points(self) -> list[tuple[float, float]]:
        return [(self.x1, self.y1), (self.x2, self.y2)]

    def check(self) -> None:
        _finite(self.points, self.kind)
        if self.x1 == self.x2 and self.y1 == self.y2:
            raise ViewerError("a line of zero length has nothing to measure")


@dataclass(frozen=True)
class Angle:
    """Two arms from a vertex: (x1, y1) <- (x2, y2) -> (x3, y3)."""

    x1: float
    y1: float
    x2: float
    y2: float
    x3: float
    y3: float
    kind = "angle"

    @property
    def points(self) -> list[tuple[float, float]]:
        return [(self.x1, self.y1), (self.x2, self.y2), (self.x3, self.y3)]

    @property
    def arms(self) -> tuple[Line, Line]:
        return Line(self.x2, self.y2, self.x1, self.y1), Line(self.x2, self.y2, self.x3, self.y3)

    def check(self) -> None:
        _finite(self.points, self.kind)
        for arm in self.arms:
            if arm.x1 == arm.x2 and arm.y1 == arm.y2:
                raise ViewerError("an angle needs two arms of non-zero length")


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    kind = "rect"

    @property
    def points(self) -> list[tuple[float, float]]:
        x2, y2 = self.x + self.width, self.y + self.height
        return [(self.x, self.y), (x2, self.y), (x2, y2), (self.x, y2)]

    def check(self) -> None:
        _finite(self.points, self.kind)
        if self.width < 0 or self.height < 0:
            raise ViewerError(f"rectangle size {self.width:g} x {self.height:g} is negative")

    def contains(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> Mask:
        x2, y2 = self.x + self.width, self.y + self.height
        return (x >= self.x - ON_EDGE) & (x <= x2 + ON_EDGE) & (y >= self.y - ON_EDGE) & (y <= y2 + ON_EDGE)


@dataclass(frozen=True)
class Ellipse:
    cx: float
    cy: float
    rx: float
    ry: float
    kind = "ellipse"

    @property
    def points(self) -> list[tuple[float, float]]:
        """The ends of the two axes (x axis first), as DICOM SCOORD ELLIPSE lists them."""
        return [
            (self.cx - self.rx, self.cy),
            (self.cx + self.rx, self.cy),
            (self.cx, self.cy - self.ry),
            (self.cx, self.cy + self.ry),
        ]

    def check(self) -> None:
        _finite(self.points, self.kind)
        if self.rx < 0 or self.ry < 0:
            raise ViewerError(f"ellipse radii {self.rx:g}, {self.ry:g} must not be negative")

    def contains(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> Mask:
        dx, dy = x - self.cx, y - self.cy
        if self.rx == 0 or self.ry == 0:  # a segment (or a point): on it is inside
            return (np.abs(dx) <= self.rx + ON_EDGE) & (np.abs(dy) <= self.ry + ON_EDGE)
        return (dx / self.rx) ** 2 + (dy / self.ry) ** 2 <= 1 + ON_EDGE


@dataclass(frozen=True)
class Polygon:
    vertices: tuple[tuple[float, float], ...]  # (x, y), closed implicitly
    kind = "polygon"

    @property
    def points(self) -> list[tuple[float, float]]:
        return list(self.vertices)

    def check(self) -> None:
        if len(self.vertices) < 3:
            raise ViewerError(f"a polygon needs at least 3 points, not {len(self.vertices)}")
        if len(self.vertices) > MAX_POLYGON_POINTS:
            raise ViewerError(f"a polygon of more than {MAX_POLYGON_POINTS} points is not measured")
        _finite(self.points, self.kind)

    def contains(self, x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> Mask:
        """Even-odd rule for the inside, plus every centre on an edge. `x`, `y` are a grid
        (``np.mgrid`` order); each edge only visits the rows (and, for the boundary, the
        columns) it spans, so a freehand outline of many points costs its perimeter."""
        ys, xs = y[:, 0], x[0, :]
        inside = np.zeros(y.shape, dtype=bool)
        on_edge = np.zeros(y.shape, dtype=bool)
        closed = list(self.vertices) + [self.vertices[0]]
        for (x1, y1), (x2, y2) in zip(closed, closed[1:], strict=False):
            low, high = min(y1, y2), max(y1, y2)
            if y1 != y2:  # centres whose row the edge crosses (half-open in y, as the rule needs)
                r0, r1 = np.searchsorted(ys, low, "left"), np.searchsorted(ys, high, "left")
                if r0 < r1:
                    row_y = ys[r0:r1, None]
                    at = x1 + (row_y - y1) * (x2 - x1) / (y2 - y1)
                    inside[r0:r1] ^= xs[None, :] < at
            r0, r1 = np.searchsorted(ys, low - ON_EDGE, "left"), np.searchsorted(ys, high + ON_EDGE, "right")
            c0 = np.searchsorted(xs, min(x1, x2) - ON_EDGE, "left")
            c1 = np.searchsorted(xs, max(x1, x2) + ON_EDGE, "right")
            if r0 >= r1 or c0 >= c1:
                continue
            px, py = xs[None, c0:c1], ys[r0:r1, None]
            length = math.hypot(x2 - x1, y2 - y1)
            if length == 0:
                on_edge[r0:r1, c0:c1] |= (np.abs(px - x1) <= ON_EDGE) & (np.abs(py - y1) <= ON_EDGE)
                continue
            t = ((px - x1) * (x2 - x1) + (py - y1) * (y2 - y1)) / length**2
            distance = np.abs((px - x1) * (y2 - y1) - (py - y1) * (x2 - x1)) / length
            on_edge[r0:r1, c0:c1] |= (t >= -ON_EDGE) & (t <= 1 + ON_EDGE) & (distance <= ON_EDGE)
        return inside | on_edge


Region = Rect | Ellipse | Polygon
Shape = Line | Angle | Region


def _finite(points: list[tuple[float, float]], kind: str) -> None:
    if not all(math.isfinite(v) for point in points for v in point):
        raise ViewerError(f"{kind} coordinates must be finite numbers")


def region_mask(shape: Region, rows: int, columns: int) -> tuple[Mask, tuple[int, int]]:
    """The shape's pixels within its bounding box clipped to the image, and the box's
    (top row, left column); raises ViewerError when no pixel centre of the image is in it."""
    shape.check()
    xs = [p[0] for p in shape.points]
    ys = [p[1] for p in shape.points]
    c0, c1 = max(math.ceil(min(xs) - ON_EDGE), 0), min(math.floor(max(xs) + ON_EDGE), columns - 1)
    r0, r1 = max(math.ceil(min(ys) - ON_EDGE), 0), min(math.floor(max(ys) + ON_EDGE), rows - 1)
    if c0 > c1 or r0 > r1:
        raise ViewerError(f"the {shape.kind} holds no pixel of the {columns} x {rows} image")
    y, x = np.mgrid[r0 : r1 + 1, c0 : c1 + 1].astype(np.float64)
    mask = shape.contains(x, y)
    if not mask.any():
        raise ViewerError(f"the {shape.kind} holds no pixel centre of the image")
    return mask, (r0, c0)


def moved(shape: Shape, point: Callable[[float, float], tuple[float, float]], scale: float, turned: bool) -> Shape:
    """`shape` after an edit that moves pixel (x, y) to `point(x, y)`, scales lengths by
    `scale` and (when `turned`) swaps the image's axes; shapes stay axis-aligned."""
    if isinstance(shape, Line):
        (x1, y1), (x2, y2) = point(shape.x1, shape.y1), point(shape.x2, shape.y2)
        return Line(x1, y1, x2, y2)
    if isinstance(shape, Polygon):
        return Polygon(tuple(point(x, y) for x, y in shape.vertices))
    if isinstance(shape, Angle):
        (x1, y1), (x2, y2), (x3, y3) = (point(x, y) for x, y in shape.points)
        return Angle(x1, y1, x2, y2, x3, y3)
    if isinstance(shape, Rect):
        corners = [point(x, y) for x, y in shape.points]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        return Rect(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
    cx, cy = point(shape.cx, shape.cy)
    rx, ry = (shape.ry, shape.rx) if turned else (shape.rx, shape.ry)
    return Ellipse(cx, cy, rx * scale, ry * scale)
