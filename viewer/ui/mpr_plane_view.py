"""One plane of the volume planes window: the image, the threshold preview, crosshair
lines, orientation letters, a scale bar and the crop box; clicks and wheel steps go to the
window (viewer.ui.mpr_window), which decides what they mean."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import Qt

from viewer.model.geometry import nice_length
from viewer.ui.frame_item import FrameItem

CROSSHAIR = pg.mkPen((255, 200, 0), width=1)
#: Patient directions at the (top, bottom, left, right) edges of each plane as drawn.
MARKERS = {"axial": "APRL", "coronal": "HFRL", "sagittal": "HFAP"}


class CrosshairView(pg.ViewBox):
    """An image with a threshold preview over it, crosshair lines and four edge letters;
    clicks and wheel steps go to the owner (the MPR window)."""

    def __init__(self, owner: Any) -> None:
        super().__init__(lockAspect=True, invertY=True, enableMenu=False)
        self.owner = owner
        self.image = FrameItem(axisOrder="row-major")
        self.addItem(self.image)
        self.preview = FrameItem(axisOrder="row-major")  # the threshold range, as on the image
        self.addItem(self.preview)
        self.vertical = pg.InfiniteLine(angle=90, pen=CROSSHAIR, movable=False)
        self.horizontal = pg.InfiniteLine(angle=0, pen=CROSSHAIR, movable=False)
        self.addItem(self.vertical)
        self.addItem(self.horizontal)
        self.markers = [pg.TextItem("", color=(255, 220, 120)) for _ in range(4)]  # top, bottom, left, right
        for marker in self.markers:
            self.addItem(marker)
        self.setMouseEnabled(False, False)

    def place_letters(self, texts: list[str], height: float, width: float) -> None:
        """Letters at the middle of the (top, bottom, left, right) edges of a width x height image."""
        places: list[tuple[tuple[float, float], tuple[float, float]]] = [
            ((width / 2, 0), (0.5, 0)),
            ((width / 2, height), (0.5, 1)),
            ((0, height / 2), (0, 0.5)),
            ((width, height / 2), (1, 0.5)),
        ]
        for marker, text, (position, anchor) in zip(self.markers, texts, places, strict=True):
            marker.setText(text)
            marker.setAnchor(anchor)
            marker.setPos(*position)

    @staticmethod
    def wheel_steps(ev: Any) -> int:
        delta = ev.delta() if hasattr(ev, "delta") else ev.angleDelta().y()
        return 1 if delta > 0 else -1


class PlaneView(CrosshairView):
    """One plane of the volume, with the drawn segments, a scale bar and the crop box."""

    def __init__(self, owner: Any, name: str) -> None:
        super().__init__(owner)
        self.name = name
        self.segments = FrameItem(axisOrder="row-major")  # segments in their colours
        self.segments.setZValue(1)
        self.addItem(self.segments)
        self.scale_bar = pg.PlotCurveItem(pen=pg.mkPen((240, 240, 240), width=2))
        self.scale_text = pg.TextItem("", color=(240, 240, 240), anchor=(0.5, 1))
        self.addItem(self.scale_bar)
        self.addItem(self.scale_text)
        self.box = pg.RectROI((0, 0), (1, 1), pen=pg.mkPen((80, 200, 255), width=2))  # the crop box
        self.box.setZValue(20)
        self.box.hide()
        self.addItem(self.box)
        self.box.sigRegionChangeFinished.connect(lambda _roi: owner.box_drawn(name))

    _placed: tuple[object, ...] | None = None  # what the letters and the bar were placed for
    _scaled: tuple[object, ...] | None = None

    def place_scale(self, rows: int, columns: int, mm_per_pixel: float) -> None:
        """A bar of a round length (about a fifth of the plane wide) at the bottom left."""
        if self._scaled == (rows, columns, mm_per_pixel):  # the crosshair moved: nothing to redo
            return
        self._scaled = (rows, columns, mm_per_pixel)
        mm = nice_length(columns * mm_per_pixel / 5)
        length = mm / mm_per_pixel
        x0, y = columns * 0.05, rows * 0.95
        self.scale_bar.setData([x0, x0, x0 + length, x0 + length], [y - 3, y, y, y - 3])
        self.scale_text.setText(f"{mm:g} mm")
        self.scale_text.setPos(x0 + length / 2, y - 2)

    def place_markers(self, rows: int, columns: int, letters: str | None = None) -> None:
        """The orientation letters at the middle of each edge of a rows x columns plane
        (`letters`: "top|bottom|left|right" of a turned plane; else the plane's own)."""
        if self._placed == (rows, columns, letters):
            return
        self._placed = (rows, columns, letters)
        self.place_letters(letters.split("|") if letters else list(MARKERS[self.name]), rows, columns)

    def mouseClickEvent(self, ev: Any) -> None:  # noqa: N802 (Qt's name)
        if ev.button() == Qt.MouseButton.LeftButton:
            point = self.mapSceneToView(ev.scenePos())
            self.owner.click(self.name, point.y(), point.x())
            ev.accept()

    def wheelEvent(self, ev: Any, axis: Any = None) -> None:  # noqa: N802
        if ev.modifiers() & Qt.KeyboardModifier.ShiftModifier:  # turn the crosshair 5 degrees
            self.owner.rotate(self.name, 5.0 * self.wheel_steps(ev))
        else:
            self.owner.step(self.name, self.wheel_steps(ev))
        ev.accept()
