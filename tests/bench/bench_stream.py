"""Editing files larger than memory (issue 18): `dicom-viewer edit` of 500 MB and 2 GB
multi-frame files streams frames (viewer.edits.streamed), measured against a plain copy
of the same file (with fsync, as the save does) in the same run.

Targets: explicit syntax, fill-outside + flip: peak memory <= 10% of the file + 200 MB,
time <= 4x the plain copy. RLE and JPEG-LS outputs: their memory stated.

Memory is the proportional resident memory (PSS) of the whole process tree (the edit and
any worker processes), sampled every 10 ms; the page cache is not counted (it is not the
process's).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.bench.synthetic import write_uncompressed

OPERATIONS = ["--fill-outside", "100", "3000", "0", "--flip", "h"]


def _pss(pid: int) -> int:
    """Proportional resident bytes of `pid`: pages shared with its forked workers counted
    once across them (a sum of VmRSS would count the interpreter and numpy per process)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _tree_rss(root: int) -> int:
    """Proportional resident bytes of `root` and its descendants now."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += _pss(pid)
        stack += [child for child, parent in parents.items() if parent == pid]
    return total


def measured(command: list[str]) -> tuple[float, int]:
    """(seconds, peak resident bytes of the process tree) of running `command`."""
    t0 = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        time.sleep(0.01)
    seconds = time.perf_counter() - t0
    if process.returncode != 0:
        raise RuntimeError(process.stderr.read().decode()[-500:] if process.stderr else "failed")
    return seconds, peak


def copy_seconds(source: Path, target: Path) -> float:
    t0 = time.perf_counter()
    shutil.copyfile(source, target)
    with open(target, "rb+") as f:
        os.fsync(f.fileno())
    seconds = time.perf_counter() - t0
    target.unlink()
    return seconds


def _edit(source: Path, target: Path, syntax: str, sample: bool = True) -> tuple[float, int]:
    """(seconds, peak bytes); without `sample` the time alone, not slowed by the sampling."""
    command = [sys.executable, "-m", "viewer.cli", "edit", str(source), "-o", str(target), *OPERATIONS]
    command += ["--syntax", syntax]
    if sample:
        result = measured(command)
    else:
        t0 = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        result = (time.perf_counter() - t0, 0)
    target.unlink()
    return result


def run(work: Path) -> None:
    print("\n== Edit files larger than memory (issue 18) ==")
    imports = [sys.executable, "-c", "import viewer.cli.main, numpy, pydicom"]
    t0 = time.perf_counter()
    subprocess.run(imports, check=True)
    start = time.perf_counter() - t0
    print(f"interpreter + imports alone: {start:.2f} s, {measured(imports)[1] / 2**20:.0f} MB resident")
    for frames in (1000, 4096):
        source = write_uncompressed(work / f"unc_{frames}.dcm", frames)
        size = source.stat().st_size
        mb = size / 2**20
        budget = 0.10 * size + 200 * 2**20
        copies, edits = [], []
        for _ in range(3):  # disk timings swing with writeback: alternate, keep the best
            copies.append(copy_seconds(source, work / "copy.dcm"))
            edits.append(_edit(source, work / "edited.dcm", "explicit", sample=False)[0])
        copy, seconds = min(copies), min(edits)
        peak = _edit(source, work / "edited.dcm", "explicit")[1]
        print(
            f"{frames} frames ({mb:.0f} MB) explicit: edit {seconds:.2f} s, plain copy {copy:.2f} s "
            f"= {seconds / copy:.2f}x (target <= 4x); peak {peak / 2**20:.0f} MB "
            f"(target <= {budget / 2**20:.0f} MB = 10% + 200 MB)"
        )
        if frames == 1000:
            for syntax in ("rle", "jpegls"):
                seconds, peak = _edit(source, work / "edited.dcm", syntax)
                print(f"{frames} frames ({mb:.0f} MB) {syntax}: edit {seconds:.2f} s; peak {peak / 2**20:.0f} MB")
