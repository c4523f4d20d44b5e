"""The Segments dock: drawing into a segment instead of the pixels, one undo history,
connected-region tools, the overlay, and a SEG equal to the CLI's replay of the recipe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
from scipy import ndimage

from tests.corpus import corpus_file
from tests.io.test_seg import _read_back
from viewer.cli.main import main
from viewer.edits.recipe import recipe_json
from viewer.edits.session import working
from viewer.ui.dialogs import set_answer

NAME = "eCT_Supplemental.dcm"


def _hu(document) -> np.ndarray:
    return np.stack([document.source.modality_for(i).apply(document.source_frame(i)) for i in range(2)])


def _open(window, qtbot):
    panel = window.open_paths([corpus_file(NAME)])[0]
    window.edits.threshold_action.trigger()
    window.segments.dock_action.trigger()
    qtbot.wait(20)
    dock = window.segments.dock
    assert dock.isVisible() and dock.panel is panel
    dock.draw_into.setChecked(True)
    window.threshold_dock.scope.setCurrentIndex(1)  # all frames
    return panel, dock


def test_draw_clean_save_and_replay(window, qtbot, tmp_path: Path, output_dir: Path) -> None:
    panel, dock = _open(window, qtbot)
    document = panel.document
    hu = _hu(document)
    before = np.stack([document.get_frame(i) for i in range(2)]).copy()
    window.threshold_dock.set_range(100, 3000)
    dock.add_range_button.click()  # makes "Segment 1" and fills it
    work = working(document)
    assert np.array_equal(work.segments.get(1).volume(), (hu >= 100) & (hu <= 3000))
    assert dock.list.count() == 1 and "Segment 1" in dock.list.item(0).text()

    window.tools_dock.set_mode("brush")  # draws into the segment: the pixels stay
    window.tools_dock._pressed(5.0, 5.0)
    assert work.segments.get(1).frame(0)[5, 5]
    assert np.array_equal(np.stack([document.get_frame(i) for i in range(2)]), before)
    assert not document.is_edited and panel.has_unsaved_segments
    window.edits.undo()  # one history: the stroke goes
    assert not work.segments.get(1).frame(0)[5, 5]

    dock.three_d.setChecked(True)
    volume = work.segments.get(1).volume()
    labels, _ = ndimage.label(volume)
    seed = tuple(int(v[0]) for v in np.nonzero(labels == np.argmax(np.bincount(labels.ravel())[1:]) + 1))
    window.tools_dock.set_mode("keep-region")
    panel.view.set_frame(seed[0])
    window.tools_dock._pressed(float(seed[1]), float(seed[2]))
    kept = labels == labels[seed]
    assert np.array_equal(work.segments.get(1).volume(), kept)
    dock.holes_button.click()
    filled = np.stack([ndimage.binary_fill_holes(f) for f in kept])
    assert np.array_equal(work.segments.get(1).volume(), filled)

    qtbot.wait(50)
    assert panel.image_view.planes_shown
    folder = output_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    assert panel.image_view.graphics.grab().save(str(folder / "segments_drawn.png"))

    gui = tmp_path / "gui.dcm"
    set_answer("save_path", str(gui))
    dock.save_button.click()
    assert not panel.has_unsaved_segments
    recipe = tmp_path / "session.json"
    recipe.write_text(recipe_json(work.operations))
    assert main(["segment", str(corpus_file(NAME)), "-o", str(tmp_path / "cli.dcm"), "--recipe", str(recipe)]) == 0
    source = pydicom.dcmread(corpus_file(NAME), stop_before_pixels=True)
    by_gui, by_cli = (_read_back(path, source, 2) for path in (gui, tmp_path / "cli.dcm"))
    np.testing.assert_array_equal(by_gui, by_cli)
    np.testing.assert_array_equal(by_gui, filled)
    assert window.errors == []


def test_fill_from_a_segment_then_saving_segments_is_refused(window, qtbot) -> None:
    panel, dock = _open(window, qtbot)
    window.threshold_dock.set_range(100, 3000)
    dock.add_range_button.click()
    dock.fill_value.setValue(-1000)
    dock.fill_outside_button.click()
    assert panel.document.is_edited
    hu = panel.document.modality(0).apply(panel.document.get_frame(0))
    inside = working(panel.document).segments.get(1).frame(0)
    assert (hu[~inside] == -1000).all()
    assert dock.save_segmentation is not None
    set_answer("save_path", "/nonexistent/never.dcm")
    dock.save_button.click()
    assert "the pixels are edited" in window.errors[-1][1]


def test_closing_with_unsaved_segments_asks(window, qtbot) -> None:
    panel, dock = _open(window, qtbot)
    window.threshold_dock.set_range(100, 3000)
    dock.add_range_button.click()
    set_answer("yes_no", False)
    assert not window.close_tab(window.tabs.indexOf(panel))
    set_answer("yes_no", True)
    assert window.close_tab(window.tabs.indexOf(panel))


def test_a_range_that_selects_nothing_says_so(window, qtbot) -> None:
    _, dock = _open(window, qtbot)
    window.threshold_dock.set_range(90000, 90001)
    dock.add_range_button.click()
    assert "selects no pixel in the 2 frames" in window.errors[-1][1]


def test_screenshot_of_two_segments(window, qtbot, output_dir: Path) -> None:
    """Bone (threshold) in red and a painted region in green, over CT_small."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    window.segments.dock_action.trigger()
    dock = window.segments.dock
    dock.draw_into.setChecked(True)
    window.threshold_dock.set_range(250, 3000)
    dock.add_range_button.click()
    dock.new_segment("Painted")
    window.tools_dock.set_mode("brush")
    window.tools_dock.radius.setValue(6)
    window.tools_dock._dragged(40.0, 30.0, False)
    window.tools_dock._pressed(40.0, 30.0)
    window.tools_dock.tools["brush"].drag(60.0, 50.0, False)
    window.tools_dock.tools["brush"].drag(80.0, 45.0, True)
    segments = working(panel.document).segments
    assert [s.label for s in segments.segments] == ["Segment 1", "Painted"] and segments.get(2).count > 300
    dock.opacity.setValue(60)
    assert panel.image_view.segment_alpha == 153
    qtbot.wait(50)
    folder = output_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    image = panel.image_view.graphics.grab()
    assert image.save(str(folder / "segments_two.png"))
    layer = panel.image_view.planes_item.image
    assert layer is not None and (layer[..., 3] == 153).sum() == segments.get(1).count + segments.get(2).count - int(
        (segments.get(1).frame(0) & segments.get(2).frame(0)).sum()
    )


def test_an_opened_seg_becomes_segments_to_fill(window, qtbot, tmp_path: Path) -> None:
    """A SEG opened over its image is taken into the drawn segments (one step, a recipe
    step naming the file), then filled into the pixels; the CLI replays it exactly."""
    seg = tmp_path / "seg.dcm"
    assert main(["segment", str(corpus_file(NAME)), "-o", str(seg), "--threshold", "100", "3000"]) == 0
    panel, dock = _open(window, qtbot)
    window.open_paths([seg])
    assert panel.document.segments and dock.import_button.isVisibleTo(dock)
    hu = _hu(panel.document)
    assert dock.import_opened()
    work = working(panel.document)
    assert np.array_equal(work.segments.get(1).volume(), (hu >= 100) & (hu <= 3000))
    assert panel.document.segments == [] and not dock.import_button.isVisibleTo(dock)
    dock.fill_value.setValue(-1000)
    dock.fill_inside_button.click()
    filled = np.stack([panel.document.modality(i).apply(panel.document.get_frame(i)) for i in range(2)])
    inside = (hu >= 100) & (hu <= 3000)
    assert (filled[inside] == -1000).all() and np.array_equal(filled[~inside], hu[~inside])

    recipe = tmp_path / "r.json"
    recipe.write_text(recipe_json(work.operations))
    out = tmp_path / "filled.dcm"
    assert main(["edit", str(corpus_file(NAME)), "-o", str(out), "--recipe", str(recipe)]) == 0
    saved = pydicom.dcmread(out)
    assert np.array_equal(saved.pixel_array, np.stack([panel.document.get_frame(i) for i in range(2)]))
    assert "segments of seg.dcm" not in str(saved.get("DerivationDescription", ""))  # mask steps change no pixels


def test_a_seg_is_imported_only_on_the_files_grid(tmp_path: Path) -> None:
    from viewer.edits.operations import Flip, ImportSegments
    from viewer.edits.session import begin_edit
    from viewer.model.document import open_document
    from viewer.model.errors import ViewerError

    seg = tmp_path / "seg.dcm"
    assert main(["segment", str(corpus_file("CT_small.dcm")), "-o", str(seg), "--threshold", "200", "3000"]) == 0
    work = begin_edit(open_document(corpus_file("CT_small.dcm")))
    work.apply(Flip("h"))
    import pytest

    with pytest.raises(ViewerError, match="import a SEG before cropping"):
        work.apply(ImportSegments(str(seg)))
    other = begin_edit(open_document(corpus_file("MR_small.dcm")))
    with pytest.raises(ViewerError, match="not a segmentation of this image"):
        other.apply(ImportSegments(str(seg)))
