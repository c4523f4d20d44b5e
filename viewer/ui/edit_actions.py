"""Editing commands of the main window: undo/redo, image and frame operations, tools,
Save As with its preview, recipe export, preferences and crash recovery.

Composition, not a mixin: the main window owns one EditActions and puts its actions in
its menus; this class acts on the window's current document panel.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog

from viewer.edits.operations import Bin, DeleteFrames, Flip, Invert, KeepFrames, Operation, Pad, Rotate
from viewer.edits.recipe import load_recipe
from viewer.edits.session import session
from viewer.edits.streamed import StreamedEdits
from viewer.io.batch import BatchResult, edit_folder
from viewer.io.commit_geometry import refuse_tiled
from viewer.model.errors import ViewerError
from viewer.model.progress import Cancelled, Progress
from viewer.ui.dialogs import ask_save_path, ask_text, ask_yes_no, run_dialog, show_error, show_info
from viewer.ui.document_panel import DocumentPanel

if TYPE_CHECKING:
    from viewer.ui.main_window import MainWindow

T = TypeVar("T")
DICOM_FILTER = "DICOM files (*.dcm *.dicom *.ima *.img);;All files (*)"


class EditActions(QObject):
    """The Edit and Tools commands, acting on the window's current document."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.save_as_action = self._window.add_action(
            "Save &As…", lambda: self.save_as_dialog(), QKeySequence.StandardKey.SaveAs
        )
        self.undo_action = self._window.add_action("&Undo", self.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._window.add_action("&Redo", self.redo, QKeySequence.StandardKey.Redo)
        self.export_recipe_action = self._window.add_action("Export &Recipe…", self.export_recipe_dialog)
        self.batch_action = self._window.add_action("Apply Recipe to &Folder…", self.batch_dialog)
        self.preferences_action = self._window.add_action(
            "&Preferences…", self.preferences_dialog, QKeySequence.StandardKey.Preferences
        )
        self.threshold_action = self._window.threshold_dock.toggleViewAction()
        self.threshold_action.setText("&Threshold…")
        self.threshold_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.tools_action = self._window.tools_dock.toggleViewAction()
        self.tools_action.setText("Edit &Tools")
        self.tool_mode_actions = {
            mode: self._window.add_action(label, lambda _c=False, m=mode: self.set_tool(m), key)
            for mode, label, key in (
                ("navigate", "&Navigate", "N"),
                ("brush", "&Brush", "B"),
                ("erase", "&Erase", "E"),
                ("flood-fill", "&Flood Fill", "G"),
                ("crop", "&Crop Rectangle", "C"),
            )
        }
        self.image_op_actions = [
            self._window.add_action("Flip &Horizontal", lambda: self.apply_operation(Flip("h"))),
            self._window.add_action("Flip &Vertical", lambda: self.apply_operation(Flip("v"))),
            self._window.add_action("Rotate 90° Clockwise", lambda: self.apply_operation(Rotate(90)), "Ctrl+R"),
            self._window.add_action("Rotate 180°", lambda: self.apply_operation(Rotate(180))),
            self._window.add_action(
                "Rotate 90° Counter-clockwise", lambda: self.apply_operation(Rotate(270)), "Ctrl+Shift+R"
            ),
            self._window.add_action("&Bin…", self.bin_dialog),
            self._window.add_action("&Pad Canvas…", self.pad_dialog),
            self._window.add_action("&Invert Values", lambda: self.apply_operation(Invert())),
        ]
        self.delete_frame_action = self._window.add_action("&Delete Current Frame", self.delete_current_frame)
        self.delete_frames_action = self._window.add_action("Delete Frames…", lambda: self.frames_dialog(DeleteFrames))
        self.keep_frames_action = self._window.add_action("&Keep Frames…", lambda: self.frames_dialog(KeepFrames))

    def set_tool(self, mode: str) -> None:
        self._window.tools_dock.show()
        self._window.tools_dock.set_mode(mode)

    def apply_operation(self, operation: Operation) -> bool:
        """Apply an edit to the current document; errors become a dialog."""
        panel = self._window.current_panel()
        if panel is None:
            return False
        try:
            refuse_tiled(panel.document.dataset, [operation])  # told now, not at save
            panel.apply(operation)
        except ViewerError as exc:
            show_error(self._window, "Cannot apply", str(exc))
            return False
        edits = panel.document.edits
        if isinstance(edits, StreamedEdits) and len(edits.operations) == 1:
            self._window.statusBar().showMessage(
                "This file does not fit in memory: each frame is edited as it is shown or saved", 10000
            )
        return True

    def undo(self) -> None:
        panel = self._window.current_panel()
        if panel is not None and (op := panel.view.undo()) is not None:
            self._window.statusBar().showMessage(f"Undid {op.describe()}", 4000)

    def redo(self) -> None:
        panel = self._window.current_panel()
        if panel is not None and (op := panel.view.redo()) is not None:
            self._window.statusBar().showMessage(f"Redid {op.describe()}", 4000)

    def on_edits_changed(self, panel: DocumentPanel) -> None:
        title = panel.title + (" *" if panel.is_dirty else "")
        self._window.workspace.set_title(panel, title, str(panel.saved_as or panel.document.path))
        if panel is self._window.current_panel():
            self._window.setWindowTitle(f"{panel.title} — DICOM Viewer")
            self._window.tag_dock.refresh_pending()  # the pending view follows the edits
        self.update_actions()
        edits = panel.document.edits
        try:
            if panel.is_dirty and edits is not None:
                self._window.recovery.save(panel.document.path, edits.operations)
            else:
                self._window.recovery.discard(panel.document.path)
        except OSError as exc:  # recovery is a safety net; never block editing over it
            self._window.statusBar().showMessage(f"Could not autosave the edit recipe: {exc}", 8000)

    def recover_pending(self) -> int:
        """Offer to replay edits a crash left unsaved; returns how many were restored."""
        restored = 0
        for pending in self._window.recovery.pending():
            question = (
                f"{pending.source.name} has {len(pending.operations)} unsaved edit(s) from a previous "
                "session. Restore them?"
            )
            if not pending.source.exists() or not ask_yes_no(self._window, "Recover edits", question):
                pending.recipe_path.unlink(missing_ok=True)
                continue
            panels = self._window.open_paths([pending.source])
            if not panels:
                continue
            for operation in pending.operations:
                if not self.apply_operation(operation):
                    break
            restored += 1
        return restored

    def update_actions(self) -> None:
        panel = self._window.current_panel()
        edits = session(panel.document) if panel else None
        self.undo_action.setEnabled(bool(edits and edits.history.can_undo()))
        self.redo_action.setEnabled(bool(edits and edits.history.can_redo()))
        self.export_recipe_action.setEnabled(bool(edits and edits.operations))

    def bin_dialog(self) -> None:
        text = ask_text(self._window, "Bin", "Downsample by an integer factor (mean of N x N blocks):", "2")
        if text is None:
            return
        try:
            factor = int(text)
        except ValueError:
            show_error(self._window, "Cannot apply", f"bin factor '{text}' is not a whole number")
            return
        self.apply_operation(Bin(factor))

    def pad_dialog(self) -> None:
        text = ask_text(
            self._window,
            "Pad canvas",
            "Margins in pixels and the fill value:  LEFT TOP RIGHT BOTTOM VALUE",
            "16 16 16 16 0",
        )
        if text is None:
            return
        try:
            left, top, right, bottom, value = (float(v) for v in text.replace(",", " ").split())
            operation = Pad(left, top, right, bottom, value)  # type: ignore[arg-type]  # validated: whole numbers
        except (ValueError, ViewerError) as exc:
            show_error(self._window, "Cannot apply", f"'{text}' is not LEFT TOP RIGHT BOTTOM VALUE: {exc}")
            return
        self.apply_operation(operation)

    def delete_current_frame(self) -> None:
        panel = self._window.current_panel()
        if panel is not None:
            self.apply_operation(DeleteFrames(str(panel.view.frame + 1)))

    def frames_dialog(self, kind: type[DeleteFrames] | type[KeepFrames]) -> None:
        panel = self._window.current_panel()
        if panel is None:
            return
        verb = "delete" if kind is DeleteFrames else "keep"
        text = ask_text(
            self._window, f"{verb.title()} frames", f"Frames to {verb} (1-{panel.view.frame_count}, e.g. 1,3,5-7):", ""
        )
        if text:
            self.apply_operation(kind(text))

    def export_recipe_dialog(self) -> None:

        panel = self._window.current_panel()
        if panel is None or panel.document.edits is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self._window,
            "Export recipe",
            str(Path(self._window.settings.last_folder()) / "recipe.json"),
            "Recipe (*.json)",
        )
        if path:
            self.export_recipe(path)

    def export_recipe(self, path: str | Path) -> None:
        """Write the current document's edits as a recipe `dicom-viewer edit --recipe` replays."""
        from viewer.edits.recipe import recipe_json
        from viewer.io.atomic import atomic_write

        panel = self._window.current_panel()
        if panel is None or panel.document.edits is None:
            return
        try:
            with atomic_write(Path(path)) as f:
                f.write(recipe_json(panel.document.edits.operations).encode())
        except OSError as exc:
            show_error(self._window, "Cannot export recipe", f"{path}: {exc.strerror or exc}")

    def batch_dialog(self) -> None:
        """Choose a recipe (or use this document's edits), an input and an output folder."""
        panel = self._window.current_panel()
        start = self._window.settings.last_folder()
        recipe, _ = QFileDialog.getOpenFileName(
            self._window, "Recipe to apply (cancel: this document's edits)", start, "Recipe (*.json)"
        )
        if recipe:
            try:
                operations = load_recipe(recipe)
            except ViewerError as exc:
                show_error(self._window, "Cannot read recipe", str(exc))
                return
        elif panel is not None and panel.document.edits is not None and panel.document.edits.operations:
            operations = list(panel.document.edits.operations)
        else:
            return
        source = QFileDialog.getExistingDirectory(self._window, "Folder to edit", start)
        target = QFileDialog.getExistingDirectory(self._window, "Folder for the edited copies", start) if source else ""
        if source and target:
            self.batch_edit(Path(source), Path(target), operations)

    def _in_background(self, title: str, label: str, work: Callable[[Progress], T], cancelled: str) -> T | None:
        """Run `work` off the GUI thread with progress and Cancel; None (after telling the
        person) when it was cancelled or failed."""
        from viewer.ui.background import run_with_progress

        try:
            return run_with_progress(self._window, label, work)
        except Cancelled:
            show_info(self._window, title, cancelled)
        except ViewerError as exc:
            show_error(self._window, title, str(exc))
        return None

    def _saved(self, panel: DocumentPanel) -> None:
        panel.mark_saved()
        self.on_edits_changed(panel)

    def batch_edit(self, source: Path, target: Path, operations: list[Operation]) -> BatchResult | None:
        """Edit every file of `source` into `target` off the GUI thread, with progress and Cancel."""
        result = self._in_background(
            "Batch edit",
            f"Editing {source.name}…",
            lambda progress: edit_folder(source, target, operations, "keep", progress, workers=None),  # a local pool
            "Cancelled; files already saved stay, none is half-written",
        )
        if result is None:
            return None
        details = "\n".join(f"{relative}: {message}" for relative, message in result.failures)
        show_info(self._window, "Batch edit", result.summary(), details)
        return result

    def save_as_dialog(self, panel: DocumentPanel | None = None) -> bool:
        """Ask where to save `panel` (the current one by default) and save it; True if saved."""
        panel = panel or self._window.current_panel()
        if panel is None:
            return False
        if panel.document.frame_paths is not None:  # a series opened from a folder
            folder = QFileDialog.getExistingDirectory(
                self._window, "Save the edited series into a folder", self._window.settings.last_folder()
            )
            return bool(folder) and self.save_series(panel, Path(folder))
        suggestion = str(panel.document.path.with_name(panel.document.path.stem + "_edited.dcm"))
        path = ask_save_path(self._window, suggestion, DICOM_FILTER)
        return path is not None and self.save_document(panel, Path(path), confirm=True)

    def save_document(self, panel: DocumentPanel, target: Path, confirm: bool = True, syntax: str = "keep") -> bool:
        """Commit and save `panel`'s document to `target`, after showing what changes."""
        from viewer.io.commit import DamagedInputError, commit
        from viewer.io.save import save, syntax_changes
        from viewer.ui.save_dialog import SaveDialog

        allow_damaged = False
        try:
            try:
                preview = commit(panel.document)
            except DamagedInputError as exc:
                question = f"{exc}.\n\nSave anyway? The damage is recorded in the copy's Derivation Description."
                if not ask_yes_no(self._window, "Damaged input", question):
                    return False
                allow_damaged = True
                preview = commit(panel.document, allow_damaged=True)
        except ViewerError as exc:
            show_error(self._window, "Cannot save", str(exc))
            return False
        if confirm:
            changes_for = lambda choice: syntax_changes(panel.document, preview, choice)  # noqa: E731
            dialog = SaveDialog(str(target), preview, self._window, changes_for)
            if not dialog.exec():
                return False
            syntax = dialog.chosen_syntax()
        overwrite = target.exists() and target.resolve() == panel.document.path.resolve()
        report = self._in_background(
            "Cannot save",
            f"Saving {target.name}…",
            lambda progress: save(
                panel.document,
                target,
                syntax,
                overwrite_source=overwrite,
                progress=progress,
                committed=preview,
                allow_damaged=allow_damaged,
            ),
            f"Save cancelled; {target.name} was not written",
        )
        if report is None:
            return False
        self._window.statusBar().showMessage(f"Saved {report.path} ({report.transfer_syntax.name})", 8000)
        panel.saved_as = Path(report.path)
        self._saved(panel)
        return True

    def save_series(self, panel: DocumentPanel, folder: Path) -> bool:
        """Write an edited folder series as one file per frame into `folder` (new series UID)."""
        from viewer.io.series import save_series

        reports = self._in_background(
            "Save series",
            f"Saving the series into {folder.name}…",
            lambda progress: save_series(panel.document, folder, "keep", progress),
            "Cancelled; the files already written are complete",
        )
        if reports is None:
            return False
        warnings = sorted({w for report in reports for w in report.warnings})
        show_info(self._window, "Save series", f"Saved {len(reports)} files into {folder}", "\n".join(warnings))
        self._saved(panel)
        return True

    def preferences_dialog(self) -> None:
        from viewer.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self._window)
        if run_dialog(dialog, "preferences"):
            dialog.store(self._window)
