"""Orientation markers from the direction cosines, and after flips and turns."""

from __future__ import annotations

import numpy as np
import pytest

from tests.corpus import corpus_file
from viewer.edits.operations import Flip, Rotate
from viewer.edits.session import begin_edit
from viewer.model.document import open_document
from viewer.model.orientation import direction_name, edge_labels

S = 1 / np.sqrt(2)
# (plane, row direction, column direction, (left, right, top, bottom))
PLANES = [
    ("axial", [1, 0, 0], [0, 1, 0], ("R", "L", "A", "P")),
    ("coronal", [1, 0, 0], [0, 0, -1], ("R", "L", "H", "F")),
    ("sagittal", [0, 1, 0], [0, 0, -1], ("A", "P", "H", "F")),
    ("oblique", [S, S, 0], [0, 0, -1], ("RA", "LP", "H", "F")),
    ("double oblique", [0.8, 0.6, 0], [0, 0.6, -0.8], ("RA", "LP", "HA", "FP")),
]


@pytest.mark.parametrize(("plane", "row", "column", "expected"), PLANES, ids=[p[0] for p in PLANES])
def test_edge_labels_follow_the_direction_cosines(plane, row, column, expected) -> None:
    assert edge_labels(np.array(row, float), np.array(column, float)) == expected


def test_small_components_are_left_out_and_order_is_by_size() -> None:
    assert direction_name(np.array([0.1, -0.3, 0.95])) == "HA"


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        (None, ("R", "L", "A", "P")),
        (Flip(direction="h"), ("L", "R", "A", "P")),
        (Flip(direction="v"), ("R", "L", "P", "A")),
        (Rotate(degrees=90), ("P", "A", "R", "L")),  # the new row runs against the old column
        (Rotate(degrees=180), ("L", "R", "P", "A")),
    ],
    ids=["as read", "flip h", "flip v", "rotate 90", "rotate 180"],
)
def test_markers_follow_edits(operation, expected) -> None:
    from viewer.model.orientation import shown_edge_labels

    document = open_document(corpus_file("CT_small.dcm"))  # axial, row +x, column +y
    if operation is not None:
        begin_edit(document).apply(operation)
    assert shown_edge_labels(document, 0) == expected


def test_radiographs_use_patient_orientation(tmp_path) -> None:
    from tests.hostile import image_dataset, write
    from viewer.model.orientation import shown_edge_labels

    ds = image_dataset(16, 16)
    ds.PatientOrientation = ["A", "FR"]  # rows run anterior; columns to the feet and right (equal parts: x named first)
    document = open_document(write(ds, tmp_path / "cr.dcm"))
    assert shown_edge_labels(document, 0) == ("P", "A", "LH", "RF")
    begin_edit(document).apply(Flip(direction="h"))
    assert shown_edge_labels(document, 0) == ("A", "P", "LH", "RF")


@pytest.mark.parametrize(("longest", "bar"), [(7.3, 5), (10, 10), (19.9, 10), (2.5, 2), (0.37, 0.2), (130, 100)])
def test_scale_bar_lengths_are_round(longest: float, bar: float) -> None:
    from viewer.model.geometry import nice_length

    assert nice_length(longest) == pytest.approx(bar)
