"""Preloading: once the person first moves through a compressed file's frames, the rest
are decoded while the decoder threads are idle, at most one per thread at a time, at a
lower priority than the GUI; opening decodes one frame; not for uncompressed, edited or
too big files."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pytest
from pydicom.uid import RLELossless

from tests.hostile import image_dataset, ramp, write
from viewer.edits.session import begin_edit
from viewer.model import frame_cache
from viewer.model.decode_ahead import MIN_AHEAD
from viewer.model.document import Document, open_document
from viewer.ui import frame_decoding
from viewer.ui.document_view import DocumentView

FRAMES = 12


def _document(tmp_path: Path, compressed: bool = True) -> Document:
    ds = image_dataset(16, 16, frames=FRAMES)
    if compressed:
        ds.compress(RLELossless, ramp(ds), generate_instance_uid=False)
    return open_document(write(ds, tmp_path / "frames.dcm"))


def _all_cached(document: Document) -> bool:
    return all(document.is_cached(i) for i in range(FRAMES))


def test_every_frame_is_decoded_once_the_person_moves(qtbot, tmp_path: Path, monkeypatch) -> None:
    """Showing the file decodes its first frame only; one step to frame 2 and every frame
    is decoded, never more than one per preloading thread in flight."""
    document = _document(tmp_path)
    view = DocumentView(document)
    preloading: list[int] = []
    submit = view.decoding._submit

    def counting_submit(index: int, pool=None) -> None:
        submit(index, pool)
        if pool is view.decoding._background:
            preloading.append(len(view.decoding._preloading_now))

    monkeypatch.setattr(view.decoding, "_submit", counting_submit)
    view.load_current()
    qtbot.wait(50)
    assert [document.is_cached(i) for i in range(FRAMES)] == [True] + [False] * (FRAMES - 1)
    view.set_frame(1)
    qtbot.waitUntil(lambda: _all_cached(document) and not view.decoding.pending)
    assert preloading and max(preloading) <= frame_decoding.DECODE_THREADS
    assert np.array_equal(document.get_frame(5), ramp(image_dataset(16, 16, frames=FRAMES))[5])
    view.close()


def test_a_frame_asked_for_while_preloading_is_shown(qtbot, tmp_path: Path) -> None:
    document = _document(tmp_path)
    view = DocumentView(document)
    view.load_current()
    view.set_frame(9)
    qtbot.waitUntil(lambda: view.stored_frame() is not None and view.frame == 9 and document.is_cached(9))
    qtbot.waitUntil(lambda: view.stored_frame() is document.get_frame(9))
    view.close()


@pytest.mark.parametrize("case", ["uncompressed", "edited", "bigger than half the budget"])
def test_what_is_not_preloaded(qtbot, tmp_path: Path, monkeypatch, case: str) -> None:
    document = _document(tmp_path, compressed=case != "uncompressed")
    if case == "edited":
        begin_edit(document)
    if case == "bigger than half the budget":  # it would fit, but leave the others no room
        monkeypatch.setattr(frame_cache.DECODED, "budget_bytes", FRAMES * 16 * 16 * 2 * 3 // 2)
    view = DocumentView(document)
    view.load_current()
    view.set_frame(1)
    qtbot.waitUntil(lambda: not view.decoding.pending)
    qtbot.wait(50)  # the zero timer that would start preloading has run
    assert not view.decoding.preloads and not view.decoding.pending
    beyond_ahead = range(2 + MIN_AHEAD, FRAMES)  # decode-ahead takes the next MIN_AHEAD
    assert not any(document.source.is_cached(i) for i in beyond_ahead)
    view.close()


def test_preloading_threads_run_below_the_gui_and_the_decoder_threads(tmp_path: Path) -> None:
    view = DocumentView(_document(tmp_path))
    if not hasattr(os, "getpriority"):
        pytest.skip("no per-thread priorities here")

    def niceness() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    gui = niceness()
    assert view.decoding._executor.submit(niceness).result(timeout=10) == gui
    lowered = min(19, gui + frame_decoding.DECODER_NICENESS)
    assert view.decoding._background.submit(niceness).result(timeout=10) == lowered
    view.close()


def test_frames_read_directly_never_go_to_threads(qtbot, tmp_path: Path) -> None:
    """Uncompressed frames are read where they are shown: cine's decode-ahead hands none
    to a thread (reading threads took the GIL from painting)."""
    document = _document(tmp_path, compressed=False)
    view = DocumentView(document)
    view.load_current()
    for index in range(1, FRAMES):
        view.set_frame(index)
        view.prefetch()  # as cine asks
        assert view.stored_frame() is document.get_frame(index)
    assert not view.decoding.pending and not view.decoding._executor._threads
    view.close()


def test_opening_decodes_the_first_frame_and_the_next_few_only(qtbot, tmp_path: Path) -> None:
    """A panel shows frame 1 and decodes MIN_AHEAD frames after it in the background,
    so the first steps wait for nothing; nothing more until the person moves."""
    from viewer.ui.document_panel import DocumentPanel

    document = _document(tmp_path)
    panel = DocumentPanel(document)
    qtbot.addWidget(panel)
    panel.start()
    qtbot.waitUntil(lambda: not panel.view.decoding.pending)
    qtbot.wait(50)
    assert [document.is_cached(i) for i in range(FRAMES)] == [True] * (1 + MIN_AHEAD) + [False] * (
        FRAMES - 1 - MIN_AHEAD
    )
    panel.close_document()
