"""Error dialogs: one line for the person, details on request."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

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
    """Answer the next 'yes_no' or 'text' question with `value` (tests); None to clear."""
    if value is None:
        _answers.pop(kind, None)
    else:
        _answers[kind] = value


def ask_yes_no(parent: QWidget | None, title: str, question: str) -> bool:
    if "yes_no" in _answers:
        return bool(_answers["yes_no"])
    reply = QMessageBox.question(parent, title, question)
    return reply == QMessageBox.StandardButton.Yes


def ask_text(parent: QWidget | None, title: str, label: str, default: str) -> str | None:
    """A line of text from the person, or None when cancelled."""
    if "text" in _answers:
        return str(_answers["text"])
    from PySide6.QtWidgets import QInputDialog

    text, ok = QInputDialog.getText(parent, title, label, text=default)
    return text if ok else None
