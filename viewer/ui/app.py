"""Start the GUI: QApplication, a global exception hook, the main window."""

from __future__ import annotations

import gc
import logging
import os
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

log = logging.getLogger("dicom-viewer")


def sample_path() -> Path:
    """A sample image from pydicom's bundled test files (CT_small.dcm)."""
    from pydicom.data import get_testdata_file

    return Path(str(get_testdata_file("CT_small.dcm")))


def install_exception_hook(parent_getter: Callable[[], QWidget | None]) -> None:
    """Log any uncaught exception and show it as a dialog; the program keeps running."""
    from viewer.ui.dialogs import show_error

    def hook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("uncaught exception\n%s", details)
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        try:
            show_error(parent_getter(), "Unexpected error", f"{kind.__name__}: {value}", details)
        except Exception:
            if sys.__stderr__ is not None:
                sys.__stderr__.write(details)

    sys.excepthook = hook


def collect_garbage_in_gui_thread() -> object:
    """Turn Python's automatic cyclic collection off and collect on a GUI-thread timer.

    The collector runs in whichever thread allocates; when that is a worker (thumbnails,
    transfers, saves) and it frees a Qt object of a closed dialog, Qt's destructor takes a
    Qt lock and waits for the GIL while the GUI thread holds the GIL and waits for that
    lock: a deadlock (seen in the test suite). pyqtgraph's GarbageCollector does exactly
    this; keep the returned object alive for as long as the application runs.
    """
    from pyqtgraph.util.garbage_collector import GarbageCollector

    return GarbageCollector(interval=1.0)


def run_gui(argv: Sequence[str]) -> int:
    """Open the main window on `argv` paths (files or folders), or on a sample image."""
    warnings.simplefilter("ignore")  # pydicom's warnings become document notes instead
    logging.basicConfig(level=logging.WARNING)
    from PySide6.QtWidgets import QApplication

    from viewer.ui.first_frame import show_first_frame
    from viewer.ui.settings import Settings

    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("dicom-viewer")
    app.setOrganizationName("dicom-viewer")
    # Start-up benchmark probe: "1" exits once an image is painted, "window" once the main
    # window is (tests/bench/bench_view.py prints both).
    probe = os.environ.get("DICOM_VIEWER_EXIT_AFTER_FIRST_PAINT", "")
    first = show_first_frame(argv, Settings().geometry())  # before the main window's imports
    if first is not None and probe == "1":
        print("painted", flush=True)
        return 0
    from viewer.ui.main_window import MainWindow

    collector = collect_garbage_in_gui_thread()  # noqa: F841 (alive while the app runs)
    window = MainWindow()
    install_exception_hook(lambda: window)
    window.show()
    window.open_paths(list(argv) if argv else [sample_path()], already_open=[first.document] if first else [])
    if first is not None:
        first.close()
    window.edits.recover_pending()
    if probe:
        window.repaint()
        print("painted", flush=True)
        return 0
    from PySide6.QtCore import QTimer

    QTimer.singleShot(FREEZE_AFTER_MS, freeze_start_up_objects)
    return app.exec()


#: Once the first window has shown its file, what is alive then is kept for good.
FREEZE_AFTER_MS = 1000


def freeze_start_up_objects() -> None:
    """Collect once, then leave what survives (modules, classes, the window) out of later
    collections (gc.freeze): a full collection walked ~97,000 objects in ~38 ms, a hitch
    in scrubbing or a drag every couple of minutes; afterwards it walks only what came
    since. Objects made later are collected as before (documents closed, dialogs)."""
    gc.collect()
    gc.freeze()
