"""Multi-frame threshold: with "All frames", the default range and the Inside count cover
every frame the fill will touch (the High default was the shown frame's maximum, so "Fill
outside, All frames" zeroed the brighter pixels of other frames)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests import hostile
from tests.corpus import corpus_file
from viewer.edits.operations import FillOutside


def test_all_frames_range_and_count_cover_every_frame(window, qtbot, tmp_path: Path) -> None:
    ds = hostile.image_dataset(8, 8, frames=3)  # ramp: frame 3 holds the brightest values
    path = hostile.write(ds, tmp_path / "three.dcm")
    ramp = hostile.ramp(ds)
    panel = window.open_paths([path])[0]
    panel.view.load_current()
    window.edits.threshold_action.trigger()
    dock = window.threshold_dock
    qtbot.waitUntil(lambda: dock._default_range is not None)
    assert dock.range() == (0.0, 63.0)  # this frame: frame 1 holds 0..63
    dock.scope.setCurrentIndex(1)  # All frames
    assert dock.range() == (0.0, float(ramp.max()))
    assert dock.count_label.text().startswith(f"{ramp.size} pixels (100.0%) in 3 frames")
    dock.set_range(0, 100)
    assert dock.count_label.text().startswith("101 pixels") and "in 3 frames" in dock.count_label.text()
    dock.set_range(0, float(ramp.max()))
    dock.fill_outside_button.click()
    assert panel.document.edits.operations == [FillOutside(0.0, float(ramp.max()), 0.0)]
    assert np.array_equal(panel.document.edits.pixels, ramp)  # nothing was outside: nothing zeroed


def test_a_range_the_person_set_survives_a_scope_change(window, qtbot, tmp_path: Path) -> None:
    path = hostile.write(hostile.image_dataset(8, 8, frames=3), tmp_path / "three.dcm")
    panel = window.open_paths([path])[0]
    panel.view.load_current()
    window.edits.threshold_action.trigger()
    dock = window.threshold_dock
    qtbot.waitUntil(lambda: dock._default_range is not None)
    dock.set_range(10, 20)
    dock.scope.setCurrentIndex(1)
    assert dock.range() == (10.0, 20.0)


def test_typing_a_bound_updates_the_preview_before_enter(window, qtbot) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    window.edits.threshold_action.trigger()
    qtbot.wait(20)
    dock = window.threshold_dock
    dock.set_range(-2000, 3000)
    before = int((panel.image_view.overlay_item.image[..., 3] > 0).sum())
    dock.low.lineEdit().selectAll()
    QTest.keyClicks(dock.low.lineEdit(), "500")  # no Enter yet
    after = int((panel.image_view.overlay_item.image[..., 3] > 0).sum())
    assert dock.low.value() == 500 and after < before
    QTest.keyClick(dock.low.lineEdit(), Qt.Key.Key_Return)
    assert "pixels" in dock.count_label.text()


def test_the_range_shows_in_the_histogram_only_while_the_dock_is_open(window, qtbot) -> None:
    """A closed threshold dock leaves no tinted band in the histogram of the next image."""
    window.open_paths([corpus_file("CT_small.dcm")])
    dock = window.threshold_dock
    assert dock.region is not None and not dock.region.isVisible()
    window.edits.threshold_action.trigger()
    qtbot.waitUntil(lambda: dock.region.isVisible())
    window.edits.threshold_action.trigger()  # closed again
    qtbot.waitUntil(lambda: not dock.region.isVisible())
    window.open_paths([corpus_file("MR_small.dcm")])
    assert dock.region is not None and not dock.region.isVisible()


def test_a_threshold_dock_left_open_does_not_tint_the_first_image_of_the_next_start(
    window, qtbot, tmp_path: Path
) -> None:
    """Window state is restored on start (docks, toolbar), but not an open threshold tool."""
    from viewer.io.recovery import RecoveryStore
    from viewer.ui.main_window import MainWindow

    window.edits.threshold_action.trigger()
    qtbot.waitUntil(window.threshold_dock.isVisible)
    window.tag_dock.show()
    window.close()  # saves the window state
    again = MainWindow(window.settings, recovery=RecoveryStore(tmp_path / "recovery2"))
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    panel = again.open_paths([corpus_file("CT_small.dcm")])[0]
    qtbot.wait(50)
    assert again.tag_dock.isVisible() and not again.threshold_dock.isVisible()
    assert panel.image_view.overlay_item.image is None
    again.close()
