"""File > Export: the frame as shown (PNG, with or without the annotations), a copy to the
clipboard, and the frames as a movie (MP4, GIF or animated PNG) with progress and Cancel."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QGuiApplication, QImage
from PySide6.QtWidgets import QFileDialog

from viewer.model.errors import ViewerError
from viewer.model.progress import Cancelled
from viewer.ui.dialogs import ask_save_path, ask_yes_no, show_error, show_info
from viewer.ui.document_panel import DocumentPanel

if TYPE_CHECKING:
    from viewer.io.batch import BatchResult
    from viewer.ui.main_window import MainWindow


class ExportActions:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.image_action = window.add_action("Export &Image (pixels as shown)…", self.export_image_dialog)
        self.view_action = window.add_action("Export &View (with annotations)…", self.export_view_dialog)
        self.copy_action = window.add_action("&Copy View", self.copy_view, "Ctrl+Shift+C")
        self.cine_action = window.add_action("Export &Cine…", self.export_cine_dialog)
        self.anonymised_action = window.add_action("Save &Anonymised Copy…", self.save_anonymised_dialog)
        self.anonymise_folder_action = window.add_action("Anonymise a &Folder…", self.anonymise_folder_dialog)

    @property
    def actions(self) -> list[QAction]:
        return [
            self.image_action,
            self.view_action,
            self.copy_action,
            self.cine_action,
            self.anonymised_action,
            self.anonymise_folder_action,
        ]

    def save_anonymised(self, panel: DocumentPanel, path: Path, allow_burned_in: bool = False) -> None:
        """The file, de-identified (PS3.15 Basic Profile; pixels bit-identical)."""
        import secrets

        from viewer.io.anonymize import anonymize_file

        if panel.document.is_edited:
            raise ViewerError("the image is edited: save it first, then anonymise the saved copy")
        if panel.document.frame_paths is not None:
            raise ViewerError("a series of files is anonymised as a folder: dicom-viewer anonymize FOLDER -o OUT")
        anonymize_file(panel.document.path, path, secrets.token_hex(16), allow_burned_in=allow_burned_in)

    def save_anonymised_dialog(self) -> None:
        panel = self._panel()
        if panel is None:
            return
        source = panel.document.path
        path = ask_save_path(self._window, str(source.with_name(source.stem + "_anon.dcm")), "DICOM (*.dcm)")
        if path is None:
            return
        try:
            self.save_anonymised(panel, Path(path))
        except ViewerError as exc:
            if "Burned In Annotation" not in str(exc):
                show_error(self._window, "Save anonymised copy", str(exc))
                return
            if not ask_yes_no(self._window, "Burned-in annotation", f"{exc}.\n\nSave anyway?"):
                return
            self.save_anonymised(panel, Path(path), allow_burned_in=True)
        self._window.statusBar().showMessage(f"Saved an anonymised copy to {path}", 8000)

    def anonymise_folder(self, source: Path, target: Path) -> BatchResult | None:
        """Every file below `source` de-identified below `target` (one UID mapping), off the
        GUI thread with progress; None if cancelled or refused (said in a dialog)."""
        import secrets

        from viewer.io.anonymize import anonymize_folder
        from viewer.ui.background import run_with_progress

        key = secrets.token_hex(16)
        try:
            return run_with_progress(
                self._window,
                f"Anonymising {source.name}…",
                lambda progress: anonymize_folder(source, target, key, progress=progress, workers=None),
            )
        except Cancelled:
            show_info(self._window, "Anonymise folder", f"Cancelled; the files written so far are in {target}")
        except ViewerError as exc:
            show_error(self._window, "Anonymise folder", str(exc))
        return None

    def anonymise_folder_dialog(self) -> None:
        source = QFileDialog.getExistingDirectory(
            self._window, "Anonymise the files of", self._window.settings.last_folder()
        )
        if not source:
            return
        target = QFileDialog.getExistingDirectory(
            self._window, "Write the anonymised copies into", str(Path(source).parent)
        )
        if not target or (result := self.anonymise_folder(Path(source), Path(target))) is None:
            return
        details = "\n".join(f"{path}: {reason}" for path, reason in result.failures)
        show_info(self._window, "Anonymise folder", f"{result.summary()}, into {target}", details)

    def _panel(self) -> DocumentPanel | None:
        return self._window.current_panel()

    def view_image(self, panel: DocumentPanel) -> QImage:
        """The image area as the person sees it: zoom, overlays, shapes and annotations."""
        return panel.image_view.graphics.grab().toImage()

    def export_image(self, panel: DocumentPanel, path: Path) -> None:
        """The frame's pixels through the view's window (what `render` writes)."""
        from viewer.io.export import export_frame

        export_frame(panel.document, replace(panel.view.state), path)

    def export_image_dialog(self) -> None:
        panel = self._panel()
        if panel is None:
            return
        path = ask_save_path(self._window, str(panel.document.path.with_suffix(".png")), "PNG (*.png)")
        if path is not None:
            try:
                self.export_image(panel, Path(path))
            except ViewerError as exc:
                show_error(self._window, "Export image", str(exc))

    def export_view_dialog(self) -> None:
        panel = self._panel()
        if panel is None:
            return
        path = ask_save_path(self._window, str(panel.document.path.with_suffix(".view.png")), "PNG (*.png)")
        if path is not None and not self.view_image(panel).save(path, b"PNG"):
            show_error(self._window, "Export view", f"cannot write '{path}'")

    def copy_view(self) -> None:
        panel = self._panel()
        if panel is not None:
            QGuiApplication.clipboard().setImage(self.view_image(panel))
            self._window.statusBar().showMessage("View copied to the clipboard", 4000)

    def export_cine(self, panel: DocumentPanel, path: Path) -> int | None:
        """Every frame through the view's window into `path`; None if cancelled or failed."""
        from viewer.io.export import export_movie
        from viewer.ui.background import run_with_progress

        fps = panel.frame_bar.fps.value()  # the cine rate shown in the frame bar
        try:
            return run_with_progress(
                self._window,
                f"Writing {path.name}…",
                lambda progress: export_movie(panel.document, replace(panel.view.state), path, fps, progress),
            )
        except Cancelled:
            show_info(self._window, "Export cine", f"Cancelled; {path.name} was not written")
        except ViewerError as exc:
            show_error(self._window, "Export cine", str(exc))
        return None

    def export_cine_dialog(self) -> None:
        panel = self._panel()
        if panel is None:
            return
        suggestion = str(panel.document.path.with_suffix(".mp4"))
        path, _ = QFileDialog.getSaveFileName(
            self._window, "Export cine", suggestion, "MP4 (*.mp4);;Animated GIF (*.gif);;Animated PNG (*.png)"
        )
        if path and (frames := self.export_cine(panel, Path(path))) is not None:
            self._window.statusBar().showMessage(f"Wrote {frames} frame(s) to {path}", 8000)
