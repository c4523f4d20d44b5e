"""The GUI and `render` share one rendering policy: a freshly opened frame looks the same
in the window as in `dicom-viewer render`, with and without the person's invert."""

from __future__ import annotations

import numpy as np
import pytest

from tests.corpus import corpus_file
from viewer.model.rendering import render_frame

CASES = [
    "CT_small.dcm",  # stored window
    "RG3_UNCI.dcm",  # MONOCHROME1
    "vlut_04.dcm",  # VOI LUT Sequence, no window
    "emri_small.dcm",  # multi-frame (the first frame shown decides the window)
    "SC_rgb.dcm",  # colour
    "OT-PAL-8-face.dcm",  # palette colour
]


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("invert", [False, True])
def test_gui_and_render_draw_the_same_pixels(window, name: str, invert: bool) -> None:
    panel = window.open_paths([corpus_file(name)])[0]
    panel.view.load_current()
    panel.view.set_invert(invert)
    shown = panel.view.display_image()
    assert shown is not None
    assert np.array_equal(shown, render_frame(panel.document, 0, invert=invert))


def test_no_stored_window_means_min_max_in_both(window, tmp_path) -> None:
    """A file without window or VOI LUT: black at its minimum, white at its maximum, both ways."""
    from tests import hostile

    path = hostile.write(hostile.image_dataset(32, 32), tmp_path / "ramp.dcm")
    panel = window.open_paths([path])[0]
    panel.view.load_current()
    expected = render_frame(panel.document, 0)
    assert expected.min() == 0 and expected.max() == 255
    assert np.array_equal(panel.view.display_image(), expected)
