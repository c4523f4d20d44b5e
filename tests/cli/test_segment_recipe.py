"""`segment --recipe`: a session's mask steps replayed into a SEG, and the refusals."""

from __future__ import annotations

import json
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest
from scipy import ndimage

from tests.corpus import corpus_file
from tests.reference import dciodvfy_errors
from viewer.cli.main import main


def _recipe(path: Path, steps: list[dict]) -> Path:
    path.write_text(json.dumps({"version": 1, "operations": steps}))
    return path


def test_two_segments_from_a_recipe(tmp_path: Path, capfd) -> None:
    source = corpus_file("CT_small.dcm")
    steps = [
        {"op": "new-segment", "label": "Bone", "category": "Tissue", "kind": "Bone"},
        {"op": "mask-threshold", "lo": 250, "hi": 3000},
        {"op": "new-segment", "label": "Soft"},
        {"op": "mask-threshold", "lo": 0, "hi": 100, "segment": 2},
        {"op": "mask-remove-islands", "smaller_than": 30, "segment": 2},
    ]
    out = tmp_path / "seg.dcm"
    assert main(["segment", str(source), "-o", str(out), "--recipe", str(_recipe(tmp_path / "r.json", steps))]) == 0
    assert "2 segment(s)" in capfd.readouterr().out
    seg = pydicom.dcmread(out)
    assert [s.SegmentLabel for s in seg.SegmentSequence] == ["Bone", "Soft"]
    types = [s.SegmentedPropertyTypeCodeSequence[0].CodeValue for s in seg.SegmentSequence]
    assert types == ["272673000", "85756007"]  # SNOMED CT Bone, Tissue (the default)
    ds = pydicom.dcmread(source)
    hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    back = hd.seg.segread(out).get_pixels_by_source_instance(
        source_sop_instance_uids=[ds.SOPInstanceUID], combine_segments=False, skip_overlap_checks=True
    )[0]
    np.testing.assert_array_equal(back[..., 0] > 0, (hu >= 250) & (hu <= 3000))
    soft = (hu >= 0) & (hu <= 100)
    labels, _ = ndimage.label(soft)
    sizes = np.bincount(labels.ravel())
    keep = sizes >= 30
    keep[0] = False
    np.testing.assert_array_equal(back[..., 1] > 0, keep[labels])
    assert dciodvfy_errors(out) == []


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (
            [{"op": "new-segment"}, {"op": "mask-threshold", "lo": 0, "hi": 100}, {"op": "flip", "direction": "h"}],
            "the pixels are edited",
        ),
        ([{"op": "flip", "direction": "h"}], "the pixels are edited"),
        ([], "there is no segment to save"),
        ([{"op": "new-segment"}, {"op": "mask-threshold", "lo": 90000, "hi": 90001}], "selects no pixel"),
        ([{"op": "mask-threshold", "lo": 0, "hi": 100}], "there is no segment 1"),
    ],
)
def test_refusals_are_one_line(tmp_path: Path, capfd, steps: list[dict], message: str) -> None:
    recipe = _recipe(tmp_path / "r.json", steps)
    out = tmp_path / "seg.dcm"
    assert main(["segment", str(corpus_file("CT_small.dcm")), "-o", str(out), "--recipe", str(recipe)]) == 1
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and message in err and not out.exists()


def test_an_unknown_property_keyword_is_a_usage_error(tmp_path: Path, capfd) -> None:
    recipe = _recipe(tmp_path / "r.json", [{"op": "new-segment", "kind": "Bonez"}])
    assert (
        main(["segment", str(corpus_file("CT_small.dcm")), "-o", str(tmp_path / "s.dcm"), "--recipe", str(recipe)]) == 2
    )
    assert "'Bonez' is not a SNOMED CT keyword" in capfd.readouterr().err
