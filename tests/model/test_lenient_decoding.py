"""Frames one decoder refuses are decoded by another before anything is refused, and the
decoder that did it is said."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.pixels import pixel_array

from tests.hostile import jpeg_with_wrong_sos
from viewer.cli.main import main
from viewer.model.document import open_document


def test_frames_libjpeg_refuses_are_decoded_by_gdcm(tmp_path: Path) -> None:
    path = jpeg_with_wrong_sos(tmp_path / "sos.dcm", frames=3, wrong=(1,))
    whole = jpeg_with_wrong_sos(tmp_path / "whole.dcm", frames=3, wrong=())
    document = open_document(path)
    for index in range(3):
        expected = pixel_array(whole, index=index, decoding_plugin="pylibjpeg")
        assert np.abs(document.get_frame(index).astype(int) - expected).max() <= 1  # lossy decoders may differ by 1
    assert document.source.decoded_by(1) == "gdcm"
    assert document.source.decoded_by(0) is None and document.source.decoded_by(2) is None
    assert any(n.startswith("decoded by gdcm where pylibjpeg refused the data") for n in document.notes)


def test_render_says_which_decoder_was_used(tmp_path: Path, capfd) -> None:
    path = jpeg_with_wrong_sos(tmp_path / "sos.dcm", frames=1, wrong=(0,))
    assert main(["render", str(path), "-o", str(tmp_path / "f.png")]) == 0
    assert (
        capfd.readouterr().err == "dicom-viewer: note: frame 1 was decoded by gdcm; the preferred decoder refused it\n"
    )
