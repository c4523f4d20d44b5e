"""Screenshots of the real window for a person to look at (test-output/screenshots/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus import corpus_file

SHOTS = [
    ("ct", "CT_small.dcm"),
    ("monochrome1", "RG3_UNCI.dcm"),
    ("colour", "US1_UNCR.dcm"),
    ("multiframe", "emri_small_RLE.dcm"),
]


@pytest.mark.parametrize("label,name", SHOTS)
def test_window_screenshot(window, qtbot, output_dir: Path, label: str, name: str) -> None:
    """The window with the file open grabs to a non-empty PNG."""
    panel = window.open_paths([corpus_file(name)])[0]
    if panel.view.frame_count > 1:
        panel.view.set_frame(panel.view.frame_count // 2)
        qtbot.waitUntil(lambda: panel.view.stored_frame() is not None and panel.document.is_cached(panel.view.frame))
    qtbot.wait(50)
    folder = output_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    path = folder / f"window-{label}.png"
    assert window.grab().save(str(path))
    assert path.stat().st_size > 5000


def test_threshold_overlay_screenshot(window, qtbot, output_dir: Path) -> None:
    """CT_small with the threshold tool on [150, 1200] HU (bone) shows the overlay."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    window.edits.threshold_action.trigger()
    qtbot.wait(20)
    window.threshold_dock.set_range(150, 1200)
    qtbot.wait(50)
    folder = output_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    path = folder / "threshold-overlay-ct.png"
    assert window.grab().save(str(path))
    overlay = panel.image_view.overlay_item.image
    assert overlay is not None and (overlay[..., 3] > 0).any()
