"""View > Layout: the viewport grid, and what the viewports share.

The active viewport leads. When it moves to another slice, every other shown image in the
same Frame of Reference moves to its slice nearest to that position (never by frame
number: two series rarely start at the same place or share a spacing); optionally its
window and its zoom are copied too. Reference lines show, in every shown image, where the
other shown images of the same Frame of Reference cut it (the active image's in yellow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from viewer.model.cross_reference import SlicePositions, plane_of, reference_line, same_space
from viewer.model.display import Window
from viewer.ui.document_panel import DocumentPanel
from viewer.ui.icons import icon
from viewer.ui.image_view import Segment
from viewer.ui.workspace import LAYOUTS, Workspace

if TYPE_CHECKING:
    from viewer.ui.main_window import MainWindow


class ViewportSync:
    """Follows the active viewport's slice, window and zoom in the other shown viewports,
    and draws every shown viewport's plane in the others (reference lines)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.scroll = True
        self.window = False
        self.zoom = False
        self.reference_lines = True
        self.positions = SlicePositions()
        self._busy = False  # changes made here do not lead in turn
        workspace.current_changed.connect(self.update_reference_lines)

    def watch(self, panel: DocumentPanel) -> None:
        panel.view.frame_changed.connect(lambda _i, p=panel: self._frame_changed(p))
        panel.view.edits_changed.connect(lambda p=panel: self._frame_changed(p))
        panel.view.window_changed.connect(lambda w, p=panel: self._window_changed(p, w))
        panel.image_view.zoom_changed.connect(lambda z, p=panel: self._zoom_changed(p, z))

    def forget(self, panel: DocumentPanel) -> None:
        self.positions.forget(panel.document)

    def _leader(self, panel: DocumentPanel) -> bool:
        return not self._busy and panel is self.workspace.current_panel()

    def _followers(self) -> list[DocumentPanel]:
        return self.workspace.shown_panels()[1:]

    def _frame_changed(self, panel: DocumentPanel) -> None:
        if len(self.workspace.viewports) == 1:
            return  # one viewport: nothing to follow (and scrubbing pays nothing for it)
        if not self._leader(panel):
            self.update_reference_lines()
            return
        plane = plane_of(panel.document, panel.view.frame) if self.scroll else None
        if plane is not None:
            self._busy = True
            try:
                for other in self._followers():
                    if same_space(panel.document, other.document):
                        index = self.positions.nearest_frame(other.document, plane.origin, plane.normal)
                        if index is not None:
                            other.view.set_frame(index)
            finally:
                self._busy = False
        self.update_reference_lines()

    def _window_changed(self, panel: DocumentPanel, window: Window) -> None:
        if not (self.window and self._leader(panel)) or panel.view.is_color:
            return
        self._busy = True
        try:
            for other in self._followers():
                if not other.view.is_color:
                    other.view.set_window(window)
        finally:
            self._busy = False

    def _zoom_changed(self, panel: DocumentPanel, zoom: float) -> None:
        if not (self.zoom and self._leader(panel)):
            return
        self._busy = True
        try:
            for other in self._followers():
                other.image_view.set_zoom(zoom)
        finally:
            self._busy = False

    def update_reference_lines(self) -> None:
        """In every shown image: where the other shown images' planes cut it (those in the
        same Frame of Reference), the active image's line in yellow."""
        shown = self.workspace.shown_panels()
        if len(shown) < 2 or not self.reference_lines:
            for panel in shown:
                panel.image_view.set_reference_lines([])
            return
        leader = self.workspace.current_panel()
        planes = {id(p): plane_of(p.document, p.view.frame) for p in shown}
        for panel in shown:
            target = planes[id(panel)]
            lines: dict[bool, list[Segment]] = {True: [], False: []}
            for other in shown:
                source = planes[id(other)]
                if other is panel or source is None or target is None:
                    continue
                if same_space(other.document, panel.document):
                    line = reference_line(source, target)
                    if line is not None:
                        lines[other is leader].append(line)
            panel.image_view.set_reference_lines(lines[True], lines[False])


class LayoutActions:
    """The View > Layout menu: layouts (Alt+1..4) and what the viewports share."""

    def __init__(self, window: MainWindow) -> None:
        self.workspace = window.workspace
        self.sync = ViewportSync(window.workspace)
        group = QActionGroup(window)
        self.layout_actions: dict[str, QAction] = {}
        for number, name in enumerate(LAYOUTS, start=1):
            rows, columns = LAYOUTS[name]
            action = window.add_action(
                f"{rows} x {columns} Layout",
                lambda _c=False, n=name: self.set_layout(n),
                f"Alt+{number}",
                checkable=True,
            )
            action.setIconText(name)
            group.addAction(action)
            self.layout_actions[name] = action
        self.layout_actions["1x1"].setChecked(True)
        self.scroll_action = self._toggle(window, "Synchronise &Scrolling", "scroll", "Alt+S")
        self.window_action = self._toggle(window, "Synchronise &Window", "window", "Alt+W")
        self.zoom_action = self._toggle(window, "Synchronise &Zoom", "zoom", "Alt+Z")
        self.reference_action = self._toggle(window, "&Reference Lines", "reference_lines", "Alt+R")

    def _toggle(self, window: MainWindow, text: str, attribute: str, shortcut: str) -> QAction:
        def changed(on: bool) -> None:
            setattr(self.sync, attribute, on)
            self.sync.update_reference_lines()

        action = window.add_action(text, changed, shortcut, checkable=True)
        action.setChecked(getattr(self.sync, attribute))
        return action

    def set_layout(self, name: str) -> None:
        self.workspace.set_layout(name)
        self.layout_actions[name].setChecked(True)
        for panel in self.workspace.shown_panels():
            panel.image_view.fit()
        self.sync.update_reference_lines()

    def menu_button_action(self, parent: QWidget) -> QAction:
        """A toolbar button that drops down the layouts (its icon: the grid of four)."""
        menu = QMenu(parent)
        menu.addActions(list(self.layout_actions.values()))
        action = QAction(icon("layout-2x2"), "Layout", parent)
        action.setToolTip("Layout  (Alt+1 .. Alt+4)")
        action.setMenu(menu)
        action.triggered.connect(lambda: self.set_layout("1x1" if self.workspace.layout_name != "1x1" else "2x2"))
        return action

    def fill_menu(self, menu: QMenu) -> None:
        menu.addActions(list(self.layout_actions.values()))
        menu.addSeparator()
        menu.addActions([self.scroll_action, self.window_action, self.zoom_action, self.reference_action])
