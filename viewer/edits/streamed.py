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

import threading
from collections.abc import Callable, Iterable, Iterator
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
from viewer.model.errors import ViewerError
from viewer.model.overlays import Overlay, follow_operations
from viewer.model.pixels import PixelDescription, describe_frames
from viewer.model.segments import SegmentSet
from viewer.model.shutters import Shutter
from viewer.model.shutters import follow_operations as follow_shutter

Pixels = npt.NDArray[Any]
#: A source frame's extremes, and its edited frame's (extremes, type, shape; None if removed).
_Extremes = tuple[Any, Any, tuple[Any, Any, np.dtype[Any], tuple[int, ...]] | None]


def needs_all_frames(operations: list[Operation]) -> list[str]:
    """Names of the operations that cannot be applied one frame at a time."""
    return [op.name for op in operations if not (op.frame_wise or op.selects_frames or isinstance(op, Invert))]


def can_stream(operations: list[Operation]) -> bool:
    """True when every operation can be applied one frame at a time."""
    return not needs_all_frames(operations)


@dataclass
class _Stage:
    """One operation as frames meet it: the working frame number of each source frame at
    that point (for operations on one frame), and whether the rescale was reset before."""

    op: Operation
    position: dict[int, int]
    reset_before: bool
    geometric_before: bool
    invert_range: tuple[Any, Any] | None = None


class _OperationHistory:
    """Undo and redo of streamed edits: nothing but the operations is kept (every frame
    is computed again from the file), so any number of steps costs no memory."""

    def __init__(self, edits: StreamedEdits) -> None:
        self._edits = edits
        self.budget_bytes = 0  # nothing held: the budget never drops a step

    def can_undo(self) -> bool:
        return bool(self._edits.operations)

    def can_redo(self) -> bool:
        return bool(self._edits.redo_stack)


class StreamedEdits:
    """The edited frames of `document` under `operations`, computed frame by frame.

    Also an edit session for the GUI when a file does not fit in memory: `apply` checks
    the new step on one frame before taking it; undo and redo move operations; a few
    computed frames are cached for the view.
    """

    in_memory = False
    CACHE_FRAMES = 4

    def __init__(self, document: Document, operations: list[Operation], workers: int = 1) -> None:
        self.workers = workers  # > 1: a native save computes the frames on worker processes
        self._document = document
        self._source = document.source_pixels
        self.segments = SegmentSet()
        self.redo_stack: list[Operation] = []
        self.history = _OperationHistory(self)
        self.generation = 0
        self._cache: dict[int, Pixels] = {}
        self._lock = threading.Lock()
        self._plan(list(operations))

    def _plan(self, operations: list[Operation]) -> None:
        """Stages for `operations` (frame numbers and specs checked, no pixel work)."""
        if not can_stream(operations):
            raise ViewerError(f"{', '.join(needs_all_frames(operations))} needs every frame at once")
        stages: list[_Stage] = []
        current = list(range(self._source.frames))
        reset = geometric = False
        for op in operations:
            if op.selects_frames:
                kept = op.kept_frames(len(current)) or list(range(len(current)))
                current = [current[i] for i in kept]
            else:
                op.target_frames(len(current))
                stages.append(_Stage(op, {s: i for i, s in enumerate(current)}, reset, geometric))
                reset = reset or op.resets_modality(len(current))
            geometric = geometric or op.geometric
        with self._lock:
            self.operations, self._stages, self.source_frames, self.modality_reset = operations, stages, current, reset
            self._output_of = {source_index: index for index, source_index in enumerate(current)}
            self._summary: FrameSummary | None = None
            self._overlays: list[Overlay] | None = None
            self._shutter: tuple[Shutter | None] | None = None
            self._cache.clear()
            self.generation += 1

    # -- an edit session (the GUI's, for files larger than memory) ----------------------
    def apply(self, operation: Operation) -> None:
        """Take one more step; refused (nothing changes) if it fails on a frame it touches."""
        before = self.operations
        self._plan([*before, operation])
        frame = getattr(operation, "frame", None)
        try:
            self.frame(0 if frame is None or operation.selects_frames else frame - 1)
        except BaseException:
            self._plan(before)
            raise
        self.redo_stack.clear()

    def undo(self) -> Operation | None:
        if not self.operations:
            return None
        operation = self.operations[-1]
        self._plan(self.operations[:-1])
        self.redo_stack.append(operation)
        return operation

    def redo(self) -> Operation | None:
        if not self.redo_stack:
            return None
        operation = self.redo_stack.pop()
        self._plan([*self.operations, operation])
        return operation

    @property
    def has_segment_work(self) -> bool:
        return False  # mask steps need every frame at once

    # -- the EditedPixels interface the model and the commit read ------------------------
    @property
    def is_edited(self) -> bool:
        return any(op.changes_pixels for op in self.operations)

    @property
    def description(self) -> PixelDescription:
        """From the first frame (the pass over every frame is left to a save)."""
        first = self.frame(0)
        return describe_frames((len(self.source_frames), *first.shape), first.dtype, 0, self._source)

    @property
    def quarter_turns(self) -> int:
        return sum(op.quarter_turns for op in self.operations)

    @property
    def overlays(self) -> list[Overlay]:
        """The source's overlays moved with the pixels (one list per edit: views key on it)."""
        if self._overlays is None:
            self._overlays = follow_operations(self._document.source.overlays, self.operations, self._source.frames)
        return self._overlays

    @property
    def shutter(self) -> Shutter | None:
        if self._shutter is None:
            source = self._source
            self._shutter = (
                follow_shutter(self._document.source.shutter, self.operations, source.rows, source.columns),
            )
        return self._shutter[0]

    def modality_for(self, index: int) -> ModalityTransform:
        return IDENTITY if self.modality_reset else self._document.source.modality_for(self.source_frames[index])

    def attributes_for(self, index: int) -> Dataset:
        return self._document.source_attributes(self.source_frames[index])

    def is_cached(self, index: int) -> bool:
        return index in self._cache

    # -- frames ------------------------------------------------------------------------
    def frame(self, index: int) -> Pixels:
        """Output frame `index` (0-based), computed from its source frame (read-only)."""
        with self._lock:
            cached = self._cache.get(index)
            generation, source_index, stages = self.generation, self.source_frames[index], len(self._stages)
        if cached is not None:
            return cached
        frame = self._through(source_index, stages)
        frame.flags.writeable = False
        with self._lock:  # the view's decode threads ask too; a frame of older edits is not kept
            if generation == self.generation:
                if len(self._cache) >= self.CACHE_FRAMES:
                    self._cache.pop(next(iter(self._cache)))
                self._cache[index] = frame
        return frame

    def frames(self, measure: bool = False) -> Iterator[Pixels]:
        """Every output frame in order, computed here: sending frames back from worker
        processes cost more than computing them (1000 frames of 512 x 512: 1.7 s vs 0.8 s).

        With `measure` (and no summary yet), each frame's extremes and its source frame's
        are noted as it passes, so that once every frame was taken `summary()` needs no
        pass of its own: a save that writes the frames before it knows their extremes
        finds them in the same pass (the frames the edits removed are read at the end)."""
        if not measure or self._summary is not None:
            yield from map(self.frame, range(len(self.source_frames)))
            return
        seen = []
        for source_index in self.source_frames:
            edited, extremes = self.measured(source_index)
            assert edited is not None  # an output frame
            seen.append(extremes)
            yield edited
        self._summary_from(seen)

    def blocks(self, dtype: np.dtype[Any], shape: tuple[int, ...]) -> Iterator[tuple[int, Pixels]]:
        """(first frame, consecutive output frames in `dtype`) in order, computed on the
        worker processes (viewer.edits.stream_workers), each block valid until the next is
        asked for; measured as `frames(measure=True)` measures."""
        from viewer.edits.stream_workers import blocks_on_workers

        seen = []
        computed = blocks_on_workers(
            self._document.path, self.operations, self.source_frames, dtype, shape, self.workers
        )
        for start, block, extremes in computed:
            seen += extremes
            yield start, block
        if self._summary is None:
            self._summary_from(seen)

    def _summary_from(self, seen: list[_Extremes]) -> None:
        """The summary, from the measured output frames and the source frames removed."""
        self._summary = self._summarise([*seen, *map(self.extremes_of, self._removed())])

    def _removed(self) -> list[int]:
        """Source frames the edits leave out (their extremes count as the source's)."""
        kept = set(self.source_frames)
        return [s for s in range(self._source.frames) if s not in kept]

    def _through(self, source_index: int, stages: int, original: Pixels | None = None) -> Pixels:
        """Source frame `source_index` after the first `stages` operations."""
        if original is None:
            original = self._document.source_frame(source_index)
        pixels = original[np.newaxis]
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
            low, high = self._invert_range(stage)  # in the type of all frames (another may be wider)
            return invert(pixels.astype(np.result_type(pixels.dtype, low.dtype), copy=False), low, high)
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
        """Each output frame's extremes for the commit, and the source's before the edit
        (as WorkingPixels keeps them): measured by a save that wrote every frame, else one
        pass over every source frame here (the Save As preview). Frames are not kept.
        (Threads were slower than one: 1.45 vs 0.92 s a pass of 1000 frames.)"""
        if self._summary is None:
            self._summary = self._pass(progress)
        return self._summary

    @property
    def has_summary(self) -> bool:
        return self._summary is not None

    def estimated_summary(self, samples: int = 8) -> FrameSummary:
        """The summary as `samples` evenly spaced output frames (first and last among them)
        show it, every frame given their extremes: what a save commits the header against
        when it measures the frames as it writes them (`frames(measure=True)`)."""
        count = len(self.source_frames)
        picked = sorted({round(i * (count - 1) / max(samples - 1, 1)) for i in range(samples)})
        estimate = self._summarise([self.extremes_of(self.source_frames[i]) for i in picked])
        mins = np.full(count, estimate.mins.min(), dtype=estimate.dtype)
        maxs = np.full(count, estimate.maxs.max(), dtype=estimate.dtype)
        return replace(estimate, mins=mins, maxs=maxs)

    def _pass(self, progress: Callable[[int, int], None] | None) -> FrameSummary:
        order = [*self.source_frames, *self._removed()]  # outputs first, in order
        results: Iterable[_Extremes] = map(self.extremes_of, order)
        if progress:
            results = _reporting(results, len(order), progress)
        return self._summarise(results)

    def _summarise(self, results: Iterable[_Extremes]) -> FrameSummary:
        """The summary of `extremes_of` results, the output frames' first and in order."""
        mins, maxs, dtypes, shapes, lows, highs = [], [], set(), set(), [], []
        for low, high, edited in results:
            if low is not None:
                lows.append(low)
                highs.append(high)
            if edited is not None:
                mins.append(edited[0])
                maxs.append(edited[1])
                dtypes.add(edited[2])
                shapes.add(edited[3])
        if len(shapes) != 1:
            raise ValueError(f"the edited frames came out in {len(shapes)} shapes")
        extremes = (float(min(lows)), float(max(highs))) if lows else None
        dtype = np.result_type(*dtypes)
        arrays = np.array(mins, dtype=dtype), np.array(maxs, dtype=dtype)
        return FrameSummary(len(self.source_frames), shapes.pop(), dtype, *arrays, extremes)

    def extremes_of(self, source_index: int) -> _Extremes:
        """Source frame `source_index`'s extremes (None for colour), and its edited frame's
        (extremes, type, shape; None if the frame was removed)."""
        return self.measured(source_index)[1]

    def measured(self, source_index: int) -> tuple[Pixels | None, _Extremes]:
        """Source frame `source_index`'s edited frame (None if removed; not cached) and
        `extremes_of` it."""
        original = self._document.source_frame(source_index)
        low, high = (None, None) if self._source.is_color else (original.min(), original.max())
        if source_index not in self._output_of:
            return None, (low, high, None)
        edited = self._through(source_index, len(self._stages), original)
        return edited, (low, high, (edited.min(), edited.max(), edited.dtype, edited.shape))


def _reporting(results: Iterable[_Extremes], total: int, progress: Callable[[int, int], None]) -> Iterator[_Extremes]:
    for n, result in enumerate(results):
        progress(n, total)  # may raise Cancelled
        yield result
