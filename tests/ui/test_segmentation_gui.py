"""The threshold dock's automatic ranges and Save as Segmentation (equal to the CLI's SEG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.corpus import corpus_file
from tests.io.test_seg import _read_back
from viewer.cli.main import main
from viewer.model.masks import otsu, triangle


def _dock(window, qtbot, name: str):
    panel = window.open_paths([corpus_file(name)])[0]
    window.edits.threshold_action.trigger()
    qtbot.wait(20)
    dock = window.threshold_dock
    dock.scope.setCurrentIndex(1)  # all frames
    return panel, dock


def test_gui_segmentation_equals_the_cli(window, qtbot, tmp_path: Path) -> None:
    from viewer.ui.dialogs import set_answer

    name = "eCT_Supplemental.dcm"
    _, dock = _dock(window, qtbot, name)
    dock.set_range(100, 3000)
    set_answer("save_path", str(tmp_path / "gui.dcm"))
    dock.segment_button.click()
    assert main(["segment", str(corpus_file(name)), "-o", str(tmp_path / "cli.dcm"), "--threshold", "100", "3000"]) == 0
    source = pydicom.dcmread(corpus_file(name), stop_before_pixels=True)
    gui, cli = (_read_back(tmp_path / f"{n}.dcm", source, 2) for n in ("gui", "cli"))
    np.testing.assert_array_equal(gui, cli)
    assert gui.any()


@pytest.mark.parametrize("method", ["otsu", "triangle", "percentile"])
def test_automatic_ranges_use_the_frames_an_apply_touches(window, qtbot, method: str) -> None:
    panel, dock = _dock(window, qtbot, "eCT_Supplemental.dcm")
    document = panel.document
    values = np.concatenate([document.modality(i).apply(document.get_frame(i)).ravel() for i in range(2)])
    dock.auto_buttons[method].click()
    low, high = dock.range()
    if method == "percentile":
        assert (low, high) == pytest.approx((np.percentile(values, 1), np.percentile(values, 99)), abs=0.01)
    else:
        level = otsu(values) if method == "otsu" else triangle(values)
        assert low == pytest.approx(level, abs=0.01) and high == pytest.approx(values.max())


def test_seg_opened_with_its_source_is_shown_in_colour(window, qtbot, tmp_path: Path, output_dir: Path) -> None:
    from viewer.edits.operations import Crop
    from viewer.model.overlays import SEGMENT_ALPHA

    name = "eCT_Supplemental.dcm"
    seg = tmp_path / "seg.dcm"
    assert main(["segment", str(corpus_file(name)), "-o", str(seg), "--threshold", "100", "3000", "--frames", "2"]) == 0
    [panel] = window.open_paths([corpus_file(name), seg])
    [segment] = panel.document.segments
    assert segment.label == "Threshold" and segment.planes[0].sum() == 0 and segment.planes[1].sum() > 0
    panel.view.set_frame(1)
    qtbot.waitUntil(lambda: panel.view.stored_frame() is not None)
    panel.view.load_current()
    layer = panel.image_view.planes_item.image
    assert layer is not None
    np.testing.assert_array_equal(layer[..., 3] == SEGMENT_ALPHA, segment.planes[1])
    folder = output_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    window.grab().save(str(folder / "seg-on-source.png"))
    window.edits.apply_operation(Crop(100, 100, 200, 150))  # the segment follows the pixels
    panel.view.load_current()
    np.testing.assert_array_equal(panel.image_view.planes_item.image[..., 3] > 0, segment.planes[1][100:250, 100:300])
    window.planes_action.trigger()
    assert panel.image_view.planes_item.image is None


def test_seg_without_its_source_opens_as_its_own_frames(window, tmp_path: Path) -> None:
    seg = tmp_path / "seg.dcm"
    assert main(["segment", str(corpus_file("CT_small.dcm")), "-o", str(seg), "--threshold", "100", "3000"]) == 0
    [panel] = window.open_paths([seg])
    assert panel.document.dataset.Modality == "SEG" and not panel.document.segments
