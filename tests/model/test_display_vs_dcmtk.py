"""Our display pipeline against dcmtk's dcm2pnm on the same frame and window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.corpus import corpus_file
from tests.reference import dcm2pnm, gdcm_raw, pydicom_raw
from viewer.model.display import (
    Window,
    get_modality_transform,
    get_voi_luts,
    get_windows,
)
from viewer.model.document import open_document
from viewer.model.rendering import render_frame

# dcm2pnm reads these directly; anything else is decompressed with gdcmconv first.
_DCMTK_SYNTAXES = {
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.2",
    "1.2.840.10008.1.2.5",
    "1.2.840.10008.1.2.1.99",
}

# (file, frame, what it covers)
CASES = [
    ("CT_small.dcm", 1, "CT rescale, no window: min-max"),
    ("MR_small.dcm", 1, "stored window"),
    ("mlut_18.dcm", 1, "Modality LUT Sequence"),
    ("vlut_04.dcm", 1, "VOI LUT Sequence"),
    ("RG3_UNCI.dcm", 1, "MONOCHROME1"),
    ("RG1_UNCI.dcm", 1, "MONOCHROME1 12-bit"),
    ("JPEG2000.dcm", 1, "JPEG 2000"),
    ("MR_small_jp2klossless.dcm", 1, "JPEG 2000 lossless"),
    ("MR_small_jpeg_ls_lossless.dcm", 1, "JPEG-LS lossless"),
    ("JPEGLSNearLossless_16.dcm", 1, "JPEG-LS near-lossless"),
    ("MR_small_RLE.dcm", 1, "RLE"),
    ("emri_small_RLE.dcm", 7, "RLE multi-frame, frame 7"),
    ("emri_small.dcm", 4, "multi-frame"),
    ("rtdose_1frame.dcm", 1, "RT Dose Grid Scaling"),
    ("MR_small_bigendian.dcm", 1, "big endian"),
    ("image_dfl.dcm", 1, "deflated"),
    ("liver_1frame.dcm", 1, "1-bit"),
    ("OT-PAL-8-face.dcm", 1, "palette colour"),
    ("SC_rgb.dcm", 1, "RGB 8-bit"),
    ("SC_rgb_16bit.dcm", 1, "RGB 16-bit"),
    ("SC_rgb_rle_2frame.dcm", 2, "RGB RLE, frame 2"),
    ("US1_UNCR.dcm", 1, "RGB ultrasound"),
    ("SC_ybr_full_422_uncompressed.dcm", 1, "YBR_FULL_422"),
    ("examples_ybr_color.dcm", 1, "YBR JPEG baseline"),
    ("SC_rgb_jpeg_dcmtk.dcm", 1, "RGB JPEG baseline"),
    ("JPGExtended.dcm", 1, "JPEG extended 12-bit"),
    ("SC_rgb_jpeg_gdcm.dcm", 1, "RGB JPEG baseline (gdcm)"),
]


_LOSSY_JPEG = {"1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51"}


def _reference_file(path: Path, syntax: str, tmp_path: Path) -> Path:
    """What dcm2pnm reads: the file itself, or a decompressed copy of it."""
    if syntax in _DCMTK_SYNTAXES:
        return path
    if syntax in _LOSSY_JPEG:
        return pydicom_raw(path, tmp_path)
    return gdcm_raw(path, tmp_path)


def _dcmtk_default_options(view, is_color: bool) -> list[str]:
    """The dcm2pnm options equivalent to our default window choice (DESIGN.md)."""
    if is_color:
        return []
    if get_windows(view):
        return ["+Wi", "1"]
    if get_voi_luts(view):
        return ["+Wl", "1"]
    return ["+Wm"]


def _assert_close(ours: np.ndarray, ref: np.ndarray, tolerance: int = 1) -> None:
    assert ours.shape == ref.shape
    diff = np.abs(ours.astype(int) - ref.astype(int))
    assert diff.max() <= tolerance, f"max diff {diff.max()}, {(diff > tolerance).sum()} values off"


@pytest.mark.parametrize("name,frame,what", CASES, ids=[c[0] for c in CASES])
def test_default_window_matches_dcm2pnm(name: str, frame: int, what: str, tmp_path: Path) -> None:
    """The default rendering of a frame is within one gray level of dcm2pnm's."""
    path = corpus_file(name)
    doc = open_document(path)
    ours = render_frame(doc, frame - 1)
    options = _dcmtk_default_options(doc.frame_attributes(frame - 1), doc.pixels.is_color)
    ref = dcm2pnm(_reference_file(path, doc.transfer_syntax, tmp_path), tmp_path, frame, options)
    _assert_close(ours, ref)


@pytest.mark.parametrize(
    "name,frame,what",
    [c for c in CASES if "RGB" not in c[2] and "YBR" not in c[2] and "palette" not in c[2]],
    ids=[c[0] for c in CASES if "RGB" not in c[2] and "YBR" not in c[2] and "palette" not in c[2]],
)
def test_explicit_window_matches_dcm2pnm(name: str, frame: int, what: str, tmp_path: Path) -> None:
    """`render --window C W` equals dcm2pnm +Ww C W within one gray level."""
    path = corpus_file(name)
    doc = open_document(path)
    stored = doc.get_frame(frame - 1)
    modality = get_modality_transform(doc.frame_attributes(frame - 1), doc.pixels).apply(stored)
    low, high = np.percentile(modality, [10, 70])
    window = Window(round(float(low + high) / 2, 3), max(round(float(high - low), 3), 1.0))
    ours = render_frame(doc, frame - 1, window)
    ref = dcm2pnm(
        _reference_file(path, doc.transfer_syntax, tmp_path),
        tmp_path,
        frame,
        ["+Ww", str(window.center), str(window.width)],
    )
    _assert_close(ours, ref)


def test_ybr_full_follows_the_standard_where_dcmtk_truncates(tmp_path: Path) -> None:
    """YBR_FULL -> RGB uses PS3.3 C.7.6.3.1.2 exactly; dcm2pnm's truncating tables differ by <= 2.

    dcmtk converts 8-bit YCbCr with integer tables truncated per term and an offset of
    127.5, so it is up to 1.85 levels from the exact result; ours is within 0.5.
    """
    path = corpus_file("SC_ybr_full_uncompressed.dcm")
    doc = open_document(path)
    ours = render_frame(doc, 0).astype(float)
    from pydicom.pixels import pixel_array

    ybr = pixel_array(str(path), raw=True).astype(float)
    y, cb, cr = ybr[..., 0], ybr[..., 1] - 128, ybr[..., 2] - 128
    exact = np.stack(
        [y + 1.402 * cr, y - 0.114 * 1.772 / 0.587 * cb - 0.299 * 1.402 / 0.587 * cr, y + 1.772 * cb],
        axis=-1,
    ).clip(0, 255)
    assert np.abs(ours - exact).max() <= 0.5
    ref = dcm2pnm(path, tmp_path, 1, [])
    _assert_close(ours.astype(np.uint8), ref, tolerance=2)
