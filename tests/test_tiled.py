"""Tiled whole-slide images: geometric edits are refused with one line; value edits work."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

from tests.hostile import tiled_slide
from viewer.cli.main import main

REFUSED = [
    ["--crop", "0", "0", "8", "8"],
    ["--bin", "2"],
    ["--flip", "h"],
    ["--rotate", "90"],
    ["--pad", "1", "1", "1", "1", "0"],
    ["--delete-frames", "2"],
]


@pytest.mark.parametrize("args", REFUSED, ids=lambda a: a[0])
def test_geometric_edit_of_a_tiled_image_is_refused(args: list[str], tmp_path: Path, capfd) -> None:
    path = tiled_slide(tmp_path / "slide.dcm")
    assert main(["edit", str(path), *args, "-o", str(tmp_path / "out.dcm")]) == 1
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "tiled whole-slide image" in err[0], err
    assert not (tmp_path / "out.dcm").exists()


def test_value_edit_of_a_tiled_image_keeps_the_matrix(tmp_path: Path) -> None:
    path = tiled_slide(tmp_path / "slide.dcm")
    assert main(["edit", str(path), "--invert", "-o", str(tmp_path / "out.dcm")]) == 0
    out = pydicom.dcmread(tmp_path / "out.dcm")
    assert (out.TotalPixelMatrixRows, out.TotalPixelMatrixColumns, out.NumberOfFrames) == (32, 32, 4)
