"""A 2 GB uncompressed multi-frame file (issue 7): peak memory while scrolling, and
peak memory of an edit + save (all frames are held once for editing, never twice).

Target: peak memory while scrolling under 25% of the file size.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.bench.synthetic import CHILD_PRELUDE, write_uncompressed

FRAMES = 4096  # 512 x 512 x 2 bytes x 4096 = 2 GiB

_SCROLL = (
    CHILD_PRELUDE
    + r"""
from viewer.model.document import open_document
from viewer.model.rendering import render_frame
base = status("VmRSS")
doc = open_document(sys.argv[1])
t0 = time.perf_counter()
order = list(range(0, doc.frame_count, 7)) + list(range(doc.frame_count - 1, -1, -13))
for i in order:
    render_frame(doc, i)
seconds = time.perf_counter() - t0
print(json.dumps({"frames": len(order), "seconds": seconds, "peak_added": status("VmHWM") - base}))
"""
)

_EDIT_SAVE = (
    CHILD_PRELUDE
    + r"""
from viewer.model.document import open_document
from viewer.edits.operations import FillOutside
from viewer.io.save import save
from viewer.edits.session import begin_edit
base = status("VmRSS")
doc = open_document(sys.argv[1])
work = begin_edit(doc)
work.apply(FillOutside(100, 4000, 0, frame=1))
save(doc, sys.argv[2])
print(json.dumps({"peak_added": status("VmHWM") - base}))
"""
)


def _child(code: str, *args: str) -> dict:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-400:])
    return json.loads(result.stdout)


def run(work: Path) -> None:
    print("\n== 2 GB file (issue 7) ==")
    path = write_uncompressed(work / f"unc_{FRAMES}.dcm", FRAMES)
    size = path.stat().st_size
    m = _child(_SCROLL, str(path))
    print(
        f"scroll {m['frames']} frames of {size / 2**30:.2f} GiB: {m['frames'] / m['seconds']:.0f} frames/s, "
        f"peak memory added {m['peak_added'] / 2**20:.0f} MB = {100 * m['peak_added'] / size:.1f}% of the file "
        "(target < 25%)"
    )
    out = work / "huge_saved.dcm"
    try:
        m = _child(_EDIT_SAVE, str(path), str(out))
        print(
            f"edit one frame + save: peak memory added {m['peak_added'] / 2**20:.0f} MB = "
            f"{m['peak_added'] / size:.2f}x the file (all frames held once for editing)"
        )
    finally:
        out.unlink(missing_ok=True)
