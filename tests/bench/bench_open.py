"""Open-to-first-frame time and memory added by opening; render time against dcm2pnm.

Targets (issue 3): <= 100 ms from open to the first frame's display image for files up
to 1 GB; 1000-frame time within 1.5x the 10-frame time; memory added <= 5% of the file
size + 20 MB; `render` within 1.5x of dcm2pnm on the same frame (interpreter start-up
excluded).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.synthetic import write_compressed, write_uncompressed

_CHILD = r"""
import json, os, sys, time
def rss():
    with open(f"/proc/{os.getpid()}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
from viewer.model.document import open_document
from viewer.model.rendering import render_frame
import viewer.model.codecs, pydicom.pixels  # imports are not part of opening
base = rss()
t0 = time.perf_counter()
doc = open_document(sys.argv[1])
image = render_frame(doc, 0)
t1 = time.perf_counter()
print(json.dumps({"ms": (t1 - t0) * 1000, "added_mb": (rss() - base) / 2**20, "frames": doc.frame_count}))
"""


def measure_open(path: Path) -> dict:
    result = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def measure_render(path: Path, out_dir: Path, repeats: int = 5) -> tuple[float, float | None]:
    """(ours ms, dcm2pnm ms) for frame 1 with the file's window, best of `repeats`."""
    from viewer.io.png import write_png
    from viewer.model.document import open_document
    from viewer.model.rendering import render_frame

    ours = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        write_png(out_dir / "ours.png", render_frame(open_document(path), 0))
        ours.append((time.perf_counter() - t0) * 1000)
    tool = shutil.which("dcm2pnm")
    if tool is None:
        return min(ours), None
    theirs = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(
            [tool, "+Wi", "1", "+on", str(path), str(out_dir / "theirs.png")], check=True, capture_output=True
        )
        theirs.append((time.perf_counter() - t0) * 1000)
    return min(ours), min(theirs)


def run(work: Path) -> None:
    print("\n== Open to first frame (issue 3) ==")
    files = {f"uncompressed {n} frames": write_uncompressed(work / f"unc_{n}.dcm", n) for n in (10, 100, 1000)}
    for name, uid in (
        ("RLE", "1.2.840.10008.1.2.5"),
        ("JPEG-LS", "1.2.840.10008.1.2.4.80"),
        ("JPEG 2000", "1.2.840.10008.1.2.4.90"),
    ):
        for n in (10, 100):
            files[f"{name} {n} frames"] = write_compressed(work / f"{name.replace(' ', '')}_{n}.dcm", n, uid)
    print(f"{'file':28s} {'size MB':>8s} {'open+frame ms':>14s} {'target':>7s} {'added MB':>9s} {'limit MB':>9s}")
    times = {}
    for name, path in files.items():
        size = path.stat().st_size / 2**20
        m = measure_open(path)
        times[name] = m["ms"]
        limit = 0.05 * size + 20
        print(f"{name:28s} {size:8.1f} {m['ms']:14.1f} {'100':>7s} {m['added_mb']:9.1f} {limit:9.1f}")
    ratio = times["uncompressed 1000 frames"] / times["uncompressed 10 frames"]
    print(f"1000-frame / 10-frame open time: {ratio:.2f}x (target <= 1.5x)")

    print("\n== render vs dcm2pnm, frame 1, stored window (issue 3) ==")
    for name in ("uncompressed 10 frames", "uncompressed 1000 frames", "RLE 100 frames"):
        ours, theirs = measure_render(files[name], work)
        if theirs is None:
            print(f"{name:28s} ours {ours:7.1f} ms; dcm2pnm not installed")
        else:
            print(
                f"{name:28s} ours {ours:7.1f} ms, dcm2pnm {theirs:7.1f} ms, ratio {ours / theirs:.2f}x (target <= 1.5x)"
            )
