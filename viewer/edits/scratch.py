"""Computed frames kept on disk instead of in memory: an unnamed temporary file (gone
when closed or when the process dies) that streamed edits fill once and a save reads
back, so no frame is computed twice and memory holds a few frames at most.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import numpy as np
import numpy.typing as npt

T = TypeVar("T")
R = TypeVar("R")
COPY_CHUNK = 64 * 2**20


class ScratchFrames:
    """Frames appended in order, each in its own type (little endian), read back by index."""

    def __init__(self, folder: Path | None = None) -> None:
        self._file = tempfile.TemporaryFile(dir=folder)
        self._fd = self._file.fileno()
        self._entries: list[tuple[int, np.dtype[Any], tuple[int, ...]]] = []
        self._end = 0

    def __len__(self) -> int:
        return len(self._entries)

    def append(self, frame: npt.NDArray[Any]) -> None:
        little = np.ascontiguousarray(frame, dtype=frame.dtype.newbyteorder("<"))
        data = little.data.cast("B")
        written = 0
        while written < len(data):
            written += os.pwrite(self._fd, data[written:], self._end + written)
        self._entries.append((self._end, little.dtype, little.shape))
        self._end += len(data)

    def read(self, index: int) -> npt.NDArray[Any]:
        offset, dtype, shape = self._entries[index]
        size = int(np.prod(shape)) * dtype.itemsize
        data = os.pread(self._fd, size, offset)
        if len(data) != size:
            raise OSError(f"the scratch file gave {len(data)} of {size} bytes of frame {index + 1}")
        return np.frombuffer(data, dtype=dtype).reshape(shape)

    def all_of_type(self, dtype: np.dtype[Any]) -> bool:
        """True when every frame is stored as `dtype` (little endian): copyable as bytes."""
        little = dtype.newbyteorder("<")
        return all(entry_dtype == little for _, entry_dtype, _ in self._entries)

    def copy_into(self, out: BinaryIO, progress: Callable[[int, int], None]) -> None:
        """Every frame's bytes appended to `out` by the kernel (copy_file_range), in chunks
        between which `progress` may raise Cancelled."""
        out.flush()
        fd, done = out.fileno(), 0
        while done < self._end:
            progress(done, self._end)
            count = min(COPY_CHUNK, self._end - done)
            try:
                copied = os.copy_file_range(self._fd, fd, count, done)
            except (AttributeError, OSError):  # an old kernel, another file system
                copied = os.write(fd, os.pread(self._fd, count, done))
            if copied <= 0:
                raise OSError("the scratch file ended early")
            done += copied
        out.seek(0, os.SEEK_END)  # the buffered writer learns where the kernel left the file

    def close(self) -> None:
        self._file.close()


def ordered_map(work: Callable[[T], R], items: Iterable[T], threads: int) -> Iterator[R]:
    """`map(work, items)` on `threads` threads, in order, with at most 2 x threads items in
    flight (numpy and file reads release the GIL, so frames are computed side by side)."""
    if threads <= 1:
        yield from map(work, items)
        return
    with ThreadPoolExecutor(threads) as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) >= 2 * threads:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
