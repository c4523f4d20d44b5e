"""Mouse gestures for GUI tests, sent as real Qt events."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def send_mouse(widget, kind, pos: QPoint, button, buttons) -> None:
    event = QMouseEvent(
        kind, QPointF(pos), QPointF(widget.mapToGlobal(pos)), button, buttons, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(widget, event)


def drag(widget, start: QPoint, end: QPoint, button=Qt.MouseButton.RightButton, steps: int = 8) -> None:
    """Press, move in steps with the button held, release (what a hand does).

    Moves are paced: pyqtgraph's scene drops mouse moves that come faster than ~60/s.
    """
    send_mouse(widget, QEvent.Type.MouseButtonPress, start, button, button)
    for i in range(1, steps + 1):
        QTest.qWait(20)
        point = start + (end - start) * i / steps
        send_mouse(widget, QEvent.Type.MouseMove, point, Qt.MouseButton.NoButton, button)
        QApplication.processEvents()
    send_mouse(widget, QEvent.Type.MouseButtonRelease, end, button, Qt.MouseButton.NoButton)
    QApplication.processEvents()


def viewport_point(panel, row: int, column: int) -> QPoint:
    """Viewport coordinates of the center of image pixel (row, column)."""
    scene = panel.image_view.image_item.mapToScene(QPointF(column + 0.5, row + 0.5))
    return panel.image_view.graphics.mapFromScene(scene)


def shown_picture(image_view) -> np.ndarray:
    """The picture the image view shows, as `render_view` gives it (uint8 gray or RGB): a
    gray picture is held as Qt RGB32 pixels (0xffRRGGBB with R = G = B), checked here."""
    image = image_view.image_item.image
    if image is None or image.dtype != np.uint32:
        return image
    gray = (image & 0xFF).astype(np.uint8)
    assert np.array_equal(image, gray.astype(np.uint32) * 0x010101 | 0xFF000000), "not gray RGB32 pixels"
    return gray
