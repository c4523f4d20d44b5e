"""File > PACS: the Query / Retrieve window, and Send to PACS (optionally anonymised first).

What is sent is the file on disk (or every file of a series), never unsaved edits: an
edited image is refused with a line asking to save it first.
"""

from __future__ import annotations

import secrets
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QVBoxLayout

from viewer.io import pacs
from viewer.model.errors import ViewerError
from viewer.model.progress import Cancelled, Progress
from viewer.ui.background import run_with_progress
from viewer.ui.dialogs import run_dialog, show_error, show_info
from viewer.ui.document_panel import DocumentPanel
from viewer.ui.pacs_window import NodePicker, PacsWindow

if TYPE_CHECKING:
    from viewer.ui.main_window import MainWindow


class SendDialog(QDialog):
    """Which node, and whether to anonymise (PS3.15 Basic Profile) before sending."""

    def __init__(self, window: MainWindow, files: int) -> None:
        super().__init__(window)
        self.setWindowTitle("Send to PACS")
        self.picker = NodePicker(window.settings)
        self.anonymise = QCheckBox("Anonymise first (PS3.15 Basic Profile; pixels unchanged)")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Send {files} file(s) as saved on disk to:"))
        layout.addWidget(self.picker)
        layout.addWidget(self.anonymise)
        layout.addWidget(buttons)


class PacsActions:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._query_window: PacsWindow | None = None
        self.query_action = window.add_action("&Query / Retrieve…", self.show_query_window, "Ctrl+Shift+Q")
        self.send_action = window.add_action("&Send to PACS…", self.send_dialog)

    @property
    def actions(self) -> list[QAction]:
        return [self.query_action, self.send_action]

    def show_query_window(self) -> PacsWindow:
        if self._query_window is None:
            self._query_window = PacsWindow(self._window)
        self._query_window.show()
        self._query_window.raise_()
        return self._query_window

    @staticmethod
    def files_to_send(panel: DocumentPanel) -> list[Path]:
        if panel.document.is_edited:
            raise ViewerError("the image has unsaved edits: save it first, then send the saved copy")
        return list(panel.document.frame_paths or [panel.document.path])

    def send(self, files: list[Path], node: pacs.Node, calling_aet: str, anonymise: bool) -> pacs.Transfer:
        """Send `files` (anonymised copies in a temporary folder when asked), off the GUI thread."""

        def work(progress: Progress) -> pacs.Transfer:
            if not anonymise:
                return pacs.send(node, files, calling_aet, progress)
            from viewer.io.anonymize import anonymize_file

            key = secrets.token_hex(16)  # one mapping: a series stays one series
            with tempfile.TemporaryDirectory(prefix="dicom-viewer-send-") as folder:
                copies = []
                for n, path in enumerate(files):
                    progress(n, len(files))
                    copies.append(Path(folder) / f"{n:06d}.dcm")
                    anonymize_file(path, copies[-1], key)
                return pacs.send(node, copies, calling_aet, progress)

        return run_with_progress(self._window, f"Sending to {node}…", work)

    def send_dialog(self) -> None:
        panel = self._window.current_panel()
        if panel is None:
            return
        try:
            files = self.files_to_send(panel)
        except ViewerError as exc:
            show_error(self._window, "Send to PACS", str(exc))
            return
        dialog = SendDialog(self._window, len(files))
        if not run_dialog(dialog, "send_to_pacs"):
            return
        try:
            node = dialog.picker.node()
            result = self.send(files, node, dialog.picker.calling_aet, dialog.anonymise.isChecked())
        except Cancelled:
            self._window.statusBar().showMessage("Sending cancelled", 8000)
            return
        except ViewerError as exc:
            show_error(self._window, "Send to PACS", str(exc))
            return
        summary = f"Sent {len(result.done)} of {len(files)} file(s) to {node}"
        if result.failed:
            show_info(self._window, "Send to PACS", summary, "\n".join(f"{n}: {r}" for n, r in result.failed))
        self._window.statusBar().showMessage(summary, 10000)
