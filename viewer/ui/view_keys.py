"""Window presets on function keys, and Help > Keyboard and Mouse, which lists every
binding from the window's own actions (so it cannot go stale).

F1 returns to the image's own first window (the rendering policy's choice), F2..F9 are
the CT presets in the order of View > Window Presets > CT, F10 the 1-99 percentile auto
window over the frame shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QTableWidget, QTableWidgetItem, QVBoxLayout

from viewer.model.display import Window
from viewer.model.presets import CT_PRESETS, percentile_preset
from viewer.ui.annotations import GROUPS
from viewer.ui.document_view import DocumentView
from viewer.ui.image_view import ImageViewWidget
from viewer.ui.presets_menu import apply_computed

if TYPE_CHECKING:
    from viewer.ui.main_window import MainWindow

#: Mouse gestures (the keys come from the actions themselves).
MOUSE = (
    ("Right drag", "Window / level (up-down: level, left-right: width)"),
    ("Wheel", "Next / previous frame (multi-frame); zoom (one frame); Preferences can swap it"),
    ("Ctrl+Wheel", "Zoom (or frames, when the wheel zooms)"),
    ("Left drag", "Pan in Navigate mode; else the active tool (brush, crop, measure, ...)"),
    ("Middle drag", "Pan"),
)


class ViewKeys:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.preset_actions: list[QAction] = [window.add_action("Image's Own Window", self._own_window, "F1")]
        for i, preset in enumerate(CT_PRESETS[:8]):
            label = f"CT {preset.name} ({preset.window.center:g}/{preset.window.width:g})"
            self.preset_actions.append(
                window.add_action(label, lambda _c=False, p=preset: self._set(p.window), f"F{i + 2}")
            )
        self.preset_actions.append(window.add_action("Auto Window (1-99 %)", self._auto, "F10"))
        self.reference_action = window.add_action("&Keyboard and Mouse…", self.show_reference)
        self.smooth_action = window.add_action("&Smooth Pixels", self._smooth, checkable=True)
        self.smooth_action.setChecked(window.settings.smooth_pixels())
        self.magnifier_action = window.add_action("&Magnifier", self._magnifier, "M", checkable=True)
        self.annotation_group_actions: dict[str, QAction] = {}
        for group, text in GROUPS.items():
            action = window.add_action(text, lambda on, g=group: self._annotation_group(g, on), checkable=True)
            action.setChecked(group not in window.settings.hidden_annotation_groups())
            self.annotation_group_actions[group] = action

    def _annotation_group(self, group: str, on: bool) -> None:
        """View > Annotations > one group: shown or hidden on every image (remembered)."""
        hidden = {g for g, a in self.annotation_group_actions.items() if not a.isChecked()}
        self._window.settings.set_hidden_annotation_groups(hidden)
        for panel in self._window.panels():
            panel.image_view.set_annotation_group_visible(group, on)

    def apply_annotation_groups(self, view: ImageViewWidget) -> None:
        """The groups' current state on a newly opened image."""
        for group, action in self.annotation_group_actions.items():
            view.set_annotation_group_visible(group, action.isChecked())

    def _magnifier(self, on: bool) -> None:
        """View > Magnifier (M): a loupe that follows the pointer over every open image."""
        for panel in self._window.panels():
            panel.image_view.magnifier.set_enabled(on)

    def _smooth(self, smooth: bool) -> None:
        """View > Smooth Pixels: interpolate scaled images (remembered; Preferences too)."""
        self._window.settings.set_smooth_pixels(smooth)
        for panel in self._window.panels():
            panel.image_view.set_smooth(smooth)

    def _view(self) -> DocumentView | None:
        panel = self._window.current_panel()
        return None if panel is None or panel.view.is_color else panel.view

    def _set(self, window: Window) -> None:
        view = self._view()
        if view is not None:
            view.set_window(window)

    def _own_window(self) -> None:
        view = self._view()
        if view is not None:
            view.reset_window()

    def _auto(self) -> None:
        view = self._view()
        if view is not None:
            apply_computed(view, lambda values: percentile_preset(values).window)

    def bindings(self) -> list[tuple[str, str]]:
        """(key or gesture, what it does) for every action with a shortcut, and the mouse."""
        rows = []
        for action in self._window.findChildren(QAction):
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if key:
                rows.append((key, action.text().replace("&", "").rstrip("…")))
        return sorted(set(rows)) + list(MOUSE)

    def show_reference(self) -> QDialog:
        dialog = QDialog(self._window)
        dialog.setWindowTitle("Keyboard and Mouse")
        dialog.resize(560, 600)
        table = QTableWidget(0, 2, dialog)
        table.setHorizontalHeaderLabels(["Key / gesture", "Does"])
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().setVisible(False)
        for key, text in self.bindings():
            row = table.rowCount()
            table.insertRow(row)
            table.setItem(row, 0, QTableWidgetItem(key))
            table.setItem(row, 1, QTableWidgetItem(text))
        table.resizeColumnToContents(0)
        QVBoxLayout(dialog).addWidget(table)
        dialog.show()
        return dialog
