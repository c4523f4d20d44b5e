"""What every folder command (`edit`, `anonymize`, `segment` on a folder) shares: where the
work runs (--workers / --scheduler), --resume, the progress bar and the summary lines."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from viewer.io.batch import BatchResult
from viewer.model.errors import ViewerError, one_line


def _workers(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 512:
        raise argparse.ArgumentTypeError(f"{value} is not between 1 and 512")
    return value


def add_batch_options(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="folder input: local worker processes (default: one per core; this process for small folders)",
    )
    where.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="folder input: run on this Dask cluster (the [cluster] extra)"
    )
    parser.add_argument(
        "--resume", action="store_true", help="folder input: skip files whose output is already complete"
    )


def engine_options(args: argparse.Namespace) -> dict[str, Any]:
    """The batch engine's keyword arguments from the parsed options."""
    return {"workers": args.workers, "scheduler": args.scheduler, "resume": args.resume}


@contextmanager
def progress_bar(err: TextIO, what: str) -> Iterator[Callable[[int, int], None]]:
    """A progress callback drawing a bar with throughput and ETA on a terminal (tqdm);
    silent when stderr is not a terminal."""
    from tqdm import tqdm

    bar = tqdm(total=0, unit="file", desc=what, file=err, disable=None if err.isatty() else True, leave=True)

    def show(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
            bar.refresh()
        bar.update(done - bar.n)

    try:
        yield show
    finally:
        bar.close()


def report_batch(result: BatchResult, out: TextIO, err: TextIO) -> int:
    """The summary on stdout, each failure as one line on stderr; the exit status."""
    out.write(result.summary() + "\n")
    for relative, message in result.failures:
        err.write(f"dicom-viewer: error: {relative}: {one_line(ViewerError(message))}\n")
    return 0 if not result.failures else 1
