"""`make bench`: run every benchmark and print figures (nothing is asserted)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.bench import (
    bench_batch,
    bench_browser,
    bench_huge,
    bench_masks,
    bench_open,
    bench_save,
    bench_stream,
    bench_view,
    bench_volume,
)

WORK = Path(os.environ.get("BENCH_DIR", Path(__file__).resolve().parents[2] / "test-output" / "bench"))


BENCHES = {
    "open": bench_open,
    "view": bench_view,
    "save": bench_save,
    "huge": bench_huge,
    "masks": bench_masks,
    "stream": bench_stream,
    "batch": bench_batch,
    "volume": bench_volume,
    "browser": bench_browser,
}


def main() -> int:
    WORK.mkdir(parents=True, exist_ok=True)
    print(f"benchmark files in {WORK} (generated once, ~4 GB)")
    wanted = set(sys.argv[1:]) or set(BENCHES)
    for name, bench in BENCHES.items():
        if name in wanted:
            bench.run(WORK)
    return 0


if __name__ == "__main__":
    sys.exit(main())
