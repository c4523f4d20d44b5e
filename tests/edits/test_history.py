"""Undo/redo: bit-identical restores in any order, and bounded memory."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.corpus import corpus_file
from viewer.edits.operations import (
    Bin,
    Binarize,
    Crop,
    DeleteFrames,
    FillInside,
    FillOutside,
    Flip,
    FloodFill,
    Invert,
    Paint,
    Rotate,
)
from viewer.edits.session import begin_edit
from viewer.edits.working import WorkingPixels
from viewer.model.display import ModalityTransform
from viewer.model.document import open_document
from viewer.model.errors import ViewerError

OPERATIONS = st.sampled_from(
    [
        Crop(3, 5, 40, 30),
        Flip("h"),
        Rotate(90),
        Bin(2),
        FillOutside(100, 400, 0),
        FillInside(0, 200, 70000, frame=2),
        Binarize(150, 300),
        Invert(frame=1),
        DeleteFrames("2,4"),
        Paint(frame=1, points=[[5, 5], [20, 25]], radius=3, value=1234),
        Paint(frame=2, points=[[10, 10]], radius=5, erase=True),
        FloodFill(frame=1, row=2, column=2, tolerance=40, value=0),
    ]
)


@settings(max_examples=40, deadline=None)
@given(st.lists(OPERATIONS, min_size=1, max_size=6), st.integers(min_value=0, max_value=6))
def test_undo_restores_bit_identically(operations, undo_count) -> None:
    """Edits undone step by step give back each earlier array exactly; redo replays them."""
    document = open_document(corpus_file("emri_small.dcm"))
    work = begin_edit(document)
    states = [work.pixels.copy()]
    for op in operations:
        try:
            work.apply(op)
        except ViewerError:
            continue  # e.g. a frame that a delete removed: refused, the state is unchanged
        states.append(work.pixels.copy())
    final = states[-1]
    for _ in range(min(undo_count, len(states) - 1)):
        work.undo()
        states.pop()
        assert np.array_equal(work.pixels, states[-1]) and work.pixels.dtype == states[-1].dtype
    while work.undo() is not None:
        pass
    assert np.array_equal(work.pixels, states[0])
    while work.redo() is not None:
        pass
    assert np.array_equal(work.pixels, final) and work.pixels.dtype == final.dtype


def test_redo_replays_exactly() -> None:
    """Undo all then redo all gives the same array as doing them once."""
    document = open_document(corpus_file("emri_small.dcm"))
    work = begin_edit(document)
    for op in (Crop(4, 4, 50, 50), Paint(frame=3, points=[[9, 9], [30, 30]], radius=4, value=7), Rotate(270)):
        work.apply(op)
    done = work.pixels.copy()
    while work.undo():
        pass
    while work.redo():
        pass
    assert np.array_equal(work.pixels, done)


def test_hundred_brush_strokes_keep_history_small() -> None:
    """100 strokes on a 512x512x100 stack cost well under 50 MB of history."""
    rng = np.random.default_rng(0)
    stack = rng.integers(0, 4096, size=(100, 512, 512), dtype=np.uint16)
    work = WorkingPixels(stack, 12, False, False, lambda i: ModalityTransform(), lambda i: stack[i])
    for k in range(100):
        start = rng.uniform(20, 490, size=2)
        points = [list(start), list(start + rng.uniform(-20, 20, size=2))]
        work.apply(Paint(frame=k % 100 + 1, points=points, radius=8, value=4095))
    assert work.history.nbytes < 50 * 1024 * 1024
    print(f"history after 100 strokes: {work.history.nbytes / 1024:.0f} KiB")


def test_budget_drops_oldest_steps() -> None:
    """Past the budget the oldest steps are forgotten, newest still undoable."""
    stack = np.zeros((4, 256, 256), dtype=np.uint16)
    work = WorkingPixels(
        stack, 12, False, False, lambda i: ModalityTransform(), lambda i: stack[i], budget_bytes=1_200_000
    )
    for value in range(5):
        work.apply(FillOutside(-1, -1, value))  # whole-array step: 512 KiB each
    assert work.history.dropped >= 2
    assert work.undo() is not None and np.all(work.pixels == 3)
