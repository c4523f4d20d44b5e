"""Run a long call off the GUI thread with a progress dialog; return its result."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")
SHOW_AFTER_MS = 500


def run_with_progress(parent: QWidget | None, label: str, work: Callable[[], T]) -> T:
    """Call `work()` on a worker thread; the GUI stays responsive and shows a busy dialog
    when it takes longer than half a second. Exceptions propagate to the caller."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="long-task") as pool:
        future = pool.submit(work)
        dialog = QProgressDialog(label, "", 0, 0, parent)
        dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        loop = QEventLoop()
        timer = QTimer()
        timer.setInterval(20)
        timer.timeout.connect(lambda: loop.quit() if future.done() else None)
        timer.start()
        if not future.done():
            loop.exec()
        timer.stop()
        dialog.close()
        return future.result()
