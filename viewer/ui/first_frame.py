"""The image being opened, painted before the main window is built.

`dicom-viewer FILE` spends most of its start-up importing the libraries the main window
needs (pyqtgraph alone imports every item and widget it has, ~0.25 s here) and building
its docks. The first frame needs none of that: Qt, numpy, pydicom and the model. So the
frame is rendered with the one rendering policy (viewer.model.rendering: its window,
overlays and shutter, as the main window will show it) and painted in a frameless window
where the main window will appear, which replaces it once shown, taking over the opened
document (it is not opened and its first frame not decoded twice: ~60 ms for a JPEG 2000
file here). Only for one file that opens; anything else (a folder, several files, a file
that fails) goes straight to the main window, which reports it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

from viewer.ui.settings import DEFAULT_WINDOW_SIZE

if TYPE_CHECKING:
    from viewer.model.document import Document


class FirstFrame(QWidget):
    """A frameless window showing one rendered frame fitted on black."""

    def __init__(self, image: npt.NDArray[np.uint8], aspect: float, title: str, document: Document) -> None:
        super().__init__(None, Qt.WindowType.SplashScreen | Qt.WindowType.FramelessWindowHint)
        self.document = document  # for the main window to take over
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # replaced once: its pixels go with it
        self._pixels = np.ascontiguousarray(image)  # the QImage below reads this buffer
        rows, columns = image.shape[:2]
        gray = image.ndim == 2
        fmt = QImage.Format.Format_Grayscale8 if gray else QImage.Format.Format_RGB888
        stride = columns if gray else 3 * columns
        self._image = QImage(self._pixels.data, columns, rows, stride, fmt)
        self._height = rows * aspect  # rows x (row/column spacing), as the main view draws it

    def paintEvent(self, _event: object) -> None:  # noqa: N802 (Qt naming)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0))
        columns = self._image.width()
        scale = min(self.width() / columns, self.height() / self._height)
        width, height = columns * scale, self._height * scale
        target = QRectF((self.width() - width) / 2, (self.height() - height) / 2, width, height)
        painter.drawImage(target, self._image)
        painter.end()


def show_first_frame(argv: Sequence[str], geometry: QByteArray | None) -> FirstFrame | None:
    """Paint the first frame of the one file in `argv` where the main window will be
    (`geometry`: its remembered geometry), or return None (not one file, or it fails)."""
    if len(argv) != 1 or not Path(argv[0]).is_file():
        return None
    from viewer.model.document import open_document
    from viewer.model.geometry import row_to_column_spacing
    from viewer.model.rendering import render_frame

    try:
        document = open_document(Path(argv[0]))
        image = render_frame(document, 0)
        aspect = row_to_column_spacing(document)
    except Exception:  # the main window opens it again and says what is wrong
        return None
    window = FirstFrame(image, aspect, Path(argv[0]).name, document)
    window.resize(*DEFAULT_WINDOW_SIZE)
    if geometry is not None:
        window.restoreGeometry(geometry)
    window.show()
    window.repaint()
    return window
