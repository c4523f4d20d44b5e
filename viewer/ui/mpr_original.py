"""The original beside the volume planes: the document's frame exactly as the main window
shows it (the acquired slice, not resampled, through the document's window, with its edits
and overlays as drawn there), with the crosshair and orientation letters. A click or a
wheel step in it moves the crosshair (viewer.ui.mpr_window)."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, Qt

from viewer.model.orientation import shown_edge_labels
from viewer.ui.document_view import DocumentView
from viewer.ui.mpr_plane_view import CrosshairView
from viewer.ui.tools.threshold_tool import OVERLAY_RGBA


class OriginalView(CrosshairView):
    """The document's current frame, kept in step with the document view."""

    def __init__(self, owner: Any, view: DocumentView) -> None:
        super().__init__(owner)
        self.view = view
        self.aspect = 1.0  # height of a pixel relative to its width
        view.image_changed.connect(self.refresh)
        view.window_changed.connect(lambda _w: self.refresh())

    def refresh(self) -> None:
        """Show the document's current frame as the main window draws it."""
        image = self.view.display_image()
        if image is None:  # still decoding; image_changed follows
            return
        rows, columns = image.shape[:2]
        self.image.setImage(image, autoLevels=False, levels=(0, 255))
        self.image.setRect(QRectF(0, 0, columns, rows * self.aspect))
        values, threshold = self.view.modality_values(), self.owner.threshold
        if threshold is None or values is None:
            self.preview.clear()
        else:
            rgba = np.zeros((*values.shape, 4), dtype=np.uint8)
            rgba[(values >= threshold[0]) & (values <= threshold[1])] = OVERLAY_RGBA
            self.preview.setImage(rgba, autoLevels=False)
            self.preview.setRect(QRectF(0, 0, columns, rows * self.aspect))
        left, right, top, bottom = shown_edge_labels(self.view.document, self.view.frame) or ("", "", "", "")
        self.place_letters([top, bottom, left, right], rows * self.aspect, columns)
        self.owner.place_original_crosshair()

    def set_crosshair(self, row: int, column: int) -> None:
        self.horizontal.setPos((row + 0.5) * self.aspect)
        self.vertical.setPos(column + 0.5)

    def mouseClickEvent(self, ev: Any) -> None:  # noqa: N802 (Qt's name)
        if ev.button() == Qt.MouseButton.LeftButton:
            point = self.mapSceneToView(ev.scenePos())
            self.owner.click_original(point.y() / self.aspect, point.x())
            ev.accept()

    def wheelEvent(self, ev: Any, axis: Any = None) -> None:  # noqa: N802
        self.owner.step_original(self.wheel_steps(ev))
        ev.accept()
