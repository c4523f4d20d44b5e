"""Drawn shapes over the image: pyqtgraph ROIs with handles, and a label beside each.

Only the current frame's shapes are shown; they live in the view's coordinates, so they
stay put on zoom and pan. Moving or resizing one by its handles replaces the document's
shape (on the image as it is now) and re-measures it. Pixel-centre coordinates (x =
column, y = row) map to the view as x + 0.5 and (y + 0.5) x the row/column aspect.
"""

from __future__ import annotations

import math
from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Signal

from viewer.model.errors import ViewerError
from viewer.model.measurements import measure
from viewer.model.shapes import Angle, Ellipse, Line, Polygon, Rect, Shape

PEN = pg.mkPen((255, 210, 0), width=2)
SELECTED_PEN = pg.mkPen((0, 220, 255), width=3)
LABEL_COLOUR = (255, 230, 120)


class ShapeLayer(QObject):
    """The ROIs and labels of one image view."""

    shape_edited = Signal(int)  # index of a shape changed by its handles

    def __init__(self, image_view: Any) -> None:
        super().__init__(image_view)
        self.image_view = image_view
        self.items: list[tuple[int, pg.ROI, pg.TextItem]] = []
        self.selected: int | None = None
        self._key: tuple[int, int, int, int, int | None] | None = None
        self._preview: pg.PlotCurveItem | None = None

    # -- coordinates ----------------------------------------------------------------
    @property
    def aspect(self) -> float:
        return float(self.image_view.pixel_aspect)

    def to_view(self, x: float, y: float) -> QPointF:
        return QPointF(x + 0.5, (y + 0.5) * self.aspect)

    def to_pixels(self, point: QPointF) -> tuple[float, float]:
        return point.x() - 0.5, point.y() / self.aspect - 0.5

    # -- drawing --------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Redraw when the frame, the edits, the shapes or the selection changed."""
        document = self.image_view.view.document
        edits = document.edits
        key = (
            self.image_view.view.frame,
            edits.generation if edits is not None else -1,
            document.measurements.version,
            id(edits),
            self.selected,
        )
        if key == self._key and not force:
            return
        self._key = key
        self.clear()
        for index, frame, shape in document.shapes():
            if frame == self.image_view.view.frame:
                self._add(index, shape)

    def clear(self) -> None:
        for _, roi, label in self.items:
            self.image_view.viewbox.removeItem(roi)
            self.image_view.viewbox.removeItem(label)
        self.items = []

    def _add(self, index: int, shape: Shape) -> None:
        roi = self._roi(shape, SELECTED_PEN if index == self.selected else PEN)
        roi.sigRegionChangeFinished.connect(lambda r, i=index: self._edited(i, r, shape))
        label = pg.TextItem(self._label(shape), color=LABEL_COLOUR, fill=pg.mkBrush(0, 0, 0, 150), anchor=(0, 1))
        x, y = min(p[0] for p in shape.points), min(p[1] for p in shape.points)
        label.setPos(self.to_view(x, y - 1))  # above the shape's top-left, reading into the image
        self.image_view.viewbox.addItem(roi)
        self.image_view.viewbox.addItem(label)
        self.items.append((index, roi, label))

    def _label(self, shape: Shape) -> str:
        view = self.image_view.view
        try:
            return measure(view.document, view.frame, shape).label()
        except ViewerError as exc:
            return str(exc)

    def _roi(self, shape: Shape, pen: Any) -> pg.ROI:
        if isinstance(shape, Line):
            return pg.LineSegmentROI([self.to_view(shape.x1, shape.y1), self.to_view(shape.x2, shape.y2)], pen=pen)
        if isinstance(shape, (Polygon, Angle)):
            return pg.PolyLineROI(
                [self.to_view(x, y) for x, y in shape.points], closed=isinstance(shape, Polygon), pen=pen
            )
        if isinstance(shape, Rect):
            corner = self.to_view(shape.x, shape.y)
            return pg.RectROI(corner, (shape.width, shape.height * self.aspect), pen=pen, rotatable=False)
        corner = self.to_view(shape.cx - shape.rx, shape.cy - shape.ry)
        roi = pg.EllipseROI(corner, (2 * shape.rx, 2 * shape.ry * self.aspect), pen=pen, rotatable=False)
        for handle in roi.getHandles():
            if handle.typ == "r":  # shapes stay axis-aligned
                roi.removeHandle(handle)
        return roi

    def shape_of(self, roi: pg.ROI, old: Shape) -> Shape:
        """The shape an ROI now outlines, in pixel coordinates."""
        if isinstance(old, (Line, Polygon, Angle)):
            points = [self.to_pixels(roi.mapToParent(p)) for _, p in roi.getLocalHandlePositions()]
            if isinstance(old, Line):
                (x1, y1), (x2, y2) = points[:2]
                return Line(x1, y1, x2, y2)
            if isinstance(old, Angle):
                (x1, y1), (x2, y2), (x3, y3) = points[:3]
                return Angle(x1, y1, x2, y2, x3, y3)
            return Polygon(tuple(points))
        x, y = self.to_pixels(roi.pos())
        width, height = roi.size().x(), roi.size().y() / self.aspect
        if isinstance(old, Rect):
            return Rect(x, y, width, height)
        return Ellipse(x + width / 2, y + height / 2, width / 2, height / 2)

    def _edited(self, index: int, roi: pg.ROI, old: Shape) -> None:
        try:
            self.image_view.view.document.replace_shape(index, self.shape_of(roi, old), self.image_view.view.frame)
        except ViewerError:
            pass  # e.g. a line dragged to zero length: redraw keeps the old one
        self.refresh(force=True)
        self.shape_edited.emit(index)

    # -- a shape being drawn --------------------------------------------------------
    def preview(self, shape: Shape | None) -> None:
        """Show the outline of a shape while it is drawn (None: remove it)."""
        if self._preview is not None:
            self.image_view.viewbox.removeItem(self._preview)
            self._preview = None
        if shape is None:
            return
        points = shape.points
        if isinstance(shape, Ellipse):
            points = [
                (shape.cx + shape.rx * math.cos(t / 32 * math.pi), shape.cy + shape.ry * math.sin(t / 32 * math.pi))
                for t in range(65)
            ]
        elif not isinstance(shape, (Line, Angle)):
            points = [*points, points[0]]
        view = [self.to_view(x, y) for x, y in points]
        self._preview = pg.PlotCurveItem([p.x() for p in view], [p.y() for p in view], pen=PEN)
        self.image_view.viewbox.addItem(self._preview)
