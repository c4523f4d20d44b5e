"""The real main window driven offscreen: open, W/L drag, frames, cine, zoom, readout, tags."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtWidgets import QApplication

from tests.corpus import corpus_file
from tests.ui.helpers import drag, send_mouse, shown_picture, viewport_point
from viewer.model.display import Window
from viewer.ui.readout import readout_text


def test_open_file_shows_first_frame(window) -> None:
    """Opening through open_paths (the menu's path) adds a tab that shows the frame."""
    panels = window.open_paths([corpus_file("CT_small.dcm")])
    assert len(panels) == 1 and window.tabs.count() == 1
    image = shown_picture(panels[0].image_view)
    assert image is not None and image.shape == (128, 128) and image.dtype == np.uint8
    assert panels[0].image_view.image_item.image.dtype == np.uint32  # drawn by Qt as it is


def test_right_drag_changes_window_and_image(window, qtbot) -> None:
    """Right-drag right widens the window, up raises... and the displayed pixels change."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    view = panel.view
    before = view.effective_window()
    before_image = shown_picture(panel.image_view).copy()
    viewport = panel.image_view.graphics.viewport()
    center = viewport.rect().center()
    drag(viewport, center, center + QPoint(60, 40))
    after = view.effective_window()
    assert after.width > before.width
    assert after.center < before.center
    assert after.center == int(after.center) and after.width == int(after.width)  # HU: whole numbers
    assert not np.array_equal(shown_picture(panel.image_view), before_image)
    assert panel.histogram.levels() == pytest.approx((after.low, after.high))


def test_histogram_levels_move_window(window) -> None:
    """Dragging the histogram levels sets the document window, and back."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    panel.histogram.item.region.setRegion((-100.0, 300.0))
    window_now = panel.view.effective_window()
    assert (window_now.low, window_now.high) == pytest.approx((-100.0, 300.0))
    panel.view.set_window(Window(40, 400))
    assert panel.histogram.levels() == pytest.approx((Window(40, 400).low, Window(40, 400).high))


def test_frames_keep_window_and_cine_plays(window, qtbot) -> None:
    """Stepping frames keeps W/L; cine advances frames; the slider follows."""
    panel = window.open_paths([corpus_file("emri_small_RLE.dcm")])[0]
    view = panel.view
    chosen = Window(100, 200)
    view.set_window(chosen)
    window.next_action.trigger()
    qtbot.waitUntil(lambda: view.stored_frame() is not None and view.document.is_cached(1))
    assert view.frame == 1 and view.effective_window() == chosen
    assert panel.frame_bar.spin.value() == 2 and panel.frame_bar.slider.value() == 2
    expected = view.document.get_frame(1)
    qtbot.waitUntil(lambda: view.stored_frame() is expected)
    panel.frame_bar.fps.setValue(60)
    panel.frame_bar.set_playing(True)
    qtbot.waitUntil(lambda: view.frame >= 4, timeout=3000)
    panel.frame_bar.set_playing(False)
    assert view.effective_window() == chosen


def test_zoom_and_fit(window) -> None:
    """Zoom in doubles... the zoom factor grows; fit brings the whole image back."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    fitted = panel.image_view.zoom()
    window.zoom_in_action.trigger()
    assert panel.image_view.zoom() == pytest.approx(fitted * 1.25, rel=0.05)
    window.fit_action.trigger()
    assert panel.image_view.zoom() == pytest.approx(fitted, rel=0.05)


def test_pixel_readout_at_known_pixel(window, qtbot) -> None:
    """Hovering pixel (row 30, col 90) of CT_small shows its stored value and HU."""
    path = corpus_file("CT_small.dcm")
    panel = window.open_paths([path])[0]
    ds = pydicom.dcmread(path)
    row, column = 30, 90
    stored = int(ds.pixel_array[row, column])
    hu = stored * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    viewport = panel.image_view.graphics.viewport()
    send_mouse(
        viewport,
        QEvent.Type.MouseMove,
        viewport_point(panel, row, column),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
    )
    QApplication.processEvents()
    text = window.readout.text()
    assert f"row {row}, col {column}" in text
    assert f"stored {stored}" in text and f"value {hu:g} HU" in text
    assert text == readout_text(panel, (row, column))
    # where that pixel is in the patient: position + column * column spacing along the row
    # direction + row * row spacing along the column direction (PS3.3 C.7.6.2.1.1)
    position = np.array([float(v) for v in ds.ImagePositionPatient])
    orientation = np.array([float(v) for v in ds.ImageOrientationPatient])
    row_mm, column_mm = (float(v) for v in ds.PixelSpacing)
    expected = position + column * column_mm * orientation[:3] + row * row_mm * orientation[3:]
    assert "x {:.1f} y {:.1f} z {:.1f} mm".format(*expected) in text
    QApplication.sendEvent(panel.image_view.graphics, QEvent(QEvent.Type.Leave))
    assert window.readout.text() == ""  # the pointer left the image
    panel.image_view.cursor_moved.emit((row, column))  # back over the pixel
    assert window.readout.text() == text
    window.open_paths([corpus_file("MR_small.dcm")])  # another tab becomes current
    assert window.readout.text() == ""


def test_tag_browser_search(window) -> None:
    """Searching 'Rows' or '0028,0010' finds the Rows element."""
    window.open_paths([corpus_file("CT_small.dcm")])
    window.tags_action.trigger()
    dock = window.tag_dock
    for query in ("Rows", "0028,0010"):
        dock.search.setText(query)
        tags = [dock.tree.topLevelItem(i).text(0) for i in range(dock.tree.topLevelItemCount())]
        assert "(0028,0010)" in tags


def test_tag_browser_follows_frame_group(window, qtbot) -> None:
    """For an enhanced file the top item is the current frame's functional groups."""
    panel = window.open_paths([corpus_file("eCT_Supplemental.dcm")])[0]
    window.tags_action.trigger()
    dock = window.tag_dock
    assert dock.tree.topLevelItem(0).text(1) == "Functional groups of frame 1"
    panel.view.set_frame(1)
    assert dock.tree.topLevelItem(0).text(1) == "Functional groups of frame 2"


def test_a_hidden_tag_browser_lists_nothing_until_shown(window) -> None:
    """Tabs and frames change while the dock is hidden: nothing is built; shown, it lists
    the current tab's header and frame."""
    first = window.open_paths([corpus_file("eCT_Supplemental.dcm")])[0]
    dock = window.tag_dock
    assert dock.isHidden() and dock.tree.topLevelItemCount() == 0
    first.view.set_frame(1)
    window.open_paths([corpus_file("CT_small.dcm")])
    assert dock.tree.topLevelItemCount() == 0
    window.tags_action.trigger()  # shown: CT_small's header
    names = [dock.tree.topLevelItem(i).text(1) for i in range(dock.tree.topLevelItemCount())]
    assert "Rows" in names and not any(name.startswith("Functional groups") for name in names)
    window.tags_action.trigger()  # hidden again; back to the enhanced file, at frame 2
    window.workspace.show_panel(first)
    window.tags_action.trigger()
    assert dock.tree.topLevelItem(0).text(1) == "Functional groups of frame 2"


def test_broken_file_gives_dialog_not_crash(window, tmp_path: Path) -> None:
    """A truncated or non-DICOM file ends in one error dialog; the window stays usable."""
    junk = tmp_path / "junk.dcm"
    junk.write_bytes(b"not dicom at all" * 10)
    window.open_paths([junk, corpus_file("JPEG2000-embedded-sequence-delimiter.dcm")])
    assert len(window.errors) >= 2
    assert all("\n" not in message for _, message, _ in window.errors)
    assert window.open_paths([corpus_file("CT_small.dcm")])


def test_invert_toggle_inverts_display(window) -> None:
    """The invert action flips the displayed gray values."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    before = shown_picture(panel.image_view).astype(int)
    window.invert_action.trigger()
    after = shown_picture(panel.image_view).astype(int)
    assert np.array_equal(after, 255 - before)


def test_truncated_file_is_shown_with_a_note(window) -> None:
    """MR_truncated: the pixels that are there are shown, and the status bar says so."""
    panel = window.open_paths([corpus_file("MR_truncated.dcm")])[0]
    assert not window.errors
    assert panel.image_view.image_item.image is not None
    assert "truncated" in window.statusBar().currentMessage()


def test_drop_opens_files(window) -> None:
    """Dropping a file on the window opens it like the menu does."""
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(corpus_file("MR_small.dcm")))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    assert window.tabs.count() == 1 and window.current_panel().title == "MR_small.dcm"
    assert window.settings.recent_files()[0].endswith("MR_small.dcm")


def test_presets_menu_applies_stored_and_ct_windows(window) -> None:
    """View > Window Presets lists the file's windows and CT presets; choosing one sets it."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    window.rebuild_window_menu()
    ct_menu = next(a.menu() for a in window.window_menu.actions() if a.menu() and a.text() == "CT")
    lung = next(a for a in ct_menu.actions() if a.text().startswith("Lung"))
    lung.trigger()
    assert (panel.view.effective_window().center, panel.view.effective_window().width) == (-600, 1500)
    auto = next(a for a in window.window_menu.actions() if a.text().startswith("Auto"))
    auto.trigger()
    assert panel.view.effective_window().width < 2000


def test_voi_lut_preset(window) -> None:
    """vlut_04 shows through its VOI LUT by default and the preset menu offers it."""
    panel = window.open_paths([corpus_file("vlut_04.dcm")])[0]
    assert panel.view.voi_lut is not None and panel.view.window is None
    panel.view.set_window(panel.view.effective_window().moved(width=100))
    window.rebuild_window_menu()
    lut_action = next(a for a in window.window_menu.actions() if a.text().startswith("VOI LUT"))
    lut_action.trigger()
    assert panel.view.voi_lut is not None and panel.view.window is None


def test_tag_column_fits_its_text(window) -> None:
    from PySide6.QtGui import QFontMetrics

    window.open_paths([corpus_file("CT_small.dcm")])
    window.tags_action.trigger()
    tree = window.tag_dock.tree
    widest = max(
        QFontMetrics(tree.font()).horizontalAdvance(tree.topLevelItem(i).text(0))
        for i in range(tree.topLevelItemCount())
    )
    assert tree.columnWidth(0) >= widest


def test_tag_browser_shows_what_a_save_would_write(window, qtbot) -> None:
    """With 'As a save would write them', an edited image's tags are the committed ones
    (cropped: Rows and Columns of the crop; DERIVED) and the changed ones are bold."""
    from viewer.edits.operations import Crop

    window.open_paths([corpus_file("CT_small.dcm")])
    window.tags_action.trigger()
    dock = window.tag_dock
    window.edits.apply_operation(Crop(0, 0, 100, 60))

    def row(keyword: str):
        for i in range(dock.tree.topLevelItemCount()):
            item = dock.tree.topLevelItem(i)
            if item.text(1) == keyword:
                return item
        raise AssertionError(keyword)

    assert row("Rows").text(3) == "128" and not row("Rows").font(0).bold()
    dock.pending.setChecked(True)
    assert row("Rows").text(3) == "60" and row("Columns").text(3) == "100"
    assert row("Rows").font(0).bold() and "128 -> 60" in row("Rows").toolTip(0)
    assert "DERIVED" in row("Image Type").text(3) and not row("Patient's Name").font(0).bold()
    window.edits.undo()  # back to the file: its own header again
    assert row("Rows").text(3) == "128" and not row("Rows").font(0).bold()


@pytest.mark.parametrize(
    ("slope", "intercept", "integer"), [(1, -1024, True), (2, 0, True), (0.5, 0, False), (1, 0.25, False)]
)
def test_a_drag_learns_the_values_range_and_kind_without_the_frames_modality_values(
    window, tmp_path, slope: float, intercept: float, integer: bool
) -> None:
    """Whole stored values through a whole rescale are whole numbers, and their span is the
    stored span times the slope: no float copy of the frame when a drag begins (a 4096 x 4096
    frame's is 128 MB). Other rescales are answered from the modality values, as before."""
    from tests.hostile import image_dataset, write

    ds = image_dataset(40, 50)
    ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
    panel = window.open_paths([write(ds, tmp_path / "rescaled.dcm")])[0]
    view = panel.view
    view.load_current()
    view._modality_values = None
    values = view.modality().apply(view.stored_frame())
    assert view.integer_values() is integer
    assert view.value_span() == pytest.approx(float(values.max() - values.min()))
    assert (view._modality_values is None) is integer  # computed only where the rescale is not whole


def test_start_up_objects_are_frozen_and_later_garbage_is_still_collected() -> None:
    """After start-up the objects alive are left out of collections; a cycle made later
    is still collected."""
    import gc
    import weakref

    from viewer.ui.app import freeze_start_up_objects

    freeze_start_up_objects()
    assert gc.get_freeze_count() > 0

    class Node:
        pass

    node = Node()
    node.me = node  # type: ignore[attr-defined]
    gone = weakref.ref(node)
    del node
    gc.collect()
    assert gone() is None
