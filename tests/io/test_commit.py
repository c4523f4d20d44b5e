"""Commit and save over real files: every synced tag checked against independent values."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.corpus import corpus_file, corpus_files
from tests.reference import dciodvfy_errors, require
from viewer.edits.operations import (
    Bin,
    Binarize,
    Crop,
    DeleteFrames,
    FillInside,
    FillOutside,
    Flip,
    Invert,
    Pad,
    Rotate,
)
from viewer.edits.session import begin_edit
from viewer.io import save as save_module
from viewer.io.save import save
from viewer.model import codecs
from viewer.model.document import open_document
from viewer.model.errors import ViewerError


def _save_edited(name: str, tmp_path: Path, *operations, syntax: str = "keep"):
    path = corpus_file(name)
    document = open_document(path)
    work = begin_edit(document)
    for op in operations:
        work.apply(op)
    out = tmp_path / f"{path.stem}_edited.dcm"
    report = save(document, out, syntax)
    return pydicom.dcmread(path, force=True), pydicom.dcmread(out), report


def _vec(value) -> np.ndarray:
    return np.array([float(v) for v in value])


def _assert_derived(before, after) -> None:
    assert after.SOPInstanceUID != before.SOPInstanceUID
    assert after.file_meta.MediaStorageSOPInstanceUID == after.SOPInstanceUID
    assert after.ImageType[0] == "DERIVED"
    assert after.DerivationDescription.startswith("Edited with dicom-viewer: ")
    reference = after.SourceImageSequence[-1]
    assert reference.ReferencedSOPInstanceUID == before.SOPInstanceUID
    assert reference.ReferencedSOPClassUID == before.SOPClassUID


def test_crop_moves_position_along_direction_cosines(tmp_path: Path) -> None:
    """Crop x=10, y=20: IPP + 10 * column spacing * row dir + 20 * row spacing * column dir."""
    before, after, _ = _save_edited("CT_small.dcm", tmp_path, Crop(10, 20, 50, 40))
    ipp, iop, spacing = (
        _vec(before.ImagePositionPatient),
        _vec(before.ImageOrientationPatient),
        _vec(before.PixelSpacing),
    )
    expected = ipp + 10 * spacing[1] * iop[:3] + 20 * spacing[0] * iop[3:]
    assert np.allclose(_vec(after.ImagePositionPatient), expected, atol=1e-4)
    assert (after.Rows, after.Columns) == (40, 50)
    assert np.array_equal(after.pixel_array, before.pixel_array[20:60, 10:60])
    assert list(after.ImageOrientationPatient) == list(before.ImageOrientationPatient)
    _assert_derived(before, after)
    assert all(len(str(v)) <= 16 for v in after.ImagePositionPatient)


def test_bin_scales_spacing_and_centres_position(tmp_path: Path) -> None:
    """Bin 4: spacing x4; the first pixel is the centre of the first 4 x 4 block."""
    before, after, _ = _save_edited("CT_small.dcm", tmp_path, Bin(4))
    ipp, iop, spacing = (
        _vec(before.ImagePositionPatient),
        _vec(before.ImageOrientationPatient),
        _vec(before.PixelSpacing),
    )
    assert np.allclose(_vec(after.PixelSpacing), spacing * 4)
    expected = ipp + 1.5 * spacing[1] * iop[:3] + 1.5 * spacing[0] * iop[3:]
    assert np.allclose(_vec(after.ImagePositionPatient), expected, atol=1e-4)
    assert (after.Rows, after.Columns) == (32, 32)


def test_flip_h_reverses_row_direction(tmp_path: Path) -> None:
    """Flip h: row direction negated; the first pixel is the old last pixel of row 0."""
    before, after, _ = _save_edited("CT_small.dcm", tmp_path, Flip("h"))
    ipp, iop, spacing = (
        _vec(before.ImagePositionPatient),
        _vec(before.ImageOrientationPatient),
        _vec(before.PixelSpacing),
    )
    assert np.allclose(_vec(after.ImageOrientationPatient), [*(-iop[:3]), *iop[3:]])
    assert np.allclose(_vec(after.ImagePositionPatient), ipp + 127 * spacing[1] * iop[:3], atol=1e-4)


def test_rotate_90_turns_directions_and_swaps_spacing(tmp_path: Path) -> None:
    """Rotate 90 clockwise: new row dir = -old column dir, new column dir = old row dir."""
    before, after, _ = _save_edited("MR_small.dcm", tmp_path, Crop(0, 0, 64, 40), Rotate(90))
    ipp, iop, spacing = (
        _vec(before.ImagePositionPatient),
        _vec(before.ImageOrientationPatient),
        _vec(before.PixelSpacing),
    )
    assert np.allclose(_vec(after.ImageOrientationPatient), [*(-iop[3:]), *iop[:3]], atol=1e-6)
    assert np.allclose(_vec(after.ImagePositionPatient), ipp + 39 * spacing[0] * iop[3:], atol=1e-4)
    assert np.allclose(_vec(after.PixelSpacing), spacing[::-1])
    assert (after.Rows, after.Columns) == (64, 40)

    # Each pixel keeps its patient position: old (r, c) -> new (c, 39 - r)
    def position(ds, r, c):
        i, s, p = _vec(ds.ImageOrientationPatient), _vec(ds.PixelSpacing), _vec(ds.ImagePositionPatient)
        return p + c * s[1] * i[:3] + r * s[0] * i[3:]

    assert np.allclose(position(before, 7, 11), position(after, 11, 39 - 7), atol=1e-3)
    assert after.pixel_array[11, 39 - 7] == before.pixel_array[7, 11]


def test_threshold_keeps_fitting_window_and_recomputes_extremes(tmp_path: Path) -> None:
    """Fill outside on MR_small: the stored window still fits; Largest Image Pixel Value follows."""
    before, after, report = _save_edited("MR_small.dcm", tmp_path, FillOutside(300, 1e9, 0))
    assert after.WindowCenter == before.WindowCenter and after.WindowWidth == before.WindowWidth
    assert after.LargestImagePixelValue == int(after.pixel_array.max())
    assert after.SmallestImagePixelValue == int(after.pixel_array.min())
    assert after["LargestImagePixelValue"].VR == ("SS" if after.PixelRepresentation else "US")
    assert any(c.path == "SOPInstanceUID" for c in report.changes)


def test_binarize_gives_mask_window_and_identity_rescale(tmp_path: Path) -> None:
    """Binarize CT: values 0/1, rescale 1/0, window 0.5/1."""
    before, after, _ = _save_edited("CT_small.dcm", tmp_path, Binarize(-100, 100))
    hu = before.pixel_array.astype(int) - 1024
    assert np.array_equal(after.pixel_array, ((hu >= -100) & (hu <= 100)).astype(int))
    assert float(after.RescaleSlope) == 1 and float(after.RescaleIntercept) == 0
    assert (float(after.WindowCenter), float(after.WindowWidth)) == (0.5, 1.0)


def test_values_beyond_bits_stored_widen_the_type(tmp_path: Path) -> None:
    """A fill value of -5000 on unsigned 16-bit data makes the pixels signed 32-bit."""
    _, after, report = _save_edited("MR_small_RLE.dcm", tmp_path, FillOutside(0, 500, -70000), syntax="explicit")
    assert after.PixelRepresentation == 1 and after.BitsAllocated == 32 and after.BitsStored >= 18
    assert after.HighBit == after.BitsStored - 1
    assert int(after.pixel_array.min()) == -70000
    assert any("widened" in w for w in report.warnings)


def test_enhanced_delete_frames_keeps_matching_groups(tmp_path: Path) -> None:
    """eCT_Supplemental: deleting frame 1 keeps the per-frame item of frame 2, in order."""
    before, after, _ = _save_edited("eCT_Supplemental.dcm", tmp_path, DeleteFrames("1"))
    assert int(after.NumberOfFrames) == 1
    assert len(after.PerFrameFunctionalGroupsSequence) == 1
    assert after.PerFrameFunctionalGroupsSequence[0] == before.PerFrameFunctionalGroupsSequence[1]
    assert np.array_equal(after.pixel_array, before.pixel_array[1])


def test_enhanced_crop_updates_every_frame_position(tmp_path: Path) -> None:
    """eCT_Supplemental: each frame's Plane Position moves by the crop offset."""
    before, after, _ = _save_edited("eCT_Supplemental.dcm", tmp_path, Crop(5, 7, 100, 90))
    shared = before.SharedFunctionalGroupsSequence[0]
    iop = _vec(shared.PlaneOrientationSequence[0].ImageOrientationPatient)
    spacing = _vec(shared.PixelMeasuresSequence[0].PixelSpacing)
    for old, new in zip(before.PerFrameFunctionalGroupsSequence, after.PerFrameFunctionalGroupsSequence, strict=True):
        ipp = _vec(old.PlanePositionSequence[0].ImagePositionPatient)
        expected = ipp + 5 * spacing[1] * iop[:3] + 7 * spacing[0] * iop[3:]
        assert np.allclose(_vec(new.PlanePositionSequence[0].ImagePositionPatient), expected, atol=1e-4)
        assert new.PlanePositionSequence[0] != old.PlanePositionSequence[0]


def test_lossy_source_stays_flagged(tmp_path: Path) -> None:
    """An edited JPEG baseline image is saved uncompressed and keeps Lossy Image Compression 01."""
    before, after, report = _save_edited("SC_rgb_jpeg_dcmtk.dcm", tmp_path, Flip("v"))
    assert before.PhotometricInterpretation == "YBR_FULL"
    assert after.LossyImageCompression == "01"
    assert after.LossyImageCompressionMethod == "ISO_10918_1"
    assert after.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
    assert after.PhotometricInterpretation == "RGB"
    assert any("lossy" in w for w in report.warnings)


VALIDATED = [
    ("CT_small.dcm", [Crop(10, 10, 64, 64), Rotate(90)]),
    ("CT_small.dcm", [Binarize(-100, 100)]),
    ("MR_small.dcm", [FillOutside(300, 1e9, 0), Flip("v")]),
    ("MR_small.dcm", [Bin(3)]),
    ("emri_small.dcm", [DeleteFrames("2-4"), Flip("h")]),
    ("eCT_Supplemental.dcm", [Crop(5, 5, 200, 200), DeleteFrames("1")]),
    ("RG3_UNCI.dcm", [Invert(), Bin(2)]),
    ("SC_rgb.dcm", [Crop(1, 2, 50, 40), Rotate(270)]),
    ("US1_UNCR.dcm", [Flip("h")]),
    ("OT-PAL-8-face.dcm", [Crop(10, 10, 100, 100)]),
    ("JPEG2000.dcm", [Rotate(180)]),
    ("MR_small_bigendian.dcm", [Flip("h")]),
    ("CT_small.dcm", [Pad(10, 20, 30, 40, -1000)]),
    ("eCT_Supplemental.dcm", [Pad(4, 4, 0, 0, -1000), DeleteFrames("2")]),
]


@pytest.mark.parametrize(
    "name,operations", VALIDATED, ids=[f"{n}-{'+'.join(o.name for o in ops)}" for n, ops in VALIDATED]
)
def test_no_new_validator_errors_and_readable(name: str, operations, tmp_path: Path) -> None:
    """dciodvfy finds no error in the edited file that the original did not have;
    pydicom and dcm2pnm read it back."""
    path = corpus_file(name)
    _, after, _ = _save_edited(name, tmp_path, *operations)
    out = tmp_path / f"{path.stem}_edited.dcm"
    new_errors = set(dciodvfy_errors(out)) - set(dciodvfy_errors(path))
    assert not new_errors, "\n".join(sorted(new_errors))
    assert after.pixel_array.shape[:2] == (after.Rows, after.Columns) or after.pixel_array.shape[1:3] == (
        after.Rows,
        after.Columns,
    )
    tool = require("dcm2pnm")
    result = subprocess.run([tool, str(out), str(tmp_path / "check.pnm")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _readable_files() -> list[Path]:
    """One file per transfer syntax we can decode (the round-trip corpus)."""
    chosen: dict[str, Path] = {}
    for path in corpus_files():
        try:
            document = open_document(path)
            document.get_frame(0)
        except (ViewerError, Exception):
            continue
        chosen.setdefault(str(document.transfer_syntax), path)
    return list(chosen.values())


ROUND_TRIP = _readable_files()


@pytest.mark.parametrize("path", ROUND_TRIP, ids=[p.name for p in ROUND_TRIP])
def test_round_trip_without_edits(path: Path, tmp_path: Path) -> None:
    """Saving with no edit keeps the pixels bit-identical, the SOP Instance UID, the input bytes."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    document = open_document(path)
    out = tmp_path / "copy.dcm"
    save(document, out)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    before, after = pydicom.dcmread(path, force=True), pydicom.dcmread(out)
    assert after.SOPInstanceUID == before.SOPInstanceUID
    assert np.array_equal(after.pixel_array, before.pixel_array)


@pytest.mark.parametrize("syntax", ["rle", "jpegls", "j2k", "explicit"])
def test_lossless_syntaxes_on_request(syntax: str, tmp_path: Path) -> None:
    """--syntax rle/jpegls/j2k write lossless copies that decode to the same pixels."""
    if not codecs.can_encode(save_module._REQUESTED[syntax]):
        pytest.skip(f"no encoder for {syntax}")
    before, after, report = _save_edited("emri_small.dcm", tmp_path, Flip("h"), syntax=syntax)
    assert after.file_meta.TransferSyntaxUID == save_module._REQUESTED[syntax]
    assert np.array_equal(after.pixel_array, before.pixel_array[:, :, ::-1])
    assert "LossyImageCompression" not in after or after.LossyImageCompression == before.get("LossyImageCompression")


def test_failed_write_leaves_old_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that dies half-way leaves the old target intact and no temporary file."""
    target = tmp_path / "out.dcm"
    target.write_bytes(b"old complete file")

    def dying_write(f, ds, **kwargs):
        f.write(b"DICM partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(save_module, "dcmwrite", dying_write)
    document = open_document(corpus_file("CT_small.dcm"))
    begin_edit(document).apply(Flip("h"))
    with pytest.raises(ViewerError, match="No space left on device"):
        save(document, target)
    assert target.read_bytes() == b"old complete file"
    assert [p.name for p in tmp_path.iterdir()] == ["out.dcm"]


def test_failed_write_leaves_no_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the target did not exist, a failed save leaves nothing behind."""
    monkeypatch.setattr(save_module, "verify", lambda *a: (_ for _ in ()).throw(ViewerError("does not read back")))
    document = open_document(corpus_file("CT_small.dcm"))
    begin_edit(document).apply(Flip("h"))
    with pytest.raises(ViewerError, match="read back"):
        save(document, tmp_path / "new.dcm")
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_overwrite_input(tmp_path: Path) -> None:
    """The input file is never the output."""
    copy = tmp_path / "in.dcm"
    copy.write_bytes(corpus_file("CT_small.dcm").read_bytes())
    with pytest.raises(ViewerError, match="refusing to write over the input"):
        save(open_document(copy), copy)


def test_window_that_no_longer_fits_is_replaced_with_a_warning(tmp_path: Path) -> None:
    """MR_small's 600/1600 window cannot show values all set to 5000: replaced and reported."""
    _, after, report = _save_edited("MR_small.dcm", tmp_path, FillInside(-1e9, 1e9, 5000))
    assert (float(after.WindowCenter), float(after.WindowWidth)) == (5000.0, 1.0)
    assert any("no longer fit" in w for w in report.warnings)


def test_edited_series_saves_one_file_per_frame(tmp_path: Path) -> None:
    """A folder series cropped and with one slice deleted saves N-1 files in one new series,
    each with its own position moved by the crop."""
    import copy

    from viewer.io.series import save_series
    from viewer.model.folder import open_entry, scan_folder

    source = pydicom.dcmread(corpus_file("CT_small.dcm"))
    folder = tmp_path / "series"
    folder.mkdir()
    for n, z in enumerate([0.0, 5.0, 10.0]):
        ds = copy.deepcopy(source)
        ds.SOPInstanceUID = pydicom.uid.generate_uid()
        ds.ImagePositionPatient = [0, 0, z]
        ds.save_as(folder / f"s{n}.dcm")
    document = open_entry(scan_folder(folder).series[0])
    work = begin_edit(document)
    work.apply(Crop(10, 20, 64, 64))
    work.apply(DeleteFrames("2"))
    reports = save_series(document, tmp_path / "out")
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["s0.dcm", "s2.dcm"] and len(reports) == 2
    out = [pydicom.dcmread(tmp_path / "out" / name) for name in written]
    assert out[0].SeriesInstanceUID == out[1].SeriesInstanceUID != source.SeriesInstanceUID
    iop, spacing = _vec(source.ImageOrientationPatient), _vec(source.PixelSpacing)
    shift = 10 * spacing[1] * iop[:3] + 20 * spacing[0] * iop[3:]
    assert np.allclose(_vec(out[1].ImagePositionPatient), np.array([0, 0, 10.0]) + shift, atol=1e-4)
    assert (out[0].Rows, out[0].Columns) == (64, 64)
    assert np.array_equal(out[1].pixel_array, source.pixel_array[20:84, 10:74])


def test_pad_moves_the_origin_back_by_the_margins(tmp_path: Path) -> None:
    """Pad left 10, top 20: the new first pixel lies 10 columns and 20 rows before the old one,
    the old pixels sit inside the margins unchanged, and the margins hold -1000 HU."""
    before, after, _ = _save_edited("CT_small.dcm", tmp_path, Pad(10, 20, 30, 40, -1000))
    ipp, iop, spacing = (
        _vec(before.ImagePositionPatient),
        _vec(before.ImageOrientationPatient),
        _vec(before.PixelSpacing),
    )
    expected = ipp - 10 * spacing[1] * iop[:3] - 20 * spacing[0] * iop[3:]
    assert np.allclose(_vec(after.ImagePositionPatient), expected, atol=1e-4)
    assert (after.Rows, after.Columns) == (128 + 60, 128 + 40)
    hu = after.pixel_array * float(after.RescaleSlope) + float(after.RescaleIntercept)
    assert np.array_equal(after.pixel_array[20:148, 10:138], before.pixel_array)
    assert hu[0, 0] == -1000 and hu[-1, -1] == -1000


def test_encode_never_changes_the_commit(tmp_path: Path) -> None:
    """One commit (the Save As preview) encoded in two syntaxes: both files are right and the
    commit is as it was (encode used to rewrite its syntax and drop its Pixel Data)."""
    from viewer.io.commit import commit
    from viewer.io.save import save

    document = open_document(corpus_file("SC_rgb_rle.dcm"))
    begin_edit(document).apply(Flip("h"))
    result = commit(document)
    before = {k: str(result.dataset.get(k)) for k in ("PhotometricInterpretation", "PlanarConfiguration")}
    syntax = result.dataset.file_meta.TransferSyntaxUID
    for choice, name in (("explicit", "a.dcm"), ("rle", "b.dcm")):
        save(document, tmp_path / name, choice, committed=result)
    assert result.dataset.file_meta.TransferSyntaxUID == syntax
    assert {k: str(result.dataset.get(k)) for k in before} == before
    assert "PixelData" not in result.dataset or result.pixels is not None
    a, b = pydicom.dcmread(tmp_path / "a.dcm"), pydicom.dcmread(tmp_path / "b.dcm")
    assert np.array_equal(a.pixel_array, b.pixel_array)


def test_tag_changes_are_checked_before_anything_is_written() -> None:
    """A value that breaks its VR (a 17-character Decimal String) is named by the check."""
    from pydicom.dataset import Dataset

    from viewer.io.tag_changes import TagRecorder

    ds = Dataset()
    recorder = TagRecorder()
    recorder.set(ds, "PixelSpacing", ["0.5", "0.5"])
    recorder.check()
    recorder.set(ds, "SliceThickness", "1234567890.123456")
    with pytest.raises(ViewerError, match=r"invalid \(0018,0050\) Slice Thickness"):
        recorder.check()


@pytest.mark.parametrize("edited", [False, True])
def test_stray_item_tags_are_dropped_and_reported(tmp_path: Path, edited: bool) -> None:
    """(FFFE,E000) / (FFFE,E0DD) at dataset level made every save fail with "Unknown Value
    Representation": they are dropped, listed in the report, and the rest is saved."""
    import struct

    from tests import hostile
    from viewer.io.save import save

    path = hostile.write(hostile.image_dataset(8, 8), tmp_path / "stray.dcm")
    hostile.insert_before_pixels(path, struct.pack("<HHI", 0xFFFE, 0xE000, 0) + struct.pack("<HHI", 0xFFFE, 0xE0DD, 0))
    document = open_document(path)
    if edited:
        begin_edit(document).apply(Flip("h"))
    report = save(document, tmp_path / "out.dcm")
    assert [str(c) for c in report.changes if c.path.startswith("(FFFE")] == [
        "(FFFE,E000): stray item tag -> (removed)",
        "(FFFE,E0DD): stray item tag -> (removed)",
    ]
    back = pydicom.dcmread(tmp_path / "out.dcm")
    assert not any(t.group == 0xFFFE for t in back.keys())
    expected = hostile.ramp(back)[0]
    assert np.array_equal(back.pixel_array, expected[:, ::-1] if edited else expected)


def test_deflated_input_edited_with_syntax_keep(tmp_path: Path) -> None:
    """Deflated + any pixel edit + keep failed: "the written file does not read back"."""
    from viewer.io.save import save

    document = open_document(corpus_file("image_dfl.dcm"))
    begin_edit(document).apply(Flip("h"))
    report = save(document, tmp_path / "out.dcm", "keep")
    back = pydicom.dcmread(tmp_path / "out.dcm")
    assert report.transfer_syntax == back.file_meta.TransferSyntaxUID == "1.2.840.10008.1.2.1.99"
    assert np.array_equal(back.pixel_array, pydicom.dcmread(corpus_file("image_dfl.dcm")).pixel_array[:, ::-1])


def test_odd_length_fragments_are_rewrapped_on_a_plain_save(tmp_path: Path) -> None:
    """A pad byte after an odd item, with the item length unchanged, made the copy
    unreadable to dcmtk and dciodvfy: the frame is re-wrapped with an even length."""
    import subprocess

    from pydicom.encaps import generate_fragments

    from tests import hostile
    from tests.reference import require
    from viewer.io.save import save

    path = hostile.odd_length_fragment(tmp_path / "odd.dcm")
    report = save(open_document(path), tmp_path / "out.dcm")
    assert any(c.path == "PixelData" and "even" in c.new for c in report.changes)
    back = pydicom.dcmread(tmp_path / "out.dcm")
    assert all(len(f) % 2 == 0 for f in generate_fragments(back.PixelData))
    assert np.array_equal(back.pixel_array, pydicom.dcmread(path).pixel_array)
    dump = subprocess.run([require("dcmdump"), str(tmp_path / "out.dcm")], capture_output=True, text=True)
    assert dump.returncode == 0 and "E:" not in dump.stderr + dump.stdout


def test_one_commit_encodes_into_several_syntaxes_unchanged(tmp_path: Path) -> None:
    """The Save As preview's commit may be written once per chosen syntax: encoding never
    changes it (pydicom's Dataset(ds) shares the element dict; the copy must not)."""
    from viewer.io.commit import commit

    document = open_document(corpus_file("MR_small.dcm"))
    begin_edit(document).apply(Flip("h"))
    result = commit(document)
    before = {e.tag: e.value for e in result.dataset if e.tag != 0x7FE00010}
    syntax_before = result.dataset.file_meta.TransferSyntaxUID
    for syntax in ("rle", "explicit", "jpegls"):
        report = save(document, tmp_path / f"{syntax}.dcm", syntax, committed=result)
        assert pydicom.dcmread(tmp_path / f"{syntax}.dcm").file_meta.TransferSyntaxUID == report.transfer_syntax
        np.testing.assert_array_equal(pydicom.dcmread(tmp_path / f"{syntax}.dcm").pixel_array, result.pixels[0])
    assert {e.tag: e.value for e in result.dataset if e.tag != 0x7FE00010} == before
    assert result.dataset.file_meta.TransferSyntaxUID == syntax_before
