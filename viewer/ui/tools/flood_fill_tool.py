"""Flood fill: click a pixel; its connected region within the tolerance gets the value."""

from __future__ import annotations

from PySide6.QtCore import QObject

from viewer.edits.operations import FloodFill
from viewer.ui.tools.base import Tool


class FloodFillTool(Tool):
    name = "flood-fill"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tolerance = 20.0  # modality units
        self.value = 0.0

    def press(self, row: float, column: float) -> None:
        self.apply(
            FloodFill(
                frame=self.frame_number(),
                row=int(round(row)),
                column=int(round(column)),
                tolerance=self.tolerance,
                value=self.value,
            )
        )
