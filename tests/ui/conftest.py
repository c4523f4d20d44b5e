"""The `window` fixture: a real main window with private settings, recovery folder
and recorded dialogs."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.io.recovery import RecoveryStore
from viewer.ui.dialogs import set_answer, set_dialog_hook
from viewer.ui.main_window import MainWindow
from viewer.ui.settings import Settings


@pytest.fixture(autouse=True)
def _garbage_collected_in_the_gui_thread(qapp):
    """As the application does (viewer.ui.app.collect_garbage_in_gui_thread): a worker
    thread must never be the one that frees a Qt object."""
    import gc

    from viewer.ui.app import collect_garbage_in_gui_thread

    collector = collect_garbage_in_gui_thread()
    yield
    collector.timer.stop()  # type: ignore[attr-defined]
    gc.collect()
    gc.freeze()  # what survived is not scanned again: the next collection costs only what is new
    gc.enable()


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
