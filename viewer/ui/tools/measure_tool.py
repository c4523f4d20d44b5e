"""Measuring tools: drag a line, a rectangle, an ellipse or a freehand outline; an angle
is two drags, the first from the vertex along one arm, the second along the other.

The shape is kept by the document (``Document.add_shape``) on the frame shown, and drawn
with its numbers by the image view's shape layer; the measurements dock lists them.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QObject, Signal

from viewer.model.errors import ViewerError
from viewer.model.shapes import Angle, Ellipse, Line, Polygon, Rect, Shape
from viewer.ui.tools.base import Tool

#: Freehand outlines keep a point when it is this far (pixels) from the last one kept.
FREEHAND_STEP = 1.0


class MeasureTool(Tool):
    """One measuring tool; `kind` is "line", "angle", "rect", "ellipse" or "freehand"."""

    shape_added = Signal(int)  # index in the document's measurement set

    def __init__(self, kind: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.name = f"measure-{kind}"
        self._points: list[tuple[float, float]] = []  # (x, y) of the gesture so far
        self._arm: tuple[tuple[float, float], tuple[float, float]] | None = None  # angle: (vertex, end)

    def detach(self) -> None:
        if self.panel is not None:
            self.panel.image_view.shapes.preview(None)
        self._points = []
        self._arm = None
        super().detach()

    def shape(self) -> Shape | None:
        """The shape the gesture so far outlines (None until it has two points)."""
        if len(self._points) < 2:
            return None
        (x1, y1), (x2, y2) = self._points[0], self._points[-1]
        if self.kind in ("line", "angle"):  # an angle's first arm: vertex to end
            return Line(x1, y1, x2, y2)
        if self.kind == "rect":
            return Rect(min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))
        if self.kind == "ellipse":  # dragged from corner to corner of its box
            return Ellipse((x1 + x2) / 2, (y1 + y2) / 2, abs(x2 - x1) / 2, abs(y2 - y1) / 2)
        return Polygon(tuple(self._points)) if len(self._points) >= 3 else None

    def drag(self, row: float, column: float, finished: bool) -> None:
        if self.panel is None:
            return
        point = (column, row)
        if self.kind == "angle" and self._arm is not None:  # the second arm, from the vertex
            (vx, vy), (x1, y1) = self._arm
            angle = Angle(x1, y1, vx, vy, *point)
            if not finished:
                self.panel.image_view.shapes.preview(angle)
                return
            self._arm = None
            self._keep(angle)
            return
        if not self._points:
            self._points = [point]
        elif self.kind != "freehand":
            self._points[1:] = [point]
        elif math.dist(point, self._points[-1]) >= FREEHAND_STEP or finished:
            self._points.append(point)
        shape = self.shape()
        layer = self.panel.image_view.shapes
        if not finished:
            layer.preview(shape)
            return
        self._points = []
        if self.kind == "angle":  # the first arm is drawn: the second starts at its vertex
            if isinstance(shape, Line) and (shape.x1, shape.y1) != (shape.x2, shape.y2):
                self._arm = ((shape.x1, shape.y1), (shape.x2, shape.y2))
            return
        self._keep(shape)

    def _keep(self, shape: Shape | None) -> None:
        """Give a finished shape to the document (and say so)."""
        if self.panel is None:
            return
        layer = self.panel.image_view.shapes
        layer.preview(None)
        if shape is None:
            return
        try:
            index = self.panel.document.add_shape(shape, self.panel.view.frame)
        except ViewerError as exc:
            self.error_raised.emit(str(exc))
            return
        layer.refresh()
        self.shape_added.emit(index)
