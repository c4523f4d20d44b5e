"""`dicom-viewer edit` end to end: the seed example, reports, recipes, folders, exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.cli_runner import run_in_process
from tests.corpus import corpus_file

ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.usefixtures("command_output")
run = run_in_process  # the seed example and decoder noise run a real process (run_process)


def run_process(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real command in a child process (exit codes and stderr as a user sees them)."""
    return subprocess.run(
        [sys.executable, "-m", "viewer.cli", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_seed_example_every_pixel_below_300_becomes_0(tmp_path: Path) -> None:
    """MR_small: --fill-outside 300 1e9 0 zeroes every pixel below 300, keeps the rest."""
    source = corpus_file("MR_small.dcm")
    out = tmp_path / "thresholded.dcm"
    result = run_process("edit", source, "-o", out, "--fill-outside", "300", "1e9", "0")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    before = pydicom.dcmread(source).pixel_array
    after = pydicom.dcmread(out).pixel_array
    assert np.array_equal(after, np.where(before < 300, 0, before))


def test_report_lists_changes(tmp_path: Path) -> None:
    """--report prints each changed tag old -> new and the warnings."""
    result = run(
        "edit", corpus_file("CT_small.dcm"), "-o", tmp_path / "o.dcm", "--crop", "0", "0", "64", "32", "--report"
    )
    assert result.returncode == 0, result.stderr
    assert "change: Rows: 128 -> 32" in result.stdout
    assert "change: ImagePositionPatient:" in result.stdout or "change: Columns: 128 -> 64" in result.stdout


def test_recipe_replays_options(tmp_path: Path) -> None:
    """A recipe file gives the same pixels as the same operations as options."""
    recipe = tmp_path / "recipe.json"
    recipe.write_text(
        json.dumps(
            {
                "version": 1,
                "operations": [
                    {"op": "crop", "x": 2, "y": 3, "width": 40, "height": 30},
                    {"op": "rotate", "degrees": 90},
                    {"op": "fill-outside", "lo": 200, "hi": 1000, "value": 0},
                ],
            }
        )
    )
    a, b = tmp_path / "a.dcm", tmp_path / "b.dcm"
    assert run("edit", corpus_file("MR_small.dcm"), "-o", a, "--recipe", recipe).returncode == 0
    assert (
        run(
            "edit",
            corpus_file("MR_small.dcm"),
            "-o",
            b,
            "--crop",
            "2",
            "3",
            "40",
            "30",
            "--rotate",
            "90",
            "--fill-outside",
            "200",
            "1000",
            "0",
        ).returncode
        == 0
    )
    assert np.array_equal(pydicom.dcmread(a).pixel_array, pydicom.dcmread(b).pixel_array)


def test_folder_batch_keeps_going(tmp_path: Path) -> None:
    """A folder run saves every good file, lists the bad one, exits 1, and writes a summary."""
    source = tmp_path / "in"
    (source / "sub").mkdir(parents=True)
    shutil.copy(corpus_file("CT_small.dcm"), source / "ct.dcm")
    shutil.copy(corpus_file("MR_small.dcm"), source / "sub" / "mr.dcm")
    (source / "broken.dcm").write_bytes(b"junk" * 100)
    result = run("edit", source, "-o", tmp_path / "out", "--flip", "h")
    assert result.returncode == 1
    assert "2 saved, 1 failed, 3 files" in result.stdout
    assert result.stderr.count("\n") == 1  # the failure, one line, on stderr
    assert result.stderr.startswith("dicom-viewer: error: broken.dcm: ") and "not a DICOM file" in result.stderr
    assert (tmp_path / "out" / "ct.dcm").exists() and (tmp_path / "out" / "sub" / "mr.dcm").exists()


def test_exit_codes_and_one_line_errors(tmp_path: Path) -> None:
    """Usage errors exit 2; bad input exits 1 with one line; nothing is written."""
    out = tmp_path / "o.dcm"
    usage = run("edit", corpus_file("CT_small.dcm"), "-o", out, "--rotate", "45")
    assert usage.returncode == 2
    bad = run("edit", corpus_file("CT_small.dcm"), "-o", out, "--crop", "100", "100", "50", "50")
    assert bad.returncode == 1
    assert bad.stderr.strip().count("\n") == 0 and bad.stderr.startswith("dicom-viewer: error: crop")
    none = run("edit", corpus_file("CT_small.dcm"), "-o", out, "--delete-frames", "1")
    assert none.returncode == 1 and "would leave none" in none.stderr
    assert not out.exists()


def test_info_render_exit_codes(tmp_path: Path) -> None:
    """info on a missing file exits 1; render with a bad --frame exits 1; bad --window exits 2."""
    assert run("info", tmp_path / "missing.dcm").returncode == 1
    frame = run("render", corpus_file("CT_small.dcm"), "-o", tmp_path / "a.png", "--frame", "5")
    assert frame.returncode == 1 and "out of range 1..1" in frame.stderr
    window = run("render", corpus_file("CT_small.dcm"), "-o", tmp_path / "a.png", "--window", "40", "0")
    assert window.returncode == 2


def test_decoder_noise_stays_quiet(tmp_path: Path) -> None:
    """A file whose JPEG decoder fails prints exactly one error line, nothing from the codec."""
    result = run_process("render", corpus_file("JPEG-lossy.dcm"), "-o", tmp_path / "x.png")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
