"""Reference tools used as oracles: dcmtk's dcm2pnm, gdcmconv, dciodvfy."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest


def require(tool: str) -> str:
    """Path of `tool`; fail (in CI) or skip (elsewhere) when it is missing."""
    import os

    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is not installed; .ci/run should install it")
        pytest.skip(f"{tool} is not installed")
    return path


def read_pnm(path: Path) -> np.ndarray:
    """Read a binary 8-bit PGM (P5) or PPM (P6)."""
    data = path.read_bytes()
    fields: list[bytes] = []
    pos = 0
    while len(fields) < 4:
        while data[pos : pos + 1].isspace():
            pos += 1
        if data[pos : pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    magic, width, height, maxval = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
    assert maxval == 255, maxval
    channels = 3 if magic == b"P6" else 1
    arr = np.frombuffer(data, dtype=np.uint8, count=width * height * channels, offset=pos)
    return arr.reshape((height, width, channels) if channels == 3 else (height, width))


def dcm2pnm(path: Path, out_dir: Path, frame: int = 1, options: list[str] | None = None) -> np.ndarray:
    """Render frame `frame` (1-based) of `path` with dcmtk and return the 8-bit image."""
    tool = require("dcm2pnm")
    out = out_dir / f"{path.stem}_f{frame}.pnm"
    cmd = [tool, "--frame", str(frame), "+op", *(options or []), str(path), str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"dcm2pnm failed: {result.stderr}"
    return read_pnm(out)


def gdcm_raw(path: Path, out_dir: Path) -> Path:
    """Decompress `path` with gdcmconv --raw (dcm2pnm lacks JPEG-LS / JPEG 2000 decoders)."""
    tool = require("gdcmconv")
    out = out_dir / f"{path.stem}_raw.dcm"
    result = subprocess.run([tool, "--raw", str(path), str(out)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"gdcmconv failed: {result.stderr}"
    return out


def dciodvfy_errors(path: Path) -> list[str]:
    """The 'Error' lines dciodvfy reports for `path`."""
    tool = require("dciodvfy")
    result = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=120)
    lines = (result.stdout + result.stderr).splitlines()
    return [line.strip() for line in lines if line.startswith("Error")]


def pydicom_raw(path: Path, out_dir: Path) -> Path:
    """Decompress `path` with pydicom's own decoders (the ones the viewer uses).

    Lossy JPEG decoders legitimately differ by a few levels (IDCT, chroma upsampling);
    to test the display pipeline rather than the decoder, dcm2pnm gets our decode.
    """
    import pydicom

    from viewer.model.codecs import preferred_decoder_plugin

    ds = pydicom.dcmread(path)
    ds.decompress(decoding_plugin=preferred_decoder_plugin(ds.file_meta.TransferSyntaxUID))
    out = out_dir / f"{path.stem}_pydicom_raw.dcm"
    ds.save_as(out, enforce_file_format=True)
    return out
