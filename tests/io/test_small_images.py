"""Small images encode losslessly in every offered syntax: openjpeg (as pylibjpeg-openjpeg
drives it) failed on any side under 32 pixels and CharLS on 1 x 1, with raw codec text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests import hostile
from viewer.io.save import save
from viewer.model.document import open_document
from viewer.model.errors import ViewerError


@pytest.mark.parametrize("syntax", ["rle", "jpegls", "j2k", "explicit"])
@pytest.mark.parametrize("shape", [(1, 1), (4, 4), (2, 100), (31, 31), (16, 40)])
@pytest.mark.parametrize("signed", [False, True])
def test_small_images_encode_losslessly(tmp_path: Path, syntax: str, shape: tuple[int, int], signed: bool) -> None:
    ds = hostile.image_dataset(*shape)
    values = hostile.ramp(ds)[0].astype(np.int16) - (8 if signed else 0)
    ds.PixelRepresentation = int(signed)
    ds.PixelData = values.astype(np.int16 if signed else np.uint16).tobytes()
    path = hostile.write(ds, tmp_path / "small.dcm")
    if (syntax, shape, signed) == ("jpegls", (1, 1), True):  # no CharLS here takes it: a clear refusal
        with pytest.raises(ViewerError, match=r"cannot encode this image \(1 x 1, 12 bits\) as JPEG-LS"):
            save(open_document(path), tmp_path / "out.dcm", syntax)
        return
    save(open_document(path), tmp_path / "out.dcm", syntax)
    back = pydicom.dcmread(tmp_path / "out.dcm")
    assert np.array_equal(back.pixel_array.reshape(shape), values)


def test_an_encoder_refusal_is_one_plain_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors name the image and a way out, never the codec's own text."""
    from viewer.io import encoding

    def refuse(*args, **kwargs):
        raise RuntimeError("opj_start_compress() failed: [internal codec text]")

    monkeypatch.setattr(encoding, "_encode_chunk", refuse)
    path = hostile.write(hostile.image_dataset(8, 8), tmp_path / "small.dcm")
    with pytest.raises(ViewerError) as caught:
        save(open_document(path), tmp_path / "out.dcm", "j2k")
    assert str(caught.value) == (
        "cannot encode this image (8 x 8, 12 bits) as JPEG 2000 Image Compression (Lossless Only) here; "
        "try --syntax explicit"
    )
