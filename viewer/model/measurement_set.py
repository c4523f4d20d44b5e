"""The shapes a person has drawn on a document, and where they are after its edits.

A shape is kept as drawn: on the frame and pixel grid in force at the time (after the
first `drawn_after` edit operations). Where it is shown now follows the operations that
came after it, each moving its points as it moves pixels (``Operation.point``), so crop,
flip, rotate, bin and pad carry shapes along, frame deletion drops shapes on deleted
frames, and undoing the edits a shape was drawn on hides it until they are redone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from viewer.model.geometry import FrameGeometry
from viewer.model.shapes import Shape, moved


@dataclass(frozen=True)
class PlacedShape:
    shape: Shape
    frame: int  # 0-based, on the grid it was drawn on
    drawn_after: int  # edit operations in effect when drawn


@dataclass(frozen=True)
class Grid:
    rows: int
    columns: int
    frames: int


def _after(op: Any, grid: Grid) -> Grid:
    geometry = op.geometry(FrameGeometry(grid.rows, grid.columns))
    kept = op.kept_frames(grid.frames)
    return Grid(geometry.rows, geometry.columns, grid.frames if kept is None else len(kept))


def follow(placed: PlacedShape, operations: list[Any], start: Grid) -> tuple[int, Shape] | None:
    """(frame, shape) of `placed` now, or None when its frame was removed or the edits it
    was drawn on are undone."""
    if placed.drawn_after > len(operations):
        return None
    grid = start
    for op in operations[: placed.drawn_after]:
        grid = _after(op, grid)
    frame, shape = placed.frame, placed.shape
    for op in operations[placed.drawn_after :]:
        kept = op.kept_frames(grid.frames)
        if kept is not None:
            if frame not in kept:
                return None
            frame = kept.index(frame)
        rows, columns = grid.rows, grid.columns

        def point(x: float, y: float, op: Any = op, rows: int = rows, columns: int = columns) -> tuple[float, float]:
            row, column = op.point(y, x, rows, columns)
            return column, row

        shape = moved(shape, point, op.scale, op.quarter_turns % 2 == 1)
        grid = _after(op, grid)
    return frame, shape


@dataclass
class MeasurementSet:
    """Every shape drawn on one document, in the order drawn."""

    placed: list[PlacedShape] = field(default_factory=list)
    version: int = 0  # bumped on every change; views compare it to redraw

    def add(self, shape: Shape, frame: int, operations: int) -> int:
        shape.check()
        self.placed.append(PlacedShape(shape, frame, operations))
        self.version += 1
        return len(self.placed) - 1

    def replace(self, index: int, shape: Shape, frame: int, operations: int) -> None:
        """The shape moved or resized by hand, now on the grid of `operations` edits."""
        shape.check()
        self.placed[index] = PlacedShape(shape, frame, operations)
        self.version += 1

    def remove(self, index: int) -> None:
        del self.placed[index]
        self.version += 1

    def shown(self, operations: list[Any], start: Grid) -> list[tuple[int, int, Shape]]:
        """(index, frame, shape) of every shape that exists on the image as it is now."""
        out = []
        for index, placed in enumerate(self.placed):
            where = follow(placed, operations, start)
            if where is not None:
                out.append((index, *where))
        return out
