"""Layouts of viewports: documents kept across layouts, the active viewport, synchronised
scrolling by position, synchronised window and zoom, reference lines, drops."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydicom.uid import generate_uid
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from tests.corpus import corpus_file
from tests.stacks import write_stack
from viewer.model.display import Window
from viewer.ui.workspace import SERIES_MIME


@pytest.fixture
def ct_folders(tmp_path: Path) -> dict[str, Path]:
    """Axial (5 mm), axial (2.5 mm) and coronal series of one phantom and frame of
    reference, and an axial series in another frame of reference."""
    uid = generate_uid()
    folders = {
        "axial": (write_stack, ("axial", uid), {"count": 12, "slice_mm": 5.0}),
        "fine": (write_stack, ("axial", uid), {"count": 20, "slice_mm": 2.5, "description": "fine"}),
        "coronal": (write_stack, ("coronal", uid), {"count": 12, "slice_mm": 5.0}),
        "elsewhere": (write_stack, ("axial", generate_uid()), {"count": 12, "description": "elsewhere"}),
    }
    for name, (make, args, options) in folders.items():
        make(tmp_path / name, *args, size=48, **options)
    return {name: tmp_path / name for name in folders}


def _open(window, folder: Path):
    (panel,) = window.open_paths([folder])
    return panel


def _z(panel) -> float:
    from viewer.model.cross_reference import plane_of

    return float(plane_of(panel.document, panel.view.frame).origin[2])


def test_layouts_keep_every_document_and_give_each_viewport_one(window) -> None:
    names = ["CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm", "US1_UNCR.dcm", "rtdose.dcm"]
    panels = [window.open_paths([corpus_file(n)])[0] for n in names]
    window.layouts.set_layout("2x2")
    viewports = window.workspace.viewports
    assert len(viewports) == 4 and all(v.count() >= 1 for v in viewports)
    assert sorted(p.document.path.name for p in window.panels()) == sorted(names)
    assert window.current_panel() is panels[-1]  # the current document stays current
    window.layouts.set_layout("1x2")
    assert len(window.workspace.viewports) == 2 and len(window.panels()) == 5
    window.layouts.set_layout("1x1")
    assert window.tabs.count() == 5 and window.errors == []


def test_the_active_viewport_takes_new_documents_and_follows_focus(window, qtbot) -> None:
    first = window.open_paths([corpus_file("CT_small.dcm")])[0]
    second = window.open_paths([corpus_file("MR_small.dcm")])[0]
    window.layouts.set_layout("1x2")
    mine, other = window.workspace.viewport_of(second), window.workspace.viewport_of(first)
    assert mine is not other and window.workspace.active is mine  # the current document stays active
    first.image_view.graphics.setFocus(Qt.FocusReason.MouseFocusReason)  # a click in the other image
    qtbot.waitUntil(lambda: window.workspace.active is other)
    assert window.current_panel() is first and window.windowTitle().startswith("CT_small.dcm")
    third = window.open_paths([corpus_file("US1_UNCR.dcm")])[0]
    assert window.workspace.viewport_of(third) is other
    assert other.styleSheet() and not mine.styleSheet()  # the active one is outlined


def test_scrolling_follows_slice_position_in_the_same_frame_of_reference(window, ct_folders) -> None:
    fine = _open(window, ct_folders["fine"])
    elsewhere = _open(window, ct_folders["elsewhere"])
    axial = _open(window, ct_folders["axial"])
    window.layouts.set_layout("2x2")
    assert window.current_panel() is axial
    before_elsewhere = elsewhere.view.frame
    for frame in (2, 3, 7, 9):  # z -17.5 .. 17.5, inside the fine series (-23.75 .. 23.75)
        axial.view.set_frame(frame)
        assert abs(_z(fine) - _z(axial)) <= 1.25  # half the fine spacing: the nearest slice
    axial.view.set_frame(9)
    fine_frame = fine.view.frame
    axial.view.set_frame(11)  # z = 27.5: 3.75 mm beyond the fine series, more than its spacing
    assert fine.view.frame == fine_frame
    assert elsewhere.view.frame == before_elsewhere  # another frame of reference does not move
    window.layouts.scroll_action.trigger()  # off
    axial.view.set_frame(2)
    assert fine.view.frame == fine_frame


def test_reference_line_marks_the_active_slice_on_the_coronal_image(window, ct_folders) -> None:
    from viewer.model.cross_reference import plane_of

    coronal = _open(window, ct_folders["coronal"])
    axial = _open(window, ct_folders["axial"])
    window.layouts.set_layout("1x2")
    assert window.workspace.viewport_of(coronal) is not window.workspace.viewport_of(axial)
    spacing = 2.5
    for frame in (0, 5, 11):
        axial.view.set_frame(frame)
        # Coronal rows run from the top (z = 47*2.5/2) down by 2.5 mm: row of this slice's z.
        expected_row = (47 * spacing / 2 - _z(axial)) / spacing
        xs, ys = coronal.image_view.reference_item.getData()
        assert len(xs) == 2 and np.allclose(ys, (expected_row + 0.5) * coronal.image_view.pixel_aspect)
        assert sorted(xs) == pytest.approx([0.0, 48.0])  # the axial image spans the coronal's width
    own = axial.image_view.reference_item.getData()[0]
    assert own is None or len(own) == 0  # the active image shows no line of its own plane
    # ... but the coronal image's plane, paler: coronal slice k lies at y = (k - 5.5) * 5 mm,
    # axial rows run from y = -47 * 2.5 / 2 by 2.5 mm
    y = float(plane_of(coronal.document, coronal.view.frame).origin[1])
    xs, ys = axial.image_view.other_reference_item.getData()
    assert len(xs) == 2 and np.allclose(ys, ((y + 47 * spacing / 2) / spacing + 0.5) * axial.image_view.pixel_aspect)
    window.layouts.reference_action.trigger()  # off
    assert len(coronal.image_view.reference_item.getData()[0]) == 0
    assert len(axial.image_view.other_reference_item.getData()[0]) == 0


def test_window_and_zoom_follow_only_when_asked(window, ct_folders) -> None:
    fine = _open(window, ct_folders["fine"])
    axial = _open(window, ct_folders["axial"])
    window.layouts.set_layout("1x2")
    axial.view.set_window(Window(300, 1500))
    assert fine.view.effective_window() != Window(300, 1500)
    window.layouts.window_action.trigger()
    window.layouts.zoom_action.trigger()
    axial.view.set_window(Window(-600, 1200))
    assert fine.view.effective_window() == Window(-600, 1200)
    axial.image_view.zoom_by(2.0)
    assert fine.image_view.zoom() == pytest.approx(axial.image_view.zoom(), rel=1e-3)


def test_a_series_dropped_on_a_viewport_opens_there(window, ct_folders) -> None:
    window.open_paths([ct_folders["axial"].parent])  # the series browser lists all four
    window.layouts.set_layout("1x2")
    browser = window.series_browser
    number = next(i for i, e in enumerate(browser.entries) if e.description == "coronal")
    item = browser._items[number]
    mime = browser.tree.mimeData([item])
    assert bytes(mime.data(SERIES_MIME).data()).decode() == str(number)
    target = window.workspace.viewports[0]
    before = target.count()
    drop = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    target.dropEvent(drop)
    assert target.count() == before + 1 and window.workspace.active is target
    assert window.current_panel().document.frame_count == 12
    files = QMimeData()
    files.setUrls([QUrl.fromLocalFile(str(corpus_file("CT_small.dcm")))])
    right = window.workspace.viewports[1]
    right.dropEvent(
        QDropEvent(
            QPointF(5, 5), Qt.DropAction.CopyAction, files, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        )
    )
    assert window.workspace.viewport_of(window.current_panel()) is right
    assert window.current_panel().document.path.name == "CT_small.dcm"


def test_2x2_screenshot_shows_the_reference_line_where_the_slice_is(window, qtbot, ct_folders, output_dir) -> None:
    """The picture: in the coronal viewport a yellow line crosses the image at the active
    axial slice's height, and nowhere else; saved as layout-2x2-ct.png."""
    from tests.ui.test_screenshots import _rgb, _save

    for name in ("fine", "coronal", "elsewhere", "axial"):
        axial = _open(window, ct_folders[name])
    coronal = next(p for p in window.panels() if "coronal" in p.document.path.name)
    window.layouts.set_layout("2x2")
    window.resize(1300, 950)
    qtbot.wait(50)
    for panel in window.workspace.shown_panels():
        panel.image_view.fit()
    axial.view.set_frame(8)
    qtbot.wait(50)
    _save(window, output_dir, "layout-2x2-ct.png")
    view = coronal.image_view
    rgb = _rgb(view.graphics).astype(int)
    yellow = (rgb[..., 0] > 200) & (rgb[..., 1] > 150) & (rgb[..., 2] < 90)
    xs, ys = view.reference_item.getData()
    ends = [view.viewbox.mapViewToDevice(QPointF(x, y)) for x, y in zip(xs, ys, strict=True)]
    (x0, y0), (x1, y1) = ((p.x(), p.y()) for p in ends)
    row = round((y0 + y1) / 2)
    band = yellow[max(row - 2, 0) : row + 3]
    assert band.any(axis=0).sum() > 0.8 * abs(x1 - x0)  # the line is drawn across the image
    assert yellow.sum() < 6 * abs(x1 - x0)  # ... and nothing else is yellow but the markers' text
