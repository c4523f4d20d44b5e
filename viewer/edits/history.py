"""Undo/redo with bounded memory.

Each step keeps what it needs to go back: the changed box of one frame for strokes and
one-frame edits, the whole previous array only for edits that change shape or touch
every frame. Redo re-applies the step's operation, which is deterministic, so "after"
values are never stored. When the total exceeds the budget the oldest steps go first.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy.typing as npt

from viewer.edits.operations import Operation

DEFAULT_BUDGET_BYTES = 1 << 30  # 1 GiB


@dataclass
class Snapshot:
    """What a step overwrote: a box of one frame, or the whole array and its state."""

    frame: int | None  # None: `values` is the whole previous array
    box: tuple[int, int, int, int] | None
    values: npt.NDArray[Any]
    state: dict[str, Any]  # working-state fields to restore (source frames, flags)

    @property
    def nbytes(self) -> int:
        """Pixels kept, plus segment frames only this step still holds."""
        return int(self.values.nbytes) + int(self.state.get("segment_bytes", 0))


@dataclass
class Step:
    operation: Operation
    before: Snapshot


class History:
    """Linear undo/redo stacks of :class:`Step` within a memory budget."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self.budget_bytes = budget_bytes
        self._undo: deque[Step] = deque()
        self._redo: list[Step] = []
        self.dropped = 0  # steps forgotten to stay within the budget

    @property
    def nbytes(self) -> int:
        return sum(s.before.nbytes for s in self._undo) + sum(s.before.nbytes for s in self._redo)

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def push(self, step: Step) -> None:
        self._undo.append(step)
        self._redo.clear()
        while self._undo and self.nbytes > self.budget_bytes:
            self._undo.popleft()
            self.dropped += 1

    def pop_undo(self) -> Step:
        step = self._undo.pop()
        self._redo.append(step)
        return step

    def pop_redo(self) -> Step:
        step = self._redo.pop()
        self._undo.append(step)
        return step

    def operations(self) -> list[Operation]:
        """Operations done and not undone, oldest first (dropped steps excluded)."""
        return [s.operation for s in self._undo]
