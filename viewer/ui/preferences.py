"""Edit > Preferences: the undo budget, what the mouse wheel does, pixel smoothing.

Stored in Settings and applied to every open document at once (and to those opened later
by the main window's add_document).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QSpinBox

from viewer.edits.session import session

if TYPE_CHECKING:
    from viewer.ui.document_panel import DocumentPanel
    from viewer.ui.main_window import MainWindow

WHEEL_CHOICES = ("Scrolls frames (Ctrl+wheel zooms)", "Zooms (Ctrl+wheel scrolls frames)")


class PreferencesDialog(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setWindowTitle("Preferences")
        settings = window.settings
        self.budget = QSpinBox(minimum=16, maximum=1 << 20, value=settings.history_budget_mb(), suffix=" MB")
        self.wheel = QComboBox()
        self.wheel.addItems(list(WHEEL_CHOICES))
        self.wheel.setCurrentIndex(1 if settings.wheel_zooms() else 0)
        self.smooth = QCheckBox("Smooth pixels when an image is scaled")
        self.smooth.setChecked(settings.smooth_pixels())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Undo history memory", self.budget)
        form.addRow("Mouse wheel", self.wheel)
        form.addRow(self.smooth)
        form.addRow(buttons)

    def store(self, window: MainWindow) -> None:
        """Save the choices and apply them to every open document."""
        settings = window.settings
        settings.set_history_budget_mb(self.budget.value())
        settings.set_wheel_zooms(self.wheel.currentIndex() == 1)
        settings.set_smooth_pixels(self.smooth.isChecked())
        for panel in window.panels():
            apply_preferences(window, panel)


def apply_preferences(window: MainWindow, panel: DocumentPanel) -> None:
    """The stored preferences on one document's panel (new ones, and after a change)."""
    settings = window.settings
    panel.history_budget_bytes = settings.history_budget_mb() * 1024 * 1024
    edits = session(panel.document)
    if edits is not None:
        edits.history.budget_bytes = panel.history_budget_bytes
    panel.image_view.viewbox.wheel_zooms = settings.wheel_zooms()
    panel.image_view.set_smooth(settings.smooth_pixels())
