"""Where encapsulated Pixel Data lies in the file: one walk of its item headers at opening
says what is missing (a truncated file) and, when every frame is one fragment (as many
fragments as frames: no other grouping is possible), where each frame is.

A frame found that way is read with one positioned read (4 system calls a frame with the
file's change check, where pydicom's get_frame made 14 reading the offset table and item
headers again). Without an offset table pydicom walks the items for every frame: 6 ms a
frame of a 2000-frame RLE file here, 0.04 ms so. Other layouts stay pydicom's.
"""

from __future__ import annotations

import os
import struct
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ITEM = (0xFFFE, 0xE000)
SEQUENCE_DELIMITER = (0xFFFE, 0xE0DD)


@dataclass(frozen=True)
class FrameSpans:
    """Start and length in the file of each frame (one fragment each)."""

    starts: array[int]
    lengths: array[int]

    def read(self, path: Path, index: int) -> bytes | None:
        """Frame `index`'s bytes, or None when the file no longer holds them all."""
        start, length = self.starts[index], self.lengths[index]
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0))
        try:
            if hasattr(os, "pread"):
                data = os.pread(fd, length, start)
            else:  # pragma: no cover (Windows)
                os.lseek(fd, start, os.SEEK_SET)
                data = os.read(fd, length)
        finally:
            os.close(fd)
        return data if len(data) == length else None


@dataclass(frozen=True)
class FragmentWalk:
    damage: str  # what is missing, in words ("" when the data is whole)
    whole: int  # fragments wholly in the file when damaged (-1 when whole)
    spans: FrameSpans | None  # where each frame is, when each frame is one fragment


def walk_fragments(path: Path, offset: int, options: dict[str, Any]) -> FragmentWalk:
    """Walk the item headers of the encapsulated Pixel Data starting at `offset`. Damage is
    "" when the walk reaches the sequence delimiter (or meets something it does not know:
    pydicom judges); the spans are kept only then, and only as many as there are frames."""
    size = path.stat().st_size
    frames = int(options.get("number_of_frames", 1) or 1)
    starts, lengths = array("q"), array("q")
    fragments = -1  # the first item is the Basic Offset Table
    position = offset
    cut_inside = False
    with path.open("rb") as f:
        while True:
            f.seek(position)
            header = f.read(8)
            if len(header) < 8:
                cut_inside = len(header) > 0
                break
            group, element, length = struct.unpack("<HHI", header)
            if (group, element) != ITEM:
                one_each = (group, element) == SEQUENCE_DELIMITER and fragments == frames
                return FragmentWalk("", -1, FrameSpans(starts, lengths) if one_each else None)
            if position + 8 + length > size:
                cut_inside = True
                break
            if 0 <= fragments < frames:
                starts.append(position + 8)
                lengths.append(length)
            fragments += 1
            position += 8 + length
    whole = max(fragments, 0)
    if frames > 1 and whole < frames:
        return FragmentWalk(f"Pixel Data is truncated: the file ends after {whole} of {frames} frames", whole, None)
    if cut_inside:
        return FragmentWalk(f"Pixel Data is truncated: the file ends inside fragment {whole + 1}", whole, None)
    return FragmentWalk("Pixel Data is truncated: the file ends without the end of the encapsulated data", whole, None)
