"""Overlay planes follow every geometric edit, so other viewers draw them where they were."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.corpus import corpus_file
from tests.overlay_files import on_grid, overlay_image
from tests.reference import dciodvfy_errors, dcm2pnm
from viewer.edits.operations import Bin, Crop, DeleteFrames, Flip, Invert, KeepFrames, Pad, Rotate
from viewer.edits.session import begin_edit
from viewer.io.save import save
from viewer.model.document import open_document


def _edit(path: Path, out: Path, *operations):
    document = open_document(path)
    work = begin_edit(document)
    for op in operations:
        work.apply(op)
    report = save(document, out)
    return pydicom.dcmread(path), pydicom.dcmread(out), report


def _bin_any(planes: np.ndarray, f: int) -> np.ndarray:
    n, r, c = planes.shape
    return planes[:, : r // f * f, : c // f * f].reshape(n, r // f, f, c // f, f).any(axis=(2, 4))


# (name, operation, the same change with numpy on the overlay on the image grid)
GEOMETRIC = [
    ("crop", Crop(x=3, y=2, width=20, height=15), lambda p: p[:, 2:17, 3:23]),
    ("flip h", Flip(direction="h"), lambda p: p[:, :, ::-1]),
    ("flip v", Flip(direction="v"), lambda p: p[:, ::-1, :]),
    ("rotate 90", Rotate(degrees=90), lambda p: np.rot90(p, -1, axes=(1, 2))),
    ("rotate 180", Rotate(degrees=180), lambda p: np.rot90(p, 2, axes=(1, 2))),
    ("rotate 270", Rotate(degrees=270), lambda p: np.rot90(p, 1, axes=(1, 2))),
    ("bin 3", Bin(factor=3), lambda p: _bin_any(p, 3)),
    ("pad", Pad(left=2, top=3, right=4, bottom=5, value=0), lambda p: np.pad(p, ((0, 0), (3, 5), (2, 4)))),
]


@pytest.mark.parametrize("origin", [(1, 1), (4, 6), (-2, 5)], ids=["at origin", "inside", "partly outside"])
@pytest.mark.parametrize(("name", "op", "same"), GEOMETRIC, ids=[g[0] for g in GEOMETRIC])
def test_overlay_pixels_stay_registered(name: str, op, same, origin: tuple[int, int], tmp_path: Path) -> None:
    before, after, report = _edit(overlay_image(tmp_path / "in.dcm", origin=origin), tmp_path / "out.dcm", op)
    expected = same(on_grid(before))
    np.testing.assert_array_equal(on_grid(after), expected)
    assert after[0x60000100].value == 1 and after[0x60000102].value == 0
    assert any(c.path.startswith("(6000,") for c in report.changes)  # shown in the save preview
    if origin == (-2, 5):
        assert any("outside the image are not kept" in w for w in report.warnings)


def test_siemens_overlay_rotated_draws_where_dcmtk_draws_it(tmp_path: Path) -> None:
    """dcm2pnm on the rotated copy shows the rotated picture of the original, overlay included."""
    path = corpus_file("MR-SIEMENS-DICOM-WithOverlays.dcm")
    _, after, _ = _edit(path, tmp_path / "rot.dcm", Rotate(degrees=90))
    window = ["+Ww", "450", "790"]
    original = dcm2pnm(path, tmp_path, 1, window).astype(int)
    rotated = dcm2pnm(tmp_path / "rot.dcm", tmp_path, 1, window).astype(int)
    assert np.abs(rotated - np.rot90(original, -1)).max() <= 1
    assert set(dciodvfy_errors(tmp_path / "rot.dcm")) <= set(dciodvfy_errors(path))  # no new validator errors


def test_multi_frame_overlay_follows_kept_frames(tmp_path: Path) -> None:
    path = overlay_image(tmp_path / "in.dcm", frames=5, overlay_frames=3, frame_origin=2)  # image frames 2..4
    before = on_grid(pydicom.dcmread(path))
    _, after, _ = _edit(path, tmp_path / "out.dcm", DeleteFrames(spec="1,3"))  # image 2,4,5 remain
    assert after[0x60000051].value == 1  # overlay frames of image 2 and 4 are now frames 1 and 2
    assert int(after[0x60000015].value) == 2
    np.testing.assert_array_equal(on_grid(after), before[[0, 2]])


def test_overlay_with_no_frame_left_is_removed_and_listed(tmp_path: Path) -> None:
    path = overlay_image(tmp_path / "in.dcm", frames=4, overlay_frames=1, frame_origin=2)
    _, after, report = _edit(path, tmp_path / "out.dcm", KeepFrames(spec="3-4"))
    assert not any(e.tag.group == 0x6000 for e in after)
    assert any(c.path == "overlay 6000" and "removed" in c.new for c in report.changes)


def test_crop_away_from_the_overlay_removes_it_with_a_report(tmp_path: Path) -> None:
    path = overlay_image(tmp_path / "in.dcm", shape=(4, 4))
    _, after, report = _edit(path, tmp_path / "out.dcm", Crop(x=10, y=10, width=8, height=8))
    assert 0x60003000 not in after
    assert any("nothing of it is left" in c.new for c in report.changes)


def test_value_edit_keeps_overlay_bytes_and_drops_roi_statistics(tmp_path: Path) -> None:
    path = overlay_image(tmp_path / "in.dcm", kind="R")
    ds = pydicom.dcmread(path)
    ds.add_new(0x60001302, "DS", "123.5")  # ROI Mean of the old pixels
    ds.save_as(path)
    before, after, report = _edit(path, tmp_path / "out.dcm", Invert())
    assert after[0x60003000].value == before[0x60003000].value
    assert after[0x60000050].value == before[0x60000050].value
    assert 0x60001302 not in after
    assert any(c.path == "(6000,1302)" for c in report.changes)
