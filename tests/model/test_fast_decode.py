"""imagecodecs decodes a file's frames only where it gives exactly pydicom's frames
(viewer.model.fast_decode): a table of real files and what each takes, every frame
compared with pydicom, and damaged frames ending as they would without the fast path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydicom.encaps import encapsulate, generate_frames
from pydicom.pixels import pixel_array
from pydicom.uid import JPEGLSLossless, RLELossless

from tests.corpus import corpus_file
from tests.hostile import encode_frame, image_dataset, ramp, set_htj2k_pixels, write
from viewer.model.document import open_document
from viewer.model.errors import ViewerError
from viewer.model.fast_decode import FastDecoder

#: file -> True when imagecodecs decodes its frames after the first, False when pydicom's
#: plug-in keeps doing it (imagecodecs gives another view of the samples, or colour).
EXPECTED = {
    "emri_small_jpeg_ls_lossless.dcm": True,  # JPEG-LS, unsigned 12 bits
    "JPEGLSNearLossless_16.dcm": True,
    "MR_small_jpeg_ls_lossless.dcm": False,  # signed: imagecodecs returns the unsigned samples
    "MR_small_jp2klossless.dcm": True,  # JPEG 2000, signed codestream: int16 both ways
    "RG3_J2KI.dcm": True,
    "J2K_pixelrep_mismatch.dcm": False,  # codestream and header disagree on the sign
    "emri_small_RLE.dcm": True,
    "OBXXXX1A_rle_2frame.dcm": True,  # 8 bits
    "MR_small_RLE.dcm": False,  # signed RLE
    "SC_rgb_rle_2frame.dcm": False,  # colour: never tried
    "rtdose_rle.dcm": False,  # 32 bits: never tried
    "US1_J2KR.dcm": False,
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_files_take_the_fast_path_only_where_it_gives_pydicoms_frames(name: str) -> None:
    path = corpus_file(name)
    document = open_document(path)
    frames = min(document.frame_count, 4)
    for index in range(frames):
        expected = pixel_array(path, index=index)
        got = document.get_frame(index)
        assert got.dtype == expected.dtype and np.array_equal(got, expected), index
    assert bool(document.source._reader.fast.verified) is EXPECTED[name]


def _rle_file(path: Path, frames: int = 3) -> Path:
    ds = image_dataset(32, 48, frames=frames)
    ds.compress(RLELossless, ramp(ds), generate_instance_uid=False)
    return write(ds, path)


def _jpegls_file(path: Path, frames: int = 3, cut: int | None = None) -> Path:
    ds = image_dataset(32, 48, frames=frames, syntax=JPEGLSLossless)
    encoded = [encode_frame(JPEGLSLossless, frame) for frame in ramp(ds)]
    if cut is not None:  # frame `cut` loses its second half (and its end-of-image marker)
        encoded[cut] = encoded[cut][: len(encoded[cut]) // 2]
    ds.PixelData = encapsulate(encoded)
    ds["PixelData"].VR = "OB"
    return write(ds, path)


def _outcome(path: Path, index: int, fast: bool, monkeypatch: pytest.MonkeyPatch) -> object:
    """Frame `index` as opened fresh (after frame 0), or the error it raises."""
    with monkeypatch.context() as patch:
        if not fast:
            patch.setattr(FastDecoder, "decode", lambda self, frame: None)
        document = open_document(path)
        document.get_frame(0)
        try:
            return document.get_frame(index).tolist()
        except ViewerError as exc:
            return str(exc)


def test_synthetic_frames_are_pydicoms_and_the_first_is_decoded_both_ways(tmp_path: Path) -> None:
    for path in (_rle_file(tmp_path / "rle.dcm"), _jpegls_file(tmp_path / "jls.dcm")):
        document = open_document(path)
        assert document.source._reader.fast.verified is None  # nothing compared before a decode
        for index in range(3):
            assert np.array_equal(document.get_frame(index), pixel_array(path, index=index))
        assert document.source._reader.fast.verified is True


def test_a_damaged_frame_ends_as_it_does_without_the_fast_path(tmp_path: Path, monkeypatch) -> None:
    """A JPEG-LS frame cut short (CharLS can hang on those: never given to imagecodecs) and
    an RLE frame with its segments cut: same pixels or same error either way."""
    jls = _jpegls_file(tmp_path / "cut.dcm", cut=1)
    rle = _rle_file(tmp_path / "rle.dcm")
    ds = __import__("pydicom").dcmread(rle)
    frames = list(generate_frames(ds.PixelData, number_of_frames=3))
    frames[2] = frames[2][: len(frames[2]) // 3]
    ds.PixelData = encapsulate(frames)
    rle_cut = write(ds, tmp_path / "rle_cut.dcm")
    for path, index in ((jls, 1), (rle_cut, 2)):
        assert _outcome(path, index, True, monkeypatch) == _outcome(path, index, False, monkeypatch)
    assert np.array_equal(open_document(rle_cut).get_frame(1), ramp(ds)[1])  # the others still decode


def test_a_frame_of_another_size_goes_to_pydicom(tmp_path: Path) -> None:
    """imagecodecs' output is used only when it has the frame's rows x columns samples."""
    path = _rle_file(tmp_path / "rle.dcm", frames=2)
    document = open_document(path)
    document.get_frame(0)
    reader = document.source._reader
    assert reader.fast.verified is True
    assert reader.fast.decode(b"\x00" * 64) is None  # an empty RLE header decodes to nothing


def test_a_frame_with_another_sign_than_the_compared_one_goes_to_pydicom() -> None:
    """Verified on an unsigned JPEG 2000 frame; a later codestream declaring signed samples
    (imagecodecs returns int16) is not taken from the fast path."""
    import imagecodecs

    unsigned = (np.arange(32 * 48, dtype=np.uint16) % 4096).reshape(32, 48)
    signed = unsigned.astype(np.int16) - 2048
    options = {"rows": 32, "columns": 48, "samples_per_pixel": 1, "bits_allocated": 16}
    fast = FastDecoder("1.2.840.10008.1.2.4.90", options)
    first = bytes(imagecodecs.jpeg2k_encode(unsigned, level=0, codecformat="J2K"))
    fast.compare(first, unsigned)
    assert fast.verified is True and np.array_equal(fast.decode(first), unsigned)
    other = bytes(imagecodecs.jpeg2k_encode(signed, level=0, codecformat="J2K"))
    assert np.array_equal(imagecodecs.jpeg2k_decode(other), signed)  # imagecodecs itself reads it as int16
    assert fast.decode(other) is None


def test_htj2k_frames_take_the_fast_path(tmp_path: Path) -> None:
    """High-Throughput JPEG 2000 (HTJ2K Lossless, encoded by OpenJPH through imagecodecs):
    pydicom's frames, decoded by imagecodecs after the first."""
    ds = image_dataset(64, 48, frames=3)
    path = write(set_htj2k_pixels(ds, ramp(ds)), tmp_path / "htj2k.dcm")
    document = open_document(path)
    for index in range(3):
        assert np.array_equal(document.get_frame(index), pixel_array(path, index=index))
        assert np.array_equal(document.get_frame(index), ramp(ds)[index])
    assert document.source._reader.fast.verified is True


def test_a_damaged_htj2k_frame_is_refused_not_shown(tmp_path: Path) -> None:
    """One byte of this HT codestream's code-blocks flipped: pydicom's plug-in (openjpeg)
    refuses the frame. OpenJPH (imagecodecs' htj2k_decode, twice as fast) meets an error
    in a callback, cannot raise it and returns an image, as it did for 1,088 of 3,000
    damaged codestreams here: HTJ2K frames stay with openjpeg, and the frame is refused."""
    import imagecodecs

    ds = image_dataset(32, 24, frames=2, syntax="1.2.840.10008.1.2.4.201")
    good = bytes(imagecodecs.htj2k_encode(ramp(ds)[0]))
    damaged = bytearray(good)
    damaged[136] ^= 0xFF
    ds.PixelData = encapsulate([good, bytes(damaged)])
    ds["PixelData"].VR = "OB"
    document = open_document(write(ds, tmp_path / "htj2k-damaged.dcm"))
    assert np.array_equal(document.get_frame(0), ramp(ds)[0])
    with pytest.raises(ViewerError, match="frame 2"):
        document.get_frame(1)
