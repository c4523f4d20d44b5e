"""Segments being drawn: labelled boolean volumes beside the pixels, one bit a pixel.

A segment's mask is kept per frame as ``numpy.packbits`` rows (rows x ceil(columns / 8)
bytes); frames where nothing is set are not stored. A 16-bit image's mask thus costs at
most 1/16 of its pixel data. Segment sets are immutable: a change makes a new set that
shares every unchanged frame, so undo keeps the old set and costs only the frames a step
replaced. Masks follow geometric edits through the operations' own overlay hooks (the
same rule that moves overlay planes with the pixels).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from viewer.model.errors import ViewerError

Mask = npt.NDArray[np.bool_]
Packed = npt.NDArray[np.uint8]
Colour = tuple[int, int, int]
#: Display colours given to new segments in turn (distinct on gray images).
PALETTE: tuple[Colour, ...] = (
    (255, 64, 64),
    (64, 200, 64),
    (64, 128, 255),
    (255, 200, 0),
    (200, 64, 255),
    (0, 220, 220),
    (255, 128, 0),
    (255, 105, 180),
)
MAX_SEGMENTS = 255
MAX_LABEL = 64


class GridOperation(Protocol):
    """What an edit operation offers masks (see ``viewer.edits.operation``)."""

    def kept_frames(self, frame_count: int) -> list[int] | None: ...

    def overlay(self, planes: Mask) -> Mask: ...


@dataclass(frozen=True)
class Segment:
    """One labelled segment: its packed frames on a (frames, rows, columns) grid."""

    label: str
    colour: Colour
    shape: tuple[int, int, int]
    frames: dict[int, Packed] = field(default_factory=dict)  # 0-based frame -> packed rows
    category: str = "Tissue"  # segmented property category and type: SNOMED CT keywords
    kind: str = "Tissue"  # of pydicom's codes.SCT (DICOM CIDs 7150 / 7151)

    def frame(self, index: int) -> Mask:
        """The (rows, columns) mask of frame `index`."""
        _, rows, columns = self.shape
        packed = self.frames.get(index)
        if packed is None:
            return np.zeros((rows, columns), dtype=bool)
        return np.unpackbits(packed, axis=1, count=columns).astype(bool)

    def with_frame(self, index: int, mask: Mask) -> Segment:
        """This segment with frame `index` replaced by `mask` (a new segment; this one kept)."""
        if mask.shape != self.shape[1:]:
            raise ViewerError(f"a mask of {mask.shape} does not fit frames of {self.shape[1:]}")
        frames = dict(self.frames)
        if mask.any():
            frames[index] = np.packbits(mask, axis=1)
        else:
            frames.pop(index, None)
        return replace(self, frames=frames)

    def volume(self, indices: Iterable[int] | None = None) -> Mask:
        """The masks of `indices` (default every frame) stacked."""
        chosen = range(self.shape[0]) if indices is None else indices
        return np.stack([self.frame(i) for i in chosen])

    @property
    def count(self) -> int:
        """Pixels set, over every frame."""
        return int(sum(int(np.unpackbits(p).sum()) for p in self.frames.values()))

    @property
    def nbytes(self) -> int:
        return sum(int(p.nbytes) for p in self.frames.values())

    def after(self, op: GridOperation) -> Segment:
        """This segment after a geometric operation, frame by frame (peak: one frame)."""
        frame_count = self.shape[0]
        kept = op.kept_frames(frame_count)
        order = list(range(frame_count)) if kept is None else kept
        new_shape = op.overlay(np.zeros((1, *self.shape[1:]), dtype=bool)).shape[1:]
        frames: dict[int, Packed] = {}
        for new_index, old_index in enumerate(order):
            if old_index in self.frames:
                moved = op.overlay(self.frame(old_index)[None])[0]
                if moved.any():
                    frames[new_index] = np.packbits(moved, axis=1)
        return replace(self, shape=(len(order), *new_shape), frames=frames)


@dataclass(frozen=True)
class SegmentSet:
    """The segments of a document being edited (1-based numbers, as in DICOM SEG)."""

    segments: tuple[Segment, ...] = ()

    def __len__(self) -> int:
        return len(self.segments)

    def get(self, number: int) -> Segment:
        if not 1 <= number <= len(self.segments):
            raise ViewerError(f"there is no segment {number} (there are {len(self.segments)})")
        return self.segments[number - 1]

    def added(
        self,
        label: str,
        shape: tuple[int, int, int],
        category: str = "Tissue",
        kind: str = "Tissue",
        colour: Colour | None = None,
    ) -> SegmentSet:
        if len(self.segments) >= MAX_SEGMENTS:
            raise ViewerError(f"at most {MAX_SEGMENTS} segments")
        label = " ".join(label.split())[:MAX_LABEL] or f"Segment {len(self.segments) + 1}"
        colour = colour or PALETTE[len(self.segments) % len(PALETTE)]
        return SegmentSet((*self.segments, Segment(label, colour, shape, {}, category, kind)))

    def replaced(self, number: int, segment: Segment) -> SegmentSet:
        self.get(number)
        items = list(self.segments)
        items[number - 1] = segment
        return SegmentSet(tuple(items))

    def after(self, op: GridOperation) -> SegmentSet:
        return SegmentSet(tuple(s.after(op) for s in self.segments))

    def freed_by(self, newer: SegmentSet) -> int:
        """Bytes this set holds that `newer` does not share (what undo keeps alive)."""
        kept = {id(p) for s in newer.segments for p in s.frames.values()}
        return sum(int(p.nbytes) for s in self.segments for p in s.frames.values() if id(p) not in kept)

    def painted(self, frame: int) -> list[tuple[Colour, Mask]]:
        """(colour, mask) of every segment with pixels on `frame`, for drawing."""
        return [(s.colour, s.frame(frame)) for s in self.segments if frame in s.frames]

    def describe(self) -> list[dict[str, Any]]:
        return [{"label": s.label, "colour": s.colour, "pixels": s.count} for s in self.segments]
