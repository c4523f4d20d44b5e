"""The main window: menus, toolbar, tabs of open documents, status bar, tag dock."""

from __future__ import annotations

import traceback
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QTabWidget,
    QWidget,
)

from viewer import __version__
from viewer.edits.operations import Bin, DeleteFrames, Flip, Invert, KeepFrames, Operation, Rotate
from viewer.io.recovery import RecoveryStore
from viewer.model.display import get_voi_luts, get_windows
from viewer.model.document import Document, open_document
from viewer.model.errors import ViewerError
from viewer.model.folder import open_entry, scan_folder
from viewer.model.presets import CT_PRESETS, minmax_preset, percentile_preset
from viewer.model.progress import Cancelled
from viewer.ui.dialogs import ask_text, ask_yes_no, show_error
from viewer.ui.document_panel import DocumentPanel
from viewer.ui.settings import Settings
from viewer.ui.tag_browser import TagBrowserDock
from viewer.ui.tools.threshold_tool import ThresholdDock
from viewer.ui.tools.tools_dock import ToolsDock

DICOM_FILTER = "DICOM files (*.dcm *.dicom *.ima *.img);;All files (*)"


def default_recovery_folder() -> Path:
    """Where autosaved edit recipes live (per user)."""
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".dicom-viewer") / "recovery"


class MainWindow(QMainWindow):
    """Open documents in tabs; everything else acts on the current tab."""

    def __init__(
        self,
        settings: Settings | None = None,
        parent: QWidget | None = None,
        recovery: RecoveryStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings or Settings()
        self.recovery = recovery or RecoveryStore(default_recovery_folder())
        self.setWindowTitle("DICOM Viewer")
        self.setAcceptDrops(True)
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        self.tabs.currentChanged.connect(self._on_current_changed)
        self.setCentralWidget(self.tabs)
        self.readout = QLabel()
        self.statusBar().addPermanentWidget(self.readout)
        self.tag_dock = TagBrowserDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.tag_dock)
        self.tag_dock.hide()
        self.threshold_dock = ThresholdDock(self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.threshold_dock)
        self.threshold_dock.hide()
        self.threshold_dock.error_raised.connect(lambda m: show_error(self, "Cannot apply", m))
        self.tools_dock = ToolsDock(self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.tools_dock)
        self.tools_dock.hide()
        self.tools_dock.error_raised.connect(lambda m: show_error(self, "Cannot apply", m))
        self._build_actions()
        self._build_menus()
        self.resize(1100, 800)
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)

    # -- actions and menus ----------------------------------------------------------
    def _action(self, text: str, slot, shortcut=None, checkable: bool = False) -> QAction:  # type: ignore[no-untyped-def]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        self.open_action = self._action("&Open File…", self.open_file_dialog, QKeySequence.StandardKey.Open)
        self.open_folder_action = self._action("Open &Folder…", self.open_folder_dialog, "Ctrl+Shift+O")
        self.close_action = self._action("&Close", lambda: self.close_tab(self.tabs.currentIndex()), QKeySequence.StandardKey.Close)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.fit_action = self._action("&Fit to Window", lambda: self._panel_call("fit"), "F")
        self.actual_action = self._action("&Actual Size (1:1)", lambda: self._panel_call("actual_size"), "1")
        self.zoom_in_action = self._action("Zoom &In", lambda: self._panel_call("zoom_by", 1.25), QKeySequence.StandardKey.ZoomIn)
        self.zoom_out_action = self._action("Zoom &Out", lambda: self._panel_call("zoom_by", 0.8), QKeySequence.StandardKey.ZoomOut)
        self.invert_action = self._action("&Invert Display", self._toggle_invert, "I", checkable=True)
        self.overlay_action = self._action("Show &Overlays", self._toggle_overlays, "O", checkable=True)
        self.overlay_action.setChecked(True)
        self.tags_action = self.tag_dock.toggleViewAction()
        self.tags_action.setShortcut(QKeySequence("Ctrl+T"))
        self.play_action = self._action("&Play / Pause", lambda: self._frame_call("toggle_play"), "Space")
        self.next_action = self._action("Next Frame", lambda: self._frame_call("step", 1), "Right")
        self.prev_action = self._action("Previous Frame", lambda: self._frame_call("step", -1), "Left")
        self._action("Next Frame", lambda: self._frame_call("step", 1), "Down")
        self._action("Previous Frame", lambda: self._frame_call("step", -1), "Up")
        self._action("Forward 10 Frames", lambda: self._frame_call("step", 10), "PgDown")
        self._action("Back 10 Frames", lambda: self._frame_call("step", -10), "PgUp")
        self._action("First Frame", lambda: self._set_frame(0), "Home")
        self._action("Last Frame", lambda: self._set_frame(10**9), "End")
        self.about_action = self._action("&About", self._about)
        self.save_as_action = self._action("Save &As…", self.save_as_dialog, QKeySequence.StandardKey.SaveAs)
        self.undo_action = self._action("&Undo", self.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._action("&Redo", self.redo, QKeySequence.StandardKey.Redo)
        self.export_recipe_action = self._action("Export &Recipe…", self.export_recipe_dialog)
        self.preferences_action = self._action("&Preferences…", self.preferences_dialog, QKeySequence.StandardKey.Preferences)
        self.threshold_action = self.threshold_dock.toggleViewAction()
        self.threshold_action.setText("&Threshold…")
        self.threshold_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.tools_action = self.tools_dock.toggleViewAction()
        self.tools_action.setText("Edit &Tools")
        self.tool_mode_actions = {
            mode: self._action(label, lambda _c=False, m=mode: self.set_tool(m), key)
            for mode, label, key in (
                ("navigate", "&Navigate", "N"),
                ("brush", "&Brush", "B"),
                ("erase", "&Erase", "E"),
                ("flood-fill", "&Flood Fill", "G"),
                ("crop", "&Crop Rectangle", "C"),
            )
        }
        self.image_op_actions = [
            self._action("Flip &Horizontal", lambda: self.apply_operation(Flip("h"))),
            self._action("Flip &Vertical", lambda: self.apply_operation(Flip("v"))),
            self._action("Rotate 90° Clockwise", lambda: self.apply_operation(Rotate(90)), "Ctrl+R"),
            self._action("Rotate 180°", lambda: self.apply_operation(Rotate(180))),
            self._action("Rotate 90° Counter-clockwise", lambda: self.apply_operation(Rotate(270)), "Ctrl+Shift+R"),
            self._action("&Bin…", self.bin_dialog),
            self._action("&Invert Values", lambda: self.apply_operation(Invert())),
        ]
        self.delete_frame_action = self._action("&Delete Current Frame", self.delete_current_frame)
        self.delete_frames_action = self._action("Delete Frames…", lambda: self.frames_dialog(DeleteFrames))
        self.keep_frames_action = self._action("&Keep Frames…", lambda: self.frames_dialog(KeepFrames))

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.open_action, self.open_folder_action])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self._rebuild_recent_menu()
        file_menu.addSeparator()
        file_menu.addAction(self.save_as_action)
        file_menu.addAction(self.close_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        self.edit_menu = bar.addMenu("&Edit")
        self.edit_menu.addActions([self.undo_action, self.redo_action])
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.export_recipe_action)
        self.edit_menu.addSeparator()
        self.edit_menu.addAction(self.preferences_action)
        view_menu = bar.addMenu("&View")
        view_menu.addActions([self.fit_action, self.actual_action, self.zoom_in_action, self.zoom_out_action])
        view_menu.addSeparator()
        self.window_menu = view_menu.addMenu("&Window Presets")
        self.window_menu.aboutToShow.connect(self._rebuild_window_menu)  # built when opened
        view_menu.addActions([self.invert_action, self.overlay_action])
        view_menu.addSeparator()
        view_menu.addActions([self.play_action, self.prev_action, self.next_action])
        view_menu.addSeparator()
        view_menu.addAction(self.tags_action)
        self.tools_menu = bar.addMenu("&Tools")
        self.tools_menu.addActions([self.threshold_action, self.tools_action])
        self.tools_menu.addSeparator()
        self.tools_menu.addActions(list(self.tool_mode_actions.values()))
        self.tools_menu.addSeparator()
        self.tools_menu.addActions(self.image_op_actions)
        self.tools_menu.addSeparator()
        self.tools_menu.addActions([self.delete_frame_action, self.delete_frames_action, self.keep_frames_action])
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.about_action)
        toolbar = self.addToolBar("Main")
        toolbar.setObjectName("MainToolbar")
        toolbar.addActions([self.open_action, self.save_as_action, self.undo_action, self.redo_action, self.fit_action,
                            self.actual_action, self.invert_action, self.play_action, self.threshold_action])
        self.toolbar = toolbar

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_files():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_paths([p]))
        self.recent_menu.setEnabled(bool(self.settings.recent_files()))

    def _rebuild_window_menu(self) -> None:
        menu = self.window_menu
        menu.clear()
        for submenu in menu.findChildren(QMenu):
            submenu.deleteLater()
        panel = self.current_panel()
        if panel is None or panel.view.is_color:
            menu.setEnabled(False)
            return
        menu.setEnabled(True)
        view = panel.view
        attributes = view.document.frame_attributes(view.frame)
        for i, window in enumerate(get_windows(attributes)):
            label = window.explanation or f"Stored window {i + 1}"
            self._add_window_action(menu, f"{label}  ({window.center:g}/{window.width:g})", window)
        for i, lut in enumerate(get_voi_luts(attributes)):
            action = menu.addAction(f"VOI LUT: {lut.explanation or i + 1}")
            action.triggered.connect(lambda _c=False, v=view, l=lut: self._use_voi_lut(v, l))
        menu.addSeparator()
        ct = menu.addMenu("CT")
        for preset in CT_PRESETS:
            self._add_window_action(ct, f"{preset.name}  ({preset.window.center:g}/{preset.window.width:g})", preset.window)
        menu.addSeparator()
        menu.addAction("Min-max").triggered.connect(
            lambda: self._apply_computed(lambda values: minmax_preset(values).window)
        )
        menu.addAction("Auto (1-99 percentile)").triggered.connect(
            lambda: self._apply_computed(lambda values: percentile_preset(values).window)
        )

    def _add_window_action(self, menu: QMenu, text: str, window) -> None:  # type: ignore[no-untyped-def]
        action = menu.addAction(text)
        action.triggered.connect(lambda _c=False, w=window: self._panel_view_call("set_window", w))

    def _use_voi_lut(self, view, lut) -> None:  # type: ignore[no-untyped-def]
        view.window = None
        view.voi_lut = lut
        view.window_changed.emit(view.effective_window())

    def _apply_computed(self, make) -> None:  # type: ignore[no-untyped-def]
        panel = self.current_panel()
        if panel is None:
            return
        values = panel.view.modality_values()
        if values is not None:
            panel.view.set_window(make(values))

    # -- documents ------------------------------------------------------------------
    def current_panel(self) -> DocumentPanel | None:
        widget = self.tabs.currentWidget()
        return widget if isinstance(widget, DocumentPanel) else None

    def panels(self) -> list[DocumentPanel]:
        return [w for i in range(self.tabs.count()) if isinstance(w := self.tabs.widget(i), DocumentPanel)]

    def _panel_call(self, method: str, *args) -> None:  # type: ignore[no-untyped-def]
        panel = self.current_panel()
        if panel is not None:
            getattr(panel.image_view, method)(*args)

    def _panel_view_call(self, method: str, *args) -> None:  # type: ignore[no-untyped-def]
        panel = self.current_panel()
        if panel is not None:
            getattr(panel.view, method)(*args)

    def _frame_call(self, method: str, *args) -> None:  # type: ignore[no-untyped-def]
        panel = self.current_panel()
        if panel is not None:
            getattr(panel.frame_bar, method)(*args)

    def _set_frame(self, index: int) -> None:
        self._panel_view_call("set_frame", index)

    def open_file_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open DICOM files", self.settings.last_folder(), DICOM_FILTER)
        if paths:
            self.open_paths(paths)

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open DICOM folder", self.settings.last_folder())
        if folder:
            self.open_paths([folder])

    def open_paths(self, paths: list[str | Path]) -> list[DocumentPanel]:
        """Open files and folders (the path the menu, the command line and drops take)."""
        opened = []
        for raw in paths:
            path = Path(raw)
            try:
                if path.is_dir():
                    opened += self._open_folder(path)
                else:
                    opened.append(self.add_document(open_document(path)))
                    self.settings.add_recent_file(path)
                    self.settings.set_last_folder(path.parent)
            except ViewerError as exc:
                show_error(self, "Cannot open", str(exc))
            except Exception as exc:  # never lose the window over one bad file
                show_error(self, "Cannot open", f"{path.name}: {type(exc).__name__}: {exc}", traceback.format_exc())
        self._rebuild_recent_menu()
        return opened

    def _open_folder(self, folder: Path) -> list[DocumentPanel]:
        from viewer.ui.background import run_with_progress

        try:
            scan = run_with_progress(self, f"Reading {folder.name}…", lambda progress: scan_folder(folder, progress))
        except Cancelled:
            self.statusBar().showMessage("Folder opening cancelled", 5000)
            return []
        self.settings.set_last_folder(folder)
        if not scan.series:
            raise ViewerError(f"no DICOM images found in '{folder}'")
        panels = []
        for entry in scan.series:
            try:
                panels.append(self.add_document(open_entry(entry)))
            except ViewerError as exc:
                self.statusBar().showMessage(f"Skipped {entry.description}: {exc}", 10000)
        return panels

    def add_document(self, document: Document) -> DocumentPanel:
        panel = DocumentPanel(document)
        panel.image_view.cursor_moved.connect(lambda pos, p=panel: self._show_readout(p, pos))
        panel.view.error_raised.connect(lambda message: show_error(self, "Cannot show frame", message))
        panel.view.frame_changed.connect(self.tag_dock.set_frame)
        panel.image_view.set_overlays_visible(self.overlay_action.isChecked())
        panel.history_budget_bytes = self.settings.history_budget_mb() * 1024 * 1024
        panel.view.edits_changed.connect(lambda p=panel: self._on_edits_changed(p))
        panel.frame_bar.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        panel.frame_bar.addActions([self.delete_frame_action, self.delete_frames_action, self.keep_frames_action])
        index = self.tabs.addTab(panel, panel.title)
        self.tabs.setTabToolTip(index, str(document.path))
        self.tabs.setCurrentIndex(index)
        panel.start()
        for note in document.notes[:3]:
            self.statusBar().showMessage(f"{panel.title}: {note}", 10000)
        return panel

    def close_tab(self, index: int) -> bool:
        """Close one tab; asks first when it has unsaved edits. False if the person declined."""
        widget = self.tabs.widget(index)
        if isinstance(widget, DocumentPanel):
            if widget.is_dirty and not ask_yes_no(
                self, "Unsaved edits", f"{widget.title} has unsaved edits. Close without saving?"
            ):
                return False
            self.threshold_dock.attach(None)
            self.tools_dock.attach(None)
            self.recovery.discard(widget.document.path)
            widget.close_document()
            self.tabs.removeTab(index)
            widget.deleteLater()
        return True

    def _on_current_changed(self, _index: int) -> None:
        panel = self.current_panel()
        self.threshold_dock.attach(panel)
        self.tools_dock.attach(panel)
        self._update_edit_actions()
        self.tag_dock.show_dataset(panel.document.dataset if panel else None, panel.view.frame if panel else 0)
        self.invert_action.setChecked(bool(panel and panel.view.invert))
        self.setWindowTitle(f"{panel.title} — DICOM Viewer" if panel else "DICOM Viewer")

    # -- editing --------------------------------------------------------------------
    def set_tool(self, mode: str) -> None:
        self.tools_dock.show()
        self.tools_dock.set_mode(mode)

    def apply_operation(self, operation: Operation) -> bool:
        """Apply an edit to the current document; errors become a dialog."""
        panel = self.current_panel()
        if panel is None:
            return False
        try:
            panel.apply(operation)
        except ViewerError as exc:
            show_error(self, "Cannot apply", str(exc))
            return False
        return True

    def undo(self) -> None:
        panel = self.current_panel()
        if panel is not None and (op := panel.view.undo()) is not None:
            self.statusBar().showMessage(f"Undid {op.describe()}", 4000)

    def redo(self) -> None:
        panel = self.current_panel()
        if panel is not None and (op := panel.view.redo()) is not None:
            self.statusBar().showMessage(f"Redid {op.describe()}", 4000)

    def _on_edits_changed(self, panel: DocumentPanel) -> None:
        index = self.tabs.indexOf(panel)
        if index >= 0:
            self.tabs.setTabText(index, panel.title + (" *" if panel.is_dirty else ""))
        self._update_edit_actions()
        edits = panel.document.edits
        try:
            if panel.is_dirty and edits is not None:
                self.recovery.save(panel.document.path, edits.operations)
            else:
                self.recovery.discard(panel.document.path)
        except OSError as exc:  # recovery is a safety net; never block editing over it
            self.statusBar().showMessage(f"Could not autosave the edit recipe: {exc}", 8000)

    def recover_pending(self) -> int:
        """Offer to replay edits a crash left unsaved; returns how many were restored."""
        restored = 0
        for pending in self.recovery.pending():
            question = (
                f"{pending.source.name} has {len(pending.operations)} unsaved edit(s) from a previous "
                "session. Restore them?"
            )
            if not pending.source.exists() or not ask_yes_no(self, "Recover edits", question):
                pending.recipe_path.unlink(missing_ok=True)
                continue
            panels = self.open_paths([pending.source])
            if not panels:
                continue
            for operation in pending.operations:
                if not self.apply_operation(operation):
                    break
            restored += 1
        return restored

    def _update_edit_actions(self) -> None:
        panel = self.current_panel()
        edits = panel.document.edits if panel else None
        self.undo_action.setEnabled(bool(edits and edits.history.can_undo()))
        self.redo_action.setEnabled(bool(edits and edits.history.can_redo()))
        self.export_recipe_action.setEnabled(bool(edits and edits.operations))

    def bin_dialog(self) -> None:
        text = ask_text(self, "Bin", "Downsample by an integer factor (mean of N x N blocks):", "2")
        if text is None:
            return
        try:
            factor = int(text)
        except ValueError:
            show_error(self, "Cannot apply", f"bin factor '{text}' is not a whole number")
            return
        self.apply_operation(Bin(factor))

    def delete_current_frame(self) -> None:
        panel = self.current_panel()
        if panel is not None:
            self.apply_operation(DeleteFrames(str(panel.view.frame + 1)))

    def frames_dialog(self, kind: type[DeleteFrames] | type[KeepFrames]) -> None:
        panel = self.current_panel()
        if panel is None:
            return
        verb = "delete" if kind is DeleteFrames else "keep"
        text = ask_text(self, f"{verb.title()} frames", f"Frames to {verb} (1-{panel.view.frame_count}, e.g. 1,3,5-7):", "")
        if text:
            self.apply_operation(kind(text))

    def export_recipe_dialog(self) -> None:

        panel = self.current_panel()
        if panel is None or panel.document.edits is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Export recipe", str(Path(self.settings.last_folder()) / "recipe.json"), "Recipe (*.json)")
        if path:
            self.export_recipe(path)

    def export_recipe(self, path: str | Path) -> None:
        """Write the current document's edits as a recipe `dicom-viewer edit --recipe` replays."""
        from viewer.edit_cli import recipe_json
        from viewer.io.atomic import atomic_write

        panel = self.current_panel()
        if panel is None or panel.document.edits is None:
            return
        try:
            with atomic_write(Path(path)) as f:
                f.write(recipe_json(panel.document.edits.operations).encode())
        except OSError as exc:
            show_error(self, "Cannot export recipe", f"{path}: {exc.strerror or exc}")

    def save_as_dialog(self) -> None:
        panel = self.current_panel()
        if panel is None:
            return
        suggestion = str(panel.document.path.with_name(panel.document.path.stem + "_edited.dcm"))
        path, _ = QFileDialog.getSaveFileName(self, "Save As", suggestion, DICOM_FILTER)
        if path:
            self.save_document(panel, Path(path), confirm=True)

    def save_document(self, panel: DocumentPanel, target: Path, confirm: bool = True, syntax: str = "keep") -> bool:
        """Commit and save `panel`'s document to `target`, after showing what changes."""
        from viewer.io.commit import commit
        from viewer.io.save import save
        from viewer.ui.background import run_with_progress
        from viewer.ui.save_dialog import SaveDialog

        try:
            preview = commit(panel.document)
            if confirm:
                dialog = SaveDialog(str(target), preview, self)
                if not dialog.exec():
                    return False
                syntax = dialog.chosen_syntax()
            overwrite = target.exists() and target.resolve() == panel.document.path.resolve()
            report = run_with_progress(
                self,
                f"Saving {target.name}…",
                lambda progress: save(panel.document, target, syntax, overwrite_source=overwrite, progress=progress),
            )
        except Cancelled:
            self.statusBar().showMessage(f"Save cancelled; {target.name} was not written", 8000)
            return False
        except ViewerError as exc:
            show_error(self, "Cannot save", str(exc))
            return False
        self.statusBar().showMessage(f"Saved {report.path} ({report.transfer_syntax.name})", 8000)
        panel.mark_saved()
        self._on_edits_changed(panel)
        return True

    def preferences_dialog(self) -> None:
        text = ask_text(
            self, "Preferences", "Undo history memory budget (MB):", str(self.settings.history_budget_mb())
        )
        if text is None:
            return
        try:
            budget = max(16, int(text))
        except ValueError:
            show_error(self, "Preferences", f"'{text}' is not a whole number of megabytes")
            return
        self.settings.set_history_budget_mb(budget)
        for panel in self.panels():
            panel.history_budget_bytes = budget * 1024 * 1024
            if panel.document.edits is not None:
                panel.document.edits.history.budget_bytes = panel.history_budget_bytes

    # -- readout and toggles --------------------------------------------------------
    def _show_readout(self, panel: DocumentPanel, position: tuple[int, int] | None) -> None:
        self.readout.setText(readout_text(panel, position))

    def _toggle_invert(self, checked: bool) -> None:
        self._panel_view_call("set_invert", checked)

    def _toggle_overlays(self, checked: bool) -> None:
        for panel in self.panels():
            panel.image_view.set_overlays_visible(checked)

    def _about(self) -> None:
        QMessageBox.about(self, "About DICOM Viewer", f"dicom-viewer {__version__}\nA DICOM viewer and pixel editor.")

    # -- drag and drop, closing -----------------------------------------------------
    def dragEnterEvent(self, event):  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event):  # noqa: N802
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            self.open_paths(paths)

    def closeEvent(self, event):  # noqa: N802
        edited = [p.title for p in self.panels() if p.is_dirty]
        if edited and not ask_yes_no(self, "Unsaved edits", f"Unsaved edits in {', '.join(edited)}. Quit anyway?"):
            event.ignore()
            return
        for panel in self.panels():
            self.recovery.discard(panel.document.path)
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        for panel in self.panels():
            panel.close_document()
        super().closeEvent(event)


def readout_text(panel: DocumentPanel, position: tuple[int, int] | None) -> str:
    """'row, column: stored value, modality value with units, displayed value'."""
    if position is None:
        return ""
    view = panel.view
    stored = view.stored_frame()
    if stored is None:
        return ""
    row, column = position
    value = stored[row, column]
    shown = view.display_value_at(row, column)
    if view.is_color:
        return f"row {row}, col {column}   RGB {tuple(int(v) for v in shown)}"
    modality = view.modality()
    modality_value = float(modality.apply(value.reshape(1))[0])
    units = f" {modality.units}" if modality.units else ""
    display = int(shown)
    return (
        f"row {row}, col {column}   stored {value}   value {modality_value:g}{units}   display {display}"
    )
