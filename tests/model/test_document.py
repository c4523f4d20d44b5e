"""The document model: lazy frames, headerless files, truncated data, absurd headers."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.corpus import corpus_file
from viewer.model.document import open_document
from viewer.model.errors import NoPixelDataError, NotDicomError, PixelDataError, ViewerError
from viewer.model.folder import open_entry, scan_folder


def test_opening_decodes_nothing() -> None:
    """Opening a multi-frame file decodes no frame until one is asked for."""
    document = open_document(corpus_file("emri_small.dcm"))
    assert not any(document.is_cached(i) for i in range(document.frame_count))
    document.get_frame(3)
    assert document.is_cached(3) and not document.is_cached(0)


def test_frames_match_pydicom() -> None:
    """Every frame equals pydicom's full decode, and is read-only."""
    path = corpus_file("emri_small_jpeg_ls_lossless.dcm")
    full = pydicom.dcmread(path).pixel_array
    document = open_document(path)
    for i in range(document.frame_count):
        frame = document.get_frame(i)
        assert np.array_equal(frame, full[i]) and not frame.flags.writeable


def test_file_without_meta_is_read_with_force() -> None:
    """A file with no preamble/meta opens, and the summary says it was forced."""
    document = open_document(corpus_file("OT-PAL-8-face.dcm"))
    assert document.forced and any("force" in note for note in document.notes)


def test_truncated_native_data_is_shown_padded() -> None:
    """MR_truncated: the bytes present are shown, the rest is 0, and a note says so."""
    path = corpus_file("MR_truncated.dcm")
    document = open_document(path)
    frame = document.get_frame(0)
    assert frame.shape == (64, 64)
    raw = path.read_bytes()[-8130:]
    expected = np.frombuffer(raw[: 8130 // 2 * 2], dtype="<i2")
    assert np.array_equal(frame.ravel()[: expected.size], expected)
    assert np.all(frame.ravel()[expected.size :] == 0)
    assert any("truncated" in note for note in document.notes)


def test_absurd_dimensions_are_refused(tmp_path: Path) -> None:
    """A header promising far more pixels than the file holds is refused, not allocated."""
    ds = pydicom.dcmread(corpus_file("CT_small.dcm"))
    ds.Rows = ds.Columns = 30000
    ds.NumberOfFrames = "1000"
    path = tmp_path / "absurd.dcm"
    ds.save_as(path)
    with pytest.raises(PixelDataError, match="promises .* bytes of pixel data"):
        open_document(path)


def test_errors_name_the_problem(tmp_path: Path) -> None:
    """Non-DICOM, no pixel data and missing files each get their own message."""
    junk = tmp_path / "junk.dcm"
    junk.write_bytes(b"\x00" * 10)
    with pytest.raises(NotDicomError):
        open_document(junk)
    with pytest.raises(NoPixelDataError, match="RT Plan Storage"):
        open_document(corpus_file("rtplan.dcm"))
    with pytest.raises(ViewerError, match="does not exist"):
        open_document(tmp_path / "missing.dcm")


def test_folder_groups_and_sorts_series(tmp_path: Path) -> None:
    """Single-frame slices of one series become one document sorted along the normal."""
    source = pydicom.dcmread(corpus_file("CT_small.dcm"))
    for n, z in enumerate([30.0, 10.0, 20.0]):
        ds = copy.deepcopy(source)
        ds.SOPInstanceUID = pydicom.uid.generate_uid()
        ds.ImagePositionPatient = [0, 0, z]
        ds.InstanceNumber = n + 1
        ds.PixelData = (source.pixel_array + n).astype(source.pixel_array.dtype).tobytes()
        ds.save_as(tmp_path / f"slice{n}.dcm")
    (tmp_path / "notes.txt").write_text("not dicom")
    scan = scan_folder(tmp_path)
    assert len(scan.series) == 1 and len(scan.skipped) == 1
    assert [p.name for p in scan.series[0].paths] == ["slice1.dcm", "slice2.dcm", "slice0.dcm"]
    document = open_entry(scan.series[0])
    assert document.frame_count == 3
    assert np.array_equal(document.get_frame(0), source.pixel_array + 1)


def test_scan_reports_each_series_once_at_its_first_file_and_open_entries_keeps_going(tmp_path: Path) -> None:
    """`found` hears of every series once (a multi-frame file is a series of its own); a
    series that cannot be opened becomes its reason, the others still open; a cancel keeps
    what was opened."""
    from pydicom.uid import generate_uid

    from tests.hostile import image_dataset, write
    from viewer.model.folder import open_entries
    from viewer.model.progress import Progress

    uids = [generate_uid(), generate_uid()]
    for s, uid in enumerate(uids):
        for n in range(3):
            ds = image_dataset(8, 8)
            ds.SeriesInstanceUID, ds.InstanceNumber = uid, n + 1
            write(ds, tmp_path / f"s{s}_{n}.dcm")
    write(image_dataset(8, 8, frames=4), tmp_path / "z_multi.dcm")
    found = []
    scan = scan_folder(tmp_path, found=found.append)
    assert [(e.series_uid, [p.name for p in e.paths]) for e in found[:2]] == [
        (uids[0], ["s0_0.dcm"]),
        (uids[1], ["s1_0.dcm"]),
    ]
    assert len(found) == 3 and found[2].paths[0].name == "z_multi.dcm"
    assert sorted(len(e.paths) for e in scan.series) == [1, 3, 3]
    (tmp_path / "s1_1.dcm").write_bytes(b"gone")  # damaged after the scan
    opened = open_entries(scan.series)
    assert [type(o).__name__ for o in opened].count("ViewerError") == 1
    assert sum(not isinstance(o, ViewerError) for o in opened) == 2
    progress = Progress()
    progress.cancel()
    assert open_entries(scan.series, progress) == []
