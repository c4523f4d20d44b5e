"""Display Shutter module (0018,16xx): the parts of an image that are not to be shown.

A shutter is read once into plain numbers (1-based pixel coordinates as stored), turned
into a mask on demand, and moved by edits point by point (``Operation.point``). Several
shapes combine: only what lies inside every shape is shown. Shuttered pixels are shown
in the Shutter Presentation Value (a P-value, default black).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from viewer.model.geometry import FrameGeometry
from viewer.model.shapes import Polygon

Mask = npt.NDArray[np.bool_]
SHAPES = ("RECTANGULAR", "CIRCULAR", "POLYGONAL")
MAX_VERTICES = 100_000


class PointOperation(Protocol):
    """What an edit operation offers shutters (see ``viewer.edits.operation``)."""

    def point(self, row: float, column: float, rows: int, columns: int) -> tuple[float, float]: ...

    @property
    def scale(self) -> float: ...

    def geometry(self, frame: FrameGeometry) -> FrameGeometry: ...


@dataclass(frozen=True)
class Shutter:
    """The shapes of one image's display shutter, in 1-based (row, column) pixel units."""

    shapes: tuple[str, ...]
    rectangle: tuple[float, float, float, float] | None = None  # left, right, upper, lower
    center: tuple[float, float] | None = None  # (row, column)
    radius: float | None = None
    vertices: tuple[tuple[float, float], ...] | None = None  # (row, column) each
    gray: int = 0  # 8-bit display value of shuttered pixels

    def hidden(self, rows: int, columns: int) -> Mask:
        """True where the shutter hides a pixel of a rows x columns frame."""
        r = np.arange(1, rows + 1, dtype=float)[:, None]
        c = np.arange(1, columns + 1, dtype=float)[None, :]
        shown = np.ones((rows, columns), dtype=bool)
        if self.rectangle is not None:
            left, right, upper, lower = self.rectangle
            shown &= (c >= left) & (c <= right) & (r >= upper) & (r <= lower)
        if self.center is not None and self.radius is not None:
            shown &= (r - self.center[0]) ** 2 + (c - self.center[1]) ** 2 <= self.radius**2
        if self.vertices is not None:  # the measurement polygon's rule: inside or on an edge
            outline = Polygon(tuple((column, row) for row, column in self.vertices))
            shown &= outline.contains(*np.broadcast_arrays(c, r))
        return ~shown

    def after(self, op: PointOperation, rows: int, columns: int) -> Shutter:
        """This shutter after `op` on a rows x columns grid (points move with the pixels)."""

        def moved(row: float, column: float) -> tuple[float, float]:
            new_row, new_column = op.point(row - 1, column - 1, rows, columns)
            return new_row + 1, new_column + 1

        rectangle = center = vertices = None
        if self.rectangle is not None:
            left, right, upper, lower = self.rectangle
            corners = [moved(upper, left), moved(lower, right)]
            rectangle = (
                min(c for _, c in corners),
                max(c for _, c in corners),
                min(r for r, _ in corners),
                max(r for r, _ in corners),
            )
        if self.center is not None:
            center = moved(*self.center)
        if self.vertices is not None:
            vertices = tuple(moved(*v) for v in self.vertices)
        radius = None if self.radius is None else self.radius * op.scale
        return replace(self, rectangle=rectangle, center=center, radius=radius, vertices=vertices)


def _numbers(ds: Dataset, keyword: str, count: int) -> list[float] | None:
    value = ds.get(keyword)
    if value is None or value == "":
        return None
    values = list(value) if isinstance(value, (list, tuple)) or hasattr(value, "__iter__") else [value]
    numbers = [float(v) for v in values]
    if len(numbers) < count or not all(np.isfinite(numbers)):
        raise ValueError(f"{keyword} needs {count} numbers")
    return numbers


def read_shutter(ds: Dataset) -> tuple[Shutter | None, list[str]]:
    """The image's display shutter (None without one) and a note if it cannot be used."""
    value = ds.get("ShutterShape")
    if value is None or value == "":
        return None, []
    values = [value] if isinstance(value, str) else list(value)
    shapes = tuple(str(s).strip().upper() for s in values if str(s).strip())
    unknown = [s for s in shapes if s not in SHAPES]
    try:
        rectangle = center = radius = vertices = None
        if "RECTANGULAR" in shapes:
            numbers = [
                _numbers(ds, k, 1)
                for k in (
                    "ShutterLeftVerticalEdge",
                    "ShutterRightVerticalEdge",
                    "ShutterUpperHorizontalEdge",
                    "ShutterLowerHorizontalEdge",
                )
            ]
            if any(n is None for n in numbers):
                raise ValueError("a rectangular shutter needs its four edges")
            left, right, upper, lower = (n[0] for n in numbers if n is not None)
            rectangle = (left, right, upper, lower)
        if "CIRCULAR" in shapes:
            centre, size = _numbers(ds, "CenterOfCircularShutter", 2), _numbers(ds, "RadiusOfCircularShutter", 1)
            if centre is None or size is None:
                raise ValueError("a circular shutter needs its centre and radius")
            center, radius = (centre[0], centre[1]), size[0]
        if "POLYGONAL" in shapes:
            points = _numbers(ds, "VerticesOfThePolygonalShutter", 6)
            if points is None or len(points) % 2:
                raise ValueError("a polygonal shutter needs at least three (row, column) vertices")
            if len(points) > 2 * MAX_VERTICES:
                raise ValueError(f"a polygonal shutter of more than {MAX_VERTICES} vertices is not drawn")
            vertices = tuple((points[i], points[i + 1]) for i in range(0, len(points), 2))
        value = ds.get("ShutterPresentationValue")
        gray = 0 if value is None or value == "" else round(min(max(int(value), 0), 0xFFFF) * 255 / 0xFFFF)
    except (TypeError, ValueError) as exc:
        return None, [f"display shutter not shown: {exc}"]
    known = tuple(s for s in shapes if s in SHAPES)
    notes = [f"display shutter shape {', '.join(unknown)} is not supported; not shown"] if unknown else []
    if not known:
        return None, notes
    return Shutter(known, rectangle, center, radius, vertices, gray), notes


def follow_operations(shutter: Shutter | None, operations: list[Any], rows: int, columns: int) -> Shutter | None:
    """The shutter after each operation in turn, on a grid that starts rows x columns."""
    if shutter is None:
        return None
    for op in operations:
        shutter = shutter.after(op, rows, columns)
        after = op.geometry(FrameGeometry(rows, columns))
        rows, columns = after.rows, after.columns
    return shutter


def draw_shutter(image: npt.NDArray[np.uint8], shutter: Shutter | None) -> npt.NDArray[np.uint8]:
    """`image` (8-bit gray or RGB, as displayed) with shuttered pixels in the shutter's gray."""
    if shutter is None:
        return image
    out = image.copy()
    out[shutter.hidden(*image.shape[:2])] = shutter.gray
    return out


def shutter_rgba(shutter: Shutter | None, rows: int, columns: int) -> npt.NDArray[np.uint8] | None:
    """A (rows, columns, 4) layer that covers shuttered pixels, or None."""
    if shutter is None:
        return None
    layer = np.zeros((rows, columns, 4), dtype=np.uint8)
    layer[shutter.hidden(rows, columns)] = (shutter.gray, shutter.gray, shutter.gray, 255)
    return layer
