"""Drawing annotations over the image view: the layer the view's paint ends with, and
the sprites on it (text blocks, the scale bar). What they say is viewer.ui.annotations'."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap, QRegion
from PySide6.QtWidgets import QGraphicsView

from viewer.model.geometry import nice_length

BACKING = QColor(0, 0, 0, 120)
PADDING = (3, 1)  # horizontal, vertical


class AnnotationLayer:
    """Every annotation, drawn over the picture as the last step of the view's own paint.

    The viewport repaints on every W/L drag event and every scrubbed frame. Eight
    style-sheeted QLabels and a scale bar cost ~0.4 ms a repaint; one transparent widget
    over the view blitting cached pixmaps still cost a paint event of its own (~0.15 ms at
    512 x 512 with the dragged window's text). Here the view's paint ends by drawing
    them (:class:`AnnotatedGraphicsView` calls :meth:`paint`), each as :class:`Sprite` says."""

    def __init__(self, view: AnnotatedGraphicsView) -> None:
        self.view = view
        self.sprites: list[Sprite] = []
        view.foreground = self

    def update(self) -> None:
        self.view.viewport().update()

    def font(self) -> QFont:
        return self.view.font()

    def paint(self, painter: QPainter) -> None:
        """Draw the shown annotations; `painter` draws in viewport pixels."""
        ratio = self.view.devicePixelRatioF()
        for sprite in self.sprites:
            sprite.paint(painter, ratio)


class AnnotatedGraphicsView(pg.GraphicsView):
    """pyqtgraph's view whose paint ends with its annotations (an AnnotationLayer), and
    which paints its background only where its opaque picture does not cover it: filling
    the whole viewport first (3 MB at 1024 x 768) cost as much memory traffic as the
    picture itself on every dragged window."""

    foreground: AnnotationLayer | None = None
    opaque_item: pg.ImageItem | None = None  # an opaque picture (gray or RGB frames)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # pyqtgraph caches the background as a viewport-sized pixmap, copied whole on every
        # paint; painted around the picture instead, nothing is copied beneath it
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 (Qt naming)
        item = self.opaque_item
        if item is None or item.image is None or not item.isVisible():
            super().drawBackground(painter, rect)
            return
        exposed = QRegion(self.mapFromScene(rect).boundingRect())
        # one device pixel inside the picture's edges: a scaled edge may not cover its last pixel
        covered = self.mapFromScene(item.sceneBoundingRect()).boundingRect().adjusted(1, 1, -1, -1)
        painter.save()
        painter.resetTransform()
        for part in exposed.subtracted(QRegion(covered)):  # type: ignore[attr-defined]  # iterable, unstubbed
            painter.fillRect(part, self.backgroundBrush())
        painter.restore()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802 (Qt naming)
        if self.foreground is not None:
            painter.save()
            painter.resetTransform()  # viewport pixels, whatever the zoom
            self.foreground.paint(painter)
            painter.restore()


class Sprite:
    """One annotation on the layer: a rectangle, shown or hidden. Content that changed
    since the last paint is drawn straight onto the view (~20 us); content that stays is
    drawn once into a pixmap and blitted (~2 us). So a text that changes at every paint
    (the dragged window's, a scrubbed frame's number) never pays for a pixmap (~60 us),
    and the others cost a blit. Named as QWidget's methods (move, resize, setVisible,
    isHidden...), so the code placing annotations reads as it did when they were widgets."""

    def __init__(self, layer: AnnotationLayer) -> None:
        self._layer = layer
        self._geometry = QRect()
        self._hidden = False
        self._pixmap: QPixmap | None = None
        self._fresh = True  # changed since the last paint
        layer.sprites.append(self)

    def draw(self, painter: QPainter, rect: QRect) -> bool:
        """Draw the content into `rect`; False when there is nothing to show."""
        raise NotImplementedError

    def invalidate(self) -> None:
        self._pixmap, self._fresh = None, True
        self._layer.update()

    def paint(self, painter: QPainter, ratio: float) -> None:
        if self._hidden or self._geometry.isEmpty():
            return
        if self._pixmap is None and self._fresh:
            self._fresh = False
            painter.save()  # a live draw leaves the shared painter as it found it
            self.draw(painter, self._geometry)
            painter.restore()
            return
        pixmap = self.pixmap(ratio)
        if not pixmap.isNull():
            painter.drawPixmap(self._geometry.topLeft(), pixmap)

    def pixmap(self, ratio: float) -> QPixmap:
        """The content drawn once (a null pixmap when there is nothing to show)."""
        if self._pixmap is None or self._pixmap.devicePixelRatio() != ratio:
            self._pixmap = QPixmap()
            if not self._geometry.isEmpty():
                pixmap = QPixmap(self._geometry.size() * ratio)
                pixmap.setDevicePixelRatio(ratio)
                pixmap.fill(Qt.GlobalColor.transparent)
                inner = QPainter(pixmap)
                shown = self.draw(inner, self.rect())
                inner.end()
                self._pixmap = pixmap if shown else QPixmap()
        return self._pixmap

    def rect(self) -> QRect:
        return QRect(0, 0, self._geometry.width(), self._geometry.height())

    def width(self) -> int:
        return self._geometry.width()

    def height(self) -> int:
        return self._geometry.height()

    def move(self, x: int, y: int) -> None:
        if (x, y) != (self._geometry.x(), self._geometry.y()):
            self._geometry.moveTo(x, y)
            self._layer.update()

    def resize(self, width: int, height: int) -> None:
        if (width, height) != (self._geometry.width(), self._geometry.height()):
            self._geometry.setSize(QSize(width, height))
            self.invalidate()

    def setVisible(self, visible: bool) -> None:  # noqa: N802 (QWidget's name)
        if visible == self._hidden:
            self._hidden = not visible
            self._layer.update()

    def isHidden(self) -> bool:  # noqa: N802 (QWidget's name)
        return self._hidden


_ZEROS = str.maketrans("123456789", "000000000")


class TextBlock(Sprite):
    """Lines of text on a dark backing (a corner's texts, an orientation marker)."""

    def __init__(self, layer: AnnotationLayer, style: tuple[str, int, bool]) -> None:
        super().__init__(layer)
        color, pixel_size, bold = style
        self._color = QColor(color)
        self._font = QFont(layer.font())
        self._font.setPixelSize(pixel_size)
        self._font.setBold(bold)
        self._metrics = QFontMetrics(self._font)  # made once: ~13 us of each adjustSize
        self._tabular = len({self._metrics.horizontalAdvance(digit) for digit in "0123456789"}) == 1
        self._sizes: dict[str, tuple[int, int]] = {}  # by the text with its digits as 0 (if tabular)
        self._text = ""

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 (QLabel's name)
        if text != self._text:
            self._text = text
            self.invalidate()

    def adjustSize(self) -> None:  # noqa: N802 (QWidget's name)
        # Texts that differ only in their digits have one size when every digit is as wide
        # (most fonts): a dragged window's text is measured once, not at every mouse move.
        shape = self._text.translate(_ZEROS) if self._tabular else self._text
        size = self._sizes.get(shape)
        if size is None:
            box = self._metrics.boundingRect(QRect(0, 0, 10_000, 10_000), 0, self._text)
            size = self._sizes[shape] = (box.width() + 2 * PADDING[0], box.height() + 2 * PADDING[1])
            if len(self._sizes) > 256:
                del self._sizes[next(iter(self._sizes))]
        self.resize(*size)

    def draw(self, painter: QPainter, rect: QRect) -> bool:
        if not self._text:
            return False
        painter.fillRect(rect, BACKING)
        painter.setFont(self._font)
        painter.setPen(self._color)
        painter.drawText(rect.adjusted(PADDING[0], PADDING[1], -PADDING[0], -PADDING[1]), 0, self._text)
        return True


class ScaleBar(Sprite):
    """A bar of a round length in mm (1, 2 or 5 x 10^n) about a fifth of the view wide."""

    def __init__(self, layer: AnnotationLayer) -> None:
        super().__init__(layer)
        self.length_px = 0.0
        self.text = ""
        self._scale: tuple[float | None, int] | None = None  # what the bar shows
        self._font = QFont(layer.font())

    def set_scale(self, mm_per_pixel: float | None, view_width: int) -> None:
        """Show the bar for `mm_per_pixel` screen pixels (None: no spacing, no bar)."""
        if (mm_per_pixel, view_width) == self._scale:  # scrubbing frames: the same scale
            return
        self._scale = (mm_per_pixel, view_width)
        shown = (self.text, self.length_px)
        if mm_per_pixel is None or not mm_per_pixel > 0 or view_width < 50:
            self.text, self.length_px = "", 0.0
        else:
            mm = nice_length(view_width / 5 * mm_per_pixel)
            self.length_px = mm / mm_per_pixel
            self.text = f"{mm:g} mm" if mm >= 1 else f"{mm * 1000:g} µm"
        if (self.text, self.length_px) != shown:  # scrubbing frames: nothing to redraw
            self.resize(int(self.length_px) + 2, 26)
            self.invalidate()

    def draw(self, painter: QPainter, rect: QRect) -> bool:
        if not self.text:
            return False
        painter.fillRect(rect, BACKING)
        painter.setFont(self._font)  # drawn live, the view's painter has the last sprite's
        painter.setPen(QPen(QColor(240, 240, 240), 2))
        x0, x1, y = rect.left() + 1, rect.left() + int(self.length_px), rect.bottom() - 4
        painter.drawLine(x0, y, x1, y)
        for x in (x0, x1):
            painter.drawLine(x, y - 5, x, y)
        painter.drawText(rect.adjusted(0, 0, 0, -8), Qt.AlignmentFlag.AlignCenter, self.text)
        return True
