"""Measurements: every statistic against numpy on a mask built here, lengths by hand,
profiles on a ramp, calibration sources, and bad input as one-line answers."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from tests.hostile import image_dataset, write
from viewer.cli.main import main
from viewer.model.document import open_document
from viewer.model.errors import ViewerError
from viewer.model.measurements import angle_degrees, measure
from viewer.model.shapes import Ellipse, Line, Polygon, Rect

ROWS, COLUMNS = 40, 50


def _image(tmp_path: Path, frames: int = 1, name: str = "m.dcm", **attributes) -> Path:
    """Stored values = 7 * column + 3 * row + 100 * frame (distinct, so a wrong pixel shows)."""
    ds = image_dataset(ROWS, COLUMNS, frames)
    r, c = np.mgrid[0:ROWS, 0:COLUMNS]
    ds.PixelData = np.stack([7 * c + 3 * r + 100 * f for f in range(frames)]).astype(np.uint16).tobytes()
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    return write(ds, tmp_path / name)


def _stored(frame: int = 0) -> np.ndarray:
    r, c = np.mgrid[0:ROWS, 0:COLUMNS]
    return (7 * c + 3 * r + 100 * frame).astype(float)


def _expect(mask: np.ndarray, values: np.ndarray) -> dict:
    inside = values[mask]
    return {
        "pixels": int(mask.sum()),
        "mean": inside.mean(),
        "std": inside.std(),
        "min": inside.min(),
        "max": inside.max(),
    }


def _rows_columns() -> tuple[np.ndarray, np.ndarray]:
    return np.mgrid[0:ROWS, 0:COLUMNS]


def _l_shape_mask() -> np.ndarray:
    r, c = _rows_columns()
    return ((c >= 5) & (c <= 25) & (r >= 5) & (r <= 10)) | ((c >= 5) & (c <= 10) & (r >= 5) & (r <= 30))


def _l_shape_freehand() -> Polygon:
    """The L shape traced with a point every half pixel, as a hand-drawn outline would be."""
    corners = [(5, 5), (25, 5), (25, 10), (10, 10), (10, 30), (5, 30)]
    points = []
    for (x1, y1), (x2, y2) in zip(corners, corners[1:] + corners[:1], strict=True):
        steps = int(2 * max(abs(x2 - x1), abs(y2 - y1)))
        points += [(x1 + (x2 - x1) * k / steps, y1 + (y2 - y1) * k / steps) for k in range(steps)]
    return Polygon(tuple(points))


r_, c_ = _rows_columns()
# (name, shape, mask built here)
REGIONS = [
    ("rect", Rect(10, 5, 20, 8), (c_ >= 10) & (c_ <= 30) & (r_ >= 5) & (r_ <= 13)),
    ("rect at half pixels", Rect(9.5, 4.5, 3, 2), (c_ >= 10) & (c_ <= 12) & (r_ >= 5) & (r_ <= 6)),
    ("one-pixel rect", Rect(7, 8, 0, 0), (c_ == 7) & (r_ == 8)),
    ("rect partly outside", Rect(-10, -5, 15, 10), (c_ <= 5) & (r_ <= 5)),
    ("ellipse", Ellipse(25, 20, 10, 6), ((c_ - 25) / 10) ** 2 + ((r_ - 20) / 6) ** 2 <= 1),
    ("one-pixel ellipse", Ellipse(3, 4, 0.4, 0.4), (c_ == 3) & (r_ == 4)),
    ("ellipse partly outside", Ellipse(48, 38, 5, 5), (c_ - 48) ** 2 + (r_ - 38) ** 2 <= 25),
    ("right triangle", Polygon(((5, 5), (25, 5), (5, 25))), (c_ >= 5) & (r_ >= 5) & ((c_ - 5) + (r_ - 5) <= 20)),
    ("freehand L", _l_shape_freehand(), _l_shape_mask()),
]


@pytest.mark.parametrize(("name", "shape", "mask"), REGIONS, ids=[r[0] for r in REGIONS])
def test_region_statistics_equal_numpy_on_the_same_mask(name: str, shape, mask, tmp_path: Path) -> None:
    document = open_document(_image(tmp_path, RescaleSlope=2, RescaleIntercept=-1000))
    result = measure(document, 0, shape).values
    expected = _expect(mask, _stored() * 2 - 1000)
    assert result["pixels"] == expected["pixels"]
    for key in ("mean", "std", "min", "max"):
        assert result[key] == pytest.approx(expected[key], abs=1e-9), key


def test_multi_frame_and_monochrome1_measure_values_not_display(tmp_path: Path) -> None:
    document = open_document(_image(tmp_path, frames=4, PhotometricInterpretation="MONOCHROME1"))
    result = measure(document, 2, Rect(1, 1, 2, 2)).values
    mask = (c_ >= 1) & (c_ <= 3) & (r_ >= 1) & (r_ <= 3)
    assert result["mean"] == pytest.approx(_stored(2)[mask].mean()) and result["min"] == _stored(2)[mask].min()


def test_area_and_length_with_anisotropic_spacing(tmp_path: Path) -> None:
    document = open_document(_image(tmp_path, PixelSpacing=[0.5, 2.0]))  # rows 0.5 mm apart, columns 2 mm
    line = measure(document, 0, Line(0, 0, 3, 4)).values
    assert line["length_px"] == 5.0 and line["length_mm"] == pytest.approx(math.hypot(3 * 2.0, 4 * 0.5))
    rect = measure(document, 0, Rect(0, 0, 2, 1)).values  # 3 x 2 pixels
    assert rect["pixels"] == 6 and rect["area_mm2"] == pytest.approx(6 * 0.5 * 2.0)


def test_profile_samples_every_pixel_step_by_linear_interpolation(tmp_path: Path) -> None:
    document = open_document(_image(tmp_path))
    profile = measure(document, 0, Line(1, 2, 7, 10)).values["profile"]  # length 10: 11 samples
    expected = [7 * (1 + 0.6 * k) + 3 * (2 + 0.8 * k) for k in range(11)]
    assert profile == pytest.approx(expected)
    outside = measure(document, 0, Line(47, 0, 52, 0)).values["profile"]
    assert outside[:3] == pytest.approx([7 * 47, 7 * 48, 7 * 49]) and outside[3:] == [None, None, None]


def test_angle_between_lines() -> None:
    assert angle_degrees(Line(0, 0, 10, 0), Line(0, 0, 0, 5)) == pytest.approx(90)
    assert angle_degrees(Line(0, 0, 1, 1), Line(0, 0, 1, 0)) == pytest.approx(45)
    assert angle_degrees(Line(0, 0, 1, 1), Line(0, 0, 1, 0), row_mm=2.0) == pytest.approx(math.degrees(math.atan(2)))


CALIBRATIONS = [
    ({"PixelSpacing": [0.5, 0.5]}, 0.5, "PixelSpacing"),
    ({"ImagerPixelSpacing": [0.2, 0.2]}, 0.2, "ImagerPixelSpacing (at the detector, not corrected)"),
    (
        {"ImagerPixelSpacing": [0.2, 0.2], "EstimatedRadiographicMagnificationFactor": 1.25},
        0.16,
        "ImagerPixelSpacing corrected by EstimatedRadiographicMagnificationFactor 1.25",
    ),
    ({}, None, "none: no pixel spacing; lengths in pixels"),
]


@pytest.mark.parametrize(("attributes", "mm", "source"), CALIBRATIONS, ids=["pixel", "imager", "magnified", "none"])
def test_calibration_source_is_said(attributes: dict, mm, source: str, tmp_path: Path) -> None:
    document = open_document(_image(tmp_path, **attributes))
    result = measure(document, 0, Line(0, 0, 10, 0))
    assert result.spacing_source == source
    assert result.values["length_mm"] == (None if mm is None else pytest.approx(10 * mm))


def test_ultrasound_region_calibrates_shapes_inside_it(tmp_path: Path) -> None:
    from pydicom.dataset import Dataset

    region = Dataset()
    region.RegionLocationMinX0, region.RegionLocationMaxX1 = 0, 30
    region.RegionLocationMinY0, region.RegionLocationMaxY1 = 0, 30
    region.PhysicalUnitsXDirection = region.PhysicalUnitsYDirection = 3  # cm
    region.PhysicalDeltaX = region.PhysicalDeltaY = 0.05  # cm per pixel
    document = open_document(_image(tmp_path, SequenceOfUltrasoundRegions=[region]))
    inside = measure(document, 0, Line(0, 0, 10, 0))
    assert inside.values["length_mm"] == pytest.approx(5.0) and "Ultrasound" in inside.spacing_source
    assert measure(document, 0, Line(0, 0, 40, 0)).values["length_mm"] is None  # leaves the region


BAD = [
    (["--rect", "100", "100", "5", "5"], "holds no pixel"),
    (["--polygon", "1", "1", "5", "5"], "a polygon needs at least 3 points, not 2"),
    (["--line", "3", "3", "3", "3"], "a line of zero length"),
    (["--ellipse", "5", "5", "-1", "2"], "must not be negative"),
    (["--rect", "1", "1", "2", "2", "--frame", "9"], "frame 9 is outside 1..1"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[b[1] for b in BAD])
def test_bad_shapes_are_one_line_errors(args: list[str], message: str, tmp_path: Path, capfd) -> None:
    assert main(["measure", str(_image(tmp_path)), *args]) == 1
    err = capfd.readouterr().err.splitlines()
    assert len(err) == 1 and message in err[0], err


def test_colour_and_usage_errors(tmp_path: Path, capfd) -> None:
    from tests.corpus import corpus_file

    assert main(["measure", str(corpus_file("SC_rgb.dcm")), "--rect", "1", "1", "3", "3"]) == 1
    assert "this image is colour" in capfd.readouterr().err
    assert main(["measure", str(_image(tmp_path))]) == 2
    assert main(["measure", str(_image(tmp_path)), "--polygon", "1", "2", "3"]) == 2
    with pytest.raises(ViewerError, match="at least 3 points"):
        Polygon(((1, 1), (2, 2))).check()


def test_json_has_the_keys_of_the_design(tmp_path: Path, capfd) -> None:
    path = _image(tmp_path, PixelSpacing=[1, 1], Modality="CT")
    assert main(["measure", str(path), "--rect", "0", "0", "1", "1", "--line", "0", "0", "2", "0", "--json"]) == 0
    region, line = json.loads(capfd.readouterr().out)["measurements"]
    assert {"shape", "frame", "pixels", "mean", "std", "min", "max", "units", "area_mm2", "spacing_source"} <= set(
        region
    )
    assert {"shape", "frame", "length_px", "length_mm", "profile", "spacing_source"} <= set(line)
    assert region["units"] == "HU" and region["pixels"] == 4 and line["profile"] == [0.0, 7.0, 14.0]


# (edit, the same change on a region's pixels) for edits that keep every value
EXACT_EDITS = [
    ("crop", "Crop(x=4, y=3, width=30, height=25)", lambda v: v[3:28, 4:34]),
    ("flip h", "Flip(direction='h')", lambda v: v[:, ::-1]),
    ("flip v", "Flip(direction='v')", lambda v: v[::-1, :]),
    ("rotate 90", "Rotate(degrees=90)", lambda v: np.rot90(v, -1)),
    ("rotate 270", "Rotate(degrees=270)", lambda v: np.rot90(v, 1)),
    ("pad", "Pad(left=3, top=2, right=1, bottom=1, value=0)", lambda v: np.pad(v, ((2, 1), (3, 1)))),
]


@pytest.mark.parametrize(
    "shape",
    [Rect(10, 5, 8, 6), Ellipse(20, 15, 6, 3), Polygon(((8, 6), (20, 6), (8, 20))), Line(5, 5, 25, 15)],
    ids=lambda s: s.kind,
)
@pytest.mark.parametrize(("name", "op", "same"), EXACT_EDITS, ids=[e[0] for e in EXACT_EDITS])
def test_shapes_follow_edits_and_measure_the_same_pixels(name: str, op: str, same, shape, tmp_path: Path) -> None:
    from viewer.edits import operations
    from viewer.edits.session import begin_edit

    document = open_document(_image(tmp_path))
    before = measure(document, 0, shape).values
    index = document.add_shape(shape, 0)
    begin_edit(document).apply(eval(op, vars(operations)))
    [(shown_index, frame, moved)] = document.shapes()
    assert (shown_index, frame) == (index, 0)
    after = measure(document, 0, moved).values
    for key in ("pixels", "mean", "std", "min", "max", "length_px"):
        if key in before:
            assert after[key] == pytest.approx(before[key]), key


def test_shapes_on_deleted_frames_go_and_undo_hides_later_shapes(tmp_path: Path) -> None:
    from viewer.edits.operations import Crop, DeleteFrames
    from viewer.edits.session import begin_edit

    document = open_document(_image(tmp_path, frames=3))
    document.add_shape(Rect(1, 1, 2, 2), 0)
    document.add_shape(Rect(1, 1, 2, 2), 2)
    work = begin_edit(document)
    work.apply(DeleteFrames(spec="1"))
    assert [(i, f) for i, f, _ in document.shapes()] == [(1, 1)]  # frame 3 is now frame 2
    work.apply(Crop(x=1, y=1, width=10, height=10))
    document.add_shape(Line(0, 0, 5, 5), 0)  # drawn on the cropped image
    assert [i for i, _, _ in document.shapes()] == [1, 2]
    work.undo()
    assert [i for i, _, _ in document.shapes()] == [1]
    work.redo()
    assert [i for i, _, _ in document.shapes()] == [1, 2]


def test_bin_scales_shapes(tmp_path: Path) -> None:
    from viewer.edits.operations import Bin
    from viewer.edits.session import begin_edit

    document = open_document(_image(tmp_path))
    document.add_shape(Ellipse(20.5, 10.5, 8, 4), 0)
    begin_edit(document).apply(Bin(factor=2))
    [(_, _, ellipse)] = document.shapes()
    assert ellipse == Ellipse(10, 5, 4, 2)  # the centre of the 2 x 2 block (20..21, 10..11) is binned pixel (10, 5)


def test_angle_measures_degrees_in_patient_proportions_and_follows_a_rotation(tmp_path: Path, capfd) -> None:
    from viewer.edits.operations import Rotate
    from viewer.edits.session import begin_edit
    from viewer.model.shapes import Angle

    path = _image(tmp_path, PixelSpacing=[2.0, 1.0])  # rows 2 mm apart
    document = open_document(path)
    angle = Angle(10, 0, 0, 0, 10, 10)  # 45 degrees in pixels
    assert measure(document, 0, angle).values["angle_deg"] == pytest.approx(math.degrees(math.atan(2)))
    document.add_shape(angle, 0)
    begin_edit(document).apply(Rotate(degrees=90))
    [(_, _, turned)] = document.shapes()
    assert measure(document, 0, turned).values["angle_deg"] == pytest.approx(math.degrees(math.atan(2)))
    assert main(["measure", str(path), "--angle", "10", "0", "0", "0", "10", "10", "--json"]) == 0
    [result] = json.loads(capfd.readouterr().out)["measurements"]
    assert result["shape"] == "angle" and result["angle_deg"] == pytest.approx(63.43, abs=0.01)
    with pytest.raises(ViewerError, match="two arms of non-zero length"):
        Angle(1, 1, 1, 1, 5, 5).check()


def test_lengths_and_areas_stay_physical_through_bin_and_rotate(tmp_path: Path) -> None:
    from viewer.edits.operations import Bin, Rotate
    from viewer.edits.session import begin_edit

    document = open_document(_image(tmp_path, PixelSpacing=[0.5, 0.25]))
    line = Line(0.5, 0.5, 20.5, 10.5)  # on binned pixel centres, so the moved line is exact
    before = measure(document, 0, line).values["length_mm"]
    document.add_shape(line, 0)
    work = begin_edit(document)
    work.apply(Bin(factor=2))
    work.apply(Rotate(degrees=90))
    [(_, _, moved)] = document.shapes()
    result = measure(document, 0, moved)
    assert result.values["length_mm"] == pytest.approx(before)
    assert result.spacing_source == "PixelSpacing, carried through the edits"


def test_measures_edited_pixels(tmp_path: Path) -> None:
    from viewer.edits.operations import FillInside
    from viewer.edits.session import begin_edit

    document = open_document(_image(tmp_path))
    begin_edit(document).apply(FillInside(lo=0, hi=100, value=5))
    result = measure(document, 0, Rect(0, 0, 2, 2)).values  # stored 0..20: all filled
    assert result["mean"] == 5 and result["std"] == 0
