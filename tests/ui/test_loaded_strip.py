"""The strip under the frame slider shows which frames are decoded and in memory: one
after opening a compressed file, all once preloading is done, frames the shared cache let
go as not loaded again; no strip where frames are read directly (uncompressed, edited)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.ui.test_preloading import FRAMES, _all_cached, _document
from viewer.edits.flip import Flip
from viewer.model import frame_cache
from viewer.ui.document_view import DocumentView
from viewer.ui.frame_bar import FrameBar
from viewer.ui.loaded_strip import LOADED, NOT_LOADED, loaded_runs


@pytest.mark.parametrize(
    ("loaded", "runs"),
    [
        ([], []),
        ([False, False], []),
        ([True], [(0, 1)]),
        ([True, True, False, True], [(0, 2), (3, 4)]),
        ([False, True, True, True], [(1, 4)]),
        ([False, True, False, True, False], [(1, 2), (3, 4)]),
    ],
)
def test_loaded_runs(loaded: list[bool], runs: list[tuple[int, int]]) -> None:
    assert loaded_runs(np.array(loaded, dtype=bool)) == runs


def _colours(bar: FrameBar) -> list[tuple[int, int, int]]:
    """The strip's pixels along its middle row, left to right."""
    strip = bar.loaded
    picture = strip.grab().toImage()
    return [picture.pixelColor(x, strip.height() // 2).getRgb()[:3] for x in range(picture.width())]


def test_the_strip_follows_decoding_and_the_cache(qtbot, tmp_path: Path, monkeypatch) -> None:
    document = _document(tmp_path)
    view = DocumentView(document)
    bar = FrameBar(view)
    qtbot.addWidget(bar)
    bar.resize(600, 40)
    bar.show()
    view.load_current()
    loaded = bar.palette().color(LOADED).getRgb()[:3]
    not_loaded = bar.palette().color(NOT_LOADED).getRgb()[:3]
    assert loaded != not_loaded
    assert bar.loaded.isVisible()
    assert bar.loaded.summary() == f"Decoded and in memory: 1 of {FRAMES} frames"
    colours = _colours(bar)
    first_frame = len(colours) // FRAMES
    assert set(colours[:first_frame]) == {loaded} and set(colours[first_frame + 1 :]) == {not_loaded}

    updates: list[int] = []  # the strip asks for a repaint as frames are decoded
    monkeypatch.setattr(bar.loaded, "update", lambda: updates.append(1))
    bar.step(1)  # the person moves: the rest is preloaded
    qtbot.waitUntil(lambda: _all_cached(document) and not view.decoding.pending)
    assert bar.loaded.summary() == f"Decoded and in memory: {FRAMES} of {FRAMES} frames"
    qtbot.waitUntil(lambda: bool(updates), timeout=1000)  # within REPAINT_MS of a decoded frame
    assert set(_colours(bar)) == {loaded}

    frame_cache.DECODED.forget(document.source._owner)  # the shared cache let them go
    assert bar.loaded.summary() == f"Decoded and in memory: 0 of {FRAMES} frames"
    assert set(_colours(bar)) == {not_loaded}
    view.close()


@pytest.mark.parametrize("case", ["uncompressed", "edited"])
def test_no_strip_where_frames_are_read_directly(qtbot, tmp_path: Path, case: str) -> None:
    document = _document(tmp_path, compressed=case != "uncompressed")
    view = DocumentView(document)
    bar = FrameBar(view)
    qtbot.addWidget(bar)
    bar.show()
    assert bar.loaded.isVisible() == (case == "edited")
    view.load_current()
    if case == "edited":  # the edited frames are held in memory
        view.apply(Flip("h"))
    assert not bar.loaded.isVisible()
    view.close()


def test_the_strip_is_never_a_window_of_its_own(qtbot, tmp_path: Path, monkeypatch) -> None:
    """Shown before it had a parent, the strip was briefly a top-level window of its own."""
    from viewer.ui import loaded_strip

    windows: list[bool] = []
    follow = loaded_strip.LoadedStrip.follow

    def recording_follow(self) -> None:
        follow(self)
        windows.append(self.isWindow())

    monkeypatch.setattr(loaded_strip.LoadedStrip, "follow", recording_follow)
    view = DocumentView(_document(tmp_path))
    bar = FrameBar(view)
    qtbot.addWidget(bar)
    assert windows == [False]
    view.close()
