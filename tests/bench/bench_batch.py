"""Batch throughput (issue 18): `edit` of a folder of 2,000 small files in this process,
on 1, 2 and N local workers and on a local 2-worker Dask cluster, against a plain
pydicom read-write loop over the same files (files per second, ratios).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from tests.bench.synthetic import make_dataset, phantom_frames

FILES = 2000


def _folder(work: Path) -> Path:
    """2,000 one-frame 256x256 16-bit MR files (128 KB each) in 20 subfolders."""
    folder = work / f"batch_{FILES}"
    if (folder / "done").exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    frames = phantom_frames(8, 256, 256)
    for n in range(FILES):
        ds = make_dataset(frames[n % len(frames)][np.newaxis])
        del ds.NumberOfFrames
        ds.InstanceNumber = n + 1
        target = folder / f"s{n // 100:02d}" / f"{n:05d}.dcm"
        target.parent.mkdir(parents=True, exist_ok=True)
        ds.save_as(target, enforce_file_format=True)
    (folder / "done").touch()
    return folder


def _plain_loop(source: Path, target: Path) -> float:
    """Read each file with pydicom, flip its pixels, write it: the floor any tool pays."""
    from pydicom import dcmread

    t0 = time.perf_counter()
    for path in sorted(source.rglob("*.dcm")):
        ds = dcmread(path)
        ds.PixelData = np.ascontiguousarray(ds.pixel_array[:, ::-1]).tobytes()
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        ds.save_as(out)
    return time.perf_counter() - t0


def _engine(source: Path, target: Path, **where: object) -> float:
    from viewer.edits.operations import FillOutside, Flip
    from viewer.io.batch import edit_folder

    t0 = time.perf_counter()
    result = edit_folder(source, target, [FillOutside(100.0, 3000.0, 0.0), Flip("h")], "keep", **where)  # type: ignore[arg-type]
    seconds = time.perf_counter() - t0
    if result.saved != FILES:
        raise RuntimeError(result.summary())
    return seconds


def run(work: Path) -> None:
    print(f"\n== Batch throughput, {FILES} files of 256x256 (issue 18) ==")
    source = _folder(work)
    with tempfile.TemporaryDirectory(dir=work) as scratch:
        out = Path(scratch)
        plain = _plain_loop(source, out / "plain")
        print(f"plain pydicom read-flip-write loop: {FILES / plain:6.0f} files/s (1.00x)")
        cores = os.cpu_count() or 1
        runs = {"in this process": {"workers": 1}, "2 local workers": {"workers": 2}}
        if cores > 2:
            runs[f"{cores} local workers"] = {"workers": cores}
        for name, where in runs.items():
            seconds = _engine(source, out / name.replace(" ", "_"), **where)
            print(f"{name:28s}: {FILES / seconds:6.0f} files/s ({plain / seconds:.2f}x the plain loop)")
        from tests import dask_cluster

        cluster = dask_cluster.start(out)
        try:
            seconds = _engine(source, out / "dask", scheduler=cluster.address)
            rate = f"{FILES / seconds:6.0f} files/s ({plain / seconds:.2f}x the plain loop)"
            print(f"{'Dask, 2 workers (local)':28s}: {rate}")
        finally:
            dask_cluster.stop(cluster)
