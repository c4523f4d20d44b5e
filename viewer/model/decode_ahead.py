"""How far to decode ahead while a person moves through frames, from the measured decode
time: the decoder threads should have the next frames ready when they are asked for.

A person scrolling with the wheel or arrow keys asks for a frame every ~16 ms (60 events
a second). When a decode takes less than that, a few frames in flight keep pace, and
more only take the GIL and the cores from painting (RLE scrubbing fell from 171 to 130
frames/s with 12 ahead): MIN_AHEAD, the fixed number cine used before. When it takes
longer, threads x ceil(decode_ms / 16 ms) in flight keep every thread busy through the
interval (JPEG 2000, 35 ms: 6). Bounded by count and by memory. The direction is the way
the person last moved.
"""

from __future__ import annotations

import math

#: Milliseconds between frame requests of a person scrolling (60 per second).
REQUEST_INTERVAL_MS = 16.0
MIN_AHEAD, MAX_AHEAD = 4, 12
#: Decoded frames held ahead at most (bytes).
AHEAD_BYTES = 64 * 2**20


def frames_ahead(decode_ms: float | None, threads: int, frame_bytes: int) -> int:
    """Frames to decode ahead; MIN_AHEAD until a decode time is known (fewer for frames so
    big that MIN_AHEAD of them pass AHEAD_BYTES; at least one)."""
    by_memory = max(1, AHEAD_BYTES // max(frame_bytes, 1))
    if decode_ms is None or not decode_ms > 0:
        return min(MIN_AHEAD, by_memory)
    wanted = threads * math.ceil(decode_ms / REQUEST_INTERVAL_MS)
    return int(min(max(MIN_AHEAD, min(wanted, MAX_AHEAD)), by_memory))


class DecodeTimes:
    """A running mean of decode times (exponential, so a slow first frame fades)."""

    def __init__(self, weight: float = 0.2) -> None:
        self.mean_ms: float | None = None
        self._weight = weight

    def add(self, milliseconds: float) -> None:
        if self.mean_ms is None:
            self.mean_ms = milliseconds
        else:
            self.mean_ms += self._weight * (milliseconds - self.mean_ms)
