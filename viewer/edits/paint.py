"""Paint and erase with a round brush; strokes touch only a bounding box."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from viewer.edits.operation import MAX_BRUSH_RADIUS, EditContext, Operation, Pixels, field_error, holding
from viewer.edits.values import fit_value, to_stored
from viewer.model.errors import ViewerError

Box = tuple[int, int, int, int]  # row0, row1, col0, col1 (half-open)


#: Brush positions one stroke may cover (after clipping to the image): bounds the work
#: a hostile recipe can ask for; a drawn stroke has a few hundred.
MAX_BRUSH_POSITIONS = 1_000_000


def _clip_segment(
    a: npt.NDArray[np.float64], b: npt.NDArray[np.float64], lo: npt.NDArray[np.float64], hi: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None:
    """The part of segment a-b inside the box lo..hi (Liang-Barsky), or None."""
    t0, t1 = 0.0, 1.0
    d = b - a
    for axis in range(2):
        for p, q in ((-d[axis], a[axis] - lo[axis]), (d[axis], hi[axis] - a[axis])):
            if p == 0:
                if q < 0:
                    return None
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return None
    return a + t0 * d, a + t1 * d


def _brush_positions(
    shape: tuple[int, int], points: list[tuple[float, float]], radius: float
) -> npt.NDArray[np.float64]:
    """Brush centres every half radius along the stroke, only where they can touch the image."""
    reach = radius + 1
    lo = np.array([-reach, -reach])
    hi = np.array([shape[0] - 1 + reach, shape[1] - 1 + reach])
    pts = np.asarray(points, dtype=float)
    pairs = list(zip(pts[:-1], pts[1:], strict=True)) if len(pts) > 1 else [(pts[0], pts[0])]
    step = max(radius / 2, 0.5)
    dense: list[npt.NDArray[np.float64]] = []
    count = 0
    for a, b in pairs:
        clipped = _clip_segment(a, b, lo, hi)
        if clipped is None:
            continue
        a, b = clipped
        steps = max(1, int(np.ceil(np.abs(b - a).max() / step)))
        count += steps + 1
        if count > MAX_BRUSH_POSITIONS:
            raise ViewerError(f"the stroke covers more than {MAX_BRUSH_POSITIONS} brush positions; split it")
        dense.append(a + (b - a) * np.linspace(0.0, 1.0, steps + 1)[:, None])
    return np.concatenate(dense) if dense else np.empty((0, 2))


def stroke_mask(
    shape: tuple[int, int], points: list[tuple[float, float]], radius: float
) -> tuple[Box, npt.NDArray[np.bool_]] | None:
    """The pixels a brush of `radius` covers along `points` ((row, column) pairs).

    Returns the bounding box and the mask inside it, or None if it misses the image.
    Consecutive points are joined so that a fast drag leaves no gaps; parts of the
    stroke far outside the image cost nothing, and each brush position touches only
    its own square, so the work is bounded by the stroke's length inside the image.
    """
    rows, columns = shape
    if not points:
        return None
    pts = _brush_positions(shape, points, radius)
    if not len(pts):
        return None
    reach = radius + 1
    row0 = max(0, int(np.floor(pts[:, 0].min() - reach)))
    row1 = min(rows, int(np.ceil(pts[:, 0].max() + reach)) + 1)
    col0 = max(0, int(np.floor(pts[:, 1].min() - reach)))
    col1 = min(columns, int(np.ceil(pts[:, 1].max() + reach)) + 1)
    if row0 >= row1 or col0 >= col1:
        return None
    mask = np.zeros((row1 - row0, col1 - col0), dtype=bool)
    r2 = radius * radius
    for r, c in pts:
        r_lo, r_hi = max(row0, int(np.floor(r - radius))), min(row1, int(np.ceil(r + radius)) + 1)
        c_lo, c_hi = max(col0, int(np.floor(c - radius))), min(col1, int(np.ceil(c + radius)) + 1)
        if r_lo >= r_hi or c_lo >= c_hi:
            continue
        rr, cc = np.ogrid[r_lo:r_hi, c_lo:c_hi]
        mask[r_lo - row0 : r_hi - row0, c_lo - col0 : c_hi - col0] |= (rr - r) ** 2 + (cc - c) ** 2 <= r2
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


@dataclass(frozen=True)
class Paint(Operation):
    """A brush stroke in modality `value` (erase=True restores the original values)."""

    name: ClassVar[str] = "paint"
    frame_wise: ClassVar[bool] = True
    frame: int
    points: list[list[float]] = field(default_factory=list)  # [row, column] pairs
    radius: float = 3.0
    value: float = 0.0
    erase: bool = False

    def check(self) -> None:
        super().check()
        if not 0 < self.radius <= MAX_BRUSH_RADIUS:
            raise field_error(self, "radius", f"{self.radius:g} must be in (0, {MAX_BRUSH_RADIUS}]")

    def region(self, pixels: Pixels, ctx: EditContext) -> tuple[Box, Pixels] | None:
        """The stroke's bounding box and its new values (frame 1-based in self.frame)."""
        (i,) = self.target_frames(len(pixels))
        points = [(float(r), float(c)) for r, c in self.points]
        if self.erase:
            if ctx.original_frame is None:
                raise ViewerError("erase needs the original pixels, which are not available")
            return erase(pixels[i], ctx.original_frame(i), points, self.radius)
        value = to_stored(self.value, ctx.modality_for(i))
        return paint(fit_value(pixels[i], value), points, self.radius, value)  # widen, never wrap

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        found = self.region(pixels, ctx)
        if found is None:
            return pixels
        (r0, r1, c0, c1), values = found
        out = holding(pixels, values, pixels)
        out[self.frame - 1, r0:r1, c0:c1] = values
        return out

    def describe(self) -> str:
        return f"{'erase' if self.erase else 'paint'} frame {self.frame}"
