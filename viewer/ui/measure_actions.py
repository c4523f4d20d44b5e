"""The Measure menu: the measuring tools, the measurements dock, CSV and SR export, and
opening an SR with its image (the shapes come back where they were)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QFileDialog, QMenu

from viewer.model.errors import ViewerError
from viewer.ui.dialogs import ask_save_path, show_error
from viewer.ui.document_panel import DocumentPanel
from viewer.ui.measurements_dock import MeasurementsDock

if TYPE_CHECKING:
    from viewer.ui.main_window import MainWindow

#: SOP Classes of Structured Reports (1.2.840.10008.5.1.4.1.1.88.x) and of Segmentation.
SR_CLASS_PREFIX = "1.2.840.10008.5.1.4.1.1.88."
SEG_CLASS = "1.2.840.10008.5.1.4.1.1.66.4"
TOOLS = (
    ("measure-line", "Measure &Line", "L"),
    ("measure-angle", "Measure &Angle", "Shift+A"),
    ("measure-rect", "Measure &Rectangle", "R"),
    ("measure-ellipse", "Measure &Ellipse", "Shift+R"),
    ("measure-freehand", "Measure &Freehand", "Shift+F"),
)


def companion_kind(path: Path) -> str:
    """ "sr" for a Structured Report, "seg" for a Segmentation (files shown on the image
    they refer to), "" for anything else."""
    from pydicom import dcmread

    try:
        header = dcmread(path, stop_before_pixels=True, specific_tags=["SOPClassUID"])
    except Exception:
        return ""
    sop_class = str(header.get("SOPClassUID", ""))
    return "sr" if sop_class.startswith(SR_CLASS_PREFIX) else "seg" if sop_class == SEG_CLASS else ""


class MeasureActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.dock = MeasurementsDock(window)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        self._sized = False
        self.dock.visibilityChanged.connect(self._first_shown)
        self.dock.error_raised.connect(lambda m: show_error(window, "Measurements", m))
        self.dock.save_requested.connect(self.save_report_dialog)
        self.dock.csv_button.clicked.connect(self.export_csv_dialog)
        window.tools_dock.shape_added.connect(lambda _i: self._shapes_changed())
        window.workspace.current_changed.connect(lambda: self.dock.set_panel(window.current_panel()))
        self.tool_actions = []
        for mode, label, key in TOOLS:
            self.tool_actions.append(window.add_action(label, lambda _c=False, m=mode: self.set_tool(m), key))
        self.dock_action = self.dock.toggleViewAction()
        self.dock_action.setText("Measurements &Panel")
        self.csv_action = window.add_action("Export Measurements as &CSV…", self.export_csv_dialog)
        self.sr_action = window.add_action("&Save Measurements as SR…", self.save_report_dialog)

    def fill_menu(self, menu: QMenu) -> None:
        menu.addActions(self.tool_actions)
        menu.addSeparator()
        menu.addActions([self.dock_action, self.csv_action, self.sr_action])

    def _first_shown(self, visible: bool) -> None:
        """Give the dock a reading width the first time it shows (not half the window)."""
        if visible and not self._sized:
            self._sized = True
            self._window.resizeDocks([self.dock], [380], Qt.Orientation.Horizontal)

    def set_tool(self, mode: str) -> None:
        self._window.tools_dock.show()
        self._window.tools_dock.set_mode(mode)
        self.dock.show()

    def watch(self, panel: DocumentPanel) -> None:
        """Keep the dock's numbers current for `panel` (edits and moved shapes change them)."""
        panel.view.edits_changed.connect(lambda p=panel: self._shapes_changed(p))
        panel.image_view.shapes.shape_edited.connect(lambda _i, p=panel: self._shapes_changed(p))

    def _shapes_changed(self, panel: DocumentPanel | None = None) -> None:
        if panel is None or panel is self.dock.panel:
            self.dock.refresh()

    # -- files ----------------------------------------------------------------------
    def export_csv_dialog(self) -> None:
        if not self.dock.measurements():
            show_error(self._window, "Export measurements", "there are no measurements to export")
            return
        path, _ = QFileDialog.getSaveFileName(self._window, "Export measurements", "measurements.csv", "CSV (*.csv)")
        if path:
            try:
                self.dock.export_csv(Path(path))
            except OSError as exc:
                show_error(self._window, "Export measurements", f"cannot write '{path}': {exc.strerror or exc}")

    def save_report_dialog(self) -> None:
        panel = self._window.current_panel()
        if panel is None:
            return
        suggestion = str(panel.document.path.with_name(panel.document.path.stem + "_measurements.dcm"))
        path = ask_save_path(self._window, suggestion, "DICOM SR (*.dcm)")
        if path is None:
            return
        try:
            self.dock.save_sr(Path(path))
        except ViewerError as exc:
            show_error(self._window, "Save measurements", str(exc))
            return
        self._window.statusBar().showMessage(f"Saved {len(self.dock.measurements())} measurement(s) to {path}", 8000)

    @staticmethod
    def split_reports(paths: list[str | Path]) -> tuple[list[Path], list[str | Path]]:
        """(SRs and SEGs, opened after the rest onto their images; everything else)."""
        reports = [Path(p) for p in paths if Path(p).is_file() and companion_kind(Path(p))]
        return reports, [p for p in paths if Path(p) not in reports]

    def open_reports(self, reports: list[Path]) -> list[DocumentPanel]:
        """Show each on its image; a SEG without an open source opens as its own document
        (returned)."""
        opened = []
        for report in reports:
            try:
                if companion_kind(report) == "seg":
                    panel = self.open_segmentation(report)
                    opened += [panel] if panel is not None else []
                    continue
                count = self.open_report(report)
                self._window.statusBar().showMessage(f"{report.name}: {count} measurement(s) shown", 8000)
            except ViewerError as exc:
                show_error(self._window, "Cannot open", str(exc))
        return opened

    def open_segmentation(self, path: Path) -> DocumentPanel | None:
        """Show the SEG's segments over the open image it refers to; opened alone (its own
        frames) when no open image is its source."""
        from viewer.model.document import open_document
        from viewer.model.seg_reader import read_segments

        for panel in self._window.panels():
            document = panel.document
            segments = read_segments(path, document.dataset, document.source_pixels.frames)
            if segments:
                document.segments = document.segments + segments
                document.segment_files.append(path)
                self._window.workspace.show_panel(panel)
                panel.image_view.refresh()
                self._window.segments.dock.refresh()  # offers to edit them
                names = ", ".join(s.label or str(s.group) for s in segments)
                self._window.statusBar().showMessage(f"{path.name}: segment(s) {names} shown", 8000)
                return None
        return self._window.add_document(open_document(path))

    def open_report(self, path: Path) -> int:
        """Show the shapes of the SR at `path` on the open image it refers to; how many."""
        from viewer.io.sr import read_measurements

        for panel in self._window.panels():
            shapes = read_measurements(path, panel.document.dataset)
            if shapes:
                for frame, shape in shapes:
                    panel.document.add_shape(shape, frame)
                self._window.workspace.show_panel(panel)
                panel.image_view.shapes.refresh()
                self.dock.set_panel(panel)
                self.dock.show()
                return len(shapes)
        raise ViewerError(f"'{path.name}' measures no image that is open; open its image first (or with it)")
