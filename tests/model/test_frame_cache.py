"""Decoded frames are kept for every open document within one budget; uncompressed frames
only a few per document; a closed document's frames go."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pytest
from pydicom.uid import RLELossless

from tests.hostile import image_dataset, ramp, write
from viewer.model import frame_cache
from viewer.model.document import Document, open_document
from viewer.model.frame_cache import FrameCache
from viewer.model.source import CACHE_FRAMES


def _frame(nbytes: int, value: int = 0) -> np.ndarray:
    return np.full(nbytes, value, dtype=np.uint8)


def test_the_least_recently_used_frames_go_first_when_the_budget_is_full() -> None:
    cache = FrameCache(budget_bytes=300)
    for index in range(3):
        cache.put(1, index, _frame(100, index))
    assert cache.get(1, 0) is not None  # 0 is now the most recently used; 1 the least
    cache.put(2, 0, _frame(100))
    assert [cache.contains(1, i) for i in range(3)] == [True, False, True]
    assert cache.contains(2, 0) and cache.used_bytes == 300


def test_a_frame_bigger_than_the_budget_is_still_kept_alone() -> None:
    cache = FrameCache(budget_bytes=100)
    cache.put(1, 0, _frame(50))
    cache.put(1, 1, _frame(500))
    assert not cache.contains(1, 0) and cache.contains(1, 1) and cache.used_bytes == 500


def test_putting_a_frame_again_counts_its_bytes_once() -> None:
    cache = FrameCache(budget_bytes=1000)
    cache.put(1, 0, _frame(100))
    cache.put(1, 0, _frame(200))
    assert cache.used_bytes == 200


def test_forget_drops_one_owner_only() -> None:
    cache = FrameCache(budget_bytes=1000)
    cache.put(1, 0, _frame(100))
    cache.put(1, 1, _frame(100))
    cache.put(2, 0, _frame(100))
    cache.forget(1)
    assert not cache.contains(1, 0) and not cache.contains(1, 1) and cache.contains(2, 0)
    assert cache.used_bytes == 100


def _counting_reads(document: Document) -> list[int]:
    """Replace the document's frame reader by one that records each frame it decodes."""
    reads: list[int] = []
    reader = document.source._reader
    original = reader.read

    def read(index: int):
        reads.append(index)
        return original(index)

    reader.read = read  # type: ignore[method-assign]
    return reads


def _rle_document(tmp_path: Path, frames: int = 12) -> Document:
    ds = image_dataset(16, 16, frames=frames)
    ds.compress(RLELossless, ramp(ds), generate_instance_uid=False)
    return open_document(write(ds, tmp_path / "rle.dcm"))


def test_a_compressed_file_shown_again_is_not_decoded_again(tmp_path: Path) -> None:
    """A second loop of cine through a compressed file decodes nothing: 12 frames decoded
    once (an eight-frame cache decoded all 12 again on every loop)."""
    document = _rle_document(tmp_path)
    reads = _counting_reads(document)
    for _loop in range(3):
        for i in range(document.frame_count):
            document.get_frame(i)
    assert sorted(reads) == list(range(12))


def test_uncompressed_frames_are_read_again_rather_than_kept(tmp_path: Path) -> None:
    ds = image_dataset(16, 16, frames=12)
    document = open_document(write(ds, tmp_path / "native.dcm"))
    for i in range(document.frame_count):
        document.get_frame(i)
    kept = [document.is_cached(i) for i in range(12)]
    assert kept == [False] * (12 - CACHE_FRAMES) + [True] * CACHE_FRAMES
    assert not any(frame_cache.DECODED.contains(document.source._owner, i) for i in range(12))


def test_a_closed_document_leaves_no_frames_behind(tmp_path: Path) -> None:
    document = _rle_document(tmp_path)
    owner = document.source._owner
    for i in range(document.frame_count):
        document.get_frame(i)
    assert all(frame_cache.DECODED.contains(owner, i) for i in range(12))
    del document
    gc.collect()
    assert not any(frame_cache.DECODED.contains(owner, i) for i in range(12))


def test_loading_every_frame_for_an_edit_keeps_no_second_copy(tmp_path: Path) -> None:
    """The edit holds all frames; decoding them for it does not fill the cache as well
    (the frame already shown stays cached)."""
    document = _rle_document(tmp_path)
    document.get_frame(0)
    frames = document.load_all_frames()
    assert np.array_equal(frames, ramp(image_dataset(16, 16, frames=12)))
    assert document.is_cached(0) and not any(document.is_cached(i) for i in range(1, 12))


@pytest.mark.parametrize("physical_gib", [2, 64])
def test_the_budget_is_at_most_an_eighth_of_the_memory(monkeypatch, physical_gib: int) -> None:
    pages = physical_gib * 2**30 // 4096
    monkeypatch.setattr(frame_cache.os, "sysconf", lambda name: {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": pages}[name])
    assert frame_cache._default_budget() == min(512 * 2**20, physical_gib * 2**30 // 8)
