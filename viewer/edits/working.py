"""The working pixels of a document under edit: the array, the operations, undo/redo.

The array is always (frames, rows, columns[, samples]) and owned here (one writable
copy); views get read-only frames. One-frame edits change the array in place and keep
only the changed box for undo; whole-array edits replace the array and keep the old one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from viewer.edits.history import DEFAULT_BUDGET_BYTES, History, Snapshot, Step
from viewer.edits.operation import EditContext, Operation
from viewer.model.display import ModalityTransform
from viewer.model.errors import ViewerError
from viewer.model.overlays import Overlay, follow_operations
from viewer.model.pixels import PixelDescription, describe_array
from viewer.model.segments import SegmentSet
from viewer.model.shutters import Shutter
from viewer.model.shutters import follow_operations as follow_shutter

Pixels = npt.NDArray[Any]
IDENTITY = ModalityTransform()  # after a full binarize: one object, so its display tables are kept


@dataclass
class FrameSummary:
    """What a commit needs of the edited frames without holding them: their count and
    shape, the type an array of all of them has, each frame's extremes, and the stored
    extremes of the source before any edit (a kept window is checked against them)."""

    frames: int
    frame_shape: tuple[int, ...]
    dtype: np.dtype[Any]
    mins: Pixels
    maxs: Pixels
    source_extremes: tuple[float, float] | None


class WorkingPixels:
    """Edited pixels plus everything needed to commit them or go back."""

    in_memory = True  # every frame is in `pixels` (viewer.edits.streamed computes them instead)

    def __init__(
        self,
        pixels: Pixels,
        bits_stored: int,
        signed: bool,
        is_color: bool,
        source_modality: Callable[[int], ModalityTransform],
        source_frame: Callable[[int], Pixels],
        budget_bytes: int = DEFAULT_BUDGET_BYTES,
        copy: bool = True,
        source_description: PixelDescription | None = None,
        source_attributes: Callable[[int], Dataset] | None = None,
        source_overlays: Callable[[], list[Overlay]] | None = None,
        source_shutter: Callable[[], Shutter | None] | None = None,
        source_dataset: Callable[[], Dataset] | None = None,
    ) -> None:
        # copy=False hands over a freshly decoded array (no second copy of a big stack)
        self.pixels = np.array(pixels, copy=True, order="C") if copy else np.ascontiguousarray(pixels)
        self.bits_stored = bits_stored
        self.signed = signed
        self.is_color = is_color
        self.source_frames = list(range(len(self.pixels)))  # working frame -> original frame
        # stored extremes before any edit: a save warns when a kept window stops covering them
        self.source_extremes: tuple[float, float] | None = None
        if not is_color and self.pixels.size:
            self.source_extremes = (float(self.pixels.min()), float(self.pixels.max()))
        self.modality_reset = False
        self.operations: list[Operation] = []
        self.history = History(budget_bytes)
        self._source_modality = source_modality
        self._source_frame = source_frame
        self._source_description = source_description
        self._source_attributes = source_attributes
        self._source_overlays = source_overlays
        self._source_shutter = source_shutter
        self._source_dataset = source_dataset
        self._shutter: tuple[int, Shutter | None] | None = None  # (generation, shutter)
        self._overlays: tuple[int, list[Overlay]] | None = None  # (generation, overlays)
        self.generation = 0  # bumped on every change; views compare it to refresh
        self.segments = SegmentSet()  # masks drawn beside the pixels (mask steps), same grid

    # -- state ----------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        return {
            "source_frames": list(self.source_frames),
            "modality_reset": self.modality_reset,
            "segments": self.segments,
        }

    def modality_for(self, index: int) -> ModalityTransform:
        """Modality transform of working frame `index` (identity after a full binarize)."""
        if self.modality_reset:
            return IDENTITY
        return self._source_modality(self.source_frames[index])

    def context(self) -> EditContext:
        return EditContext(
            bits_stored=self.bits_stored,
            signed=self.signed,
            is_color=self.is_color,
            modality_for=self.modality_for,
            original_frame=lambda i: self._source_frame(self.source_frames[i]),
            segments=self.segments,
            source_dataset=self._source_dataset,
            geometric=any(op.geometric for op in self.operations),
        )

    def summary(self) -> FrameSummary:
        flat = self.pixels.reshape(len(self.pixels), -1)
        return FrameSummary(
            len(self.pixels),
            self.pixels.shape[1:],
            self.pixels.dtype,
            flat.min(axis=1),
            flat.max(axis=1),
            self.source_extremes,
        )

    def frame(self, index: int) -> Pixels:
        """A read-only view of working frame `index`."""
        view = self.pixels[index]
        view.flags.writeable = False
        return view

    @property
    def is_edited(self) -> bool:
        """True when the pixels differ from the file's (mask steps alone do not count)."""
        return any(op.changes_pixels for op in self.operations)

    @property
    def has_segment_work(self) -> bool:
        """Segments were drawn (saved as a DICOM SEG, not with the pixels)."""
        return len(self.segments) > 0

    # -- the shown-frames interface (viewer.model.frames.FrameSet) -----------------------
    @property
    def description(self) -> PixelDescription:
        """The edited array's pixel description (type and shape from the array)."""
        if self._source_description is None:
            raise ViewerError("this edit session was made without its source's description")
        return describe_array(self.pixels, self._source_description)

    @property
    def quarter_turns(self) -> int:
        return sum(op.quarter_turns for op in self.operations)

    @property
    def shutter(self) -> Shutter | None:
        """The source's display shutter with its points moved by every operation."""
        if self._source_shutter is None or self._source_description is None:
            return None
        if self._shutter is None or self._shutter[0] != self.generation:
            d = self._source_description
            self._shutter = (
                self.generation,
                follow_shutter(self._source_shutter(), self.operations, d.rows, d.columns),
            )
        return self._shutter[1]

    @property
    def overlays(self) -> list[Overlay]:
        """The source's overlays moved, cut and binned with the pixels by every operation."""
        if self._source_overlays is None or self._source_description is None:
            return []
        if self._overlays is None or self._overlays[0] != self.generation:
            moved = follow_operations(self._source_overlays(), self.operations, self._source_description.frames)
            self._overlays = (self.generation, moved)
        return self._overlays[1]

    def is_cached(self, index: int) -> bool:
        return True  # every working frame is in memory

    def attributes_for(self, index: int) -> Dataset:
        """Attributes of the source frame that working frame `index` came from."""
        if self._source_attributes is None:
            raise ViewerError("this edit session was made without its source's attributes")
        return self._source_attributes(self.source_frames[index])

    # -- applying -------------------------------------------------------------------
    def apply(self, operation: Operation) -> None:
        """Apply `operation`, record it for undo and in the recipe. Raises ViewerError."""
        snapshot = self._execute(operation)
        self.history.push(Step(operation, snapshot))
        self.operations.append(operation)
        self.generation += 1

    def _execute(self, operation: Operation) -> Snapshot:
        if not operation.changes_pixels:
            return self._execute_on_segments(operation)
        frame = getattr(operation, "frame", None)
        whole = (
            operation.geometric
            or operation.resets_modality(len(self.pixels))
            or operation.reads_segments
            or operation.reads_all_frames
        )
        if frame is not None and not whole:
            return self._execute_on_frame(operation, frame - 1)
        before, state = self.pixels, self._state()
        result = operation.apply(self.pixels, self.context())
        if operation.geometric and len(self.segments):
            self.segments = self.segments.after(operation)  # masks move with the pixels
            state["segment_bytes"] = sum(s.nbytes for s in state["segments"].segments)
        kept = operation.kept_frames(len(before))
        if kept is not None:
            self.source_frames = [self.source_frames[i] for i in kept]
        if operation.resets_modality(len(before)):
            self.modality_reset = True
        self.pixels = np.ascontiguousarray(result)
        return Snapshot(None, None, before, state)

    def _execute_on_segments(self, operation: Operation) -> Snapshot:
        """A mask step: a new segment set; undo keeps the old one (the frames it replaced)."""
        state = self._state()
        new = operation.apply_mask(self.segments, self.pixels, self.context())  # type: ignore[attr-defined]
        state["segment_bytes"] = self.segments.freed_by(new)
        self.segments = new
        return Snapshot(0, (0, 0, 0, 0), self.pixels[0, 0:0, 0:0].copy(), state)

    def _execute_on_frame(self, operation: Operation, index: int) -> Snapshot:
        """Run a one-frame edit on a one-frame view and keep only the changed box."""
        if not 0 <= index < len(self.pixels):
            raise ViewerError(f"frame {index + 1} is outside 1..{len(self.pixels)}")
        ctx = self.context()
        ctx.modality_for = lambda _k: self.modality_for(index)
        ctx.original_frame = lambda _k: self._source_frame(self.source_frames[index])
        ctx.frame_count = len(self.pixels)
        single = replace(operation, frame=1)  # type: ignore[call-arg]  # every kind here has a frame field
        old = self.pixels[index]
        new = single.apply(self.pixels[index : index + 1], ctx)[0]
        state = self._state()
        if new.dtype != self.pixels.dtype:  # widened: keep the whole old array
            before = self.pixels
            self.pixels = before.astype(np.promote_types(before.dtype, new.dtype))
            self.pixels[index] = new
            return Snapshot(None, None, before, state)
        changed = new != old
        if changed.ndim == 3:
            changed = changed.any(axis=2)
        rows, columns = np.nonzero(changed)
        if rows.size == 0:
            return Snapshot(index, (0, 0, 0, 0), old[0:0, 0:0].copy(), state)
        box = (int(rows.min()), int(rows.max()) + 1, int(columns.min()), int(columns.max()) + 1)
        r0, r1, c0, c1 = box
        saved = old[r0:r1, c0:c1].copy()
        self.pixels[index, r0:r1, c0:c1] = new[r0:r1, c0:c1]
        return Snapshot(index, box, saved, state)

    # -- undo / redo ----------------------------------------------------------------
    def undo(self) -> Operation | None:
        """Undo the newest step; returns its operation (None if nothing to undo)."""
        if not self.history.can_undo():
            return None
        step = self.history.pop_undo()
        snap = step.before
        if snap.frame is None:
            self.pixels = snap.values
        elif snap.box is not None and snap.values.size:
            r0, r1, c0, c1 = snap.box
            self.pixels[snap.frame, r0:r1, c0:c1] = snap.values
        self.source_frames = list(snap.state["source_frames"])
        self.modality_reset = snap.state["modality_reset"]
        self.segments = snap.state["segments"]
        self.operations.pop()
        self.generation += 1
        return step.operation

    def redo(self) -> Operation | None:
        """Re-apply the newest undone step; returns its operation (None if none)."""
        if not self.history.can_redo():
            return None
        step = self.history.pop_redo()
        step.before = self._execute(step.operation)
        self.operations.append(step.operation)
        self.generation += 1
        return step.operation
