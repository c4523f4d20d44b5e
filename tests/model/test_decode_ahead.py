"""Decode-ahead sized from the measured decode time (viewer.model.decode_ahead)."""

from __future__ import annotations

import pytest

from viewer.model.decode_ahead import MAX_AHEAD, MIN_AHEAD, DecodeTimes, frames_ahead

MB = 2**20


@pytest.mark.parametrize(
    ("decode_ms", "threads", "frame_bytes", "expected"),
    [
        (None, 2, MB // 2, MIN_AHEAD),  # nothing measured yet
        (0.5, 2, MB // 2, MIN_AHEAD),  # RLE: a few in flight keep pace
        (5.0, 2, MB // 2, MIN_AHEAD),  # JPEG-LS: too
        (35.0, 2, MB // 2, 6),  # JPEG 2000: 2 threads x ceil(35 / 16)
        (70.0, 2, MB // 2, 10),
        (200.0, 2, MB // 2, MAX_AHEAD),  # capped by count
        (70.0, 2, 8 * MB, 8),  # 8 MB frames: 64 MB ahead at most
        (70.0, 2, 40 * MB, 1),  # a 40 MB frame: one ahead (at least one)
        (None, 2, 32 * MB, 2),  # before any decode time too
    ],
)
def test_frames_ahead(decode_ms, threads: int, frame_bytes: int, expected: int) -> None:
    assert frames_ahead(decode_ms, threads, frame_bytes) == expected


def test_decode_times_follow_recent_frames() -> None:
    times = DecodeTimes(weight=0.5)
    assert times.mean_ms is None
    times.add(40.0)  # a slow first frame (imports, caches)
    for _ in range(10):
        times.add(4.0)
    assert times.mean_ms == pytest.approx(4.0, abs=0.05)
