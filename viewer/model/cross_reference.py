"""How two images in the same patient space relate: the slice of one nearest to where the
other is (synchronised scrolling), and the line where one's plane cuts the other (a
reference or scout line).

Both need the two images in one Frame of Reference (0020,0052): positions in different
frames of reference are unrelated even when the numbers look alike. Geometry is the
frame as shown (after flips, turns and crops: `orientation.shown_geometry`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from viewer.model.geometry import FrameGeometry, Vector
from viewer.model.orientation import shown_geometry

#: |cos| between two normals above which the planes count as parallel (about 2.6 degrees).
PARALLEL = 0.999


def frame_of_reference(document: Any) -> str | None:
    """The Frame of Reference UID of `document`, or None when it has none."""
    value = document.dataset.get("FrameOfReferenceUID")
    return str(value) if value else None


def same_space(first: Any, second: Any) -> bool:
    """True when both documents place their frames in the same patient space."""
    uid = frame_of_reference(first)
    return uid is not None and uid == frame_of_reference(second)


@dataclass(frozen=True)
class Plane:
    """A frame's plane: its first pixel's centre, unit directions and spacings (all known)."""

    geometry: FrameGeometry

    @property
    def origin(self) -> Vector:
        assert self.geometry.position is not None
        return self.geometry.position

    @property
    def normal(self) -> Vector:
        assert self.geometry.row_direction is not None and self.geometry.column_direction is not None
        n = np.cross(self.geometry.row_direction, self.geometry.column_direction)
        return n / (np.linalg.norm(n) or 1.0)

    def pixel_of(self, point: Vector) -> tuple[float, float]:
        """(row, column) of `point` projected onto this plane, in pixels."""
        g = self.geometry
        assert g.row_direction is not None and g.column_direction is not None
        assert g.row_spacing is not None and g.column_spacing is not None
        d = point - self.origin
        return float(d @ g.column_direction) / g.row_spacing, float(d @ g.row_direction) / g.column_spacing


def plane_of(document: Any, index: int) -> Plane | None:
    """The plane of frame `index` as shown, or None when the file does not place it fully."""
    g = shown_geometry(document, index)
    if g is None or g.position is None or g.row_spacing is None or g.column_spacing is None:
        return None
    if g.row_direction is None or g.column_direction is None:
        return None
    return Plane(g)


class SlicePositions:
    """Where every frame of a document lies along its normal, computed once per edit state
    (an enhanced file's frame attributes cost ~0.4 ms each; scrolling asks on every step)."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[tuple[int, int], list[Plane | None]]] = {}

    def planes(self, document: Any) -> list[Plane | None]:
        edits = document.edits
        key = (id(edits), getattr(edits, "generation", 0))
        cached = self._cache.get(id(document))
        if cached is None or cached[0] != key:
            cached = (key, [plane_of(document, i) for i in range(document.frame_count)])
            self._cache[id(document)] = cached
        return cached[1]

    def forget(self, document: Any) -> None:
        self._cache.pop(id(document), None)

    def nearest_frame(self, document: Any, point: Vector, normal: Vector) -> int | None:
        """The frame of `document` parallel to `normal` whose plane is nearest to `point`;
        None when no frame is parallel or `point` lies beyond the stack by more than
        one slice spacing (the other series does not cover that position)."""
        candidates = [
            (abs(float((p.origin - point) @ normal)), i)
            for i, p in enumerate(self.planes(document))
            if p is not None and abs(float(p.normal @ normal)) >= PARALLEL
        ]
        if not candidates:
            return None
        distance, index = min(candidates)
        offsets = sorted(float(p.origin @ normal) for p in self.planes(document) if p is not None)
        steps = [b - a for a, b in zip(offsets, offsets[1:], strict=False) if b - a > 1e-6]
        tolerance = max(min(steps) if steps else 0.0, 1.0)
        return index if distance <= tolerance else None


def reference_line(source: Plane, target: Plane) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The segment, in target (row, column) pixels, where the source frame's plane cuts the
    target frame, limited to both images; None when the planes are parallel or the
    segment misses either image."""
    gt, gs = target.geometry, source.geometry
    assert gt.row_direction is not None and gt.column_direction is not None
    assert gt.row_spacing is not None and gt.column_spacing is not None
    n = source.normal
    # Points of the target plane: T(r, c) = T0 + r*rs*Ct + c*cs*Rt; on the source plane
    # where (T(r, c) - S0) . n = 0, i.e. a*r + b*c + d = 0.
    a = gt.row_spacing * float(gt.column_direction @ n)
    b = gt.column_spacing * float(gt.row_direction @ n)
    d = float((target.origin - source.origin) @ n)
    if abs(a) < 1e-9 and abs(b) < 1e-9 or abs(float(target.normal @ n)) >= PARALLEL:
        return None
    # A point and a direction of the line, in target pixels.
    start = np.array([-d * a, -d * b]) / (a * a + b * b)
    direction = np.array([-b, a])
    # Keep t where both images hold the point: target rows/columns in [-0.5, n - 0.5]
    # (pixel edges), and the same for the source's pixels of the same points.
    low, high = -np.inf, np.inf

    def limit(value0: float, slope: float, lower: float, upper: float) -> None:
        nonlocal low, high
        if abs(slope) < 1e-12:
            if not lower <= value0 <= upper:
                low, high = np.inf, -np.inf
            return
        t0, t1 = sorted(((lower - value0) / slope, (upper - value0) / slope))
        low, high = max(low, t0), min(high, t1)

    limit(start[0], direction[0], -0.5, gt.rows - 0.5)
    limit(start[1], direction[1], -0.5, gt.columns - 0.5)

    def source_pixel(t: float) -> tuple[float, float]:
        r, c = start + t * direction
        point = target.origin + r * gt.row_spacing * gt.column_direction + c * gt.column_spacing * gt.row_direction
        return source.pixel_of(point)

    r0, c0 = source_pixel(0.0)
    r1, c1 = source_pixel(1.0)
    limit(r0, r1 - r0, -0.5, gs.rows - 0.5)
    limit(c0, c1 - c0, -0.5, gs.columns - 0.5)
    if not high > low:
        return None
    p, q = start + low * direction, start + high * direction
    return (float(p[0]), float(p[1])), (float(q[0]), float(q[1]))
