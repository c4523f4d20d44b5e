"""Text over the image: the four corners (patient, study, frame, window and zoom), the
orientation markers on the four edges (viewer.model.orientation), which follow flips and
turns, and a scale bar in mm. Everything has a dark backing so it reads on any image;
each group (GROUPS) can be hidden on its own."""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap, QRegion

from viewer.model.geometry import nice_length
from viewer.model.orientation import edge_labels_of, shown_geometry

#: (text colour, pixel size, bold) of the corner texts and of the orientation markers.
STYLE = ("#f0f0f0", 11, False)
EDGE_STYLE = ("#ffe680", 13, True)
BACKING = QColor(0, 0, 0, 120)
PADDING = (3, 1)  # horizontal, vertical
MARGIN = 6
#: Annotation groups a person can hide one by one (View > Annotations), with their names.
GROUPS = {
    "patient": "Patient and Study",
    "image": "Frame, Slice and Frame Time",
    "window": "Window and Zoom",
    "orientation": "Orientation Markers",
    "scale": "Scale Bar",
}


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
            self.draw(painter, self._geometry)
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


def _lines(*values: object) -> str:
    return "\n".join(str(v) for v in values if v is not None and str(v))


def format_date(value: object) -> str:
    """A DA value as YYYY-MM-DD (as it is when it is not 8 digits)."""
    text = str(value or "")
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if len(text) == 8 and text.isdigit() else text


def _time(value: object) -> str:
    text = str(value or "")
    return f"{text[:2]}:{text[2:4]}" if len(text) >= 4 and text[:4].isdigit() else text


def _frame_time(ds: Any, frames: int) -> str:
    """(0018,1063) Frame Time of a multi-frame image, in ms."""
    try:
        value = float(ds.get("FrameTime"))
    except (TypeError, ValueError):
        return ""
    return f"Frame time {value:g} ms" if frames > 1 and value > 0 else ""


def _slice(frame: Any) -> str:
    """Slice location and thickness in mm, where the file says them."""
    parts = []
    for keyword, label in (("SliceLocation", "Loc"), ("SliceThickness", "Thick")):
        try:
            parts.append(f"{label} {float(frame.get(keyword)):.1f} mm")
        except (TypeError, ValueError):
            pass
    return "  ".join(parts)


class ScaleBar(Sprite):
    """A bar of a round length in mm (1, 2 or 5 x 10^n) about a fifth of the view wide."""

    def __init__(self, layer: AnnotationLayer) -> None:
        super().__init__(layer)
        self.length_px = 0.0
        self.text = ""

    def set_scale(self, mm_per_pixel: float | None, view_width: int) -> None:
        """Show the bar for `mm_per_pixel` screen pixels (None: no spacing, no bar)."""
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
        painter.setPen(QPen(QColor(240, 240, 240), 2))
        x0, x1, y = rect.left() + 1, rect.left() + int(self.length_px), rect.bottom() - 4
        painter.drawLine(x0, y, x1, y)
        for x in (x0, x1):
            painter.drawLine(x, y - 5, x, y)
        painter.drawText(rect.adjusted(0, 0, 0, -8), Qt.AlignmentFlag.AlignCenter, self.text)
        return True


class Annotations:
    """The labels over one image view's graphics widget."""

    def __init__(self, parent: AnnotatedGraphicsView) -> None:
        self.parent = parent
        self.layer = AnnotationLayer(parent)
        # top-left, top-right, bottom-left, bottom-right; left, right, top, bottom
        self.corners = [TextBlock(self.layer, STYLE) for _ in range(4)]
        self.edges = [TextBlock(self.layer, EDGE_STYLE) for _ in range(4)]
        self.scale_bar = ScaleBar(self.layer)
        self.visible = True
        self.hidden_groups: set[str] = set()
        group_of = ["patient", "patient", "image", "window"] + ["orientation"] * 4
        self._groups: dict[int, str] = {id(w): g for w, g in zip(self.corners + self.edges, group_of, strict=True)}
        self._groups[id(self.scale_bar)] = "scale"
        self._key: tuple[Any, ...] | None = None  # what the texts were made from, but the window
        self._study_source: tuple[Any, ...] | None = None  # what the top corners were made from
        self._study: tuple[str, str] = ("", "")
        self._geometry_source: tuple[Any, ...] | None = None  # what the geometry was made from
        self._geometry: Any = None
        self._markers: tuple[str, str, str, str] = ("", "", "", "")

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        self._show_all()

    def set_group_visible(self, group: str, visible: bool) -> None:
        """Show or hide one group of GROUPS (while annotations as a whole are shown)."""
        if group not in GROUPS:
            raise ValueError(f"no annotation group {group!r}")
        (self.hidden_groups.discard if visible else self.hidden_groups.add)(group)
        self._show_all()

    def _show(self, widget: Sprite, text: str) -> None:
        widget.setVisible(self.visible and bool(text) and self._groups[id(widget)] not in self.hidden_groups)

    def _show_all(self) -> None:
        for label in self.corners + self.edges:
            self._show(label, label.text())
        self._show(self.scale_bar, self.scale_bar.text)

    def update(self, view: Any, zoom: float) -> None:
        """Refresh the texts from the document view's state. Only the window's text when
        nothing else changed (a W/L drag repaints on every mouse move)."""
        edits = view.document.edits
        size = (self.parent.width(), self.parent.height())
        key = (id(view.document), view.frame, round(zoom, 4), id(edits), getattr(edits, "generation", 0), size)
        if key == self._key:
            self._set(self.corners[3], self._window_text(view, zoom))
            return
        self._key = key
        self._update_all(view, zoom)

    @staticmethod
    def _window_text(view: Any, zoom: float) -> str:
        window = view.effective_window()
        return ("" if view.is_color else f"WC {window.center:g}  WW {window.width:g}\n") + f"Zoom {zoom:.2f}"

    def _set(self, label: TextBlock, text: str, place: bool = True) -> bool:
        """Show `text` on `label`; False (and nothing redrawn) when it shows it already."""
        if label.text() == text:
            return False
        size = (label.width(), label.height())
        label.setText(text)
        label.adjustSize()
        self._show(label, text)
        if place and (label.width(), label.height()) != size:  # places follow sizes only
            self.place()
        return True

    def _study_texts(self, view: Any) -> tuple[str, str]:
        """The top corners (patient; study and series): the same for every frame."""
        ds = view.document.dataset
        return (
            _lines(
                ds.get("PatientName", ""),
                " ".join(
                    str(v) for v in (ds.get("PatientID", ""), ds.get("PatientSex", ""), ds.get("PatientAge", "")) if v
                ),
                " ".join(v for v in (format_date(ds.get("StudyDate")), _time(ds.get("StudyTime"))) if v),
            ),
            _lines(
                ds.get("StudyDescription", ""),
                ds.get("SeriesDescription", ""),
                " ".join(
                    f"{k} {ds.get(a)}" for k, a in (("Se", "SeriesNumber"), ("Im", "InstanceNumber")) if ds.get(a)
                ),
            ),
        )

    def _update_all(self, view: Any, zoom: float) -> None:
        """Every text; only those that changed are laid out and redrawn (scrubbing frames
        changes the frame's corner and little else)."""
        ds, edits = view.document.dataset, view.document.edits
        source = (ds, edits, getattr(edits, "generation", 0))  # the objects held: ids are not reused
        held = self._study_source
        if held is None or held[0] is not ds or held[1] is not edits or held[2] != source[2]:
            self._study_source, self._study = source, self._study_texts(view)
        frame = view.frame_attributes()
        texts = [
            *self._study,
            _lines(
                f"Frame {view.frame + 1} / {view.frame_count}",
                _slice(frame),
                _frame_time(ds, view.frame_count),
                "LOSSY COMPRESSED" if view.document.is_lossy else "",
            ),
            self._window_text(view, zoom),
        ]
        generation = getattr(edits, "generation", 0)
        held = self._geometry_source  # frames that share their attributes (no functional groups) share it
        if held is None or held[0] is not frame or held[1] is not edits or held[2] != generation:
            self._geometry_source = (frame, edits, generation)
            self._geometry = shown_geometry(view.document, view.frame)  # markers and scale bar use it
            self._markers = edge_labels_of(self._geometry) or ("", "", "", "")
        geometry, markers = self._geometry, self._markers
        column_mm = None if geometry is None else geometry.column_spacing
        self.scale_bar.set_scale(None if column_mm is None else column_mm / zoom, self.parent.width())
        self._show(self.scale_bar, self.scale_bar.text)
        changed = [
            self._set(label, text, False)
            for label, text in zip(self.corners + self.edges, texts + list(markers), strict=True)
        ]
        if any(changed):
            self.place()

    def edge_texts(self) -> tuple[str, str, str, str]:
        left, right, top, bottom = (label.text() for label in self.edges)
        return left, right, top, bottom

    def place(self) -> None:
        w, h, m = self.parent.width(), self.parent.height(), MARGIN
        tl, tr, bl, br = self.corners
        tl.move(m, m)
        tr.move(w - tr.width() - m, m)
        bl.move(m, h - bl.height() - m)
        br.move(w - br.width() - m, h - br.height() - m)
        left, right, top, bottom = self.edges
        left.move(m, (h - left.height()) // 2)
        right.move(w - right.width() - m, (h - right.height()) // 2)
        top.move((w - top.width()) // 2, m)
        bottom.move((w - bottom.width()) // 2, h - bottom.height() - m)
        bar = self.scale_bar
        bar.move((w - bar.width()) // 2, h - bottom.height() - bar.height() - 2 * m)
