"""The save preview warns when a kept window stops covering the data it covered."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile import image_dataset, write
from viewer.edits.operations import FillInside, Invert
from viewer.edits.session import begin_edit
from viewer.io.commit import commit
from viewer.model.document import open_document

# (case, window center/width, operation, warned)
CASES = [
    ("fill beyond a covering window", (2048, 4096), FillInside(lo=100, hi=200, value=6000), True),
    ("invert keeps the range", (2048, 4096), Invert(), False),
    ("fill inside the range", (2048, 4096), FillInside(lo=100, hi=200, value=50), False),
    ("a narrow window never covered", (500, 200), FillInside(lo=100, hi=200, value=6000), False),
]


@pytest.mark.parametrize(("case", "window", "op", "warned"), CASES, ids=[c[0] for c in CASES])
def test_uncovering_a_kept_window_is_warned(case, window, op, warned: bool, tmp_path: Path) -> None:
    ds = image_dataset(16, 16)  # stored 0..255 of a 12-bit ramp
    ds.PixelData = (ds.pixel_array.astype("uint16") * 16).tobytes()  # 0..4080
    ds.WindowCenter, ds.WindowWidth = window
    document = open_document(write(ds, tmp_path / "in.dcm"))
    begin_edit(document).apply(op)
    result = commit(document)
    assert any("no longer covers the edited values" in w for w in result.warnings) == warned, result.warnings
