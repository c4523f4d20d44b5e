"""The image canvas: a pyqtgraph ImageItem in a ViewBox, with W/L by right-drag.

The frame reaches pyqtgraph already windowed to uint8 by the model's pipeline, so
pyqtgraph never does 16-bit level math. While the window is dragged on a frame much
larger than the screen, a strided preview (about the screen's size) is drawn and the
full frame follows on release, so the cost of a drag follows the pixels on screen.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QVBoxLayout, QWidget

from viewer.model.display import Window
from viewer.model.geometry import row_to_column_spacing
from viewer.model.overlays import SEGMENT_ALPHA, overlay_rgba
from viewer.model.shutters import shutter_rgba
from viewer.ui.annotation_layer import AnnotatedGraphicsView
from viewer.ui.annotations import Annotations
from viewer.ui.document_view import DocumentView
from viewer.ui.frame_item import CONVERT_PIXELS, FrameItem
from viewer.ui.magnifier import Magnifier
from viewer.ui.shape_layer import ShapeLayer

#: A line segment in (row, column) pixels.
Segment = tuple[tuple[float, float], tuple[float, float]]


class _WindowingViewBox(pg.ViewBox):
    """ViewBox whose right-button drag adjusts the window instead of zooming."""

    window_drag = Signal(float, float, bool)  # dx, dy in screen pixels since press; finished
    mouse_pressed = Signal(object, object)  # scene position, Qt button
    mouse_dragged = Signal(object, object, bool)  # scene position, button, finished
    frame_scrolled = Signal(int)  # +1 next frame, -1 previous (the wheel, without Ctrl)

    tool_active = False
    scroll_frames = False  # the wheel scrolls frames (multi-frame images); Ctrl+wheel zooms
    wheel_zooms = False  # preference: the wheel zooms and Ctrl+wheel scrolls frames

    def wheelEvent(self, ev, axis=None):  # noqa: N802 (Qt naming)
        ctrl = bool(ev.modifiers() & Qt.KeyboardModifier.ControlModifier)
        if self.scroll_frames and ctrl == self.wheel_zooms:
            ev.accept()
            self.frame_scrolled.emit(1 if ev.delta() < 0 else -1)  # towards you: next frame
            return
        super().wheelEvent(ev, axis)

    def mouseDragEvent(self, ev, axis=None):  # noqa: N802 (Qt naming)
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()
            delta = ev.screenPos() - ev.buttonDownScreenPos()
            self.window_drag.emit(delta.x(), delta.y(), ev.isFinish())
            return
        if ev.button() == Qt.MouseButton.LeftButton and self.tool_active:
            ev.accept()
            if ev.isStart():  # the drag is reported after a few pixels: begin at the press
                self.mouse_dragged.emit(ev.buttonDownScenePos(), ev.button(), False)
            self.mouse_dragged.emit(ev.scenePos(), ev.button(), ev.isFinish())
            return
        super().mouseDragEvent(ev, axis)

    def mouseClickEvent(self, ev):  # noqa: N802 (Qt naming)
        if ev.button() == Qt.MouseButton.RightButton:
            ev.accept()  # no context menu: right button is W/L
            return
        if ev.button() == Qt.MouseButton.LeftButton and self.tool_active:
            ev.accept()
            self.mouse_pressed.emit(ev.scenePos(), ev.button())
            return
        super().mouseClickEvent(ev)


#: Pixels a truncated file does not hold (shown as 0 beneath): magenta, half covering.
MISSING_RGBA = (255, 0, 255, 140)


class ImageViewWidget(QWidget):
    """Shows the current frame of a :class:`DocumentView`; zoom, pan, W/L, readout."""

    cursor_moved = Signal(object)  # (row, column) or None when outside the image
    zoom_changed = Signal(float)
    tool_pressed = Signal(float, float)  # fractional row, column of a left click (tool mode)
    tool_dragged = Signal(float, float, bool)  # ... of a left drag; True on release

    def __init__(self, view: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.graphics = AnnotatedGraphicsView(background=QColor(0, 0, 0))
        # The view paints its whole background itself: no fill by Qt before each paint.
        self.graphics.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.viewbox = _WindowingViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.graphics.setCentralItem(self.viewbox)
        self.image_item = FrameItem(axisOrder="row-major")  # DICOM rows are y
        self.image_item.setAutoDownsample(False)
        self.graphics.opaque_item = self.image_item
        self.viewbox.addItem(self.image_item)
        self.planes_item = FrameItem(axisOrder="row-major")  # overlay planes (60xx)
        self.planes_item.setZValue(5)
        self.viewbox.addItem(self.planes_item)
        self._planes_visible = True
        self.segment_alpha = SEGMENT_ALPHA
        self._planes_key: tuple[object, ...] | None = None  # what planes_item shows
        self.overlay_item = FrameItem(axisOrder="row-major")  # tools' previews
        self.overlay_item.setZValue(10)
        self.viewbox.addItem(self.overlay_item)
        # Other viewports' planes (scout lines): the active viewport's in yellow, the rest paler.
        self.reference_item = pg.PlotCurveItem(pen=pg.mkPen((255, 210, 0), width=1.5), connect="pairs")
        self.other_reference_item = pg.PlotCurveItem(pen=pg.mkPen((120, 190, 255), width=1), connect="pairs")
        for item in (self.other_reference_item, self.reference_item):
            item.setZValue(15)
            self.viewbox.addItem(item)
        self._update_geometry()
        self.shapes = ShapeLayer(self)  # drawn measurements, over everything else
        self._drag_start: Window | None = None
        self._drag_span = 1.0  # value range of the frame when the drag began
        self._drag_integer = False  # the frame's values are whole numbers: keep the window so
        self._previewing = False
        self._shown_step = 0
        self._shown_origin = (0, 0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        self.annotations = Annotations(self.graphics)
        self.graphics.installEventFilter(self)

        self.viewbox.window_drag.connect(self._on_window_drag)
        self.viewbox.mouse_pressed.connect(lambda pos, _b: self.tool_pressed.emit(*self.pixel_position(pos)))
        self.viewbox.mouse_dragged.connect(
            lambda pos, _b, done: self.tool_dragged.emit(*self.pixel_position(pos), done)
        )
        self.viewbox.sigRangeChanged.connect(lambda *_: self.zoom_changed.emit(self.zoom()))
        self.viewbox.frame_scrolled.connect(self._scroll_frame)
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.magnifier = Magnifier(self.graphics)
        view.image_changed.connect(self.refresh)
        view.geometry_changed.connect(self._on_geometry_changed)
        view.window_changed.connect(lambda _w: self.refresh())
        self.refresh()
        self.fit()

    # -- geometry -------------------------------------------------------------------
    def _update_geometry(self) -> None:
        """Image rectangle in view units: columns wide, rows x (row/column spacing) high."""
        pixels = self.view.document.pixels
        self._pixel_aspect = row_to_column_spacing(self.view.document)
        self.image_rect = QRectF(0, 0, pixels.columns, pixels.rows * self._pixel_aspect)
        self.image_item.setRect(self.image_rect)
        self._shown_rect: tuple[QRectF, tuple[int, ...]] | None = None  # what image_item is scaled for
        self.overlay_item.setRect(self.image_rect)
        self.planes_item.setRect(self.image_rect)
        self._planes_key = None

    @property
    def pixel_aspect(self) -> float:
        """Height of a pixel on screen relative to its width (from Pixel Spacing)."""
        return float(self._pixel_aspect)

    def _on_geometry_changed(self) -> None:
        self.overlay_item.clear()
        self._update_geometry()
        self.shapes.refresh(force=True)
        self.refresh()
        self.fit()

    def fit(self) -> None:
        """Fit the whole image in the view."""
        self.viewbox.setRange(self.image_rect, padding=0.0)

    def actual_size(self) -> None:
        """One image pixel per screen pixel, keeping the current center."""
        center = self.viewbox.viewRect().center()
        size = self.viewbox.size()
        width, height = size.width(), size.height() * self._pixel_aspect
        self.viewbox.setRange(QRectF(center.x() - width / 2, center.y() - height / 2, width, height), padding=0.0)

    def zoom_by(self, factor: float) -> None:
        self.viewbox.scaleBy((1 / factor, 1 / factor))

    def set_zoom(self, zoom: float) -> None:
        """Screen pixels per image pixel, keeping the current center (synchronised zoom)."""
        if zoom > 0 and abs(zoom / self.zoom() - 1) > 1e-6:
            self.zoom_by(zoom / self.zoom())

    def set_reference_lines(self, active: list[Segment], others: list[Segment] | None = None) -> None:
        """Draw the active viewport's plane (`active`) and the other viewports' planes as
        segments given in (row, column) pixels (pixel centres at whole numbers)."""
        a = self._pixel_aspect
        for item, segments in ((self.reference_item, active), (self.other_reference_item, others or [])):
            xs = [c + 0.5 for start, end in segments for _r, c in (start, end)]
            ys = [(r + 0.5) * a for start, end in segments for r, _c in (start, end)]
            item.setData(np.array(xs, dtype=float), np.array(ys, dtype=float))

    def zoom(self) -> float:
        """Screen pixels per image pixel (columns)."""
        rect = self.viewbox.viewRect()
        width = self.viewbox.width()
        return width / rect.width() if rect.width() > 0 else 1.0

    def set_tool_mode(self, active: bool) -> None:
        """Left button drives an editing tool (True) or pans (False)."""
        self.viewbox.tool_active = active
        self.graphics.setCursor(Qt.CursorShape.CrossCursor if active else Qt.CursorShape.ArrowCursor)

    def pixel_position(self, scene_pos: QPointF) -> tuple[float, float]:
        """Fractional (row, column) of a scene position; pixel (r, c) spans r..r+1."""
        local = self.image_item.mapFromScene(scene_pos)
        step = max(self._shown_step, 1)
        r0, c0 = self._shown_origin
        return r0 + local.y() * step - 0.5, c0 + local.x() * step - 0.5

    def pixel_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """(row, column) of the image pixel under a scene position, or None outside."""
        local = self.image_item.mapFromScene(scene_pos)
        pixels = self.view.document.pixels
        # ImageItem local coordinates count the pixels of the image shown (a preview
        # is strided), whatever rectangle it is stretched over.
        step = max(self._shown_step, 1)
        r0, c0 = self._shown_origin
        column = c0 + int(math.floor(local.x() * step))
        row = r0 + int(math.floor(local.y() * step))
        if 0 <= row < pixels.rows and 0 <= column < pixels.columns:
            return row, column
        return None

    # -- drawing --------------------------------------------------------------------
    def _visible_region(self) -> tuple[int, int, int, int]:
        """Rows r0:r1 and columns c0:c1 of the frame inside the view (clipped)."""
        pixels = self.view.document.pixels
        rect = self.viewbox.viewRect()
        c0 = min(max(0, int(math.floor(rect.left()))), pixels.columns - 1)
        c1 = max(min(pixels.columns, int(math.ceil(rect.right())) + 1), c0 + 1)
        r0 = min(max(0, int(math.floor(rect.top() / self._pixel_aspect))), pixels.rows - 1)
        r1 = max(min(pixels.rows, int(math.ceil(rect.bottom() / self._pixel_aspect)) + 1), r0 + 1)
        return r0, r1, c0, c1

    def _preview(self) -> tuple[int, tuple[int, int, int, int]]:
        """Stride and region for a drag: only what is on screen, at about screen size."""
        r0, r1, c0, c1 = self._visible_region()
        # the whole number of image pixels nearest to one screen pixel (whatever margin the
        # fitted view leaves): a preview pixel covers at most 1.33 screen pixels, and a
        # 2048 frame fitted to 768 takes every third pixel (2.2x the drags a second of
        # every second one, whose preview had 1.8x the screen's pixels)
        step = max(1, round(1.0 / max(self.zoom(), 1e-9)))
        return step, (r0, r1, c0, c1)

    def refresh(self) -> None:
        """Redraw the frame from the document view's state.

        While the window is dragged only the visible part is windowed, strided to about
        the screen's size, so the cost follows the pixels on screen, not in the file."""
        pixels = self.view.document.pixels
        step, region = self._preview() if self._previewing else (1, (0, pixels.rows, 0, pixels.columns))
        shown = region if self._previewing else None
        r0, r1, c0, c1 = region
        small = -(-(r1 - r0) // step) * -(-(c1 - c0) // step) <= CONVERT_PIXELS
        image = self.view.screen_image(step, shown) if small else self.view.display_image(step, shown)
        if image is None:
            return
        shown_rows, shown_columns = image.shape[:2]
        self.image_item.setImage(image, autoLevels=False)  # uint8 as it is (levels None)
        rect = QRectF(c0, r0 * self._pixel_aspect, shown_columns * step, shown_rows * step * self._pixel_aspect)
        # setRect scales the item from the image's shape; it makes the view box recompute
        # its bounds, so only when the rectangle or the shape changed
        if (rect, image.shape[:2]) != self._shown_rect:
            self._shown_rect = (rect, image.shape[:2])
            self.image_item.setRect(rect)
        self._shown_step, self._shown_origin = step, (r0, c0)
        self.viewbox.scroll_frames = self.view.frame_count > 1
        self._update_planes()
        self.shapes.refresh()
        self.update_annotations()

    def _scroll_frame(self, step: int) -> None:
        self.view.set_frame(self.view.frame + step)  # clamped there

    def _update_planes(self) -> None:
        """Show the current frame's overlay planes and the display shutter (only when the
        frame or the edits changed)."""
        document = self.view.document
        overlays, shutter = document.overlays + document.shown_segments(), document.shutter
        drawn = document.drawn_segments()
        key = (self.view.frame, *map(id, overlays), id(shutter), self._planes_visible, document.edits is None)
        key += (id(drawn), self.segment_alpha)
        if key == self._planes_key:
            return
        self._planes_key = key
        painted = drawn.painted(self.view.frame)
        layer = overlay_rgba(overlays, self.view.frame, painted, self.segment_alpha) if self._planes_visible else None
        cover = shutter_rgba(shutter, document.pixels.rows, document.pixels.columns)
        missing = document.source.missing_pixels(self.view.frame) if document.edits is None else None
        if missing is not None:  # pixels the truncated file does not hold: never taken for data
            mark = np.zeros((*missing.shape, 4), dtype=np.uint8)
            mark[missing] = MISSING_RGBA
            cover = mark if cover is None else np.where(mark[..., 3:] > 0, mark, cover)
        if cover is not None:  # the shutter hides overlays too
            layer = cover if layer is None else np.where(cover[..., 3:] > 0, cover, layer)
        if layer is None:
            if self.planes_item.image is not None:  # clearing makes the view box recompute its bounds
                self.planes_item.clear()
            return
        self.planes_item.setImage(layer, autoLevels=False)
        self.planes_item.setRect(self.image_rect)

    def set_segment_opacity(self, opacity: float) -> None:
        """Opacity (0..1) of segments over the image (a SEG's and those being drawn)."""
        self.segment_alpha = int(round(255 * min(max(opacity, 0.0), 1.0)))
        self._update_planes()

    def set_smooth(self, smooth: bool) -> None:
        """Interpolate pixels when the image is scaled (off: each pixel a sharp square)."""
        self.graphics.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, smooth)
        self.graphics.viewport().update()

    def set_planes_visible(self, visible: bool) -> None:
        """Show or hide the file's overlay planes and SEG segments (View > Show Overlays)."""
        self._planes_visible = visible
        self._update_planes()

    @property
    def planes_shown(self) -> bool:
        return self.planes_item.image is not None and self._planes_visible

    def set_overlay(self, rgba: np.ndarray | None) -> None:
        """Show a (rows, columns, 4) uint8 overlay on top of the image, or clear it."""
        if rgba is None:
            self.overlay_item.clear()
            return
        self.overlay_item.setImage(rgba, autoLevels=False)
        self.overlay_item.setRect(self.image_rect)

    def _on_window_drag(self, dx: float, dy: float, finished: bool) -> None:
        if self.view.is_color:
            return
        if self._drag_start is None:
            self._drag_start = self.view.effective_window()
            self._drag_span = self.view.value_span()  # once per drag, not per mouse move
            self._drag_integer = self.view.integer_values()
        start = self._drag_start
        sensitivity = max(start.width, self._drag_span / 100) / 256.0  # follows the data's range
        center, width = start.center - dy * sensitivity, start.width + dx * sensitivity
        if self._drag_integer:  # whole numbers on integer data (HU): what people read and type
            center, width = round(center), max(round(width), 1)
        window = start.moved(center=center, width=width)
        self._previewing = not finished
        self.view.set_window(window)
        if finished:
            self._drag_start = None
            self.refresh()

    # -- annotations ----------------------------------------------------------------
    def set_annotations_visible(self, visible: bool) -> None:
        self.annotations.set_visible(visible)

    def set_annotation_group_visible(self, group: str, visible: bool) -> None:
        self.annotations.set_group_visible(group, visible)

    def update_annotations(self) -> None:
        self.annotations.update(self.view, self.zoom())

    def eventFilter(self, watched, event):  # noqa: N802 (Qt naming)
        if watched is self.graphics and event.type() == QEvent.Type.Resize:
            self.annotations.place()
        if watched is self.graphics and event.type() == QEvent.Type.Leave:
            self.cursor_moved.emit(None)  # the readout describes no pixel once the pointer left
        return super().eventFilter(watched, event)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        self.cursor_moved.emit(self.pixel_at(scene_pos))
        if self.magnifier.enabled:
            self.magnifier.follow(self.graphics.mapFromScene(scene_pos))
