"""Edits computed one frame at a time, for files larger than memory.

A :class:`StreamedEdits` holds no pixel array: output frame j is source frame
``source_frames[j]`` run through every operation, computed when asked for. It is the
document's edit session for a save (``viewer.io.save`` streams its frames to the file),
so the commit sees the same operations, frame mapping and modality reset as it would of
:class:`~viewer.edits.working.WorkingPixels`, and the file is never held twice.

Only operations whose effect on a frame depends on that frame alone stream
(``Operation.frame_wise``), plus frame selection (a mapping) and invert, whose range over
all frames is found by one extra pass. Anything else needs every frame at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from viewer.edits.invert import Invert, invert
from viewer.edits.operation import EditContext, Operation
from viewer.edits.working import IDENTITY, FrameSummary
from viewer.model.display import ModalityTransform
from viewer.model.document import Document
from viewer.model.overlays import Overlay, follow_operations
from viewer.model.pixels import PixelDescription, describe_frames
from viewer.model.segments import SegmentSet
from viewer.model.shutters import Shutter
from viewer.model.shutters import follow_operations as follow_shutter

Pixels = npt.NDArray[Any]


def can_stream(operations: list[Operation]) -> bool:
    """True when every operation can be applied one frame at a time."""
    return all(op.frame_wise or op.selects_frames or isinstance(op, Invert) for op in operations)


@dataclass
class _Stage:
    """One operation as frames meet it: the working frame number of each source frame at
    that point (for operations on one frame), and whether the rescale was reset before."""

    op: Operation
    position: dict[int, int]
    reset_before: bool
    geometric_before: bool
    invert_range: tuple[Any, Any] | None = None


class StreamedEdits:
    """The edited frames of `document` under `operations`, computed frame by frame."""

    def __init__(self, document: Document, operations: list[Operation]) -> None:
        if not can_stream(operations):
            raise ValueError("these operations need every frame at once")
        self._document = document
        self._source = document.source_pixels
        self.operations: list[Operation] = list(operations)
        self.segments = SegmentSet()
        self.modality_reset = False
        self._stages: list[_Stage] = []
        current = list(range(self._source.frames))
        geometric = False
        for op in operations:  # frame numbers and specs checked here, before any pixel work
            if op.selects_frames:
                kept = op.kept_frames(len(current)) or list(range(len(current)))
                current = [current[i] for i in kept]
            else:
                op.target_frames(len(current))
                self._stages.append(_Stage(op, {s: i for i, s in enumerate(current)}, self.modality_reset, geometric))
                self.modality_reset = self.modality_reset or op.resets_modality(len(current))
            geometric = geometric or op.geometric
        self.source_frames = current
        self._summary: FrameSummary | None = None

    # -- the EditedPixels interface the model and the commit read ------------------------
    @property
    def is_edited(self) -> bool:
        return any(op.changes_pixels for op in self.operations)

    @property
    def description(self) -> PixelDescription:
        summary = self.summary()
        maximum = summary.maxs.max() if summary.frames else 0
        return describe_frames((summary.frames, *summary.frame_shape), summary.dtype, maximum, self._source)

    @property
    def quarter_turns(self) -> int:
        return sum(op.quarter_turns for op in self.operations)

    @property
    def overlays(self) -> list[Overlay]:
        return follow_operations(self._document.source.overlays, self.operations, self._source.frames)

    @property
    def shutter(self) -> Shutter | None:
        source = self._source
        return follow_shutter(self._document.source.shutter, self.operations, source.rows, source.columns)

    def modality_for(self, index: int) -> ModalityTransform:
        return IDENTITY if self.modality_reset else self._document.source.modality_for(self.source_frames[index])

    def attributes_for(self, index: int) -> Dataset:
        return self._document.source_attributes(self.source_frames[index])

    def is_cached(self, index: int) -> bool:
        return False

    # -- frames ------------------------------------------------------------------------
    def frame(self, index: int) -> Pixels:
        """Output frame `index` (0-based), computed from its source frame."""
        return self._through(self.source_frames[index], len(self._stages))

    def frames(self) -> Iterator[Pixels]:
        for index in range(len(self.source_frames)):
            yield self.frame(index)

    def _through(self, source_index: int, stages: int) -> Pixels:
        """Source frame `source_index` after the first `stages` operations."""
        pixels = self._document.source_frame(source_index)[np.newaxis]
        for stage in self._stages[:stages]:
            pixels = self._apply(stage, source_index, pixels)
        return np.ascontiguousarray(pixels[0])

    def _apply(self, stage: _Stage, source_index: int, pixels: Pixels) -> Pixels:
        op = stage.op
        frame = getattr(op, "frame", None)
        if source_index not in stage.position:
            raise AssertionError("a removed frame reached a later operation")
        if frame is not None and stage.position[source_index] != frame - 1:
            return pixels  # an operation on another frame
        if isinstance(op, Invert):
            low, high = self._invert_range(stage)
            return invert(pixels, low, high)
        if frame is not None:
            op = replace(op, frame=1)  # type: ignore[call-arg]  # this frame is the chunk's first
        return op.apply(pixels, self._context(stage, source_index))

    def _context(self, stage: _Stage, source_index: int) -> EditContext:
        source = self._source
        reset = stage.reset_before
        modality: Callable[[int], ModalityTransform] = (
            (lambda _k: IDENTITY) if reset else (lambda _k: self._document.source.modality_for(source_index))
        )
        return EditContext(
            bits_stored=source.bits_stored,
            signed=source.pixel_representation == 1,
            is_color=source.is_color,
            modality_for=modality,
            original_frame=lambda _k: self._document.source_frame(source_index),
            source_dataset=lambda: self._document.dataset,
            geometric=stage.geometric_before,
            frame_count=len(stage.position),
        )

    def _invert_range(self, stage: _Stage) -> tuple[Any, Any]:
        """Invert's range over every frame as they reach it: one pass through the stages
        before it (found once)."""
        if stage.invert_range is None:
            depth = self._stages.index(stage)
            lows, highs, dtypes = [], [], []
            for source_index in stage.position:
                pixels = self._through(source_index, depth)
                lows.append(pixels.min())
                highs.append(pixels.max())
                dtypes.append(pixels.dtype)
            dtype = np.result_type(*dtypes)
            stage.invert_range = (np.array(min(lows), dtype=dtype), np.array(max(highs), dtype=dtype))
        return stage.invert_range

    def summary(self, progress: Callable[[int, int], None] | None = None) -> FrameSummary:
        """One pass over every source frame: the extremes of each output frame (for the
        commit) and of the source before the edit (as WorkingPixels keeps them)."""
        if self._summary is None:
            count = len(self.source_frames)
            output_of = {source_index: index for index, source_index in enumerate(self.source_frames)}
            mins: list[Any] = [None] * count
            maxs: list[Any] = [None] * count
            dtypes, shapes = set(), set()
            low = high = None
            for n, source_index in enumerate(range(self._source.frames)):
                if progress:
                    progress(n, self._source.frames)  # may raise Cancelled
                if not self._source.is_color:
                    original = self._document.source_frame(source_index)
                    low = original.min() if low is None else min(low, original.min())
                    high = original.max() if high is None else max(high, original.max())
                index = output_of.get(source_index)
                if index is not None:
                    pixels = self.frame(index)
                    mins[index], maxs[index] = pixels.min(), pixels.max()
                    dtypes.add(pixels.dtype)
                    shapes.add(pixels.shape)
            if len(shapes) != 1:
                raise ValueError(f"the edited frames came out in {len(shapes)} shapes")
            extremes = None if low is None or high is None else (float(low), float(high))
            dtype = np.result_type(*dtypes)
            arrays = np.array(mins, dtype=dtype), np.array(maxs, dtype=dtype)
            self._summary = FrameSummary(count, shapes.pop(), dtype, *arrays, extremes)
        return self._summary

    @property
    def source_extremes(self) -> tuple[float, float] | None:
        return self.summary().source_extremes


class StreamedFrames:
    """The frames a save writes, each computed when asked for, in the stored type: what
    `CommitResult.pixels` holds for streamed edits instead of an array."""

    def __init__(self, edits: StreamedEdits, dtype: np.dtype[Any]) -> None:
        self.edits = edits
        self.dtype = dtype
        summary = edits.summary()
        self.shape = (summary.frames, *summary.frame_shape)
        self.digests: dict[int, bytes] = {}  # frame -> digest of what was written (for the read-back)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, index: int) -> Pixels:
        return np.ascontiguousarray(self.edits.frame(index).astype(self.dtype, copy=False))

    def __iter__(self) -> Iterator[Pixels]:
        for index in range(len(self)):
            yield self[index]

    @property
    def frame_bytes(self) -> int:
        return int(np.prod(self.shape[1:])) * self.dtype.itemsize

    @property
    def nbytes(self) -> int:
        return self.frame_bytes * len(self)
