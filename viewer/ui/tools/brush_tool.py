"""Paint / erase with a round brush: one drag is one undo step (pixels, or a segment's mask)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from viewer.edits.operations import MaskPaint, Paint
from viewer.edits.paint import stroke_mask
from viewer.ui.tools.base import Tool

PREVIEW_RGBA = (60, 160, 255, 140)


class BrushTool(Tool):
    """Collects the points of a drag, previews the stroke, applies one Paint on release."""

    name = "brush"

    def __init__(self, erase: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.erase = erase
        self.radius = 3.0
        self.value = 0.0  # modality units
        self._points: list[list[float]] = []

    def press(self, row: float, column: float) -> None:
        self._points = [[row, column]]
        self._finish()

    def drag(self, row: float, column: float, finished: bool) -> None:
        self._points.append([row, column])
        if finished:
            self._finish()
        else:
            self._preview()

    def _preview(self) -> None:
        if self.panel is None:
            return
        pixels = self.panel.document.pixels
        found = stroke_mask(
            (pixels.rows, pixels.columns), [(float(p[0]), float(p[1])) for p in self._points], self.radius
        )
        overlay = np.zeros((pixels.rows, pixels.columns, 4), dtype=np.uint8)
        if found is not None:
            (r0, r1, c0, c1), mask = found
            overlay[r0:r1, c0:c1][mask] = PREVIEW_RGBA
        self.panel.image_view.set_overlay(overlay)

    def _finish(self) -> None:
        points, self._points = self._points, []
        if self.panel is None or not points:
            return
        self.panel.image_view.set_overlay(None)
        target = self.mask_target()
        if target is not None:  # into a segment: the pixels stay
            segment, _three_d = target
            frame = self.frame_number()
            self.apply(MaskPaint(frame=frame, points=points, radius=self.radius, segment=segment, erase=self.erase))
            return
        self.apply(
            Paint(frame=self.frame_number(), points=points, radius=self.radius, value=self.value, erase=self.erase)
        )
