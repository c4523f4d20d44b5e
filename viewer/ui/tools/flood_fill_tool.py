"""Flood fill: click a pixel; its connected region within the tolerance gets the value (or,
drawing into a segment, joins it: region growing). Keep region: the segment's connected
region under the click is all that stays."""

from __future__ import annotations

from PySide6.QtCore import QObject

from viewer.edits.operations import FloodFill, KeepRegion, MaskGrow
from viewer.ui.tools.base import Tool


class FloodFillTool(Tool):
    name = "flood-fill"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tolerance = 20.0  # modality units
        self.value = 0.0

    def press(self, row: float, column: float) -> None:
        target = self.mask_target()
        if target is not None:  # region growing into a segment
            segment, three_d = target
            r, c = int(round(row)), int(round(column))
            self.apply(MaskGrow(self.frame_number(), r, c, self.tolerance, segment, three_d))
            return
        self.apply(
            FloodFill(
                frame=self.frame_number(),
                row=int(round(row)),
                column=int(round(column)),
                tolerance=self.tolerance,
                value=self.value,
            )
        )


class KeepRegionTool(Tool):
    name = "keep-region"

    def press(self, row: float, column: float) -> None:
        target = self.mask_target()
        if target is None:
            self.error_raised.emit("keep region works on a segment: turn on 'Draw into the segment' (Segments)")
            return
        segment, three_d = target
        self.apply(KeepRegion(self.frame_number(), int(round(row)), int(round(column)), segment, three_d))
