"""The Segments dock in the window: tools draw into it, it follows the current tab, and
closing a document with segments not saved as a DICOM SEG asks first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

from viewer.ui.dialogs import ask_yes_no, show_error
from viewer.ui.document_panel import DocumentPanel
from viewer.ui.tools.segments_dock import SegmentsDock

if TYPE_CHECKING:
    from viewer.ui.main_window import MainWindow

DRAWING_TOOLS = ("brush", "erase", "flood-fill", "keep-region")


class SegmentActions:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.dock = SegmentsDock(window.threshold_dock, window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self.dock.error_raised.connect(lambda message: show_error(window, "Segments", message))
        for name in DRAWING_TOOLS:
            window.tools_dock.tools[name].mask_target = self.dock.mask_target
        window.workspace.current_changed.connect(lambda: self.dock.attach(window.current_panel()))
        self.dock_action: QAction = self.dock.toggleViewAction()
        self.dock_action.setText("&Segments…")
        self.dock_action.setShortcut(QKeySequence("Ctrl+Shift+G"))
        window.addAction(self.dock_action)

    def may_close(self, panel: DocumentPanel) -> bool:
        """False when the person keeps a document whose segments are not saved."""
        if not panel.has_unsaved_segments:
            return True
        question = f"{panel.title} has segments not saved as a DICOM SEG. Close without them?"
        return ask_yes_no(self._window, "Unsaved segments", question)
