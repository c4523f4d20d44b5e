"""A damaged input in the window: a persistent banner, and a question before any save."""

from __future__ import annotations

from pathlib import Path

from tests.corpus import corpus_file
from tests.test_damaged import truncated


def test_gui_shows_a_banner_and_asks_before_saving(window, tmp_path: Path) -> None:
    from viewer.ui.dialogs import set_answer

    panel = window.open_paths([truncated(tmp_path)])[0]
    assert not panel.damage_banner.isHidden() and "truncated" in panel.damage_banner.text()
    set_answer("yes_no", False)
    assert not window.edits.save_document(panel, tmp_path / "refused.dcm", confirm=False)
    assert not (tmp_path / "refused.dcm").exists()
    set_answer("yes_no", True)
    assert window.edits.save_document(panel, tmp_path / "allowed.dcm", confirm=False)
    assert (tmp_path / "allowed.dcm").exists()
    whole = window.open_paths([corpus_file("CT_small.dcm")])[0]
    assert whole.damage_banner.isHidden()


def test_missing_pixels_are_marked_and_encapsulated_damage_has_a_banner(window, tmp_path: Path) -> None:
    from tests.test_damaged import cut_rle
    from viewer.ui.image_view import MISSING_RGBA

    panel = window.open_paths([truncated(tmp_path, missing=300)])[0]
    panel.view.load_current()
    layer = panel.image_view.planes_item.image
    assert layer is not None
    marked = (layer == MISSING_RGBA).all(axis=-1)
    assert marked.sum() == 150 and marked.reshape(-1)[-150:].all()
    rle = window.open_paths([cut_rle(tmp_path)])[0]
    assert not rle.damage_banner.isHidden()
    assert "3 of 10 frames" in rle.damage_banner.text() and "Missing frames cannot be shown" in rle.damage_banner.text()
