"""The tools dock: navigate, brush, erase, flood fill, crop, and the measuring tools."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from viewer.ui.document_panel import DocumentPanel
from viewer.ui.icons import icon, tooltip_of
from viewer.ui.tools.base import Tool
from viewer.ui.tools.brush_tool import BrushTool
from viewer.ui.tools.crop_tool import CropTool
from viewer.ui.tools.flood_fill_tool import FloodFillTool, KeepRegionTool
from viewer.ui.tools.measure_tool import MeasureTool

MEASURE_KINDS = ("line", "angle", "rect", "ellipse", "freehand")
MODES = (
    "navigate",
    "brush",
    "erase",
    "flood-fill",
    "keep-region",
    "crop",
    *(f"measure-{k}" for k in MEASURE_KINDS),
)
_LABELS = {
    "navigate": "Navigate (pan / zoom)",
    "brush": "Brush",
    "erase": "Erase (restore original)",
    "flood-fill": "Flood fill (region growing into a segment)",
    "keep-region": "Segment: keep the region under a click",
    "crop": "Rectangle → crop",
    "measure-line": "Measure: line (length, profile)",
    "measure-angle": "Measure: angle (two arms from a vertex)",
    "measure-rect": "Measure: rectangle ROI",
    "measure-ellipse": "Measure: ellipse ROI",
    "measure-freehand": "Measure: freehand ROI",
}


class ToolsDock(QDockWidget):
    """Holds the interactive tools and routes the current panel's gestures to the active one."""

    error_raised = Signal(str)
    shape_added = Signal(int)  # a measuring tool added shape N to the current document

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Edit tools", parent)
        self.setObjectName("ToolsDock")
        self.tools: dict[str, Tool] = {
            "brush": BrushTool(erase=False, parent=self),
            "erase": BrushTool(erase=True, parent=self),
            "flood-fill": FloodFillTool(parent=self),
            "keep-region": KeepRegionTool(parent=self),
            "crop": CropTool(parent=self),
        }
        for kind in MEASURE_KINDS:
            measure_tool = MeasureTool(kind, parent=self)
            measure_tool.shape_added.connect(self.shape_added)
            self.tools[measure_tool.name] = measure_tool
        for tool in self.tools.values():
            tool.error_raised.connect(self.error_raised)
        self.mode = "navigate"
        self.panel: DocumentPanel | None = None
        self._connected: DocumentPanel | None = None  # panel whose gestures reach us
        self.buttons = QButtonGroup(self)
        body = QWidget()
        layout = QVBoxLayout(body)
        for i, mode in enumerate(MODES):
            button = QRadioButton(_LABELS[mode])
            button.setIcon(icon(mode))
            button.setToolTip(_LABELS[mode])
            button.setObjectName(mode)
            self.buttons.addButton(button, i)
            layout.addWidget(button)
        self.buttons.button(0).setChecked(True)
        form = QFormLayout()
        self.radius = QDoubleSpinBox(minimum=0.5, maximum=500, value=3, singleStep=0.5)
        self.value = QDoubleSpinBox(minimum=-1e9, maximum=1e9, value=0, decimals=2)
        self.tolerance = QDoubleSpinBox(minimum=0, maximum=1e9, value=20, decimals=2)
        form.addRow("Brush radius (px)", self.radius)
        form.addRow("Value", self.value)
        form.addRow("Fill tolerance", self.tolerance)
        layout.addLayout(form)
        layout.addStretch(1)
        self.setWidget(body)
        self.buttons.idClicked.connect(lambda i: self.set_mode(MODES[i]))
        for spin in (self.radius, self.value, self.tolerance):
            spin.valueChanged.connect(lambda _v: self._push_parameters())
        self._push_parameters()

    def _push_parameters(self) -> None:
        for key in ("brush", "erase"):
            tool = self.tools[key]
            tool.radius = self.radius.value()  # type: ignore[attr-defined]  # brush and flood tools have these; the loop sees Tool
            tool.value = self.value.value()  # type: ignore[attr-defined]  # brush and flood tools have these; the loop sees Tool
        flood = self.tools["flood-fill"]
        flood.tolerance = self.tolerance.value()  # type: ignore[attr-defined]  # brush and flood tools have these; the loop sees Tool
        flood.value = self.value.value()  # type: ignore[attr-defined]  # brush and flood tools have these; the loop sees Tool

    def active_tool(self) -> Tool | None:
        return self.tools.get(self.mode)

    def show_shortcuts(self, actions: dict[str, QAction]) -> None:
        """Each tool button's tooltip names the key of the menu action choosing that tool."""
        for button in self.buttons.buttons():
            action = actions.get(button.objectName())
            if action is not None:
                button.setToolTip(tooltip_of(action))

    def set_mode(self, mode: str) -> None:
        """Switch tool; 'navigate' gives the left button back to panning."""
        if mode not in MODES:
            raise ValueError(mode)
        self.mode = mode
        button = self.buttons.button(MODES.index(mode))
        button.blockSignals(True)
        button.setChecked(True)
        button.blockSignals(False)
        self._bind(self.panel)

    def attach(self, panel: DocumentPanel | None) -> None:
        """Route gestures of `panel` (the current tab) to the active tool."""
        if self.panel is not None and self.panel is not panel:
            self._unbind(self.panel)
        self.panel = panel
        self._bind(panel)

    def _unbind(self, panel: DocumentPanel) -> None:
        if self._connected is panel:
            panel.image_view.tool_pressed.disconnect(self._pressed)
            panel.image_view.tool_dragged.disconnect(self._dragged)
            self._connected = None
        panel.image_view.set_tool_mode(False)
        for tool in self.tools.values():
            tool.detach()

    def _bind(self, panel: DocumentPanel | None) -> None:
        if panel is None:
            return
        self._unbind(panel)
        active = self.active_tool()
        panel.image_view.set_tool_mode(active is not None)
        if active is not None:
            active.attach(panel)
            panel.image_view.tool_pressed.connect(self._pressed)
            panel.image_view.tool_dragged.connect(self._dragged)
            self._connected = panel

    def _pressed(self, row: float, column: float) -> None:
        tool = self.active_tool()
        if tool is not None:
            tool.press(row, column)

    def _dragged(self, row: float, column: float, finished: bool) -> None:
        tool = self.active_tool()
        if tool is not None:
            tool.drag(row, column, finished)
