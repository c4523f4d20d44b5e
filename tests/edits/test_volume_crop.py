"""A box of voxels drawn in the volume planes becomes document operations: after them the
series' volume is exactly the box, whichever way the acquisition ran."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.model.test_volume import ACQUISITIONS, TRUTH, X, Y, Z, _series
from viewer.edits.crop import Crop
from viewer.edits.frames import KeepFrames
from viewer.edits.session import edit_session
from viewer.edits.volume_crop import box_crop
from viewer.model.document import open_series
from viewer.model.errors import ViewerError
from viewer.model.volume import build_volume


@pytest.mark.parametrize(("name", "row", "column"), ACQUISITIONS, ids=[a[0] for a in ACQUISITIONS])
@pytest.mark.parametrize("box", [((1, 4), (0, 2), (1, 2)), ((0, X - 1), (2, 3), (0, Z - 1)), ((4, 5), (3, 4), (2, 3))])
def test_the_cropped_series_is_the_box(name, row, column, box, tmp_path: Path) -> None:
    document = open_series(_series(tmp_path / "s", row, column, spacing=(1.0, 1.0), slice_mm=1.0))
    for operation in box_crop(build_volume(document), box):
        edit_session(document, operation).apply(operation)
    (x0, x1), (y0, y1), (z0, z1) = box
    np.testing.assert_array_equal(build_volume(document).values, TRUTH[x0 : x1 + 1, y0 : y1 + 1, z0 : z1 + 1])


def test_a_whole_box_changes_nothing_and_a_box_outside_is_refused(tmp_path: Path) -> None:
    volume = build_volume(open_series(_series(tmp_path / "s", [1, 0, 0], [0, 1, 0], slice_mm=1.0)))
    assert box_crop(volume, ((0, X - 1), (0, Y - 1), (0, Z - 1))) == []
    only_slices = box_crop(volume, ((0, X - 1), (0, Y - 1), (1, 2)))
    assert [type(op) for op in only_slices] == [KeepFrames]
    assert [type(op) for op in box_crop(volume, ((1, 2), (0, Y - 1), (0, Z - 1)))] == [Crop]
    with pytest.raises(ViewerError, match="outside"):
        box_crop(volume, ((0, X), (0, 1), (0, 1)))


@pytest.mark.parametrize(("name", "row", "column"), ACQUISITIONS, ids=[a[0] for a in ACQUISITIONS])
def test_the_cropped_series_saved_back_is_the_box_in_the_same_place(name, row, column, tmp_path: Path) -> None:
    """Saved as a folder (one file per kept slice) and read again: the volume is the box,
    and the affine puts its first voxel where the box's first voxel was."""
    from viewer.io.series import save_series
    from viewer.model.folder import open_entry, scan_folder

    document = open_series(_series(tmp_path / "s", row, column, spacing=(0.5, 0.5), slice_mm=2.0))
    before = build_volume(document)
    box = ((1, 4), (1, 3), (1, 2))
    for operation in box_crop(before, box):
        edit_session(document, operation).apply(operation)
    save_series(document, tmp_path / "out")
    (entry,) = scan_folder(tmp_path / "out").series
    after = build_volume(open_entry(entry))
    np.testing.assert_array_equal(after.values, TRUTH[1:5, 1:4, 1:3])
    np.testing.assert_allclose(after.affine @ [0, 0, 0, 1], before.affine @ [1, 1, 1, 1], atol=1e-4)
    assert after.spacing == before.spacing
