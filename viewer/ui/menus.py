"""The main window's menu bar and toolbar: where each action is offered.

Every entry gets its icon and a tooltip naming its shortcut (`icons.decorate`); the
lists built as they open (recent files, the image's window presets) are filled elsewhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QMenu

from viewer.ui.icons import decorate
from viewer.ui.measure_actions import TOOLS as MEASURE_TOOLS
from viewer.ui.mpr_actions import mpr_action

if TYPE_CHECKING:
    from viewer.ui.main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    """Fill the menu bar and the toolbar of `window` with its actions."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([window.open_action, window.open_folder_action])
    window.recent_menu = file_menu.addMenu("Open &Recent")
    window.rebuild_recent_menu()
    file_menu.addSeparator()
    file_menu.addAction(window.edits.save_as_action)
    file_menu.addMenu("&Export").addActions(window.export.actions)
    file_menu.addMenu("&PACS").addActions(window.pacs.actions)
    file_menu.addAction(window.close_action)
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)
    window.edit_menu = bar.addMenu("&Edit")
    window.edit_menu.addActions([window.edits.undo_action, window.edits.redo_action])
    window.edit_menu.addSeparator()
    window.edit_menu.addActions([window.edits.export_recipe_action, window.edits.batch_action])
    window.edit_menu.addSeparator()
    window.edit_menu.addAction(window.edits.preferences_action)
    view_menu = bar.addMenu("&View")
    view_menu.addActions([window.fit_action, window.actual_action, window.zoom_in_action, window.zoom_out_action])
    view_menu.addSeparator()
    window.window_menu = view_menu.addMenu("&Window Presets")
    window.window_menu.aboutToShow.connect(window.rebuild_window_menu)  # built when opened
    view_menu.addMenu("Window &Keys").addActions(window.keys.preset_actions)
    view_menu.addActions([window.keys.smooth_action, window.keys.magnifier_action])
    view_menu.addActions([window.invert_action, window.annotations_action])
    groups = view_menu.addMenu("Annotation &Groups")
    groups.addActions(list(window.keys.annotation_group_actions.values()))
    view_menu.addAction(window.planes_action)
    view_menu.addSeparator()
    view_menu.addActions([window.play_action, window.prev_action, window.next_action])
    window.layouts.fill_menu(view_menu.addMenu("&Layout"))
    view_menu.addSeparator()
    view_menu.addActions([window.tags_action, window.series_browser.toggleViewAction(), mpr_action(window)])
    window.tools_menu = bar.addMenu("&Tools")
    window.tools_menu.addActions(
        [window.edits.threshold_action, window.segments.dock_action, window.edits.tools_action]
    )
    window.tools_menu.addSeparator()
    window.tools_menu.addActions(list(window.edits.tool_mode_actions.values()))
    window.tools_menu.addSeparator()
    window.tools_menu.addActions(window.edits.image_op_actions)
    window.tools_menu.addSeparator()
    window.tools_menu.addActions(
        [window.edits.delete_frame_action, window.edits.delete_frames_action, window.edits.keep_frames_action]
    )
    window.measure.fill_menu(bar.addMenu("&Measure"))
    help_menu = bar.addMenu("&Help")
    help_menu.addActions([window.keys.reference_action, window.about_action])
    decorate(window.keys.preset_actions, default="window")
    for menu in bar.findChildren(QMenu):
        if menu not in (window.recent_menu, window.window_menu):  # built as they open
            decorate(menu.actions())
    decorate(window.actions())  # shortcuts without a menu entry
    modes = zip((m for m, _l, _k in MEASURE_TOOLS), window.measure.tool_actions, strict=True)
    window.tools_dock.show_shortcuts({**window.edits.tool_mode_actions, **dict(modes)})
    toolbar = window.addToolBar("Main")
    toolbar.setObjectName("MainToolbar")
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    toolbar.setIconSize(QSize(22, 22))
    toolbar.addActions([window.open_action, window.open_folder_action, window.edits.save_as_action])
    toolbar.addActions([window.edits.undo_action, window.edits.redo_action])
    toolbar.addSeparator()
    toolbar.addActions([window.fit_action, window.actual_action, window.invert_action, window.play_action])
    toolbar.addAction(window.layouts.menu_button_action(window))
    toolbar.addSeparator()
    toolbar.addActions([window.edits.threshold_action, window.series_browser.toggleViewAction()])
    window.toolbar = toolbar
