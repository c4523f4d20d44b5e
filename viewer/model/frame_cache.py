"""Decoded frames kept in memory, least recently used first out, bounded in bytes.

A compressed frame costs milliseconds to decode (JPEG-LS 512 x 512 ~4 ms, JPEG 2000
~26 ms here, a 2048 x 2048 JPEG 2000 frame ~0.4 s); cine loops and scrubbing back and
forth show the same frames again. One cache, shared by every open document so that a
layout of several series stays within one budget, keeps what was decoded until the
budget is full (DECODED_BYTES: 512 MiB, at most an eighth of the machine's memory).
Frames that are a copy of bytes in the file (uncompressed) are cheaper to read again than
to keep: their documents keep a small cache of their own.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import OrderedDict
from typing import Any

import numpy.typing as npt


def _default_budget() -> int:
    try:
        physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        physical = 4 * 2**30
    return min(512 * 2**20, physical // 8)


#: Bytes of decoded frames kept for all open documents together.
DECODED_BYTES = _default_budget()

_owners = itertools.count()


class FrameCache:
    """Read-only frames by (owner, index); thread-safe (decoder threads put, the GUI gets)."""

    def __init__(self, budget_bytes: int) -> None:
        self.budget_bytes = budget_bytes
        self._frames: OrderedDict[tuple[int, int], npt.NDArray[Any]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @staticmethod
    def new_owner() -> int:
        """A key for one document's frames (never reused, unlike id())."""
        return next(_owners)

    @property
    def used_bytes(self) -> int:
        return self._bytes

    def get(self, owner: int, index: int) -> npt.NDArray[Any] | None:
        with self._lock:
            frame = self._frames.get((owner, index))
            if frame is not None:
                self._frames.move_to_end((owner, index))
            return frame

    def contains(self, owner: int, index: int) -> bool:
        with self._lock:
            return (owner, index) in self._frames

    def put(self, owner: int, index: int, frame: npt.NDArray[Any]) -> None:
        """Keep `frame`; the least recently used go until the rest fits the budget (the
        newest always stays, however big: it is the one being shown)."""
        key = (owner, index)
        with self._lock:
            old = self._frames.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._frames[key] = frame
            self._bytes += frame.nbytes
            while self._bytes > self.budget_bytes and len(self._frames) > 1:
                _, dropped = self._frames.popitem(last=False)
                self._bytes -= dropped.nbytes

    def forget(self, owner: int) -> None:
        """Drop every frame of `owner` (its document was closed)."""
        with self._lock:
            for key in [key for key in self._frames if key[0] == owner]:
                self._bytes -= self._frames.pop(key).nbytes


#: The cache of frames that took a decode, for every document in this process.
DECODED = FrameCache(DECODED_BYTES)
