"""`segment` writes a DICOM SEG that highdicom reads back equal to numpy's LO <= value <= HI."""

from __future__ import annotations

from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest

from tests.corpus import corpus_file
from tests.hostile import image_dataset, write
from tests.reference import dciodvfy_errors
from viewer.cli.main import main
from viewer.model.document import open_document

CASES = [("CT_small.dcm", 100, 3000), ("MR_small.dcm", 500, 4000), ("eCT_Supplemental.dcm", 100, 3000)]


def _expected(path: Path, low: float, high: float) -> np.ndarray:
    document = open_document(path)
    return np.stack(
        [
            (v >= low) & (v <= high)
            for v in (document.modality(i).apply(document.get_frame(i)) for i in range(document.frame_count))
        ]
    )


def _read_back(seg_path: Path, source: pydicom.Dataset, frames: int) -> np.ndarray:
    seg = hd.seg.segread(seg_path)
    if frames > 1:
        arr = seg.get_pixels_by_source_frame(
            source_sop_instance_uid=source.SOPInstanceUID,
            source_frame_numbers=list(range(1, frames + 1)),
            combine_segments=True,
            skip_overlap_checks=True,
        )
    else:
        arr = seg.get_pixels_by_source_instance(
            source_sop_instance_uids=[source.SOPInstanceUID], combine_segments=True, skip_overlap_checks=True
        )
    return np.asarray(arr).reshape(frames, source.Rows, source.Columns) > 0


@pytest.mark.parametrize(("name", "low", "high"), CASES, ids=[c[0] for c in CASES])
def test_segment_reads_back_equal_to_the_threshold(name: str, low: float, high: float, tmp_path: Path) -> None:
    path = corpus_file(name)
    out = tmp_path / "seg.dcm"
    assert main(["segment", str(path), "-o", str(out), "--threshold", str(low), str(high), "--label", "Bone"]) == 0
    source = pydicom.dcmread(path, stop_before_pixels=True)
    expected = _expected(path, low, high)
    np.testing.assert_array_equal(_read_back(out, source, len(expected)), expected)
    assert dciodvfy_errors(out) == []
    assert pydicom.dcmread(out).SegmentSequence[0].SegmentLabel == "Bone"


def test_frames_spec_limits_the_mask(tmp_path: Path) -> None:
    path = corpus_file("eCT_Supplemental.dcm")
    out = tmp_path / "seg.dcm"
    assert main(["segment", str(path), "-o", str(out), "--threshold", "100", "3000", "--frames", "2"]) == 0
    source = pydicom.dcmread(path, stop_before_pixels=True)
    expected = _expected(path, 100, 3000)
    expected[0] = False
    np.testing.assert_array_equal(_read_back(out, source, 2), expected)


def test_source_without_frame_of_reference_gets_a_valid_seg(tmp_path: Path) -> None:
    path = write(image_dataset(16, 16), tmp_path / "sc.dcm")  # Secondary Capture: no Frame of Reference
    assert main(["segment", str(path), "-o", str(tmp_path / "seg.dcm"), "--threshold", "10", "100"]) == 0
    assert dciodvfy_errors(tmp_path / "seg.dcm") == []


BAD = [
    (["--threshold", "100000", "200000"], 1, "is empty: the range selects no pixel; nothing written"),
    (["--threshold", "5", "1"], 2, "LO <= HI"),
    (["--threshold", "0", "10", "--frames", "7"], 1, "outside"),
]


@pytest.mark.parametrize(("args", "status", "message"), BAD, ids=["empty", "reversed", "frame"])
def test_bad_requests_are_one_line(args: list[str], status: int, message: str, tmp_path: Path, capfd) -> None:
    out = tmp_path / "seg.dcm"
    assert main(["segment", str(corpus_file("CT_small.dcm")), "-o", str(out), *args]) == status
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not out.exists()


def test_colour_is_refused(tmp_path: Path, capfd) -> None:
    assert (
        main(["segment", str(corpus_file("SC_rgb.dcm")), "-o", str(tmp_path / "s.dcm"), "--threshold", "0", "9"]) == 1
    )
    assert "colour" in capfd.readouterr().err
