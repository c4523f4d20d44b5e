"""Error dialogs: one line for the person, details on request."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

#: Tests replace this to record messages instead of opening modal dialogs.
_hook = None


def set_dialog_hook(hook) -> None:  # type: ignore[no-untyped-def]
    """Route error dialogs to `hook(title, message, details)` (None restores dialogs)."""
    global _hook
    _hook = hook


def show_error(parent: QWidget | None, title: str, message: str, details: str = "") -> None:
    """Show `message` (one line) with optional `details` behind a button."""
    if _hook is not None:
        _hook(title, message, details)
        return
    box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()
