"""Run one job per file of a folder: in this process, on a local process pool, or on an
existing Dask cluster, with the same outputs and the same report either way.

A job is a picklable function ``task(source, target) -> str`` (its report, often "") that
writes `target` atomically (viewer.io.atomic), so an output is either complete or absent,
whatever happens to the worker that wrote it. One bad file never stops a batch: its
error becomes a line of the result. A worker process that dies (killed, out of memory, a
crashing codec) costs only the files it held: they are run again, alone in a new pool
(locally) or on another worker (Dask retries them itself), and listed if they die again.
With `resume`, files whose output is already complete are skipped.

Submission is windowed (a few jobs per worker in flight), so 100,000 files never mean
100,000 pending futures, and Cancel (the progress callback raising Cancelled) stops
after the files in flight, none half-written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from viewer.io.batch import BatchResult, dicom_files
from viewer.io.targets import check_folders, file_identity
from viewer.model.errors import ViewerError, one_line, reraise_if_fatal
from viewer.model.progress import Cancelled, no_progress

#: A job: writes the output for one input (atomically), returns its report line(s) or None.
Task = Callable[[Path, Path], str | None]
#: Local runs: jobs in flight per worker (enough to keep workers busy between results).
IN_FLIGHT_PER_WORKER = 2
#: Local pools: how often a file whose worker died is run alone again before it is reported.
ALONE_ATTEMPTS = 2
#: Dask: how often a job that raised (out of memory) is tried again before it is reported;
#: jobs of a worker that dies are rescheduled by the scheduler itself (allowed-failures).
DASK_RETRIES = 2
#: The scheduler must answer within this many seconds.
CONNECT_TIMEOUT_S = 15


@dataclass(frozen=True)
class FileJob:
    """One input file and where its output goes (`relative` names it in reports)."""

    source: Path
    target: Path
    relative: Path


@dataclass(frozen=True)
class Outcome:
    """What one job did: error None means its output was written."""

    relative: Path
    error: str | None = None
    report: str = ""


def run_job(task: Task, job: FileJob) -> Outcome:
    """Run `task` for one file where the worker is; every ordinary failure becomes the
    outcome's error (fatal ones, such as MemoryError, end the worker as they should)."""
    try:
        job.target.parent.mkdir(parents=True, exist_ok=True)
        return Outcome(job.relative, None, task(job.source, job.target) or "")
    except ViewerError as exc:
        return Outcome(job.relative, one_line(exc))
    except BaseException as exc:  # one bad file never stops the batch
        reraise_if_fatal(exc)
        return Outcome(job.relative, f"unexpected {type(exc).__name__}: {one_line(exc)}")


def complete_output(path: Path) -> bool:
    """True when `path` is a whole DICOM file: its header reads and its last element ends
    exactly where the file ends (one of undefined length with its sequence delimiter)."""
    from pydicom import dcmread

    try:
        size = path.stat().st_size if path.is_file() else 0
        if size < 132:
            return False
        ds = dcmread(path, defer_size=256)
        if "SOPInstanceUID" not in ds or not len(ds):
            return False
        last = ds.get_item(max(ds.keys()), keep_deferred=True)
        start, length = getattr(last, "value_tell", None), getattr(last, "length", None)
        if start is None or length is None or ds.file_meta.TransferSyntaxUID.is_deflated:
            return True  # read in full (a sequence) or through zlib: it read to its end
        if length != 0xFFFFFFFF:
            return int(start) + int(length) == size
        with path.open("rb") as f:
            f.seek(size - 8)
            return f.read(8) == b"\xfe\xff\xdd\xe0\x00\x00\x00\x00"
    except Exception:
        return False


def plan_folder(source: Path, target: Path, resume: bool = False) -> tuple[list[FileJob], BatchResult]:
    """The jobs for every file below `source` (same relative path below `target`) and the
    result so far: outputs that would replace an input are failures; with `resume`,
    complete outputs count as saved. Either folder inside the other is refused."""
    if not source.is_dir():
        raise ViewerError(f"'{source}' is not a folder")
    check_folders(source, target)
    files = dicom_files(source)
    inputs = {identity for identity in map(file_identity, files) if identity is not None}
    result = BatchResult(files=len(files))
    jobs = []
    for path in files:
        relative = path.relative_to(source)
        output = target / relative
        if file_identity(output) in inputs:
            result.failures.append((relative, "the output would replace one of the input files"))
        elif resume and complete_output(output):
            result.skipped += 1
        else:
            jobs.append(FileJob(path, output, relative))
    return jobs, result


#: Below this many input bytes, starting worker processes (~1 s where they must be
#: spawned) costs more than they save: the default then runs in this process.
POOL_MIN_BYTES = 64 * 2**20


def default_workers(jobs: list[FileJob]) -> int:
    """One worker per core, or none (this process) for a small batch."""
    size = 0
    for job in jobs:
        size += job.source.stat().st_size if job.source.is_file() else 0
        if size >= POOL_MIN_BYTES:
            return max(1, os.cpu_count() or 1)
    return 1


def run_folder(
    source: Path,
    target: Path,
    task: Task,
    workers: int | None = 1,
    scheduler: str | None = None,
    resume: bool = False,
    progress: Callable[[int, int], None] = no_progress,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> BatchResult:
    """`task` for every file below `source` into the same relative path below `target`
    (`plan_folder`, then `run_batch`): what every folder command runs."""
    jobs, result = plan_folder(source, target, resume)
    return run_batch(jobs, task, result, workers, scheduler, progress, on_outcome)


def run_batch(
    jobs: list[FileJob],
    task: Task,
    result: BatchResult,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] = no_progress,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> BatchResult:
    """Run `task` for every job into `result` (which may hold earlier failures and skips).

    `scheduler` (tcp://HOST:PORT) runs the jobs on that Dask cluster; else `workers`
    local processes (1: this process; default: one per core, or this process for under
    64 MB of input). `progress` gets (done, total) over the whole folder and may raise
    Cancelled.
    """
    total = result.files
    base = result.files - len(jobs)

    def record(outcome: Outcome) -> None:
        if outcome.error is None:
            result.saved += 1
        else:
            result.failures.append((outcome.relative, outcome.error))
        if on_outcome is not None:
            on_outcome(outcome)

    progress(base, total)
    if scheduler:
        outcomes = _on_dask(jobs, task, scheduler, lambda n: progress(base + n, total))
    elif (workers := workers or default_workers(jobs)) <= 1 or len(jobs) <= 1:
        outcomes = _in_process(jobs, task, lambda n: progress(base + n, total))
    else:
        outcomes = _on_pool(jobs, task, workers, lambda n: progress(base + n, total))
    for outcome in outcomes:
        record(outcome)
    progress(total, total)
    result.failures.sort(key=lambda failure: str(failure[0]))
    return result


def _in_process(jobs: list[FileJob], task: Task, done: Callable[[int], None]) -> Iterator[Outcome]:
    for n, job in enumerate(jobs):
        if n:
            done(n)  # may raise Cancelled between files
        yield run_job(task, job)


def _windowed(
    executor: Executor, jobs: list[FileJob], task: Task, window: int, done: Callable[[], None]
) -> Iterator[tuple[FileJob, Future[Outcome]]]:
    """Submit jobs keeping at most `window` in flight; yield each (job, future) as it ends,
    then call `done` (which may raise Cancelled: what has not started is cancelled, what
    has is waited for). Stops submitting when a process pool breaks."""
    pending: dict[Future[Outcome], FileJob] = {}
    queue = iter(jobs)
    try:
        while True:
            for job in queue:
                try:
                    pending[executor.submit(run_job, task, job)] = job
                except BrokenProcessPool:  # a worker died: the rest wait for the next pool
                    queue = iter(())
                    break
                if len(pending) >= window:
                    break
            if not pending:
                return
            ready, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in ready:
                yield pending.pop(future), future
                done()
    except Cancelled:
        for future in pending:
            future.cancel()
        wait(pending)
        raise


def _on_pool(jobs: list[FileJob], task: Task, workers: int, done: Callable[[int], None]) -> Iterator[Outcome]:
    """A local process pool. A worker that dies breaks the pool and fails every job in
    flight with it; those run again one at a time in a pool of one, where a death is the
    file's own: a file is reported after dying twice so."""
    finished: list[FileJob] = []
    remaining = jobs
    while remaining:
        lost: list[FileJob] = []
        yield from _pool_round(remaining, task, workers, workers * IN_FLIGHT_PER_WORKER, lost, finished, done)
        deaths: dict[FileJob, int] = {}
        suspects = lost
        while suspects:
            died: list[FileJob] = []
            yield from _pool_round(suspects, task, 1, 1, died, finished, done)
            for job in died:  # at most one: one job in flight
                deaths[job] = deaths.get(job, 0) + 1
                if deaths[job] >= ALONE_ATTEMPTS:
                    finished.append(job)
                    yield Outcome(job.relative, f"the worker process died on this file ({ALONE_ATTEMPTS} times)")
            suspects = [job for job in suspects if job not in finished]
        seen = set(finished)
        remaining = [job for job in remaining if job not in seen]  # never submitted


def _pool_round(
    jobs: list[FileJob],
    task: Task,
    workers: int,
    window: int,
    lost: list[FileJob],
    finished: list[FileJob],
    done: Callable[[int], None],
) -> Iterator[Outcome]:
    """Run `jobs` on one pool until they end or it breaks; jobs lost with a broken pool go
    to `lost`, finished ones to `finished` (unsubmitted ones to neither)."""
    from viewer.model.parallel import process_context, worker_pool

    with worker_pool(min(workers, len(jobs)), process_context()) as pool:
        for job, future in _windowed(pool, jobs, task, window, lambda: done(len(finished))):
            try:
                outcome = future.result()
            except BrokenProcessPool:
                lost.append(job)
                continue
            finished.append(job)
            yield outcome


def _on_dask(jobs: list[FileJob], task: Task, scheduler: str, done: Callable[[int], None]) -> Iterator[Outcome]:
    """An existing Dask cluster; its scheduler re-runs the jobs of a worker that dies."""
    try:
        from distributed import Client
    except ImportError:
        raise ViewerError(
            "--scheduler needs dask.distributed; install the [cluster] extra (pip install 'dicom-viewer[cluster]')"
        ) from None
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ViewerError(f"cannot reach the Dask scheduler {scheduler}: {one_line(exc)}") from None
    with client:
        threads = sum(client.nthreads().values())
        if threads == 0:
            raise ViewerError(f"the Dask cluster at {scheduler} has no workers")
        executor = client.get_executor(pure=False, retries=DASK_RETRIES)
        finished = [0]

        def tick() -> None:
            finished[0] += 1
            done(finished[0])

        for job, future in _windowed(executor, jobs, task, max(8, threads * 4), tick):
            try:
                yield future.result()
            except Exception as exc:  # KilledWorker after the retries, a lost connection
                yield Outcome(job.relative, f"the cluster could not run this file: {type(exc).__name__}: {exc}")
