"""Soak: 10,000 real paints (scrub, W/L, histogram levels) in one process, memory flat.

This is what catches binding bugs such as PySide6 6.12.0's reference drop on QPainter
calls, which aborts the process after a few thousand paints.
"""

from __future__ import annotations

import os

import pytest

from tests.corpus import corpus_file
from viewer.edits.session import begin_edit
from viewer.model.display import Window

PAINTS = int(os.environ.get("SOAK_PAINTS", 10_000))
pytestmark = pytest.mark.soak  # `make soak`; too long for `make test`


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_ten_thousand_paints(window) -> None:
    """Scrub frames, change W/L and move the histogram levels, repainting every time."""
    panel = window.open_paths([corpus_file("emri_small.dcm")])[0]
    view, viewport = panel.view, panel.image_view.graphics.viewport()
    begin_edit(panel.document)  # every frame in memory: the loop measures painting, not decoding
    view.load_current()
    rss_after_warmup = 0.0
    for i in range(PAINTS):
        kind = i % 3
        if kind == 0:
            view.set_frame(i % view.frame_count)
        elif kind == 1:
            view.set_window(Window(100 + i % 200, 50 + i % 400))
        else:
            panel.histogram.item.region.setRegion((i % 50, 300 + i % 100))
        viewport.repaint()
        panel.histogram.viewport().repaint()
        if i == 1000:
            rss_after_warmup = _rss_mb()
    growth = _rss_mb() - rss_after_warmup
    print(f"RSS growth over {PAINTS - 1000} paints: {growth:.1f} MB")
    assert growth < 40, f"memory grew by {growth:.1f} MB"
