"""Rectangle selection: drag a rectangle, release to crop every frame to it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject

from viewer.edits.operations import Crop
from viewer.ui.tools.base import Tool

SELECTION_RGBA = (255, 220, 0, 90)


class CropTool(Tool):
    name = "crop"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._start: tuple[float, float] | None = None

    def rectangle(self, end: tuple[float, float]) -> tuple[int, int, int, int] | None:
        """(x, y, width, height) between the press and `end`, clipped to the image."""
        if self._start is None or self.panel is None:
            return None
        pixels = self.panel.document.pixels
        (r0, c0), (r1, c1) = self._start, end
        top, bottom = sorted((int(np.floor(r0 + 0.5)), int(np.floor(r1 + 0.5))))
        left, right = sorted((int(np.floor(c0 + 0.5)), int(np.floor(c1 + 0.5))))
        top, left = max(top, 0), max(left, 0)
        bottom, right = min(bottom, pixels.rows - 1), min(right, pixels.columns - 1)
        if bottom < top or right < left:
            return None
        return left, top, right - left + 1, bottom - top + 1

    def drag(self, row: float, column: float, finished: bool) -> None:
        if self.panel is None:
            return
        if self._start is None:
            self._start = (row, column)
        rect = self.rectangle((row, column))
        if finished:
            self._start = None
            self.panel.image_view.set_overlay(None)
            if rect is not None and rect[2] > 1 and rect[3] > 1:
                self.apply(Crop(*rect))
            return
        pixels = self.panel.document.pixels
        overlay = np.zeros((pixels.rows, pixels.columns, 4), dtype=np.uint8)
        if rect is not None:
            x, y, w, h = rect
            overlay[y : y + h, x : x + w] = SELECTION_RGBA
        self.panel.image_view.set_overlay(overlay)
