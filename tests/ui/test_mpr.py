"""View > Volume Planes: three planes of a series linked by a crosshair. A click in one
plane moves the other two to the voxel clicked; the wheel steps along a plane's normal;
each plane shows viewer.model.volume's plane through the document's window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF

from tests.model.test_volume import TRUTH, X, Y, Z, _series
from viewer.model.display import Window, apply_window
from viewer.model.volume import plane
from viewer.ui.mpr_actions import open_mpr


def _gray(mpr, name: str, index: int) -> np.ndarray:
    values = plane(mpr.volume, name, index)
    return np.clip(np.rint(apply_window(values, mpr.voi)), 0, 255).astype(np.uint8)


def test_a_click_in_one_plane_moves_the_other_two(window, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "series"
    _series(folder, [1, 0, 0], [0, 1, 0], spacing=(1.0, 1.0), slice_mm=2.0)  # axial slices, 2 mm apart
    panel = window.open_paths([folder])[0]
    panel.view.window = Window(2000.0, 4000.0)
    mpr = open_mpr(window)
    assert mpr is not None
    qtbot.addWidget(mpr)
    np.testing.assert_array_equal(mpr.volume.values, TRUTH)
    assert mpr.point == [X // 2, Y // 2, Z // 2] and mpr.voi == Window(2000.0, 4000.0)

    mpr.click("axial", 1.2, 4.4)  # row y = 1, column x = 4
    assert mpr.point == [4, 1, Z // 2]
    for name, normal in (("axial", 2), ("coronal", 1), ("sagittal", 0)):
        image = mpr.views[name].image.image
        np.testing.assert_array_equal(image, _gray(mpr, name, mpr.point[normal]))
    # The coronal plane's rows run head -> feet at 1 mm (2 mm slices resampled): z = 2 is row 2
    assert mpr.crosshair("coronal") == QPointF(4.5, (Z - 1 - 2) * 2 + 0.5)

    mpr.click("coronal", 0.0, 0.0)  # the top row is the head: z = Z - 1
    assert mpr.point == [0, 1, Z - 1]
    mpr.step("axial", -1)
    assert mpr.point == [0, 1, Z - 2]
    mpr.step("sagittal", -1)  # clamped at the patient's right
    assert mpr.point == [0, 1, Z - 2]

    panel.view.window_changed.emit(Window(500.0, 1000.0))  # W/L dragged on the document
    assert mpr.voi == Window(500.0, 1000.0)
    np.testing.assert_array_equal(mpr.views["axial"].image.image, _gray(mpr, "axial", Z - 2))
    letters = {name: [m.toPlainText() for m in view.markers] for name, view in mpr.views.items()}
    assert letters == {"axial": list("APRL"), "coronal": list("HFRL"), "sagittal": list("HFAP")}
    rows, columns = mpr.views["coronal"].image.image.shape
    assert (mpr.views["coronal"].markers[0].pos().x(), mpr.views["coronal"].markers[1].pos().y()) == (
        columns / 2,
        rows,
    )


def test_a_document_that_is_not_a_volume_says_why(window, tmp_path: Path) -> None:
    from tests.corpus import corpus_file

    window.open_paths([corpus_file("CT_small.dcm")])
    assert open_mpr(window) is None
    assert "at least two slices" in window.errors[-1][1] or "at least two slices" in window.errors[-1][2]


def test_the_threshold_range_is_previewed_in_all_three_planes(window, qtbot, tmp_path: Path, output_dir) -> None:
    folder = tmp_path / "series"
    _series(folder, [1, 0, 0], [0, 1, 0], spacing=(1.0, 1.0), slice_mm=1.0)
    panel = window.open_paths([folder])[0]
    window.edits.threshold_action.trigger()
    dock = window.threshold_dock
    dock.set_range(1000.0, 2999.0)  # z = 1 and z = 2 (TRUTH = 1000 z + 10 y + x)
    mpr = open_mpr(window)
    assert mpr is not None and mpr.threshold == (1000.0, 2999.0)
    qtbot.addWidget(mpr)
    for name, normal in (("axial", 2), ("coronal", 1), ("sagittal", 0)):
        values = plane(mpr.volume, name, mpr.point[normal])
        expected = (values >= 1000) & (values <= 2999)
        assert np.array_equal(mpr.views[name].preview.image[..., 3] > 0, expected), name
    assert mpr.views["coronal"].preview.image[..., 3].any() and not mpr.views["coronal"].preview.image[0, :, 3].any()
    shown = panel.view.modality_values()  # the original too: the document's frame
    assert np.array_equal(mpr.original.preview.image[..., 3] > 0, (shown >= 1000) & (shown <= 2999))
    dock.set_range(0.0, 500.0)  # the dock moves: the planes follow
    assert mpr.threshold == (0.0, 500.0)
    dock.hide()
    assert mpr.threshold is None and mpr.views["axial"].preview.image is None
    dock.show()
    panel.view.image_changed.emit()
    mpr.resize(900, 800)
    (output_dir / "screenshots").mkdir(exist_ok=True)
    mpr.grab().save(str(output_dir / "screenshots" / "mpr_threshold.png"))
    mpr.close()
    assert mpr not in window.mpr_windows


def _open(window, tmp_path: Path, spacing=(1.0, 1.0), slice_mm=2.0):
    folder = tmp_path / "series"
    _series(folder, [1, 0, 0], [0, 1, 0], spacing=spacing, slice_mm=slice_mm)  # axial, files shuffled
    panel = window.open_paths([folder])[0]
    panel.view.window = Window(2000.0, 4000.0)
    return panel, open_mpr(window)


def test_slabs_show_the_projection_and_every_plane_has_a_scale_bar(window, qtbot, tmp_path: Path) -> None:
    panel, mpr = _open(window, tmp_path)
    qtbot.addWidget(mpr)
    mpr.set_point(2, 2, 1)
    mpr.set_slab("mip", 4.0)  # 2 axial slices of 2 mm; 4 coronal/sagittal voxels of 1 mm
    for name, normal in (("axial", 2), ("coronal", 1), ("sagittal", 0)):
        expected = plane(mpr.volume, name, mpr.point[normal], slab_mm=4.0, mode="mip")
        gray = np.clip(np.rint(apply_window(expected, mpr.voi)), 0, 255).astype(np.uint8)
        np.testing.assert_array_equal(mpr.views[name].image.image, gray)
    assert mpr.slab_choice.currentText() == "MIP" and mpr.slab_mm.isEnabled()
    mpr.slab_choice.setCurrentIndex(0)  # back to thin planes from the toolbar
    assert mpr.slab_mode is None and not mpr.slab_mm.isEnabled()
    np.testing.assert_array_equal(mpr.views["axial"].image.image, _gray(mpr, "axial", 1))
    for name, view in mpr.views.items():  # 1 mm pixels (coronal rows resampled to 1 mm)
        xs, _ = view.scale_bar.getData()
        length_px = xs[-1] - xs[0]
        assert view.scale_text.toPlainText() == f"{length_px * mpr.target[name]:g} mm", name


def test_the_crosshair_and_the_original_document_follow_each_other(window, qtbot, tmp_path: Path) -> None:
    """The original is the document in the main window: the crosshair's slice is shown
    there (the acquired frame, files sorted by position), and scrolling it moves the
    crosshair."""
    panel, mpr = _open(window, tmp_path)
    qtbot.addWidget(mpr)
    for z in range(Z):
        mpr.set_point(1, 1, z)
        frame = panel.document.get_frame(panel.view.frame)
        assert sorted(frame.ravel().tolist()) == sorted(TRUTH[:, :, z].ravel().tolist())
    panel.view.set_frame(mpr.volume.frames[1])
    assert mpr.point == [1, 1, 1]


def test_an_edit_rebuilds_the_planes_and_a_broken_volume_clears_them(window, qtbot, tmp_path: Path) -> None:
    from viewer.edits.operations import Flip, KeepFrames
    from viewer.edits.threshold import FillInside

    panel, mpr = _open(window, tmp_path)
    qtbot.addWidget(mpr)
    panel.apply(FillInside(1000.0, 1999.0, 0.0))  # a threshold fill of every frame: z = 1 goes to 0
    expected = TRUTH.copy()
    expected[:, :, 1] = 0
    np.testing.assert_array_equal(mpr.volume.values, expected)
    np.testing.assert_array_equal(mpr.views["coronal"].image.image, _gray(mpr, "coronal", mpr.point[1]))
    window.edits.undo()
    panel.apply(Flip("h"))  # x reversed in every slice: the volume is rebuilt with it
    np.testing.assert_array_equal(mpr.volume.values, TRUTH)  # flipped back: patient order is kept
    assert not mpr.stale
    panel.apply(KeepFrames("1,2,4"))  # the third file in slice order gone: a missing slice
    assert mpr.stale and "not a volume" in mpr.statusBar().currentMessage()
    assert mpr.views["axial"].image.image is None
    mpr.click("axial", 1, 1)  # nothing to move; no error


def test_a_box_drawn_in_the_planes_crops_the_series(window, qtbot, tmp_path: Path) -> None:
    """Two sides of the box in the axial plane (x, y), the third in the coronal (z); Crop to
    Box edits the document (undoable) and the planes show the box's voxels only."""
    panel, mpr = _open(window, tmp_path, slice_mm=2.0)  # coronal rows: 2 display pixels a slice
    qtbot.addWidget(mpr)
    mpr.box_action.trigger()
    assert mpr.views["axial"].box.isVisible() and mpr.crop_action.isEnabled()
    axial = mpr.views["axial"].box
    axial.setPos((1, 0))  # columns x 1..4, rows y 0..2 (1 mm pixels)
    axial.setSize((4, 3))  # emits sigRegionChangeFinished
    assert mpr.box[:2] == [[1, 4], [0, 2]]
    coronal = mpr.views["coronal"].box
    assert (coronal.pos().x(), coronal.size().x()) == (1, 4)  # the other planes show the new sides
    coronal.setPos((1, 2))  # rows from the head: display rows 2..5 = z 2 and 1
    coronal.setSize((4, 4))
    assert mpr.box == [[1, 4], [0, 2], [1, 2]]
    mpr.crop_action.trigger()
    np.testing.assert_array_equal(mpr.volume.values, TRUTH[1:5, 0:3, 1:3])
    assert panel.document.frame_count == 2 and mpr.box == [[0, 3], [0, 2], [0, 1]]
    window.edits.undo()
    window.edits.undo()
    np.testing.assert_array_equal(mpr.volume.values, TRUTH)


def test_turning_the_axial_crosshair_turns_the_other_planes(window, qtbot, tmp_path: Path) -> None:
    """Shift+wheel in the axial plane turns its crosshair 5 degrees a step; the coronal and
    sagittal planes become the oblique planes through the point (viewer.model.oblique),
    with their letters; a click in an oblique plane moves the point to the voxel there."""
    from viewer.model.oblique import markers, oblique_plane

    panel, mpr = _open(window, tmp_path, slice_mm=1.0)
    qtbot.addWidget(mpr)
    mpr.set_point(2, 2, 1)
    for _ in range(18):
        mpr.rotate("axial", 5.0)  # what Shift+wheel does
    assert (mpr.turned, mpr.degrees) == ("axial", 90.0)
    coronal = oblique_plane(mpr.volume, "coronal", "axial", 90.0, mpr.point)
    np.testing.assert_allclose(coronal.values, plane(mpr.volume, "sagittal", 2), atol=1e-3)  # a quarter turn
    shown = mpr.views["coronal"].image.image
    np.testing.assert_array_equal(shown[~np.isnan(coronal.values)], _gray(mpr, "sagittal", 2).ravel())
    assert [m.toPlainText() for m in mpr.views["coronal"].markers] == markers(coronal).split("|") == list("HFAP")
    assert round(mpr.views["axial"].horizontal.angle) % 180 == 90  # the axial crosshair turned with it
    mpr.rotate("axial", -45.0)
    oblique = mpr._oblique["sagittal"]
    row, column = oblique.pixel_of(np.array([4.0, 1.0, 2.0]))  # a voxel on that plane? move there
    mpr.click("sagittal", row + 0.5, column + 0.5)
    expected = np.round(oblique.point_of(row, column)).astype(int).tolist()
    assert mpr.point == expected
    mpr.rotate("axial", -45.0)  # back to 0: no plane turned
    assert mpr.turned is None and not mpr._oblique


def test_the_original_beside_the_planes_is_the_document_as_shown(window, qtbot, tmp_path: Path) -> None:
    """The fourth view is the document's frame as the main window draws it (acquired, not
    resampled; here a feet-first series whose rows run against x); its crosshair is the
    point's row and column there, and a click or a wheel step in it moves the point."""
    folder = tmp_path / "series"
    _series(folder, [-1, 0, 0], [0, 1, 0], spacing=(1.0, 1.0), slice_mm=2.0)  # rows run towards -x
    panel = window.open_paths([folder])[0]
    mpr = open_mpr(window)
    qtbot.addWidget(mpr)
    original = mpr.original
    mpr.set_point(1, 3, 2)
    qtbot.waitUntil(lambda: panel.view.stored_frame() is not None)
    original.refresh()
    np.testing.assert_array_equal(original.image.image, panel.view.display_image())
    assert original.aspect == 1.0
    assert (original.vertical.value(), original.horizontal.value()) == (X - 1 - 1 + 0.5, 3 + 0.5)  # x reversed
    assert [m.toPlainText() for m in original.markers] == ["A", "P", "L", "R"]
    mpr.click_original(4.2, 0.7)  # row y = 4, column 0 = the patient's left edge (x = X - 1)
    assert mpr.point == [X - 1, 4, 2]
    frame_before = panel.view.frame
    mpr.step_original(1)
    assert mpr.point == [X - 1, 4, 3] and panel.view.frame != frame_before


def test_segments_drawn_on_the_series_show_in_every_plane(window, qtbot, tmp_path: Path) -> None:
    """A segment of the voxels 1000..2999 (z = 1 and 2), made from a threshold over every
    frame: each plane shows it where numpy says, in its colour; turned planes too."""
    from viewer.edits.mask_ops import MaskThreshold, NewSegment

    panel, mpr = _open(window, tmp_path, slice_mm=1.0)
    qtbot.addWidget(mpr)
    panel.apply(NewSegment("bone"))
    panel.apply(MaskThreshold(1000.0, 2999.0))  # every frame; the planes rebuild
    colour = panel.document.edits.segments.get(1).colour
    assert len(mpr.masks) == 1
    for name, normal in (("axial", 2), ("coronal", 1), ("sagittal", 0)):
        values = plane(mpr.volume, name, mpr.point[normal])
        shown = mpr.views[name].segments.image
        inside = (values >= 1000) & (values <= 2999)
        assert np.array_equal(shown[..., 3] > 0, inside), name
        assert tuple(shown[inside][0, :3]) == tuple(colour)
    mpr.rotate("axial", 30.0)
    coronal = mpr._oblique["coronal"].values
    with np.errstate(invalid="ignore"):
        assert np.array_equal(mpr.views["coronal"].segments.image[..., 3] > 0, (coronal >= 999.5) & (coronal <= 2999.5))
    window.edits.undo()  # the threshold mask undone: the segment is empty, nothing drawn
    assert mpr.masks == [] and mpr.views["axial"].segments.image is None
