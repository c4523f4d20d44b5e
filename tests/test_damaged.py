"""Damaged inputs: shown with the damage said (a banner, a warning line), never saved as if
they were whole unless the person says so, and then the damage is recorded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pydicom
import pytest

from tests import hostile
from tests.corpus import corpus_file
from viewer.edits.operations import Flip
from viewer.edits.session import begin_edit
from viewer.io.commit import DamagedInputError
from viewer.io.save import save
from viewer.model.document import open_document

ROOT = Path(__file__).resolve().parents[1]


def truncated(tmp_path: Path, missing: int = 300) -> Path:
    """A 32 x 32 16-bit image whose last `missing` bytes of Pixel Data are cut off."""
    path = hostile.write(hostile.image_dataset(32, 32), tmp_path / "cut.dcm")
    path.write_bytes(path.read_bytes()[:-missing])
    return path


def run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "viewer.cli", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=60
    )


def test_render_warns_on_stderr_and_draws(tmp_path: Path) -> None:
    result = run("render", truncated(tmp_path), "-o", tmp_path / "x.png")
    assert result.returncode == 0 and (tmp_path / "x.png").exists()
    assert result.stderr == (
        "dicom-viewer: warning: Pixel Data is truncated: the file holds 1748 of 2048 bytes; "
        "missing pixels are drawn as 0\n"
    )


@pytest.mark.parametrize("operations", [[], ["--flip", "h"]])
def test_edit_and_plain_save_are_refused(tmp_path: Path, operations: list[str]) -> None:
    result = run("edit", truncated(tmp_path), "-o", tmp_path / "o.dcm", *operations)
    assert result.returncode == 1 and result.stderr.count("\n") == 1
    assert "is damaged (Pixel Data is truncated" in result.stderr and "--allow-damaged" in result.stderr
    assert not (tmp_path / "o.dcm").exists()


def test_allowed_damaged_save_is_recorded(tmp_path: Path) -> None:
    result = run("edit", truncated(tmp_path), "-o", tmp_path / "o.dcm", "--flip", "h", "--allow-damaged")
    assert result.returncode == 0, result.stderr
    description = str(pydicom.dcmread(tmp_path / "o.dcm").DerivationDescription)
    assert "flip h; from a damaged input (Pixel Data is truncated: the file holds 1748 of 2048 bytes" in description


def test_whole_files_are_not_called_damaged(tmp_path: Path) -> None:
    document = open_document(corpus_file("CT_small.dcm"))
    assert document.source.damage == ""
    begin_edit(document).apply(Flip("h"))
    save(document, tmp_path / "o.dcm")


def test_damaged_error_is_its_own_kind(tmp_path: Path) -> None:
    with pytest.raises(DamagedInputError):
        save(open_document(truncated(tmp_path)), tmp_path / "o.dcm")


def cut_rle(tmp_path: Path) -> Path:
    """The 10-frame RLE image cut after its third frame's fragment."""
    path = tmp_path / "cut_rle.dcm"
    path.write_bytes(corpus_file("emri_small_RLE.dcm").read_bytes()[:20000])
    return path


@pytest.mark.parametrize(
    ("keep", "where"),
    [(200, "the file meta information"), (600, "an element header"), (1000, "element (0010,1002)")],
    ids=["in the meta", "in an element header", "in an element value"],
)
def test_header_cut_inside_the_dataset_says_truncated(keep: int, where: str, tmp_path: Path) -> None:
    path = tmp_path / "cut.dcm"
    path.write_bytes(corpus_file("CT_small.dcm").read_bytes()[:keep])
    result = run("info", path)
    assert result.returncode == 1
    assert (
        result.stderr
        == f"dicom-viewer: error: 'cut.dcm' is truncated: the file ends inside {where}, before any Pixel Data\n"
    )


def test_missing_pixels_are_known_per_frame(tmp_path: Path) -> None:
    document = open_document(truncated(tmp_path, missing=300))
    mask = document.source.missing_pixels(0)
    assert mask is not None and mask.sum() == 150 and mask.reshape(-1)[-150:].all()  # 300 bytes, 2 per pixel
    assert open_document(corpus_file("CT_small.dcm")).source.missing_pixels(0) is None


def test_incomplete_encapsulated_data_is_damage(tmp_path: Path) -> None:
    path = cut_rle(tmp_path)
    document = open_document(path)
    assert document.source.damage == "Pixel Data is truncated: the file ends after 3 of 10 frames"
    shown = run("render", path, "-o", tmp_path / "f3.png", "--frame", "3")
    assert shown.returncode == 0 and shown.stderr == f"dicom-viewer: warning: {document.source.damage}\n"
    missing = run("render", path, "-o", tmp_path / "f8.png", "--frame", "8")
    assert missing.returncode == 1 and "frame 8 is not in the file (Pixel Data is truncated" in missing.stderr
    refused = run("edit", path, "-o", tmp_path / "o.dcm", "--flip", "h")
    assert (
        refused.returncode == 1 and "is damaged (Pixel Data is truncated: the file ends after 3 of 10" in refused.stderr
    )
    assert not (tmp_path / "f8.png").exists() and not (tmp_path / "o.dcm").exists()
