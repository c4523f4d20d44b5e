"""Run a long call off the GUI thread with a progress dialog (and cancel); return its result."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

from viewer.model.progress import Progress

if TYPE_CHECKING:
    from viewer.model.document import Document
    from viewer.model.errors import ViewerError
    from viewer.model.folder import FolderScan, SeriesEntry

T = TypeVar("T")
SHOW_AFTER_MS = 500


def run_with_progress(parent: QWidget | None, label: str, work: Callable[[Progress], T], cancellable: bool = True) -> T:
    """Call `work(progress)` on a worker thread; the GUI stays responsive and shows a
    progress dialog when it takes longer than half a second. Cancel sets the flag that
    `progress(...)` turns into :class:`Cancelled` inside the work. Exceptions propagate."""
    progress = Progress()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="long-task") as pool:
        future = pool.submit(work, progress)
        dialog = QProgressDialog(label, "Cancel" if cancellable else "", 0, 0, parent)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(SHOW_AFTER_MS)
        dialog.canceled.connect(progress.cancel)
        loop = QEventLoop()

        def poll() -> None:
            if future.done():
                loop.quit()
            elif progress.total:
                dialog.setMaximum(progress.total)
                dialog.setValue(progress.done)

        timer = QTimer()
        timer.setInterval(20)
        timer.timeout.connect(poll)
        timer.start()
        if not future.done():
            loop.exec()
        timer.stop()
        dialog.close()
        return future.result()


def scan_folder_with_progress(
    parent: QWidget | None, folder: Path, found: Callable[[SeriesEntry], None] | None = None
) -> FolderScan | None:
    """The folder's series, read off the GUI thread with progress; None if cancelled.
    `found` is called (on the worker thread) with each series as its first file is read."""
    from viewer.model.folder import scan_folder
    from viewer.model.progress import Cancelled

    try:
        return run_with_progress(
            parent, f"Reading {folder.name}…", lambda progress: scan_folder(folder, progress, found)
        )
    except Cancelled:
        return None


def open_entries_with_progress(parent: QWidget | None, entries: list[SeriesEntry]) -> list[Document | ViewerError]:
    """Open scanned series off the GUI thread (reading every file's header takes ~1 ms a
    file), with progress; Cancel keeps those opened so far."""
    from viewer.model.folder import open_entries

    if len(entries) == 1:  # one series: no dialog, no thread hop
        return open_entries(entries)
    return run_with_progress(
        parent, f"Opening {len(entries)} series…", lambda progress: open_entries(entries, progress)
    )
