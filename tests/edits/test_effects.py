"""Each operation's whole effect on small synthetic arrays: pixels, geometry, overlay, frames.

The geometry test is one rule for every geometric operation: apply the operation to an
image whose pixels are their own (row, column) in the old grid; the new geometry must put
each new pixel where the old geometry put the old pixel it came from (for bin: the centre
of its block).
"""

from __future__ import annotations

import numpy as np
import pytest

from viewer.edits.binning import bin_planes
from viewer.edits.operation import EditContext
from viewer.edits.operations import (
    OPERATIONS,
    Bin,
    Crop,
    DeleteFrames,
    FillInside,
    Flip,
    Invert,
    KeepFrames,
    Pad,
    Rotate,
)
from viewer.edits.pad import pad
from viewer.model.display import ModalityTransform
from viewer.model.errors import ViewerError
from viewer.model.geometry import FrameGeometry

ROWS, COLUMNS = 6, 8


def _context(slope: float = 1.0, intercept: float = 0.0) -> EditContext:
    modality = ModalityTransform(slope, intercept)
    return EditContext(bits_stored=16, signed=True, is_color=False, modality_for=lambda i: modality)


def _oblique() -> FrameGeometry:
    """An oblique frame with unequal spacings: every mistake in a direction shows."""
    row_direction = np.array([0.6, 0.8, 0.0])
    column_direction = np.array([0.0, 0.0, -1.0])
    return FrameGeometry(ROWS, COLUMNS, np.array([10.0, -20.0, 30.0]), row_direction, column_direction, 0.7, 1.3)


GEOMETRIC = [
    Crop(2, 1, 4, 3),
    Flip("h"),
    Flip("v"),
    Rotate(90),
    Rotate(180),
    Rotate(270),
    Bin(2),
    Bin(3),
    Pad(2, 1, 3, 4, 0),
]


@pytest.mark.parametrize("operation", GEOMETRIC, ids=lambda op: op.describe())
def test_geometry_follows_the_pixels(operation) -> None:
    before = _oblique()
    rows, columns = np.mgrid[0:ROWS, 0:COLUMNS].astype(np.float64)
    moved = [
        operation.apply(grid[np.newaxis], _context())[0]
        if not isinstance(operation, Pad)
        else pad(grid[np.newaxis], operation.left, operation.top, operation.right, operation.bottom, np.nan)[0]
        for grid in (rows, columns)
    ]
    after = operation.geometry(before)
    assert (after.rows, after.columns) == moved[0].shape
    for r in range(after.rows):
        for c in range(after.columns):
            old_row, old_column = moved[0][r, c], moved[1][r, c]
            if np.isnan(old_row):  # a pad margin: the grid continues outside the old image
                old_row, old_column = r - operation.top, c - operation.left
            assert np.allclose(after.moved(r, c), before.moved(old_row, old_column)), (r, c)


def test_spacing_follows_bin_and_quarter_turns() -> None:
    before = _oblique()
    assert (Bin(2).geometry(before).row_spacing, Bin(2).geometry(before).column_spacing) == (1.4, 2.6)
    turned = Rotate(90).geometry(before)
    assert (turned.row_spacing, turned.column_spacing) == (1.3, 0.7)
    assert [op.quarter_turns for op in (Rotate(90), Rotate(180), Rotate(270), Flip("h"), Pad(1, 1, 1, 1, 0))] == [
        1,
        2,
        3,
        0,
        0,
    ]


@pytest.mark.parametrize("operation", [op for op in GEOMETRIC if not isinstance(op, Bin)], ids=lambda op: op.describe())
def test_overlay_moves_like_the_pixels(operation) -> None:
    """Crop, flip, rotate and pad treat an overlay plane exactly as they treat pixels."""
    planes = np.random.default_rng(1).random((2, ROWS, COLUMNS)) > 0.5
    pixels = planes.astype(np.int16)
    assert np.array_equal(operation.overlay(planes), operation.apply(pixels, _context()).astype(bool))


def test_bin_sets_an_overlay_pixel_where_any_source_pixel_is_set() -> None:
    planes = np.zeros((1, 4, 6), dtype=bool)
    planes[0, 1, 4] = True  # block (0, 2) of a 2 x 2 binning
    assert np.argwhere(Bin(2).overlay(planes)).tolist() == [[0, 0, 2]]
    assert bin_planes(np.ones((1, 5, 5), dtype=bool), 2).shape == (1, 2, 2)  # remainder dropped, as pixels


def test_frame_operations_select_frames_and_overlays() -> None:
    stack = np.arange(5)[:, None, None] * np.ones((5, 2, 2), dtype=np.int16)
    assert DeleteFrames("2,4").kept_frames(5) == [0, 2, 4] and KeepFrames("4-5").kept_frames(5) == [3, 4]
    assert DeleteFrames("2").selects_frames and not Crop(0, 0, 1, 1).selects_frames
    assert DeleteFrames("2,4").apply(stack, _context())[:, 0, 0].tolist() == [0, 2, 4]
    # overlays follow kept_frames (viewer.model.overlays); the planes themselves stay
    one = np.ones((1, 2, 2), dtype=bool)
    assert DeleteFrames("2").overlay(one) is one


def test_value_operations_leave_geometry_frames_and_overlays() -> None:
    geometry, planes = _oblique(), np.ones((1, 2, 2), dtype=bool)
    for op in (FillInside(0, 1, 5), Invert()):
        assert op.geometry(geometry) is geometry and op.overlay(planes) is planes and op.kept_frames(3) is None


def test_pad_fills_with_the_stored_value_of_a_modality_value() -> None:
    """Pad -1000 HU on a CT with intercept -1024 writes stored 24 around the old pixels."""
    pixels = np.full((1, 2, 3), 500, dtype=np.int16)
    out = Pad(1, 2, 3, 4, -1000).apply(pixels, _context(1.0, -1024.0))
    assert out.shape == (1, 2 + 2 + 4, 3 + 1 + 3)
    assert np.array_equal(out[0, 2:4, 1:4], pixels[0]) and out[0, 0, 0] == 24 and (out == 24).sum() == out.size - 6


def test_pad_widens_instead_of_wrapping_and_refuses_absurd_sizes() -> None:
    pixels = np.zeros((1, 2, 2), dtype=np.uint8)
    assert Pad(1, 1, 1, 1, 1000).apply(pixels, _context())[0, 0, 0] == 1000
    with pytest.raises(ViewerError, match="larger than 65535"):
        Pad(65535, 0, 0, 0, 0).apply(pixels, _context())
    with pytest.raises(ViewerError, match="field 'left'"):
        Pad(-1, 0, 0, 0, 0)


def test_every_operation_is_registered_under_its_recipe_name() -> None:
    assert all(cls.name == name for name, cls in OPERATIONS.items())
    assert "pad" in OPERATIONS


@pytest.mark.parametrize("operation", GEOMETRIC, ids=lambda op: op.describe())
def test_point_lands_where_the_pixel_lands(operation) -> None:
    """`point` (how shutters follow) agrees with `apply` for every pixel centre that survives."""
    for row in range(ROWS):
        for column in range(COLUMNS):
            pixels = np.zeros((1, ROWS, COLUMNS), dtype=np.int16)
            pixels[0, row, column] = 1000
            out = operation.apply(pixels, _context())[0]
            new_row, new_column = operation.point(row, column, ROWS, COLUMNS)
            if isinstance(operation, Bin):  # the block's mean holds it; its centre is an integer
                f = operation.factor
                block = (row // f, column // f)
                if block[0] < out.shape[0] and block[1] < out.shape[1]:
                    centre = operation.point(block[0] * f + (f - 1) / 2, block[1] * f + (f - 1) / 2, ROWS, COLUMNS)
                    assert centre == block and out[block] > 0
                    assert abs(new_row - block[0]) < 0.5 and abs(new_column - block[1]) < 0.5
                continue
            if 0 <= new_row < out.shape[0] and 0 <= new_column < out.shape[1]:
                assert out[int(new_row), int(new_column)] == 1000, (row, column)
            else:
                assert out.max() == 0  # cut away by a crop
