"""The wheel scrolls frames (Ctrl+wheel zooms); orientation markers sit on the edges."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from tests.corpus import corpus_file
from tests.ui.helpers import shown_picture


def _wheel(panel, steps: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    viewport = panel.image_view.graphics.viewport()
    centre = QPointF(viewport.width() / 2, viewport.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(viewport.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(viewport, event)
    QApplication.processEvents()


def test_wheel_scrolls_frames_and_ctrl_wheel_zooms(window, qtbot) -> None:
    panel = window.open_paths([corpus_file("emri_small.dcm")])[0]
    qtbot.wait(20)
    _wheel(panel, -1)  # towards you: the next frame
    assert panel.view.frame == 1
    _wheel(panel, 1)
    _wheel(panel, 1)  # clamped at the first frame
    assert panel.view.frame == 0
    zoom = panel.image_view.zoom()
    _wheel(panel, 1, Qt.KeyboardModifier.ControlModifier)
    assert panel.view.frame == 0 and panel.image_view.zoom() > zoom


def test_single_frame_wheel_still_zooms(window, qtbot) -> None:
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    qtbot.wait(20)
    zoom = panel.image_view.zoom()
    _wheel(panel, 1)
    assert panel.image_view.zoom() > zoom


def test_orientation_markers_on_the_edges_follow_a_turn(window, qtbot) -> None:
    from viewer.edits.operations import Rotate

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    panel.view.load_current()
    assert panel.image_view.annotations.edge_texts() == ("R", "L", "A", "P")
    window.edits.apply_operation(Rotate(degrees=90))
    panel.view.load_current()
    assert panel.image_view.annotations.edge_texts() == ("P", "A", "R", "L")
    window.annotations_action.trigger()  # View > Show Annotations off hides them
    assert all(label.isHidden() for label in panel.image_view.annotations.edges)


def test_function_keys_choose_windows_and_the_reference_lists_every_binding(window, qtbot, output_dir) -> None:
    from PySide6.QtGui import QAction, QKeySequence

    from viewer.model.presets import CT_PRESETS, percentile_preset

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    panel.view.load_current()
    own = panel.view.effective_window()
    keys = {a.shortcut().toString(): a for a in window.keys.preset_actions}
    for i, preset in enumerate(CT_PRESETS[:8]):
        keys[f"F{i + 2}"].trigger()
        assert panel.view.effective_window() == preset.window
    keys["F10"].trigger()
    assert panel.view.effective_window() == percentile_preset(panel.view.modality_values()).window
    keys["F1"].trigger()
    assert panel.view.effective_window() == own
    rows = dict(window.keys.bindings())
    for action in window.findChildren(QAction):
        key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if key:
            assert key in rows, action.text()
    assert "Right drag" in rows and "Ctrl+Wheel" in rows
    from PySide6.QtWidgets import QTableWidget

    dialog = window.keys.show_reference()
    assert dialog.findChild(QTableWidget).rowCount() == len(window.keys.bindings())
    (output_dir / "screenshots").mkdir(exist_ok=True)
    assert dialog.grab().save(str(output_dir / "screenshots" / "keyboard-reference.png"))
    dialog.close()


def test_corner_text_formats_dates_and_says_lossy(window, qtbot) -> None:
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    panel.view.load_current()
    top_left, _, bottom_left, _ = (label.text() for label in panel.image_view.annotations.corners)
    assert "2004-01-19" in top_left
    assert "Loc" in bottom_left and "Thick" in bottom_left
    lossy = window.open_paths([corpus_file("SC_rgb_jpeg_dcmtk.dcm")])[0]
    lossy.view.load_current()
    assert "LOSSY COMPRESSED" in lossy.image_view.annotations.corners[2].text()


GROUP_WIDGETS = {  # annotation group -> what it shows (corner index or other part)
    "patient": ("corner", 0, 1),
    "image": ("corner", 2),
    "window": ("corner", 3),
    "orientation": ("edge", 0, 1, 2, 3),
    "scale": ("scale",),
}


def _widgets(annotations, group: str):
    kind, *indices = GROUP_WIDGETS[group]
    if kind == "scale":
        return [annotations.scale_bar]
    return [(annotations.corners if kind == "corner" else annotations.edges)[i] for i in indices]


@pytest.mark.parametrize("group", list(GROUP_WIDGETS))
def test_each_annotation_group_hides_alone_and_is_remembered(window, qtbot, group: str) -> None:
    """View > Annotation Groups: one group off hides exactly its texts (on every image,
    and on images opened later); the choice is kept in the settings."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    annotations = panel.image_view.annotations
    assert all(not w.isHidden() for g in GROUP_WIDGETS for w in _widgets(annotations, g))
    window.keys.annotation_group_actions[group].trigger()  # off
    for other in GROUP_WIDGETS:
        assert all(not w.isHidden() == (other != group) for w in _widgets(annotations, other)), other
    later = window.open_paths([corpus_file("MR_small.dcm")])[0]
    assert not any(not w.isHidden() for w in _widgets(later.image_view.annotations, group))
    assert window.settings.hidden_annotation_groups() == {group}
    window.keys.annotation_group_actions[group].trigger()  # on again
    assert all(not w.isHidden() for w in _widgets(annotations, group))


def test_frame_time_of_a_cine_is_shown(window, tmp_path) -> None:
    from tests.hostile import image_dataset, write

    ds = image_dataset(16, 16, frames=5)
    ds.FrameTime = 33.3
    panel = window.open_paths([write(ds, tmp_path / "cine.dcm")])[0]
    assert "Frame time 33.3 ms" in panel.image_view.annotations.corners[2].text()


def test_scale_bar_measures_the_screen_in_mm(window, qtbot) -> None:
    from viewer.edits.operations import Bin

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    panel.view.load_current()
    panel.image_view.update_annotations()
    bar = panel.image_view.annotations.scale_bar
    column_mm = 0.661468  # CT_small's Pixel Spacing
    mm = float(bar.text.split()[0])
    assert bar.length_px * column_mm / panel.image_view.zoom() == pytest.approx(mm, rel=1e-3)
    window.edits.apply_operation(Bin(factor=2))  # each shown pixel now spans twice the mm
    panel.view.load_current()
    panel.image_view.update_annotations()
    mm = float(bar.text.split()[0])
    assert bar.length_px * 2 * column_mm / panel.image_view.zoom() == pytest.approx(mm, rel=1e-3)


def test_opening_a_dicomdir_opens_its_series(window, qtbot) -> None:
    from viewer.model.folder import scan_folder

    dicomdir = corpus_file("CT_small.dcm").parent / "dicomdirtests" / "DICOMDIR"
    panels = window.open_paths([dicomdir])
    assert len(panels) == len(scan_folder(dicomdir).series) == 13


def test_preferences_swap_the_wheel_and_smooth_pixels(window, qtbot) -> None:
    """Preferences: the wheel zooms and Ctrl+wheel scrolls frames; smoothing interpolates
    a zoomed image (the picture has gray levels between neighbouring pixels' values)."""
    from viewer.ui.preferences import PreferencesDialog

    panel = window.open_paths([corpus_file("emri_small.dcm")])[0]
    qtbot.wait(20)
    dialog = PreferencesDialog(window)
    dialog.wheel.setCurrentIndex(1)
    dialog.store(window)
    assert window.settings.wheel_zooms()
    zoom = panel.image_view.zoom()
    _wheel(panel, 1)
    assert panel.view.frame == 0 and panel.image_view.zoom() > zoom
    _wheel(panel, -1, Qt.KeyboardModifier.ControlModifier)
    assert panel.view.frame == 1

    for _ in range(3):
        panel.image_view.zoom_by(2.0)  # 8x: each pixel a block of screen pixels

    def distinct_grays() -> int:
        qtbot.wait(20)
        image = panel.image_view.graphics.grab().toImage()
        return len({image.pixelColor(x, image.height() // 2).red() for x in range(image.width())})

    sharp = distinct_grays()
    window.keys.smooth_action.trigger()
    assert window.settings.smooth_pixels()
    smooth = distinct_grays()
    assert smooth > sharp  # interpolation makes the in-between levels a sharp zoom lacks


def test_save_as_retitles_the_tab(window, tmp_path) -> None:
    from viewer.edits.operations import Flip

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    window.edits.apply_operation(Flip("h"))
    assert window.tabs.tabText(window.tabs.indexOf(panel)) == "CT_small.dcm *"
    assert window.edits.save_document(panel, tmp_path / "flipped.dcm", confirm=False)
    assert window.tabs.tabText(window.tabs.indexOf(panel)) == "flipped.dcm"
    assert window.windowTitle() == "flipped.dcm — DICOM Viewer"


def test_magnifier_follows_the_pointer(window, qtbot, output_dir) -> None:
    """M shows a loupe beside the pointer: the screen around it, three times larger."""
    from PySide6.QtCore import QPoint

    from viewer.ui.magnifier import FACTOR, SIZE

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    qtbot.wait(20)
    loupe = panel.image_view.magnifier
    window.keys.magnifier_action.trigger()
    viewport = panel.image_view.graphics.viewport()
    point = QPoint(viewport.width() // 2, viewport.height() // 2)
    loupe.follow(point)
    assert loupe.isVisible() and loupe.pixmap().width() == SIZE
    screen = viewport.grab().toImage()
    shown = loupe.pixmap().toImage()
    # a pixel of the loupe away from its cross is the screen pixel it enlarges
    dx, dy = 20, 30
    expected = screen.pixelColor(
        point.x() - SIZE // FACTOR // 2 + dx // FACTOR, point.y() - SIZE // FACTOR // 2 + dy // FACTOR
    )
    assert shown.pixelColor(dx, dy) == expected
    assert not loupe.geometry().contains(point)  # beside the pointer, not over it
    folder = output_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    assert panel.image_view.graphics.grab().save(str(folder / "magnifier.png"))
    loupe.follow(QPoint(-5, -5))
    assert not loupe.isVisible()
    window.keys.magnifier_action.trigger()
    loupe.follow(point)
    assert not loupe.isVisible()


def test_frames_are_decoded_ahead_the_way_the_person_moves(qtbot, tmp_path, monkeypatch) -> None:
    """Moving back decodes the frames before, moving forward those after, and the end of
    the file does not wrap to its start (only cine does). The file is not preloaded: its
    frames fit the cache, but not half of it."""
    from pydicom.uid import RLELossless

    from tests.hostile import image_dataset, ramp, write
    from viewer.model import frame_cache
    from viewer.model.document import open_document
    from viewer.ui.document_view import DocumentView

    monkeypatch.setattr(frame_cache.DECODED, "budget_bytes", 12 * 16 * 16 * 2 * 3 // 2)
    ds = image_dataset(16, 16, frames=12)
    ds.compress(RLELossless, ramp(ds), generate_instance_uid=False)
    document = open_document(write(ds, tmp_path / "rle.dcm"))
    view = DocumentView(document)
    view.load_current()
    view.set_frame(11)  # forward to the last frame: nothing after it, nothing wrapped
    qtbot.waitUntil(lambda: not view.decoding.pending and view.stored_frame() is document.get_frame(11))
    assert not any(document.is_cached(i) for i in (1, 2, 9, 10))
    view.set_frame(8)  # backward: the frames before
    qtbot.waitUntil(lambda: not view.decoding.pending and view.stored_frame() is document.get_frame(8))
    assert document.is_cached(7) and document.is_cached(6)
    assert not document.is_cached(9) and not document.is_cached(10)


@pytest.mark.parametrize(("zoom", "step"), [(1.0, 1), (0.7, 1), (0.45, 2), (0.375, 3), (0.19, 5)])
def test_a_dragged_window_previews_at_about_one_image_pixel_a_screen_pixel(window, zoom: float, step: int) -> None:
    """While the window is dragged only the part on screen is windowed, every step-th pixel
    with step the whole number of image pixels nearest to one screen pixel (a preview pixel
    covers at most 1.33 screen pixels); its values are those of the full picture there, and
    releasing the drag shows the full picture."""
    from viewer.model.rendering import render_view

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    panel.view.load_current()
    image_view = panel.image_view
    image_view.set_zoom(zoom)
    image_view._on_window_drag(10.0, -5.0, finished=False)
    preview = shown_picture(image_view)
    assert image_view._shown_step == step
    r0, c0 = image_view._shown_origin
    full = render_view(panel.view.document, panel.view.state, overlays=False)
    rows, columns = preview.shape[:2]
    assert np.array_equal(preview, full[r0 : r0 + rows * step : step, c0 : c0 + columns * step : step])
    image_view._on_window_drag(10.0, -5.0, finished=True)
    assert image_view._shown_step == 1 and image_view.image_item.image.shape[:2] == full.shape[:2]


def test_the_kept_preview_follows_edits_and_frames(window) -> None:
    """The part a drag previews is copied once and kept while the window is dragged: an
    edit or another frame during the drag is shown, never the kept copy of before."""
    from viewer.edits.operations import Flip
    from viewer.model.rendering import render_view

    panel = window.open_paths([corpus_file("emri_small.dcm")])[0]
    panel.view.load_current()
    image_view = panel.image_view
    image_view.set_zoom(0.45)  # every second pixel

    def previewed_as_rendered() -> bool:
        image_view._on_window_drag(4.0, 2.0, finished=False)
        r0, c0 = image_view._shown_origin
        preview, step = shown_picture(image_view), image_view._shown_step
        full = render_view(panel.view.document, panel.view.state, overlays=False)
        rows, columns = preview.shape[:2]
        return step == 2 and np.array_equal(
            preview, full[r0 : r0 + rows * step : step, c0 : c0 + columns * step : step]
        )

    assert previewed_as_rendered()
    panel.view.apply(Flip("h"))
    assert previewed_as_rendered()
    panel.view.set_frame(3)
    panel.view.load_current()
    assert previewed_as_rendered()
    panel.view.undo()
    assert previewed_as_rendered()
    # the kept copy does not keep its frame alive once the frame is left behind
    import gc
    import weakref

    frame = np.arange(64 * 64, dtype=np.uint16).reshape(64, 64)
    gone = weakref.ref(frame)
    assert panel.view._part(frame, 2, None)[0].shape == (32, 32)
    del frame
    gc.collect()
    assert gone() is None


def test_a_dragged_part_is_shown_as_the_whole_frame_shows_it(qapp, tmp_path) -> None:
    """DocumentView: the preview of a part (span-limited table) equals the same pixels of
    the whole frame's picture, for a signed CT frame with negative values."""
    import pydicom

    from viewer.model.display import Window
    from viewer.model.document import open_document
    from viewer.ui.document_view import DocumentView

    ds = pydicom.dcmread(corpus_file("CT_small.dcm"))
    ds.PixelData = (ds.pixel_array.astype(np.int16) - 1024).tobytes()  # still signed, 16 bits
    ds.save_as(tmp_path / "negative.dcm")
    view = DocumentView(open_document(tmp_path / "negative.dcm"))
    view.load_current()
    assert view.stored_frame().min() < 0 < view.stored_frame().max()  # both signs: two ranges of patterns
    view.set_window(Window(-600, 1600))
    whole = view.screen_image()
    part = view.screen_image(3, (10, 100, 20, 128))
    assert np.array_equal(part, whole[10:100:3, 20:128:3])


def test_the_frame_bar_follows_fast_frame_changes_at_its_own_pace(window, qtbot) -> None:
    """A single step shows at once; while frames change faster than FOLLOW_MS the slider
    and spin box skip frames, and show the last one once the changes stop."""
    from viewer.ui.frame_bar import FOLLOW_MS

    panel = window.open_paths([corpus_file("emri_small.dcm")])[0]
    bar, view = panel.frame_bar, panel.view
    view.set_frame(1)
    assert bar.spin.value() == 2 and bar.slider.value() == 2  # at once
    import time

    started = time.perf_counter()
    for frame in range(2, 8):
        view.set_frame(frame)
    if time.perf_counter() - started < FOLLOW_MS / 1000:  # (a slow machine may take longer)
        assert bar.spin.value() == 2  # not painted at every change
    qtbot.wait(2 * FOLLOW_MS)
    assert bar.spin.value() == 8 and bar.slider.value() == 8  # the last frame, once they stopped


@pytest.mark.parametrize(
    "texts",
    [
        ["WC 40  WW 400\nZoom 1.00", "WC 1234  WW 5678\nZoom 1.00", "WC -1024  WW 1\nZoom 12.50", "WC 40  WW 400"],
        ["Frame 1 / 100", "Frame 99 / 100", "Frame 100 / 100\nLoc 12.5 mm"],
    ],
)
def test_an_annotation_is_as_large_as_its_text(window, texts: list[str]) -> None:
    """A text's backing fits it whatever it says (sizes are kept by the text's shape
    while the window is dragged): each equals a fresh measurement of the text."""
    from PySide6.QtCore import QRect

    from viewer.ui.annotation_layer import PADDING

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    label = panel.image_view.annotations.corners[3]
    for text in texts * 2:
        label.setText(text)
        label.adjustSize()
        box = label._metrics.boundingRect(QRect(0, 0, 10_000, 10_000), 0, text)
        assert (label.width(), label.height()) == (box.width() + 2 * PADDING[0], box.height() + 2 * PADDING[1])


def test_an_annotation_looks_the_same_drawn_live_and_from_its_pixmap(window) -> None:
    """A text that just changed is drawn straight onto the view, and from a pixmap at the
    next paint: both paints show the same pixels (frame and window corners, and the scale
    bar after a zoom, drawn after the bold orientation markers)."""
    from viewer.model.display import Window

    def drawn_live_then_blitted(panel, change) -> list:
        annotations = panel.image_view.annotations
        viewport = panel.image_view.graphics.viewport()
        change()  # an uncompressed frame is taken at once: no event is processed before the grab
        live = viewport.grab().toImage()  # what changed drawn straight onto the view
        drawn_live = [s for s in [*annotations.corners, annotations.scale_bar] if not s._fresh and s._pixmap is None]
        assert drawn_live
        assert viewport.grab().toImage() == live  # ... and now blitted
        return drawn_live

    frames = window.open_paths([corpus_file("emri_small.dcm")])[0]
    frames.view.load_current()
    drawn_live_then_blitted(frames, lambda: frames.view.set_frame(3))
    drawn_live_then_blitted(frames, lambda: frames.view.set_window(Window(300, 700)))
    ct = window.open_paths([corpus_file("CT_small.dcm")])[0]
    ct.view.load_current()
    image_view = ct.image_view
    drawn = drawn_live_then_blitted(ct, lambda: (image_view.zoom_by(0.7), image_view.update_annotations()))
    assert image_view.annotations.scale_bar.text and image_view.annotations.scale_bar in drawn


def test_the_background_beside_a_moved_picture_is_painted(window) -> None:
    """The view paints its background only around the picture: after zooming out and
    panning, every pixel outside the picture is the background, none left from before."""
    import numpy as np

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    image_view = panel.image_view
    viewport = image_view.graphics.viewport()
    viewport.grab()
    image_view.zoom_by(0.5)
    image_view.viewbox.translateBy(x=30, y=-20)
    viewport.repaint()
    grabbed = viewport.grab().toImage().convertToFormat(viewport.grab().toImage().Format.Format_RGB32)
    pixels = np.frombuffer(grabbed.constBits(), dtype=np.uint32).reshape(grabbed.height(), -1)[:, : grabbed.width()]
    item = image_view.image_item
    shown = image_view.graphics.mapFromScene(item.sceneBoundingRect()).boundingRect().adjusted(-1, -1, 1, 1)
    outside = np.ones(pixels.shape, dtype=bool)
    outside[max(shown.top(), 0) : shown.bottom() + 1, max(shown.left(), 0) : shown.right() + 1] = False
    for sprite in image_view.annotations.layer.sprites:  # the texts over the view
        r = sprite._geometry
        outside[max(r.top(), 0) : r.bottom() + 1, max(r.left(), 0) : r.right() + 1] = False
    assert outside.sum() > 0.3 * outside.size  # most of the view is beside the picture
    assert np.all(pixels[outside] & 0xFFFFFF == 0)  # black, as the background brush
