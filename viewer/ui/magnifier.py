"""View > Magnifier: a loupe over the image view that follows the pointer.

It shows what is on screen around the pointer (pixels, overlays, shapes) enlarged with
sharp pixels, in a square beside the pointer; it never changes the view's zoom.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QWidget

SIZE = 200  # on screen
FACTOR = 3  # enlargement
OFFSET = 24  # from the pointer, so the loupe does not hide what it shows


class Magnifier(QLabel):
    def __init__(self, graphics: QWidget) -> None:
        super().__init__(graphics)
        self.graphics = graphics
        self.setFixedSize(SIZE, SIZE)
        self.setStyleSheet("border: 2px solid #e0c060; background: black;")
        self.enabled = False
        self.hide()

    def set_enabled(self, enabled: bool) -> None:
        self.enabled = enabled
        if not enabled:
            self.hide()

    def follow(self, position: QPoint | None) -> None:
        """Show the screen around `position` (viewport pixels), or hide when outside."""
        viewport = self.graphics.viewport()  # type: ignore[attr-defined]
        if not self.enabled or position is None or not viewport.rect().contains(position):
            self.hide()
            return
        side = SIZE // FACTOR
        source = QRect(position.x() - side // 2, position.y() - side // 2, side, side)
        self.hide()  # not in its own picture
        grabbed = viewport.grab(source)
        enlarged = grabbed.scaled(
            SIZE, SIZE, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
        )
        self.setPixmap(_with_crosshair(enlarged))
        x = position.x() + OFFSET if position.x() + OFFSET + SIZE <= viewport.width() else position.x() - OFFSET - SIZE
        y = position.y() + OFFSET if position.y() + OFFSET + SIZE <= viewport.height() else position.y() - OFFSET - SIZE
        self.move(max(0, x), max(0, y))
        self.show()
        self.raise_()


def _with_crosshair(pixmap: QPixmap) -> QPixmap:
    """A small cross marks the pixel under the pointer (the loupe's centre)."""
    painter = QPainter(pixmap)
    painter.setPen(QPen(QColor(224, 192, 96), 1))
    c = SIZE // 2
    painter.drawLine(c - 8, c, c - 3, c)
    painter.drawLine(c + 3, c, c + 8, c)
    painter.drawLine(c, c - 8, c, c - 3)
    painter.drawLine(c, c + 3, c, c + 8)
    painter.end()
    return pixmap
