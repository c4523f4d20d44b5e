"""Slices nearest to a position and reference lines, against values worked out by hand
and against the planes' own equations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydicom.uid import generate_uid

from tests.stacks import write_stack
from viewer.model.cross_reference import Plane, SlicePositions, plane_of, reference_line, same_space
from viewer.model.document import open_series
from viewer.model.geometry import FrameGeometry


def _plane(position, row_dir, col_dir, rows=100, columns=100, spacing=(1.0, 1.0)) -> Plane:
    return Plane(
        FrameGeometry(
            rows, columns, np.array(position, float), np.array(row_dir, float), np.array(col_dir, float), *spacing
        )
    )


AXIAL_Z10 = _plane((0, 0, 10), (1, 0, 0), (0, 1, 0))


def test_axial_plane_cuts_a_coronal_image_along_one_row() -> None:
    """Coronal rows run from z=50 down (1 mm): z=10 is row 40, across the whole width."""
    coronal = _plane((0, 30, 50), (1, 0, 0), (0, 0, -1))
    (r0, c0), (r1, c1) = reference_line(AXIAL_Z10, coronal)
    assert r0 == pytest.approx(40) and r1 == pytest.approx(40)
    assert sorted((c0, c1)) == pytest.approx([-0.5, 99.5])


def test_the_line_stops_where_the_source_image_ends() -> None:
    """An axial image only 20 mm wide (x 0..19) cuts a wide sagittal... nowhere outside x;
    a coronal image 200 mm wide is cut only over the axial image's 20 columns."""
    narrow = _plane((0, 0, 10), (1, 0, 0), (0, 1, 0), columns=20)
    coronal = _plane((-100, 30, 50), (1, 0, 0), (0, 0, -1), columns=200)
    (_, c0), (_, c1) = reference_line(narrow, coronal)
    assert sorted((c0, c1)) == pytest.approx([99.5, 119.5])  # x -0.5..19.5


@pytest.mark.parametrize(
    "target",
    [
        _plane((0, 200, 50), (1, 0, 0), (0, 0, -1)),  # coronal behind the axial image (y=200)
        _plane((0, 0, 20), (1, 0, 0), (0, 1, 0)),  # parallel axial
        _plane((0, 30, -50), (1, 0, 0), (0, 0, -1)),  # coronal entirely below z=10
    ],
    ids=["outside the source image", "parallel", "outside the target image"],
)
def test_no_line_when_the_planes_do_not_meet_within_both_images(target: Plane) -> None:
    assert reference_line(AXIAL_Z10, target) is None


def test_an_oblique_line_lies_on_both_planes_and_ends_on_an_edge() -> None:
    """A tilted source plane: every point of the segment is on it, and the segment spans
    the target image from edge to edge."""
    tilt = np.radians(20)
    source = _plane((-60, -60, 0), (1, 0, 0), (0, np.cos(tilt), np.sin(tilt)), rows=200, columns=200)
    target = _plane((-40, 10, 40), (1, 0, 0), (0, 0, -1), rows=90, columns=80, spacing=(0.8, 1.2))
    start, end = reference_line(source, target)
    g = target.geometry
    for t in np.linspace(0, 1, 5):
        r, c = np.array(start) + t * (np.array(end) - np.array(start))
        point = g.position + r * g.row_spacing * g.column_direction + c * g.column_spacing * g.row_direction
        assert abs((point - source.origin) @ source.normal) < 1e-6
    for r, c in (start, end):
        assert min(abs(r + 0.5), abs(r - 89.5), abs(c + 0.5), abs(c - 79.5)) < 1e-6


def test_flipped_target_moves_the_line() -> None:
    """Geometry is the frame as shown: a coronal image flipped upside down (rows from z=-49
    upwards) shows z=10 at row 59."""
    coronal = _plane((0, 30, -49), (1, 0, 0), (0, 0, 1))
    (r0, _), (r1, _) = reference_line(AXIAL_Z10, coronal)
    assert r0 == pytest.approx(59) and r1 == pytest.approx(59)


def test_nearest_slice_by_position_not_by_number(tmp_path: Path) -> None:
    """Two axial series of one frame of reference with different spacings: the slice
    nearest to a position, never beyond the other series' extent."""
    frame_of_reference = generate_uid()
    fine = open_series(write_stack(tmp_path / "fine", "axial", frame_of_reference, count=24, size=16, slice_mm=2.5))
    coarse = open_series(write_stack(tmp_path / "coarse", "axial", frame_of_reference, count=6, size=16, slice_mm=10))
    assert same_space(fine, coarse)
    positions = SlicePositions()
    z_of = {i: float(plane_of(coarse, i).origin[2]) for i in range(coarse.frame_count)}  # -25 .. 25
    normal = np.array([0.0, 0.0, 1.0])
    for z in (-25.0, -21.0, -14.0, 0.5, 24.0):
        index = positions.nearest_frame(coarse, np.array([0, 0, z]), normal)
        assert index is not None and abs(z_of[index] - z) == min(abs(v - z) for v in z_of.values())
    assert positions.nearest_frame(coarse, np.array([0, 0, 60.0]), normal) is None  # beyond by > one spacing
    assert positions.nearest_frame(coarse, np.array([0, 0, 0.0]), np.array([1.0, 0, 0])) is None  # not parallel
    other = open_series(write_stack(tmp_path / "other", "axial", generate_uid(), count=3, size=16))
    assert not same_space(fine, other)


def test_plane_of_follows_edits(tmp_path: Path) -> None:
    """After a vertical flip the first shown pixel is the old last row."""
    from viewer.edits.flip import Flip
    from viewer.edits.session import edit_session

    document = open_series(write_stack(tmp_path / "c", "coronal", generate_uid(), count=2, size=8, spacing=2.0))
    before = plane_of(document, 0)
    flip = Flip("v")
    edit_session(document, flip).apply(flip)
    after = plane_of(document, 0)
    assert np.allclose(after.geometry.column_direction, -before.geometry.column_direction)
    assert np.allclose(after.origin, before.geometry.moved(7, 0))
    assert np.allclose(after.geometry.row_direction, before.geometry.row_direction)
