"""Decoding one document's frames off the GUI thread, in this order of need: the frame a
person asks for (only the latest: stale requests are dropped), the next frames the way
they move (decode-ahead, sized from the measured decode time: viewer.model.decode_ahead),
and, once the person first moves through the frames, the rest of the file while the
decoder threads would otherwise be idle (preloading), so that cine and scrubbing find the
frames of a compressed file decoded, as radiology viewers load a series into memory.
Opening a file decodes its first frame and the next few ahead (../shared/DESIGN.md:
opening a 1000-frame file must not decode 1000 frames), and a file only glanced at costs
nothing more. Preloading runs only for files whose decoded frames fit in half the shared
budget (viewer.model.frame_cache), unedited.

Preloading has threads of its own, at a lower priority than the GUI thread and the
threads that decode what a person asks for (Linux: a nice value per thread; a thread can
lower its priority but not raise it back), one frame per thread in flight: dragging a
window while a JPEG-LS file preloaded ran at 206-253 events/s, 128-216 with preloading at
equal priority (223-303 without preloading; runs minutes apart on this 2-core machine).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy.typing as npt
from PySide6.QtCore import QObject, QTimer, Signal

from viewer.model import frame_cache
from viewer.model.decode_ahead import DecodeTimes, frames_ahead
from viewer.model.document import Document
from viewer.model.errors import ViewerError

#: Decoder threads: reading and native decoding overlap with painting; codecs that keep
#: the GIL (openjpeg) are sent to worker processes instead (viewer.model.parallel).
DECODE_THREADS = 2
#: How much less the preloading threads count than the others (nice values: 0 to 19).
DECODER_NICENESS = 5


def _below_the_gui() -> None:
    """Runs first on each preloading thread: lower its own priority (where the OS allows)."""
    try:
        thread = threading.get_native_id()
        own = os.getpriority(os.PRIO_PROCESS, thread)  # as the thread that made it
        os.setpriority(os.PRIO_PROCESS, thread, min(19, own + DECODER_NICENESS))
    except (AttributeError, OSError):
        pass


class FrameDecoding(QObject):
    """The decoder threads of one document and what they are asked to do."""

    decoded = Signal(int, str)  # on the GUI thread: index, error ("" if none)
    _done = Signal(int, str)  # from a decoder thread

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._executor = ThreadPoolExecutor(DECODE_THREADS, "decode")
        self._background = ThreadPoolExecutor(DECODE_THREADS, "preload", initializer=_below_the_gui)
        self.pending: set[int] = set()  # frames submitted to the decoder threads
        self._preloading_now: set[int] = set()  # of them, those submitted to preload
        self._request: int | None = None  # the one on-demand decode in flight (stale ones wait)
        self._preloading: Iterator[int] | None = None  # the frames left to preload
        self._preloaded = False  # preloading was started (once per document)
        self.times = DecodeTimes()  # of this document's frames, on the decoder threads
        self._done.connect(self._on_done)

    def request(self, index: int) -> None:
        """Decode frame `index` now; if a request is in flight, its end asks again for the
        frame wanted then (`decoded` is emitted, the view re-checks)."""
        if index in self.pending or self._request is not None:
            return
        self._request = index
        self._submit(index)

    def ahead(self, frame: int, ahead: int | None = None, step: int = 1, wrap: bool = True) -> None:
        """Decode `ahead` frames after `frame` (default: as many as the measured decode time
        calls for), every `step`-th, past the last frame to the first only with `wrap`.
        Nothing for frames read directly (a copy): the GUI thread reads one faster than a
        thread hands it over, and reading threads took the GIL from painting (cine through
        100 uncompressed 512 x 512 frames: 410/s with them, 571/s reading as shown)."""
        if self.document.reads_directly:
            return
        count = self.document.frame_count
        if ahead is None:
            ahead = frames_ahead(self.times.mean_ms, DECODE_THREADS, self.document.pixels.frame_bytes)
        for k in range(1, ahead + 1):
            index = frame + k * step
            if not wrap and not 0 <= index < count:
                break
            index %= count
            if index not in self.pending and not self.document.is_cached(index):
                self._submit(index)

    def preload(self, frame: int, step: int = 1) -> None:
        """Decode the whole file from `frame` on, `step` the way (wrapping), while idle;
        only the first call does anything."""
        if self._preloaded:
            return
        self._preloaded = True
        count = self.document.frame_count
        self._preloading = ((frame + k * step) % count for k in range(1, count))
        QTimer.singleShot(0, self._preload_more)

    @property
    def preloads(self) -> bool:
        """Whether preloading is worth it for this document now (see the module docstring)."""
        document = self.document
        return (
            self._preloading is not None
            and document.edits is None
            and not document.reads_directly
            and document.pixels.frames * document.pixels.frame_bytes <= frame_cache.DECODED.budget_bytes // 2
        )

    def _preload_more(self) -> None:
        if not self.preloads:
            self._preloading = None
            return
        remaining, cached = self._preloading, self.document.is_cached
        assert remaining is not None
        while len(self._preloading_now) < DECODE_THREADS:
            index = next((i for i in remaining if i not in self.pending and not cached(i)), None)
            if index is None:
                self._preloading = None
                return
            self._preloading_now.add(index)
            self._submit(index, self._background)

    def _submit(self, index: int, pool: ThreadPoolExecutor | None = None) -> None:
        """Decode frame `index` on `pool` (the decoder threads by default), or in a worker
        process for a codec that keeps the GIL."""
        self.pending.add(index)
        if self.document.decodes_in_processes:
            from viewer.model.parallel import shared_decoder

            document = self.document
            future = shared_decoder().submit(document.path, str(document.transfer_syntax), index)
            future.add_done_callback(partial(self._process_done, index))
        else:
            (pool or self._executor).submit(self._decode_in_worker, index)

    def _process_done(self, index: int, future: Future[npt.NDArray[Any]]) -> None:
        """Runs on the pool's thread: cache the frame, tell the GUI thread."""
        try:
            self.document.accept_decoded(index, future.result())
            self._done.emit(index, "")
        except Exception:
            # A worker could not do it (or the pool broke): decode here instead.
            self._executor.submit(self._decode_in_worker, index)

    def _decode_in_worker(self, index: int) -> None:
        try:
            started = time.perf_counter()
            self.document.get_frame(index)
            self.times.add(1000 * (time.perf_counter() - started))
            self._done.emit(index, "")
        except ViewerError as exc:
            self._done.emit(index, str(exc))
        except Exception as exc:  # keep the worker alive; report as one line
            self._done.emit(index, f"{type(exc).__name__}: {exc}")

    def _on_done(self, index: int, error: str) -> None:
        self.pending.discard(index)
        self._preloading_now.discard(index)
        if index == self._request:
            self._request = None
        self.decoded.emit(index, error)
        if self._preloading is not None:
            self._preload_more()

    def close(self) -> None:
        self._preloading = None
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._background.shutdown(wait=False, cancel_futures=True)
