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


def test_overlay_planes_shown_follow_edits_and_toggle(window, tmp_path) -> None:
    """The overlay layer shows the planes render draws, moves with a crop and undo, and hides."""
    from tests.overlay_files import overlay_image
    from viewer.edits.operations import Crop
    from viewer.model.overlays import overlay_rgba

    panel = window.open_paths([overlay_image(tmp_path / "o.dcm")])[0]
    panel.view.load_current()
    layer = panel.image_view.planes_item.image
    assert layer is not None
    np.testing.assert_array_equal(layer[..., 3] == 255, render_frame(panel.document, 0) == 255)
    window.edits.apply_operation(Crop(3, 2, 20, 15))
    panel.view.load_current()
    cropped = panel.image_view.planes_item.image
    assert cropped is not None and cropped.shape[:2] == (15, 20)
    np.testing.assert_array_equal(cropped, layer[2:17, 3:23])
    np.testing.assert_array_equal(cropped, overlay_rgba(panel.document.overlays, 0))
    window.planes_action.trigger()  # View > Show Overlay Planes off
    assert panel.image_view.planes_item.image is None
    window.planes_action.trigger()
    assert panel.image_view.planes_item.image is not None


def test_display_shutter_covers_the_same_pixels_as_render(window, tmp_path) -> None:
    from tests import hostile

    ds = hostile.image_dataset(24, 32)
    ds.ShutterShape = "CIRCULAR"
    ds.CenterOfCircularShutter, ds.RadiusOfCircularShutter = [12, 15], 9
    panel = window.open_paths([hostile.write(ds, tmp_path / "s.dcm")])[0]
    panel.view.load_current()
    layer = panel.image_view.planes_item.image
    assert layer is not None
    rendered = render_frame(panel.document, 0)
    covered = layer[..., 3] == 255
    assert covered.sum() > 100 and (rendered[covered] == 0).all() and (layer[covered][:, :3] == 0).all()
