"""The main window: its actions, the viewports of open documents, status bar and docks."""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QToolBar,
    QWidget,
)

from viewer import __version__
from viewer.io.recovery import RecoveryStore
from viewer.model.document import Document, open_document
from viewer.model.errors import ViewerError
from viewer.model.folder import SeriesEntry, is_dicomdir
from viewer.ui.background import open_entries_with_progress, scan_folder_with_progress
from viewer.ui.dialogs import ask_save_discard_cancel, show_error
from viewer.ui.document_panel import DocumentPanel
from viewer.ui.edit_actions import DICOM_FILTER, EditActions
from viewer.ui.export_actions import ExportActions
from viewer.ui.layouts import LayoutActions
from viewer.ui.measure_actions import MeasureActions
from viewer.ui.menus import build_menus
from viewer.ui.pacs_actions import PacsActions
from viewer.ui.preferences import apply_preferences
from viewer.ui.presets_menu import fill_presets_menu
from viewer.ui.readout import readout_text
from viewer.ui.segment_actions import SegmentActions
from viewer.ui.series_browser import SeriesBrowserDock
from viewer.ui.settings import DEFAULT_WINDOW_SIZE, Settings
from viewer.ui.tag_browser import TagBrowserDock
from viewer.ui.tools.threshold_tool import ThresholdDock
from viewer.ui.tools.tools_dock import ToolsDock
from viewer.ui.view_keys import ViewKeys
from viewer.ui.workspace import SERIES_MIME, Viewport, Workspace


def default_recovery_folder() -> Path:
    """Where autosaved edit recipes live (per user)."""
    from PySide6.QtCore import QStandardPaths

    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".dicom-viewer") / "recovery"


class MainWindow(QMainWindow):
    """Open documents in viewports of tabs; everything else acts on the active viewport's
    current tab."""

    # Built by viewer.ui.menus.build_menus:
    recent_menu: QMenu
    window_menu: QMenu
    edit_menu: QMenu
    tools_menu: QMenu
    toolbar: QToolBar

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
        self.workspace = Workspace()
        self.workspace.current_changed.connect(self._on_current_changed)
        self.workspace.close_requested.connect(lambda panel: self.close_tab(self.tabs.indexOf(panel)))
        self.workspace.dropped.connect(self._open_dropped)
        self.setCentralWidget(self.workspace)
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
        self.series_browser = SeriesBrowserDock(self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.series_browser)
        self.series_browser.hide()
        self.series_browser.open_requested.connect(lambda entry: self._open_entries([entry]))
        self._build_actions()
        build_menus(self)
        self.resize(*DEFAULT_WINDOW_SIZE)
        geometry = self.settings.geometry()
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.window_state()
        if state is not None:
            self.restoreState(state)
            self.threshold_dock.hide()  # a tool starts closed: its preview would tint the first image

    # -- actions and menus ----------------------------------------------------------
    def add_action(
        self,
        text: str,
        slot: Callable[..., object],
        shortcut: str | QKeySequence | QKeySequence.StandardKey | None = None,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even when the menu bar is hidden
        return action

    def _build_actions(self) -> None:
        self.open_action = self.add_action("&Open File…", self.open_file_dialog, QKeySequence.StandardKey.Open)
        self.open_folder_action = self.add_action("Open &Folder…", self.open_folder_dialog, "Ctrl+Shift+O")
        self.close_action = self.add_action(
            "&Close", lambda: self.close_tab(self.tabs.currentIndex()), QKeySequence.StandardKey.Close
        )
        self.quit_action = self.add_action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        self.fit_action = self.add_action("&Fit to Window", lambda: self._call("image_view", "fit"), "F")
        self.actual_action = self.add_action("&Actual Size (1:1)", lambda: self._call("image_view", "actual_size"), "1")
        self.zoom_in_action = self.add_action(
            "Zoom &In", lambda: self._call("image_view", "zoom_by", 1.25), QKeySequence.StandardKey.ZoomIn
        )
        self.zoom_out_action = self.add_action(
            "Zoom &Out", lambda: self._call("image_view", "zoom_by", 0.8), QKeySequence.StandardKey.ZoomOut
        )
        self.invert_action = self.add_action(
            "&Invert Display", lambda on: self._call("view", "set_invert", on), "I", checkable=True
        )
        self.annotations_action = self.add_action(
            "Show &Annotations", lambda on: self._panels_call("set_annotations_visible", on), "A", checkable=True
        )
        self.annotations_action.setChecked(True)
        self.planes_action = self.add_action(
            "Show &Overlays and Segments", lambda on: self._panels_call("set_planes_visible", on), "O", checkable=True
        )
        self.planes_action.setChecked(True)
        self.tags_action = self.tag_dock.toggleViewAction()
        self.tags_action.setShortcut(QKeySequence("Ctrl+T"))
        self.play_action = self.add_action("&Play / Pause", lambda: self._call("frame_bar", "toggle_play"), "Space")
        self.next_action = self.add_action("Next Frame", lambda: self._call("frame_bar", "step", 1), "Right")
        self.prev_action = self.add_action("Previous Frame", lambda: self._call("frame_bar", "step", -1), "Left")
        self.add_action("Next Frame", lambda: self._call("frame_bar", "step", 1), "Down")
        self.add_action("Previous Frame", lambda: self._call("frame_bar", "step", -1), "Up")
        self.add_action("Forward 10 Frames", lambda: self._call("frame_bar", "step", 10), "PgDown")
        self.add_action("Back 10 Frames", lambda: self._call("frame_bar", "step", -10), "PgUp")
        self.add_action("First Frame", lambda: self._call("view", "set_frame", 0), "Home")
        self.add_action("Last Frame", lambda: self._call("view", "set_frame", 10**9), "End")
        self.about_action = self.add_action("&About", self._about)
        self.edits = EditActions(self)
        self.measure = MeasureActions(self)
        self.keys = ViewKeys(self)
        self.export = ExportActions(self)
        self.pacs = PacsActions(self)
        self.segments = SegmentActions(self)
        self.layouts = LayoutActions(self)

    def rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_files():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_paths([p]))
        self.recent_menu.setEnabled(bool(self.settings.recent_files()))

    def rebuild_window_menu(self) -> None:
        panel = self.current_panel()
        fill_presets_menu(self.window_menu, panel.view if panel is not None else None)

    # -- documents ------------------------------------------------------------------
    @property
    def tabs(self) -> Viewport:
        """The active viewport: the tabs of the documents it holds."""
        return self.workspace.active

    def current_panel(self) -> DocumentPanel | None:
        return self.workspace.current_panel()

    def panels(self) -> list[DocumentPanel]:
        return self.workspace.panels()

    def _call(self, part: str, method: str, *args: object) -> None:
        """Call `method` of the current panel's `part` (image_view, view or frame_bar), if any."""
        panel = self.current_panel()
        if panel is not None:
            getattr(getattr(panel, part), method)(*args)

    def open_file_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open DICOM files", self.settings.last_folder(), DICOM_FILTER)
        if paths:
            self.open_paths(list(paths))

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open DICOM folder", self.settings.last_folder())
        if folder:
            self.open_paths([folder])

    def open_paths(self, paths: list[str | Path], already_open: Sequence[Document] = ()) -> list[DocumentPanel]:
        """Open files and folders (the path the menu, the command line and drops take); a
        file among the documents `already_open` (the first-frame window's) is taken as is."""
        ready = {document.path: document for document in already_open}
        opened = []
        reports, paths = self.measure.split_reports(paths)  # shown on their images, once those are open
        for raw in paths:
            path = Path(raw)
            try:
                if path.is_dir() or is_dicomdir(path):  # a DICOMDIR opens the series it lists
                    opened += self._open_folder(path)
                else:
                    document = ready.pop(path, None) or open_document(path)
                    opened.append(self.add_document(document))
                    self.settings.add_recent_file(path)
                    self.settings.set_last_folder(path.parent)
            except ViewerError as exc:
                show_error(self, "Cannot open", str(exc))
            except Exception as exc:  # never lose the window over one bad file
                show_error(self, "Cannot open", f"{path.name}: {type(exc).__name__}: {exc}", traceback.format_exc())
        opened += self.measure.open_reports(reports)
        self.rebuild_recent_menu()
        return opened

    def _open_folder(self, folder: Path) -> list[DocumentPanel]:
        """Series are listed (with thumbnails) as the scan finds them, then opened."""
        self.series_browser.begin_scan(folder)
        scan = scan_folder_with_progress(self, folder, self.series_browser.report_found)
        if scan is None or not scan.series:
            self.series_browser.discard_scan()
            if scan is None:
                self.statusBar().showMessage("Folder opening cancelled", 5000)
                return []
            raise ViewerError(f"no DICOM images found in '{folder}'")
        self.settings.set_last_folder(folder)
        self.series_browser.show_scan(scan, folder)
        return self._open_entries(scan.series)

    def _open_entries(self, entries: list[SeriesEntry]) -> list[DocumentPanel]:
        """Headers are read off the GUI thread; each document then gets its tab, letting
        the window paint (and thumbnails arrive) between two."""
        panels: list[DocumentPanel] = []
        documents = open_entries_with_progress(self, entries)
        for opened in documents:
            if isinstance(opened, ViewerError):
                self.statusBar().showMessage(f"Skipped {opened}", 10000)
                continue
            panels.append(self.add_document(opened, current=not panels))
            if len(documents) > 1:
                QApplication.processEvents()
        return panels

    def add_document(self, document: Document, current: bool = True) -> DocumentPanel:
        """A tab for `document` in the active viewport (made current unless `current` is
        False: opening many series makes only the first current, sparing a redraw each)."""
        panel = DocumentPanel(document)
        panel.image_view.cursor_moved.connect(lambda pos, p=panel: self._show_readout(p, pos))
        panel.view.error_raised.connect(lambda message: show_error(self, "Cannot show frame", message))
        panel.view.frame_changed.connect(self.tag_dock.set_frame)
        self.measure.watch(panel)
        panel.image_view.set_annotations_visible(self.annotations_action.isChecked())
        self.keys.apply_annotation_groups(panel.image_view)
        panel.image_view.set_planes_visible(self.planes_action.isChecked())
        panel.image_view.magnifier.set_enabled(self.keys.magnifier_action.isChecked())
        apply_preferences(self, panel)
        panel.view.edits_changed.connect(lambda p=panel: self.edits.on_edits_changed(p))
        panel.frame_bar.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        panel.frame_bar.addActions(
            [self.edits.delete_frame_action, self.edits.delete_frames_action, self.edits.keep_frames_action]
        )
        self.layouts.sync.watch(panel)
        self.workspace.add(panel, panel.title, str(document.path), current)
        panel.start()
        for note in document.notes[:3]:
            self.statusBar().showMessage(f"{panel.title}: {note}", 10000)
        return panel

    def _settle_unsaved(self, panel: DocumentPanel) -> bool:
        """Save, discard or keep `panel`'s unsaved edits; False when it must stay open.
        Crash recovery is kept until a save succeeds or the person discards."""
        if not self.segments.may_close(panel):
            return False
        if not panel.is_dirty:
            return True
        choice = ask_save_discard_cancel(
            self, "Unsaved edits", f"{panel.title} has unsaved edits. Save them before closing?"
        )
        if choice == "save":
            return self.edits.save_as_dialog(panel)
        return choice == "discard"

    def close_tab(self, index: int) -> bool:
        """Close one tab; asks first when it has unsaved edits. False if the person declined."""
        widget = self.tabs.widget(index)
        if isinstance(widget, DocumentPanel):
            if not self._settle_unsaved(widget):
                return False
            self.threshold_dock.attach(None)
            self.tools_dock.attach(None)
            self.recovery.discard(widget.document.path)
            widget.close_document()
            self.layouts.sync.forget(widget)
            self.workspace.remove(widget)
            widget.deleteLater()
        return True

    def _on_current_changed(self) -> None:
        panel = self.current_panel()
        self.readout.clear()  # it described a pixel of the document shown before
        self.threshold_dock.attach(panel)
        self.tools_dock.attach(panel)
        self.edits.update_actions()
        self.tag_dock.show_document(panel.document if panel else None, panel.view.frame if panel else 0)
        self.invert_action.setChecked(bool(panel and panel.view.invert))
        self.setWindowTitle(f"{panel.title} — DICOM Viewer" if panel else "DICOM Viewer")

    # -- readout and toggles --------------------------------------------------------
    def _show_readout(self, panel: DocumentPanel, position: tuple[int, int] | None) -> None:
        self.readout.setText(readout_text(panel, position))

    def _panels_call(self, method: str, *args: object) -> None:
        """Call an image-view method on every open document (View menu toggles)."""
        for panel in self.panels():
            getattr(panel.image_view, method)(*args)

    def _about(self) -> None:
        QMessageBox.about(self, "About DICOM Viewer", f"dicom-viewer {__version__}\nA DICOM viewer and pixel editor.")

    # -- drag and drop, closing -----------------------------------------------------
    def dragEnterEvent(self, event):  # noqa: N802 (Qt naming)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event):  # noqa: N802 (Qt naming)
        self._open_dropped(event.mimeData())

    def _open_dropped(self, mime: QMimeData) -> None:
        """Files, folders or a series of the series browser, dropped on the window or a viewport."""
        if mime.hasFormat(SERIES_MIME):
            entry = self.series_browser.entry_of(bytes(mime.data(SERIES_MIME).data()).decode())
            if entry is not None:
                self._open_entries([entry])
            return
        paths: list[str | Path] = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        if paths:
            self.open_paths(paths)

    def closeEvent(self, event):  # noqa: N802 (Qt naming)
        if not all(self._settle_unsaved(panel) for panel in self.panels()):
            event.ignore()
            return
        for panel in self.panels():
            self.recovery.discard(panel.document.path)
        self.settings.set_geometry(self.saveGeometry())
        self.settings.set_window_state(self.saveState())
        for panel in self.panels():
            panel.close_document()
        self.series_browser.close_pool()
        super().closeEvent(event)
