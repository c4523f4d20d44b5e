"""Display shutters are honoured when showing, and follow geometric edits on save."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.hostile import image_dataset, write
from viewer.edits.operations import Bin, Crop, Flip, Pad, Rotate
from viewer.edits.session import begin_edit
from viewer.io.save import save
from viewer.model.document import open_document
from viewer.model.rendering import render_frame

ROWS, COLUMNS = 24, 32


def _shown(ds: pydicom.Dataset) -> np.ndarray:
    """The shown region by the standard's words, pixel by pixel (the test's own reading)."""
    shapes = str(ds.ShutterShape).split("\\") if isinstance(ds.ShutterShape, str) else list(ds.ShutterShape)
    shown = np.ones((ds.Rows, ds.Columns), dtype=bool)
    for r in range(ds.Rows):
        for c in range(ds.Columns):
            row, column = r + 1, c + 1
            if "RECTANGULAR" in shapes:
                shown[r, c] &= (
                    ds.ShutterLeftVerticalEdge <= column <= ds.ShutterRightVerticalEdge
                    and ds.ShutterUpperHorizontalEdge <= row <= ds.ShutterLowerHorizontalEdge
                )
            if "CIRCULAR" in shapes:
                cr, cc = (int(v) for v in ds.CenterOfCircularShutter)
                shown[r, c] &= (row - cr) ** 2 + (column - cc) ** 2 <= int(ds.RadiusOfCircularShutter) ** 2
    return shown


def _image(tmp_path: Path, **shutter) -> Path:
    ds = image_dataset(ROWS, COLUMNS)
    ds.WindowCenter, ds.WindowWidth = 2048, 4096
    for keyword, value in shutter.items():
        setattr(ds, keyword, value)
    return write(ds, tmp_path / "shutter.dcm")


RECTANGLE = {
    "ShutterShape": "RECTANGULAR",
    "ShutterLeftVerticalEdge": 4,
    "ShutterRightVerticalEdge": 20,
    "ShutterUpperHorizontalEdge": 3,
    "ShutterLowerHorizontalEdge": 17,
}
CIRCLE = {"ShutterShape": "CIRCULAR", "CenterOfCircularShutter": [12, 15], "RadiusOfCircularShutter": 9}
BOTH = {**RECTANGLE, **CIRCLE, "ShutterShape": ["RECTANGULAR", "CIRCULAR"]}


@pytest.mark.parametrize("shutter", [RECTANGLE, CIRCLE, BOTH], ids=["rectangle", "circle", "both"])
def test_shuttered_pixels_are_black_and_the_rest_unchanged(shutter: dict, tmp_path: Path) -> None:
    path = _image(tmp_path, **shutter)
    document = open_document(path)
    image = render_frame(document, 0)
    shown = _shown(pydicom.dcmread(path))
    assert (image[~shown] == 0).all() and (~shown).any()
    (tmp_path / "plain").mkdir()
    plain = render_frame(open_document(_image(tmp_path / "plain")), 0)  # same pixels, no shutter
    np.testing.assert_array_equal(image[shown], plain[shown])


def test_polygon_and_presentation_value(tmp_path: Path) -> None:
    """A triangle; shuttered pixels in the Shutter Presentation Value (a P-value: 0xFFFF is white)."""
    path = _image(
        tmp_path,
        ShutterShape="POLYGONAL",
        VerticesOfThePolygonalShutter=[2, 2, 2, 30, 22, 2],
        ShutterPresentationValue=0xFFFF,
    )
    image = render_frame(open_document(path), 0)
    assert image[22, 30] == 255 and image[0, 0] == 255  # outside the triangle
    assert image[3, 4] != 255  # inside, near the right angle
    hidden_per_row = (image == 255).sum(axis=1)
    assert hidden_per_row[3] < hidden_per_row[15] < hidden_per_row[21]  # the hypotenuse


# (name, operation, the same change with numpy on the shown region)
EDITS = [
    ("crop", Crop(x=2, y=1, width=25, height=20), lambda m: m[1:21, 2:27]),
    ("flip h", Flip(direction="h"), lambda m: m[:, ::-1]),
    ("flip v", Flip(direction="v"), lambda m: m[::-1, :]),
    ("rotate 90", Rotate(degrees=90), lambda m: np.rot90(m, -1)),
    ("rotate 270", Rotate(degrees=270), lambda m: np.rot90(m, 1)),
    ("pad", Pad(left=2, top=3, right=1, bottom=1, value=0), lambda m: np.pad(m, ((3, 1), (2, 1)))),
]


@pytest.mark.parametrize("shutter", [RECTANGLE, CIRCLE], ids=["rectangle", "circle"])
@pytest.mark.parametrize(("name", "op", "same"), EDITS, ids=[e[0] for e in EDITS])
def test_shutter_follows_geometric_edits(name: str, op, same, shutter: dict, tmp_path: Path) -> None:
    path = _image(tmp_path, **shutter)
    document = open_document(path)
    begin_edit(document).apply(op)
    report = save(document, tmp_path / "out.dcm")
    after = pydicom.dcmread(tmp_path / "out.dcm")
    np.testing.assert_array_equal(_shown(after), same(_shown(pydicom.dcmread(path))))
    assert any("Shutter" in c.path for c in report.changes)  # shown in the save preview


def test_bin_never_shows_what_the_shutter_hid(tmp_path: Path) -> None:
    path = _image(tmp_path, **RECTANGLE)
    document = open_document(path)
    begin_edit(document).apply(Bin(factor=2))
    save(document, tmp_path / "out.dcm")
    before = _shown(pydicom.dcmread(path))
    after = _shown(pydicom.dcmread(tmp_path / "out.dcm"))
    blocks_fully_shown = before.reshape(12, 2, 16, 2).all(axis=(1, 3))
    assert not (after & ~blocks_fully_shown).any()
    assert after.sum() >= blocks_fully_shown.sum() - 2 * (12 + 16)  # at most a one-pixel border lost


@pytest.mark.parametrize(
    ("shutter", "note"),
    [
        ({"ShutterShape": "RECTANGULAR", "ShutterLeftVerticalEdge": 4}, "needs its four edges"),
        ({"ShutterShape": "BITMAP"}, "BITMAP is not supported"),
        ({"ShutterShape": "POLYGONAL", "VerticesOfThePolygonalShutter": [1, 2]}, "needs 6 numbers"),
    ],
    ids=["rectangle without edges", "bitmap", "polygon of one point"],
)
def test_unusable_shutter_is_noted_and_not_drawn(shutter: dict, note: str, tmp_path: Path) -> None:
    document = open_document(_image(tmp_path, **shutter))
    assert document.shutter is None
    assert any(note in n for n in document.notes), document.notes
    assert render_frame(document, 0).shape == (ROWS, COLUMNS)
