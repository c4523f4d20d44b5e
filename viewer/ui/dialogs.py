"""Error dialogs: one line for the person, details on request."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

#: Tests replace this to record messages instead of opening modal dialogs.
_hook = None


def set_dialog_hook(hook: Callable[[str, str, str], None] | None) -> None:
    """Route error dialogs to `hook(title, message, details)` (None restores dialogs)."""
    global _hook
    _hook = hook


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> None:
    """Show `message` (one line) with optional `details` behind a button."""
    _show(parent, QMessageBox.Icon.Warning, title, message, details)


def show_info(parent: QWidget | None, title: str, message: str, details: str = "") -> None:
    """Like show_error, for results that are not errors (e.g. a batch summary)."""
    _show(parent, QMessageBox.Icon.Information, title, message, details)


def _show(parent: QWidget | None, icon: QMessageBox.Icon, title: str, message: str, details: str) -> None:
    if _hook is not None:
        _hook(title, message, details)
        return
    box = QMessageBox(icon, title, message, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()


#: Tests set these to answer questions without a person.
_answers: dict[str, object] = {}


def set_answer(kind: str, value: object) -> None:
    """Answer questions of `kind` ('yes_no', 'text', 'save_discard', 'save_path', or a form's
    kind for run_dialog) with `value` (tests); None to clear."""
    if value is None:
        _answers.pop(kind, None)
    else:
        _answers[kind] = value


def run_dialog(dialog: QDialog, kind: str) -> bool:
    """Show a modal form; True when accepted. Tests answer `kind` with a function that
    fills the form in (it is then accepted) or False (cancelled)."""
    if kind in _answers:
        answer = _answers[kind]
        if callable(answer):
            answer(dialog)
            return True
        return bool(answer)
    return dialog.exec() == QDialog.DialogCode.Accepted


def ask_yes_no(parent: QWidget | None, title: str, question: str) -> bool:
    if "yes_no" in _answers:
        return bool(_answers["yes_no"])
    reply = QMessageBox.question(parent, title, question)
    return reply == QMessageBox.StandardButton.Yes


def ask_save_discard_cancel(parent: QWidget | None, title: str, question: str) -> str:
    """ "save", "discard" or "cancel"; Save is the default button, Escape cancels."""
    if "save_discard" in _answers:
        return str(_answers["save_discard"])
    buttons = QMessageBox.StandardButton
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, question, buttons.Save | buttons.Discard | buttons.Cancel, parent
    )
    box.setDefaultButton(buttons.Save)
    box.setEscapeButton(buttons.Cancel)
    reply = box.exec()
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(buttons(reply), "cancel")


def ask_save_path(parent: QWidget | None, suggestion: str, file_filter: str) -> str | None:
    """A file name to save to, or None when cancelled."""
    if "save_path" in _answers:
        return str(_answers["save_path"]) or None
    from PySide6.QtWidgets import QFileDialog

    path, _ = QFileDialog.getSaveFileName(parent, "Save As", suggestion, file_filter)
    return path or None


def ask_save_beside(parent: QWidget | None, source: Path, suffix: str, file_filter: str) -> Path | None:
    """A file to save a companion of `source` to, suggested beside it as STEM + `suffix`."""
    path = ask_save_path(parent, str(source.with_name(source.stem + suffix)), file_filter)
    return Path(path) if path else None


def ask_text(parent: QWidget | None, title: str, label: str, default: str) -> str | None:
    """A line of text from the person, or None when cancelled."""
    if "text" in _answers:
        return str(_answers["text"])
    from PySide6.QtWidgets import QInputDialog

    text, ok = QInputDialog.getText(parent, title, label, text=default)
    return text if ok else None
