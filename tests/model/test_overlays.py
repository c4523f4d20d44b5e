"""Overlay planes are drawn as dcmtk's dcm2pnm draws them (overlays on by default)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.corpus import corpus_file
from tests.hostile import image_dataset, write
from tests.overlay_files import add_overlay, overlay_image, overlay_planes
from tests.reference import dcm2pnm
from viewer.cli.main import main
from viewer.model.document import open_document
from viewer.model.overlays import overlay_rgba
from viewer.model.rendering import render_frame

# (name, overlay arguments, image frames, frames to compare)
CASES = [
    ("graphics", {}, 1, [1]),
    ("roi", {"kind": "R"}, 1, [1]),
    ("monochrome1", {"photometric": "MONOCHROME1"}, 1, [1]),
    ("origin above-left of the image", {"origin": (-2, 5)}, 1, [1]),
    ("overlay past the bottom-right", {"origin": (10, 20)}, 1, [1]),
    ("second group", {"group": 0x6002}, 1, [1]),
    ("one-frame overlay on every frame", {}, 3, [1, 2, 3]),
    ("two frames from image frame 2", {"overlay_frames": 2, "frame_origin": 2}, 4, [1, 2, 3, 4]),
    ("one frame at image frame 2", {"overlay_frames": 1, "frame_origin": 2}, 3, [1, 2, 3]),
]


@pytest.mark.parametrize(("name", "overlay", "frames", "compare"), CASES, ids=[c[0] for c in CASES])
def test_render_draws_overlays_as_dcm2pnm(name: str, overlay: dict, frames: int, compare: list[int], tmp_path: Path):
    photometric = overlay.pop("photometric", "MONOCHROME2")
    path = overlay_image(tmp_path / "o.dcm", frames, photometric, **dict(overlay))
    document = open_document(path)
    for frame in compare:
        ours = render_frame(document, frame - 1).astype(int)
        reference = dcm2pnm(path, tmp_path, frame, ["+Wi", "1"]).astype(int)
        assert np.abs(ours - reference).max() <= 1, (name, frame)
        bare = render_frame(document, frame - 1, overlays=False).astype(int)
        assert np.abs(bare - dcm2pnm(path, tmp_path, frame, ["+Wi", "1", "-O"]).astype(int)).max() <= 1


def test_siemens_overlay_file_matches_dcm2pnm(tmp_path: Path) -> None:
    """The issue's reference file: a graphics overlay drawn white over the stored window."""
    path = corpus_file("MR-SIEMENS-DICOM-WithOverlays.dcm")
    ours = render_frame(open_document(path), 0).astype(int)
    reference = dcm2pnm(path, tmp_path, 1, ["+Wi", "1"]).astype(int)
    assert np.abs(ours - reference).max() <= 1
    assert (ours == 255).sum() > 300  # the outline and the labels are there


def test_render_command_draws_and_leaves_out_overlays(tmp_path: Path) -> None:
    path = overlay_image(tmp_path / "o.dcm")
    assert main(["render", str(path), "-o", str(tmp_path / "on.png")]) == 0
    assert main(["render", str(path), "-o", str(tmp_path / "off.png"), "--no-overlays"]) == 0
    assert (tmp_path / "on.png").read_bytes() != (tmp_path / "off.png").read_bytes()


def test_gui_layer_marks_the_same_pixels(tmp_path: Path) -> None:
    """The GUI's overlay layer: white where a graphics overlay is set, dimming for ROI."""
    document = open_document(overlay_image(tmp_path / "g.dcm"))
    layer = overlay_rgba(document.overlays, 0)
    assert layer is not None
    np.testing.assert_array_equal(layer[..., 3] == 255, render_frame(document, 0) == 255)
    roi = open_document(overlay_image(tmp_path / "r.dcm", kind="R"))
    dimmed = overlay_rgba(roi.overlays, 0)
    assert dimmed is not None and set(np.unique(dimmed[..., 3])) == {0, 240}


def _broken(tmp_path: Path, change) -> Path:
    ds = image_dataset(24, 32)
    add_overlay(ds, overlay_planes(1, 20, 30))
    change(ds)
    return write(ds, tmp_path / "broken.dcm")


BROKEN = [
    ("data shorter than its size", lambda ds: ds.add_new(0x60003000, "OW", b"\xff" * 10), "holds 80 bits"),
    ("embedded in pixel data", lambda ds: ds.__delitem__(0x60003000), "embedded in Pixel Data bits"),
    ("absurd frame count", lambda ds: ds.add_new(0x60000015, "IS", "100000"), "far larger than the image"),
    ("origin not a number", lambda ds: ds.add_new(0x60000050, "SS", None), None),
]


@pytest.mark.parametrize(("name", "change", "note"), BROKEN, ids=[b[0] for b in BROKEN])
def test_unusable_overlays_are_noted_not_fatal(name: str, change, note: str | None, tmp_path: Path) -> None:
    document = open_document(_broken(tmp_path, change))
    image = render_frame(document, 0)
    assert image.shape == (24, 32)
    if note is None:  # an absent origin means 1\\1: still drawn
        assert len(document.overlays) == 1
    else:
        assert document.overlays == []
        assert any(note in n for n in document.notes), document.notes
