"""A thin strip under the frame slider that shows which frames of a compressed file are
decoded and in memory, as radiology viewers show a series loading: cine and scrubbing run
at full pace only over decoded frames, and preloading (viewer.ui.frame_decoding) fills the
strip once a person first moves through the frames. Frames read directly (uncompressed,
or held in memory by edits) need no strip: it hides.

It follows the decoder at most every REPAINT_MS (a JPEG-LS file decodes ~250 frames a
second here; a repaint per frame would take time from painting the frames)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QHelpEvent, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from viewer.ui.document_view import DocumentView

REPAINT_MS = 100
HEIGHT = 3
LOADED = QPalette.ColorRole.Highlight  # as the slider's own filled part
NOT_LOADED = QPalette.ColorRole.Mid


def loaded_runs(loaded: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """(first, end) of each run of True in `loaded`, end exclusive."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], loaded.astype(np.int8), [0]))))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


class LoadedStrip(QWidget):
    """Decoded frames of one document view, left to right as the slider runs."""

    def __init__(self, view: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # paints every pixel: no parent repaint
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._later = QTimer(self)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self.follow)
        view.decoding.decoded.connect(self._on_decoded)
        view.edits_changed.connect(self.follow)  # an edit, undo or redo: frames held in memory?
        self.follow()

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt naming)
        return QSize(100, HEIGHT)

    def loaded(self) -> npt.NDArray[np.bool_]:
        """Per frame: decoded and in memory now (the shared cache may have let some go)."""
        document = self.view.document
        return np.fromiter((document.is_cached(i) for i in range(document.frame_count)), bool, document.frame_count)

    def summary(self) -> str:
        loaded = self.loaded()
        return f"Decoded and in memory: {int(loaded.sum())} of {len(loaded)} frames"

    def follow(self) -> None:
        """Show or hide for the document as it is now, and repaint."""
        document = self.view.document
        self.setVisible(document.frame_count > 1 and not document.reads_directly)
        self.update()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            QToolTip.showText(event.globalPos(), self.summary(), self)  # counted when asked
            return True
        return super().event(event)

    def _on_decoded(self, _index: int, _error: str) -> None:
        if not self._later.isActive():
            self._later.start(REPAINT_MS)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(NOT_LOADED))
        loaded = self.loaded()
        width, count = self.width(), max(len(loaded), 1)
        for first, end in loaded_runs(loaded):
            left, right = first * width // count, end * width // count
            painter.fillRect(QRect(left, 0, max(right - left, 1), self.height()), palette.color(LOADED))
        painter.end()
