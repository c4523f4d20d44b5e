"""Decode frames in worker processes, for codecs that hold the GIL.

pylibjpeg-openjpeg reads its input through Python callbacks and keeps the GIL for the
whole decode (28 ms for a 512x512 16-bit frame here; two threads take 28 ms a frame
too), so decoding ahead on threads cannot use the second core. Worker processes can.
Each worker keeps one frame reader per file and decodes straight from the file.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy.typing as npt

#: Transfer syntaxes whose decoders hold the GIL (JPEG 2000 and HTJ2K via openjpeg), unless
#: imagecodecs decodes the file (viewer.model.fast_decode).
GIL_BOUND = {
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.201",
    "1.2.840.10008.1.2.4.202",
    "1.2.840.10008.1.2.4.203",
}
WORKERS = 2

_readers: dict[tuple[str, str], Any] = {}  # in each worker process


def die_with_parent(parent_pid: int) -> None:
    """Worker initializer: the kernel kills this worker when its parent dies (Linux), so
    a killed save or viewer leaves no orphaned workers holding memory and its pipes."""
    import ctypes
    import os
    import signal

    try:
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:  # the parent died before prctl took effect
        os._exit(1)


def process_context() -> Any:
    """fork when this process has no other threads (the CLI): workers start in ~10 ms;
    spawn otherwise (the GUI: forking a threaded Qt process can deadlock the child)."""
    import sys
    import threading

    if threading.active_count() == 1 and "PySide6.QtCore" not in sys.modules:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def worker_pool(workers: int, context: Any) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process."""
    import os

    return ProcessPoolExecutor(workers, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),))


def _decode(path: str, syntax: str, index: int) -> npt.NDArray[Any]:
    from pydicom.uid import UID

    from viewer.model.readers import FileFrameReader

    key = (path, syntax)
    reader = _readers.get(key)
    if reader is None:
        reader = _readers[key] = FileFrameReader(Path(path), UID(syntax), [])
    return reader.read(index)


class ProcessDecoder:
    """A lazily started pool of decoder processes shared by all documents."""

    def __init__(self, workers: int = WORKERS) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    def submit(self, path: Path, syntax: str, index: int) -> Future[npt.NDArray[Any]]:
        if self._pool is None:
            # spawn, not fork: the parent may be a Qt process with threads
            self._pool = worker_pool(self.workers, multiprocessing.get_context("spawn"))
        return self._pool.submit(_decode, str(path), str(syntax), index)

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


_shared: ProcessDecoder | None = None


def shared_decoder() -> ProcessDecoder:
    """The process-wide decoder pool (started on first use)."""
    global _shared
    if _shared is None:
        _shared = ProcessDecoder()
    return _shared
