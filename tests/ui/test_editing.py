"""Editing in the real window: threshold by histogram drag, brush strokes, undo, save, recipe."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from tests.corpus import corpus_file
from tests.ui.helpers import drag, viewport_point
from viewer.edits.recipe import load_recipe
from viewer.edits.threshold import threshold_mask
from viewer.ui.dialogs import set_answer


def _histogram_point(panel, value: float) -> QPoint:
    """Viewport coordinates of modality `value` on the histogram's axis."""
    hist = panel.histogram
    vb = hist.item.vb
    scene = vb.mapViewToScene(QPointF(0.5 * sum(vb.viewRange()[0]), value))
    return hist.mapFromScene(scene)


def test_threshold_region_drag_overlay_apply_undo(window, qtbot) -> None:
    """Dragging the histogram region moves the range; overlay and count follow; apply; undo."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    window.edits.threshold_action.trigger()
    dock = window.threshold_dock
    assert dock.isVisible() and dock.panel is panel
    qtbot.wait(20)
    dock.set_range(0.0, 400.0)
    low0, high0 = dock.range()
    viewport = panel.histogram.viewport()
    start = _histogram_point(panel, 200.0)
    end = _histogram_point(panel, 500.0)
    drag(viewport, start, end, button=Qt.MouseButton.LeftButton)
    low, high = dock.range()
    assert low > low0 + 100 and high > high0 + 100
    assert (low, high) == (round(low), round(high))  # CT values are whole HU: the handles snap
    assert high - low == pytest.approx(high0 - low0, rel=0.01)
    stored = panel.view.stored_frame()
    expected = threshold_mask(stored, low, high, panel.view.modality())
    overlay = panel.image_view.overlay_item.image
    assert np.array_equal(overlay[..., 3] > 0, expected)
    assert dock.count_label.text().startswith(f"{int(expected.sum())} pixels")
    before = stored.copy()
    dock.value.setValue(-1000)
    dock.fill_inside_button.click()
    after = panel.view.stored_frame()
    assert np.array_equal(after, np.where(expected, -1000 + 1024, before))
    window.edits.undo_action.trigger()
    assert np.array_equal(panel.view.stored_frame(), before)


def test_seed_example_in_the_gui(window, tmp_path: Path) -> None:
    """MR_small: low 300, Fill outside with 0, save: every pixel below 300 is 0, the rest unchanged."""
    path = corpus_file("MR_small.dcm")
    panel = window.open_paths([path])[0]
    window.edits.threshold_action.trigger()
    dock = window.threshold_dock
    dock.low.setValue(300)
    dock.fill_outside_button.click()  # high is the frame maximum, fill value 0
    out = tmp_path / "seed.dcm"
    assert window.edits.save_document(panel, out, confirm=False)
    original = pydicom.dcmread(path).pixel_array
    assert np.array_equal(pydicom.dcmread(out).pixel_array, np.where(original < 300, 0, original))


def test_brush_stroke_changes_pixels_along_the_path(window, qtbot) -> None:
    """A left drag with the brush from (row 10, col 20) to (row 10, col 40) paints that band."""
    panel = window.open_paths([corpus_file("MR_small.dcm")])[0]
    window.edits.set_tool("brush")
    qtbot.wait(20)  # the dock appearing re-lays out the view before we aim
    window.tools_dock.radius.setValue(2)
    window.tools_dock.value.setValue(0)
    before = panel.view.stored_frame().copy()
    viewport = panel.image_view.graphics.viewport()
    drag(
        viewport,
        viewport_point(panel, 10, 20),
        viewport_point(panel, 10, 40),
        button=Qt.MouseButton.LeftButton,
        steps=20,
    )
    after = panel.view.stored_frame()
    changed = np.argwhere(after != before)
    assert changed.size
    rows, cols = changed[:, 0], changed[:, 1]
    assert rows.min() >= 8 and rows.max() <= 12  # row-major: the band is horizontal
    assert cols.min() >= 17 and cols.max() <= 43 and cols.max() - cols.min() >= 18
    assert np.all(after[after != before] == 0)
    assert len(panel.document.edits.operations) == 1  # one drag, one undo step
    window.edits.undo_action.trigger()
    assert np.array_equal(panel.view.stored_frame(), before)


def test_crop_rectangle_and_geometry_follow(window, qtbot) -> None:
    """Dragging a rectangle in crop mode crops every frame; the view follows the new size."""
    panel = window.open_paths([corpus_file("emri_small.dcm")])[0]
    window.edits.set_tool("crop")
    qtbot.wait(20)
    viewport = panel.image_view.graphics.viewport()
    drag(viewport, viewport_point(panel, 5, 6), viewport_point(panel, 30, 40), button=Qt.MouseButton.LeftButton)
    assert panel.document.pixels.rows == 26 and panel.document.pixels.columns == 35
    assert panel.image_view.image_item.image.shape == (26, 35)
    window.edits.undo_action.trigger()
    assert panel.document.pixels.rows == 64


def test_save_dialog_preview_lists_changes(window, tmp_path: Path) -> None:
    """The commit preview behind Save As names Rows/Columns and the new SOP Instance UID."""
    from viewer.io.commit import commit
    from viewer.ui.save_dialog import SaveDialog

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    window.edits.apply_operation(__import__("viewer.edits.operations", fromlist=["Crop"]).Crop(0, 0, 64, 32))
    dialog = SaveDialog(str(tmp_path / "x.dcm"), commit(panel.document), window)
    paths = [dialog.changes.topLevelItem(i).text(0) for i in range(dialog.changes.topLevelItemCount())]
    assert "Rows" in paths and "Columns" in paths and "SOPInstanceUID" in paths


def test_recipe_export_replays_on_cli(window, tmp_path: Path) -> None:
    """Edit > Export recipe writes JSON that `edit --recipe` replays to the same pixels."""
    from viewer.io.batch import edit_file

    path = corpus_file("MR_small.dcm")
    panel = window.open_paths([path])[0]
    window.edits.image_op_actions[0].trigger()  # flip horizontal
    window.edits.threshold_action.trigger()
    window.threshold_dock.set_range(0, 500)
    window.threshold_dock.fill_inside_button.click()
    recipe = tmp_path / "recipe.json"
    window.edits.export_recipe(recipe)
    assert json.loads(recipe.read_text())["operations"][0]["op"] == "flip"
    gui_out, cli_out = tmp_path / "gui.dcm", tmp_path / "cli.dcm"
    window.edits.save_document(panel, gui_out, confirm=False)
    edit_file(path, cli_out, load_recipe(recipe), "keep")
    assert np.array_equal(pydicom.dcmread(gui_out).pixel_array, pydicom.dcmread(cli_out).pixel_array)


def test_frame_bar_delete_frame(window) -> None:
    """Deleting the current frame from the frame bar's menu leaves M-1 frames; undo restores."""
    panel = window.open_paths([corpus_file("emri_small.dcm")])[0]
    panel.view.set_frame(2)
    assert window.edits.delete_frame_action in panel.frame_bar.actions()
    window.edits.delete_frame_action.trigger()
    assert panel.view.frame_count == 9 and panel.frame_bar.spin.maximum() == 9
    window.edits.undo_action.trigger()
    assert panel.view.frame_count == 10


def test_unsaved_edits_prompt_on_close(window, tmp_path: Path) -> None:
    """Closing an edited tab offers Save / Discard / Cancel. Cancel keeps it open and its
    crash recovery; Save that is cancelled keeps it open too; Save writes the copy, then
    closes; Discard closes and drops the recovery."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    window.edits.image_op_actions[0].trigger()
    assert window.recovery.pending()
    try:
        set_answer("save_discard", "cancel")
        assert window.close_tab(0) is False and window.tabs.count() == 1 and window.recovery.pending()
        set_answer("save_discard", "save")
        set_answer("save_path", "")  # the file dialog cancelled
        assert window.close_tab(0) is False and window.tabs.count() == 1 and window.recovery.pending()
        set_answer("save_path", str(tmp_path / "kept.dcm"))
        set_answer("yes_no", True)
        window.edits.save_document = lambda p, t, confirm=True: window.edits.__class__.save_document(
            window.edits, p, t, confirm=False
        )
        assert window.close_tab(0) is True and window.tabs.count() == 0
        assert (tmp_path / "kept.dcm").exists() and not window.recovery.pending()
        panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
        window.edits.image_op_actions[0].trigger()
        set_answer("save_discard", "discard")
        assert window.close_tab(0) is True and not window.recovery.pending()
    finally:
        set_answer("save_discard", "discard")
        set_answer("save_path", None)
    assert panel is not None


def test_batch_edit_folder_from_the_gui(window, tmp_path: Path) -> None:
    """Apply the session's operations to a folder off the GUI thread; a bad file is listed."""
    import shutil

    from viewer.edits.operations import Flip

    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(corpus_file("CT_small.dcm"), source / "ct.dcm")
    shutil.copy(corpus_file("MR_small.dcm"), source / "mr.dcm")
    (source / "bad.dcm").write_bytes(b"nope")
    result = window.edits.batch_edit(source, tmp_path / "out", [Flip("h")])
    assert result is not None and result.saved == 2 and len(result.failures) == 1
    assert window.errors[-1][1] == "2 saved, 1 failed, 3 files" and "bad.dcm" in window.errors[-1][2]
    flipped = pydicom.dcmread(tmp_path / "out" / "ct.dcm").pixel_array
    assert np.array_equal(flipped, pydicom.dcmread(corpus_file("CT_small.dcm")).pixel_array[:, ::-1])


def test_edited_folder_series_saves_into_a_folder(window, tmp_path: Path) -> None:
    """A series opened from a folder, thresholded, is saved as one file per slice."""
    import copy

    source = pydicom.dcmread(corpus_file("CT_small.dcm"))
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        ds = copy.deepcopy(source)
        ds.SOPInstanceUID = pydicom.uid.generate_uid()
        ds.ImagePositionPatient = [0, 0, 5.0 * n]
        ds.save_as(folder / f"s{n}.dcm")
    panel = window.open_paths([folder])[0]
    assert panel.view.frame_count == 3
    window.edits.threshold_action.trigger()
    window.threshold_dock.scope.setCurrentIndex(1)  # all frames
    window.threshold_dock.set_range(-100, 3000)
    window.threshold_dock.fill_outside_button.click()
    assert window.edits.save_series(panel, tmp_path / "out")
    saved = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert saved == ["s0.dcm", "s1.dcm", "s2.dcm"] and not panel.is_dirty
    hu = source.pixel_array.astype(int) - 1024
    expected = np.where((hu >= -100) & (hu <= 3000), source.pixel_array, 0 + 1024)
    assert np.array_equal(pydicom.dcmread(tmp_path / "out" / "s1.dcm").pixel_array, expected)


def test_preferences_set_the_history_budget(window) -> None:
    """Edit > Preferences stores the undo budget and applies it to open documents."""
    panel = window.open_paths([corpus_file("MR_small.dcm")])[0]
    window.edits.image_op_actions[0].trigger()
    set_answer("preferences", lambda dialog: dialog.budget.setValue(256))
    try:
        window.edits.preferences_action.trigger()
    finally:
        set_answer("preferences", None)
    assert window.settings.history_budget_mb() == 256
    assert panel.document.edits.history.budget_bytes == 256 * 2**20


def test_bin_and_keep_frames_dialogs(window) -> None:
    """Tools > Bin… and Keep Frames… take their numbers from the person."""
    panel = window.open_paths([corpus_file("emri_small.dcm")])[0]
    bin_action = next(a for a in window.edits.image_op_actions if a.text().startswith("&Bin"))
    set_answer("text", "2")
    try:
        bin_action.trigger()
        assert (panel.document.pixels.rows, panel.document.pixels.columns) == (32, 32)
        set_answer("text", "2-4")
        window.edits.keep_frames_action.trigger()
        assert panel.view.frame_count == 3
    finally:
        set_answer("text", None)


def test_pad_canvas_menu_entry(window) -> None:
    """Tools > Pad Canvas… takes LEFT TOP RIGHT BOTTOM VALUE; a bad answer is a dialog, not an edit."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    pad_action = next(a for a in window.edits.image_op_actions if a.text().startswith("&Pad"))
    try:
        set_answer("text", "1 2 3 4 nan")
        pad_action.trigger()
        assert panel.document.edits is None
        set_answer("text", "1 2 3 4 -1000")
        pad_action.trigger()
    finally:
        set_answer("text", None)
    assert (panel.document.pixels.rows, panel.document.pixels.columns) == (128 + 6, 128 + 4)
    frame = panel.view.stored_frame()
    assert frame[0, 0] == 24  # -1000 HU with intercept -1024


def test_binarize_sets_mask_window_once(window) -> None:
    """Binarize shows the mask with 0.5/1; a window chosen afterwards survives later edits."""
    from viewer.edits.operations import Binarize, Paint
    from viewer.model.display import Window

    panel = window.open_paths([corpus_file("MR_small.dcm")])[0]
    window.edits.apply_operation(Binarize(300, 5000))
    assert panel.view.effective_window() == Window(0.5, 1.0)
    panel.view.set_window(Window(0.5, 3.0))
    window.edits.apply_operation(Paint(frame=1, points=[[5, 5]], radius=2, value=1))
    assert panel.view.effective_window() == Window(0.5, 3.0)
