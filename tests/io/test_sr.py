"""Measurements saved as a TID 1500 SR: valid (dciodvfy), read back by highdicom with the
same values and references, and the shapes recovered where they were."""

from __future__ import annotations

from pathlib import Path

import highdicom as hd
import pydicom
import pytest

from tests.corpus import corpus_file
from tests.reference import dciodvfy_errors
from viewer.cli.main import main
from viewer.io.sr import read_measurements
from viewer.model.document import open_document
from viewer.model.measurements import measure
from viewer.model.shapes import Angle, Ellipse, Line, Polygon, Rect

SHAPES = [
    Rect(10, 10, 20, 15),
    Ellipse(64, 60, 6, 12),
    Polygon(((10.0, 10.0), (40.0, 12.0), (25.0, 40.0))),
    Line(0, 0, 30, 40),
    Angle(20.0, 5.0, 5.0, 5.0, 5.0, 25.0),
]
ARGS = ["--rect", "10", "10", "20", "15", "--ellipse", "64", "60", "6", "12"]
ARGS += ["--polygon", "10", "10", "40", "12", "25", "40", "--line", "0", "0", "30", "40"]
ARGS += ["--angle", "20", "5", "5", "5", "5", "25"]


@pytest.mark.parametrize(("name", "frame"), [("CT_small.dcm", 1), ("emri_small.dcm", 3)])
def test_sr_is_valid_and_reads_back_with_the_same_values(name: str, frame: int, tmp_path: Path) -> None:
    path = corpus_file(name)
    out = tmp_path / "sr.dcm"
    assert main(["measure", str(path), "--frame", str(frame), *ARGS, "--sr", str(out)]) == 0
    assert dciodvfy_errors(out) == []
    source = pydicom.dcmread(path, stop_before_pixels=True)
    report = hd.sr.Comprehensive3DSR.from_dataset(pydicom.dcmread(out))
    groups = report.content.get_planar_roi_measurement_groups(referenced_sop_instance_uid=source.SOPInstanceUID)
    assert len(groups) == len(SHAPES)
    document = open_document(path)
    for group, shape in zip(groups, SHAPES, strict=True):
        expected = measure(document, frame - 1, shape).values
        got = {m.name.meaning: m.value for m in group.get_measurements()}
        if isinstance(shape, Angle):
            assert got["Angle"] == pytest.approx(expected["angle_deg"])
        elif isinstance(shape, Line):
            assert got["Length"] == pytest.approx(expected["length_mm"] or expected["length_px"])
        else:
            assert got["Mean"] == pytest.approx(expected["mean"]) and got["Maximum"] == pytest.approx(expected["max"])
            assert got["Standard Deviation"] == pytest.approx(expected["std"])
    recovered = read_measurements(out, source)
    assert [f for f, _ in recovered] == [frame - 1] * len(SHAPES)
    assert [s for _, s in recovered] == SHAPES  # where they were


def test_sr_is_written_atomically_and_never_over_its_image(tmp_path: Path, capfd) -> None:
    path = tmp_path / "ct.dcm"
    path.write_bytes(corpus_file("CT_small.dcm").read_bytes())
    assert main(["measure", str(path), "--rect", "1", "1", "2", "2", "--sr", str(path)]) == 1
    assert "input" in capfd.readouterr().err
    assert path.read_bytes() == corpus_file("CT_small.dcm").read_bytes()
