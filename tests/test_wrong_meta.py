"""Encapsulated Pixel Data under a native transfer syntax is refused, never shown as noise."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pydicom.uid import JPEGLSLossless, RLELossless

from tests.hostile import encapsulated_under_native
from viewer.cli.main import main

CASES = [(RLELossless, "RLE"), (JPEGLSLossless, "JPEG-LS")]


@pytest.mark.parametrize(("codec", "looks_like"), CASES, ids=[c[1] for c in CASES])
@pytest.mark.parametrize("command", ["info", "render", "edit"])
def test_encapsulated_data_under_native_meta_is_refused(codec, looks_like, command, tmp_path: Path, capfd) -> None:
    path = encapsulated_under_native(tmp_path / "wrong.dcm", codec)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    extra = {
        "info": [],
        "render": ["-o", str(tmp_path / "x.png")],
        "edit": ["--flip", "h", "-o", str(tmp_path / "y.dcm")],
    }
    assert main([command, str(path), *extra[command]]) == 1
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "encapsulated" in err[0] and f"looks like {looks_like}" in err[0], err
    assert not (tmp_path / "x.png").exists() and not (tmp_path / "y.dcm").exists()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
