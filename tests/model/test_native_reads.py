"""Uncompressed frames are read straight from the file (viewer.model.native_layout),
not through pydicom's decoder: on every native corpus file each frame must equal what
pydicom decodes (unused high bits cleared, signs extended, big endian swapped)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.corpus import corpus_files
from viewer.model.readers import FileFrameReader


def _native_files() -> list[Path]:
    found = []
    for path in corpus_files():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = pydicom.dcmread(path, stop_before_pixels=True)
            syntax = ds.file_meta.TransferSyntaxUID
        except Exception:
            continue
        if (
            not syntax.is_compressed
            and not syntax.is_deflated
            and "Rows" in ds
            and int(ds.get("BitsAllocated", 1)) % 8 == 0
        ):
            found.append(path)
    return found


@pytest.mark.parametrize("path", _native_files(), ids=lambda p: p.name)
def test_direct_native_read_equals_pydicom(path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = pydicom.dcmread(path).pixel_array
            reader = FileFrameReader(
                path, pydicom.dcmread(path, stop_before_pixels=True).file_meta.TransferSyntaxUID, []
            )
        except Exception as exc:
            pytest.skip(f"pydicom does not decode it: {exc}")
    if reader.native is None or reader.native.truncated or not reader.reads_directly:
        pytest.skip("not read directly")
    frames = int(reader.options.get("number_of_frames", 1) or 1)
    expected = expected.reshape(frames, *reader.native.frame_shape)
    for index in range(frames):
        assert np.array_equal(reader.read(index), expected[index]), index
        assert reader.read(index).dtype == expected.dtype.newbyteorder("=")


def test_a_truncated_file_clears_unused_high_bits_as_pydicom_does(tmp_path: Path) -> None:
    """Unsigned 12-bit data whose stored words carry bits above Bits Stored, cut short: the
    pixels that are there read as pydicom decodes them (high bits cleared), the rest as 0.
    (The truncated-file reader kept the high bits.)"""
    from tests.hostile import image_dataset, write

    ds = image_dataset(rows=4, columns=4)
    values = np.array([0xF123, 0x0FFF, 0x8800, 5] * 4, dtype="<u2")
    ds.PixelData = values.tobytes()
    whole = write(ds, tmp_path / "whole.dcm")
    expected = pydicom.dcmread(whole).pixel_array.ravel()
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(whole.read_bytes()[:-8])  # the last 4 pixels missing
    reader = FileFrameReader(cut, pydicom.dcmread(cut, stop_before_pixels=True).file_meta.TransferSyntaxUID, [])
    assert reader.native is not None and reader.native.truncated
    frame = reader.read(0).ravel()
    assert np.array_equal(frame[:12], expected[:12]) and not frame[12:].any()
    assert expected[0] == 0x123
