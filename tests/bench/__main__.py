"""`make bench`: run every benchmark and print figures (nothing is asserted)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.bench import (
    bench_batch,
    bench_huge,
    bench_masks,
    bench_open,
    bench_save,
    bench_stream,
    bench_view,
    bench_volume,
)

WORK = Path(os.environ.get("BENCH_DIR", Path(__file__).resolve().parents[2] / "test-output" / "bench"))


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"benchmark files in {WORK} (generated once, ~3.5 GB)")
    wanted = set(sys.argv[1:]) or {"open", "view", "save", "huge", "masks", "stream", "batch", "volume"}
    if "open" in wanted:
        bench_open.run(WORK)
    if "view" in wanted:
        bench_view.run(WORK)
    if "save" in wanted:
        bench_save.run(WORK)
    if "huge" in wanted:
        bench_huge.run(WORK)
    if "masks" in wanted:
        bench_masks.run(WORK)
    if "stream" in wanted:
        bench_stream.run(WORK)
    if "batch" in wanted:
        bench_batch.run(WORK)
    if "volume" in wanted:
        bench_volume.run(WORK)
    return 0


if __name__ == "__main__":
    sys.exit(main())
