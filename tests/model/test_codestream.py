"""The size a compressed frame declares, read from its own header, on every real file."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.encaps import get_frame

from tests.corpus import corpus_files
from viewer.model.codestream import declared_size


def _compressed_files() -> list[Path]:
    found = []
    for path in corpus_files():
        try:
            ds = pydicom.dcmread(path, stop_before_pixels=True)
            syntax = ds.file_meta.TransferSyntaxUID
        except Exception:
            continue
        if syntax.is_compressed and syntax != "1.2.840.10008.1.2.5":  # RLE declares no size
            found.append(path)
    return found


#: Real files whose codestream header is itself broken (no decoder reads them either).
BROKEN_HEADERS = {"JPEG2000-embedded-sequence-delimiter.dcm"}  # a delimiter inside the SIZ marker


@pytest.mark.parametrize("path", _compressed_files(), ids=lambda p: p.name)
def test_declared_size_matches_the_dataset(path: Path) -> None:
    """JPEG (all processes), JPEG-LS, JPEG 2000 and HTJ2K frames of real files declare the
    dataset's Rows and Columns (JPEG may leave the height to the scan: 0)."""
    try:
        ds = pydicom.dcmread(path)
        frames = int(ds.get("NumberOfFrames", 1) or 1)
        frame = get_frame(ds.PixelData, 0, number_of_frames=frames)
    except Exception:
        pytest.skip("pydicom cannot read the first frame")
    size = declared_size(bytes(frame))
    if size is None:
        pytest.skip("no recognisable codestream header (the decoder reports such frames)")
    rows, columns, components = size
    if path.name in BROKEN_HEADERS:
        assert (rows, columns) != (ds.Rows, ds.Columns)
        return
    assert rows in (0, ds.Rows) and columns == ds.Columns
    assert components == ds.SamplesPerPixel
