"""The `window` fixture: a real main window with private settings, recovery folder
and recorded dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.io.recovery import RecoveryStore
from viewer.ui.dialogs import set_answer, set_dialog_hook
from viewer.ui.main_window import MainWindow
from viewer.ui.settings import Settings


@pytest.fixture
def window(qtbot, tmp_path: Path):
    """A main window with settings in a temporary file and dialogs recorded."""
    from PySide6.QtCore import QSettings

    settings = Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    errors: list[tuple[str, str, str]] = []
    set_dialog_hook(lambda *args: errors.append(args))
    set_answer("yes_no", True)
    set_answer("save_discard", "discard")  # closing with unsaved edits must not wait for a person
    win = MainWindow(settings, recovery=RecoveryStore(tmp_path / "recovery"))
    win.errors = errors
    qtbot.addWidget(win)
    win.resize(1024, 768)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    set_dialog_hook(None)
    set_answer("yes_no", None)
    set_answer("save_path", None)
    set_answer("save_discard", "discard")  # pytest-qt closes the window again after this
