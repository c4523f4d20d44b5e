"""Apply operations to one file or to every file of a folder (batch editing).

One bad file never stops a batch; the result lists it with its reason. Progress goes to
a callback that may raise Cancelled between files (nothing is then half-written).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from viewer.edits.operations import Operation
from viewer.edits.session import begin_edit, begin_streamed_edit, require_memory, streams
from viewer.edits.stream_workers import workers_for
from viewer.io.commit import refuse_damaged
from viewer.io.save import SaveReport, save
from viewer.io.targets import resolve_output
from viewer.model.document import open_document
from viewer.model.progress import no_progress


def edit_file(
    source: Path,
    target: Path,
    operations: list[Operation],
    syntax: str,
    force: bool = False,
    allow_damaged: bool = False,
) -> SaveReport:
    """Open `source`, apply `operations`, save to `target` (never over `source`)."""
    resolve_output(target, [source], force)  # refuse before the work, not after
    document = open_document(source)
    refuse_damaged(document, allow_damaged)  # before every frame is decoded for the edit
    if operations and streams(document, operations):  # frames computed as the save writes them
        begin_streamed_edit(document, operations, workers_for(document.source_pixels.nbytes))
    elif operations:
        require_memory(document, operations)
        work = begin_edit(document)
        for op in operations:
            work.apply(op)
    return save(document, target, syntax, force=force, allow_damaged=allow_damaged)


def format_report(report: SaveReport) -> str:
    """A save's report as the CLI prints it (--report): where, tag changes, warnings."""
    lines = [f"saved {report.path} ({report.transfer_syntax.name}, {report.bytes_written} bytes)"]
    lines += [f"  change: {change}" for change in report.changes]
    lines += [f"  warning: {warning}" for warning in report.warnings]
    return "\n".join(lines)


def edit_task(
    source: Path, target: Path, operations: list[Operation], syntax: str, force: bool, allow_damaged: bool
) -> str:
    """One file of a batch edit (a job of viewer.io.batch_engine); returns its report."""
    return format_report(edit_file(source, target, operations, syntax, force, allow_damaged))


@dataclass
class BatchResult:
    """What a folder run did (edit, anonymise, segment)."""

    files: int = 0
    saved: int = 0
    failures: list[tuple[Path, str]] = field(default_factory=list)
    skipped: int = 0  # outputs already complete (--resume)

    def summary(self) -> str:
        skipped = f", {self.skipped} already done" if self.skipped else ""
        return f"{self.saved} saved, {len(self.failures)} failed{skipped}, {self.files} files"


def dicom_files(folder: Path) -> list[Path]:
    """Regular files below `folder` (not hidden; FIFOs and devices are not files to read)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def edit_folder(
    source: Path,
    target: Path,
    operations: list[Operation],
    syntax: str = "keep",
    progress: Callable[[int, int], None] = no_progress,
    on_report: Callable[[str], None] | None = None,
    force: bool = False,
    allow_damaged: bool = False,
    workers: int | None = 1,
    scheduler: str | None = None,
    resume: bool = False,
) -> BatchResult:
    """Edit every file below `source` into the same relative path below `target`, in this
    process (`workers` 1), a local pool or a Dask cluster (viewer.io.batch_engine).

    Refused when either folder lies inside the other; no output ever replaces a file
    that is also an input (a symlink or hard link inside the input folder included).
    """
    from functools import partial

    from viewer.io.batch_engine import run_folder

    task = partial(edit_task, operations=operations, syntax=syntax, force=force, allow_damaged=allow_damaged)
    on_outcome = None if on_report is None else (lambda outcome: outcome.report and on_report(outcome.report))
    return run_folder(source, target, task, workers, scheduler, resume, progress, on_outcome)
