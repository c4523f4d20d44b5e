"""`info --json` and `render` over every real file: success that agrees with pydicom, or one line."""

from __future__ import annotations

import json
from pathlib import Path

import pydicom
import pytest

from tests.corpus import corpus_files
from viewer.cli import main

FILES = corpus_files()


def _pydicom_shape(path: Path) -> tuple[int, int, int] | None:
    """(rows, columns, frames) as pydicom reads the header, or None without pixel data.

    A full dcmread silently drops a truncated Pixel Data element, so presence is
    judged from the raw bytes of the (7FE0,0010) tag.
    """
    try:
        ds = pydicom.dcmread(path, force=True, stop_before_pixels=True)
    except Exception:
        return None
    data = path.read_bytes()
    if b"\xe0\x7f\x10\x00" not in data and b"\x7f\xe0\x00\x10" not in data:
        try:
            if "PixelData" not in pydicom.dcmread(path, force=True):  # deflated files
                return None
        except Exception:
            return None
    try:
        return int(ds.Rows), int(ds.Columns), int(ds.get("NumberOfFrames", 1) or 1)
    except (AttributeError, TypeError, ValueError):
        return None  # pydicom cannot say either: we must refuse the file


def _assert_one_error_line(err: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("dicom-viewer: error: "), err
    assert "Traceback" not in err


def test_corpus_is_present() -> None:
    """Both collections are installed (pydicom's test files and pydicom-data)."""
    assert len(FILES) > 140


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_info_and_render(path: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str], output_dir: Path) -> None:
    """Each file either succeeds with pydicom's dimensions or fails with one error line."""
    expected = _pydicom_shape(path)
    status = main(["info", str(path), "--json"])
    out, err = capfd.readouterr()
    if status == 0:
        assert err == ""
        info = json.loads(out)
        assert expected is not None, "info succeeded on a file without pixel data"
        assert (info["rows"], info["columns"], info["frames"]) == expected
    else:
        assert status == 1
        _assert_one_error_line(err)
        _record(output_dir, path, err)
        return
    png = tmp_path / "out.png"
    status = main(["render", str(path), "-o", str(png)])
    out, err = capfd.readouterr()
    if status == 0:  # a damaged file renders with one warning line
        assert err == "" or (err.startswith("dicom-viewer: warning: ") and err.count("\n") == 1), err
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    else:
        assert status == 1
        _assert_one_error_line(err)
        assert not png.exists()
    _record(output_dir, path, "ok" if status == 0 else err)


def _record(output_dir: Path, path: Path, outcome: str) -> None:
    with (output_dir / "corpus-cli.tsv").open("a") as table:
        table.write(f"{path.name}\t{outcome.strip()}\n")
