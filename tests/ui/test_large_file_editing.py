"""A file larger than memory in the GUI (memory made scarce here): frame-by-frame edits
are streamed (each frame computed from the file when shown), undo and redo cost nothing,
an edit that needs every frame says so before any work, and Save writes what the same
edits in memory write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

import viewer.model.source
from tests.corpus import corpus_file
from viewer.edits.operations import FillOutside, Flip, KeepFrames, Pad
from viewer.edits.session import begin_edit
from viewer.edits.streamed import StreamedEdits
from viewer.io.save import save
from viewer.model.document import open_document
from viewer.model.errors import ViewerError

OPERATIONS = [FillOutside(100.0, 600.0, 0.0), Flip("h"), KeepFrames("2-9")]


@pytest.fixture
def scarce_memory(monkeypatch):
    """MemAvailable as if a 10-frame 64 x 64 file (80 KB) did not fit."""
    monkeypatch.setattr(viewer.model.source, "available_memory", lambda: 50_000)


def test_edits_of_a_file_too_big_for_memory_stream_with_free_undo(window, monkeypatch, tmp_path: Path) -> None:
    path = corpus_file("emri_small.dcm")
    expected = open_document(path)  # the same edits in memory, while memory is plenty
    work = begin_edit(expected)
    for operation in OPERATIONS:
        work.apply(operation)
    monkeypatch.setattr(viewer.model.source, "available_memory", lambda: 50_000)
    panel = window.open_paths([path])[0]
    for operation in OPERATIONS:
        panel.apply(operation)
    assert isinstance(panel.document.edits, StreamedEdits)
    assert panel.document.frame_count == 8
    panel.view.set_frame(3)
    assert np.array_equal(panel.view.stored_frame(), work.pixels[3])
    window.edits.undo_action.trigger()  # keep-frames undone: 10 frames again
    assert panel.document.frame_count == 10 and window.edits.redo_action.isEnabled()
    window.edits.redo_action.trigger()
    assert panel.document.frame_count == 8

    with pytest.raises(ViewerError, match="pad needs every frame at once, and this file is edited frame by frame"):
        panel.apply(Pad(1, 1, 1, 1, 0.0))
    assert panel.document.frame_count == 8 and len(panel.document.edits.operations) == 3

    save(panel.document, tmp_path / "streamed.dcm")
    save(expected, tmp_path / "memory.dcm")
    streamed, memory = pydicom.dcmread(tmp_path / "streamed.dcm"), pydicom.dcmread(tmp_path / "memory.dcm")
    assert np.array_equal(streamed.pixel_array, memory.pixel_array)
    assert streamed.DerivationDescription == memory.DerivationDescription


def test_an_edit_needing_every_frame_of_a_too_big_file_is_refused_first(window, scarce_memory) -> None:
    panel = window.open_paths([corpus_file("emri_small.dcm")])[0]
    with pytest.raises(ViewerError) as refused:
        panel.apply(Pad(1, 1, 1, 1, 0.0))
    assert str(refused.value).startswith("pad needs every frame at once: editing needs all 10 frames in memory")
    assert panel.document.edits is None


def test_a_step_that_fails_on_its_frame_changes_nothing(window, scarce_memory) -> None:
    from viewer.edits.operations import Crop

    panel = window.open_paths([corpus_file("emri_small.dcm")])[0]
    panel.apply(Flip("v"))
    with pytest.raises(ViewerError, match="outside"):
        panel.apply(Crop(60, 60, 30, 30))  # reaches outside the 64 x 64 image
    assert [op.name for op in panel.document.edits.operations] == ["flip"]
