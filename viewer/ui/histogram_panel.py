"""Histogram of the current frame's modality values with the window as a draggable region.

Built on pyqtgraph's HistogramLUTItem without an attached image: the levels it shows
are the window's low/high in modality units, kept in sync with the document view in
both directions (signals blocked while the widget is updated).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from viewer.model.display import Window
from viewer.ui.document_view import DocumentView

BINS = 256
SAMPLES = 1 << 16
SCRUB_PAUSE_MS = 120


class HistogramPanel(pg.GraphicsLayoutWidget):
    """Vertical histogram with a level region bound to the document view's window."""

    def __init__(self, view: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self._item: pg.HistogramLUTItem | None = None  # built when first shown or asked for
        self._extras: list[pg.GraphicsObject] = []  # items shown over it (add_range_item)
        self.setFixedWidth(170)
        self._updating = False
        self._histogram_frame = -1
        self._pending = QTimer(self)  # while frames change quickly, one count when they stop
        self._pending.setSingleShot(True)
        self._pending.setInterval(SCRUB_PAUSE_MS)
        self._pending.timeout.connect(self.refresh)
        self._build = QTimer(self)
        self._build.setSingleShot(True)
        self._build.setInterval(30)  # after the first paint, letting input through between
        self._build.timeout.connect(lambda: self.item)
        # A dragged window changes on every mouse move; the histogram's two level lines
        # (~0.2 ms to move) follow once per pass of the event loop, before it paints.
        self._window_moved = QTimer(self)
        self._window_moved.setSingleShot(True)
        self._window_moved.setInterval(0)
        self._window_moved.timeout.connect(self._show_window)
        view.image_changed.connect(self._image_changed)
        view.window_changed.connect(self._window_changed)

    @property
    def item(self) -> pg.HistogramLUTItem:
        """pyqtgraph's histogram, built on first use: ~25 ms each, and a folder of many
        series opens one tab per series, most never looked at."""
        if self._item is None:
            self._item = pg.HistogramLUTItem(image=None, fillHistogram=True, levelMode="mono")
            # The gray ramp only illustrates the mapping; the levels do the work.
            self._item.gradient.setEnabled(False)
            for tick in list(self._item.gradient.ticks):
                tick.hide()
            self.addItem(self._item)
            self._item.sigLevelsChanged.connect(self._on_levels_dragged)
            for extra in self._extras:
                self._item.vb.addItem(extra)
            self.refresh()
        return self._item

    def add_range_item(self, extra: pg.GraphicsObject) -> None:
        """Show `extra` (e.g. the threshold range) over the histogram, once it is built."""
        self._extras.append(extra)
        if self._item is not None:
            self._item.vb.addItem(extra)

    def remove_range_item(self, extra: pg.GraphicsObject) -> None:
        if extra in self._extras:
            self._extras.remove(extra)
            if self._item is not None:
                self._item.vb.removeItem(extra)

    def showEvent(self, event):  # noqa: N802 (Qt naming)
        if self._item is None:  # built shortly after the first paint of the image beside it
            self._build.start()
        super().showEvent(event)

    def _image_changed(self) -> None:
        """Same frame (first display, an edit): count now. Another frame: count once the
        frames stop changing, so scrubbing pays for one histogram, not one a frame."""
        if self._item is None:
            return  # counted when first shown
        if self.view.frame == self._histogram_frame or self._histogram_frame < 0:
            self.refresh()
        else:
            self._pending.start()

    def refresh(self) -> None:
        """Recompute the histogram when the frame changed; show the window.

        Counted over at most SAMPLES evenly spaced pixels (scaled up to the frame's): a
        picture of the distribution, not a measurement; a full count cost 8 ms a frame
        and made scrubbing slower than the repaint."""
        self._pending.stop()
        stored = self.view.stored_frame()
        if stored is None or self.view.is_color:
            self.setVisible(not self.view.is_color)
            return
        flat = stored.reshape(-1)
        every = max(1, flat.size // SAMPLES)
        values = self.view.modality().apply(flat[::every])
        finite = values[np.isfinite(values)]
        if finite.size:
            low, high = float(finite.min()), float(finite.max())
            if high <= low:
                high = low + 1.0
            counts, edges = np.histogram(finite, bins=BINS, range=(low, high))
            counts = counts * every
            self._histogram_frame = self.view.frame
            centers = (edges[:-1] + edges[1:]) / 2
            # log scale keeps small structures visible beside the background peak
            self.item.plot.setData(centers, np.log1p(counts))
            self.item.setHistogramRange(low, high, padding=0.05)
        self._show_window()

    def _window_changed(self, _window: object) -> None:
        if self._item is not None and not self._window_moved.isActive():
            self._window_moved.start()

    def _show_window(self) -> None:
        self._window_moved.stop()
        if self._item is None:
            return
        window = self.view.effective_window()
        self._updating = True
        try:
            self.item.setLevels(window.low, window.high)
        finally:
            self._updating = False

    def levels(self) -> tuple[float, float]:
        if self._window_moved.isActive():
            self._show_window()
        low, high = self.item.getLevels()
        return float(low), float(high)

    def _on_levels_dragged(self, _item: object) -> None:
        if self._updating:
            return
        low, high = sorted(self.levels())
        current = self.view.effective_window()
        self.view.set_window(Window.from_bounds(low, high, current.function))
