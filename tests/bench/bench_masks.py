"""Segment masks over a big multi-frame (issue 14).

Target: a mask over a 500 MB 16-bit multi-frame (1000 x 512 x 512) costs at most 1/16
of the pixel data (one bit a pixel, packed), and the undo history of mask steps stays
within the edit history's budget. Printed: mask bytes against pixel bytes, the history's
bytes against its budget, each step's time and the peak memory it added.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.bench.synthetic import CHILD_PRELUDE, write_uncompressed

_CHILD = (
    CHILD_PRELUDE
    + r"""
import gc
from viewer.model.document import open_document
from viewer.edits.session import begin_edit
from viewer.edits.operations import FillHoles, MaskThreshold, NewSegment, RemoveIslands
doc = open_document(sys.argv[1])
work = begin_edit(doc)
work.apply(NewSegment("Bench"))
steps = {}
for name, op in (
    ("threshold, all frames", MaskThreshold(1100, 4095)),
    ("remove islands < 50 (2D)", RemoveIslands(50)),
    ("fill holes", FillHoles()),
    ("threshold again (replace)", MaskThreshold(1300, 4095, mode="replace")),
):
    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before = status("VmRSS")
    t0 = time.perf_counter()
    work.apply(op)
    steps[name] = {"seconds": time.perf_counter() - t0, "peak_added": status("VmHWM") - before}
segment = work.segments.get(1)
print(json.dumps({
    "pixel_bytes": int(work.pixels.nbytes),
    "mask_bytes": segment.nbytes,
    "pixels_set": segment.count,
    "history_bytes": work.history.nbytes,
    "budget": work.history.budget_bytes,
    "steps": steps,
}))
"""
)


def run(work: Path) -> None:
    print("\n== Segment masks (issue 14) ==")
    source = write_uncompressed(work / "unc_1000.dcm", 1000)
    result = subprocess.run([sys.executable, "-c", _CHILD, str(source)], capture_output=True, text=True)
    if result.returncode != 0:
        print("  failed:", result.stderr[-500:])
        return
    r = json.loads(result.stdout)
    mb = 2**20
    ratio = r["mask_bytes"] / r["pixel_bytes"]
    print(
        f"  mask of {r['pixels_set']} pixels: {r['mask_bytes'] / mb:.1f} MB for {r['pixel_bytes'] / mb:.0f} MB "
        f"of pixels = 1/{1 / ratio:.1f} (target <= 1/16)"
    )
    print(f"  undo history: {r['history_bytes'] / mb:.1f} MB of a {r['budget'] / mb:.0f} MB budget")
    for name, step in r["steps"].items():
        print(f"  {name:28s} {step['seconds']:6.2f} s, peak +{step['peak_added'] / mb:6.1f} MB")
