"""A real Dask cluster for the tests: one scheduler and a nanny with two single-threaded
workers, started from this project's own environment, listening on 127.0.0.1 only
(no dashboard; HTTP servers on 127.0.0.1 too), killed as a process group at the end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_S = 60


@dataclass
class Cluster:
    address: str
    processes: list[subprocess.Popen[bytes]]


def _dask(*args: str) -> list[str]:
    return [sys.executable, "-m", "distributed.cli." + args[0], *args[1:]]


def _scheduler_address(scheduler_file: Path) -> str | None:
    """The address the scheduler wrote, or None while its file is missing or still being
    written (the scheduler creates the file, then writes it: read empty, it failed three
    of the suite's setups once)."""
    try:
        return str(json.loads(scheduler_file.read_text())["address"])
    except (OSError, ValueError, KeyError):
        return None


def start(folder: Path) -> Cluster:
    """Scheduler + 2 workers; returns once both workers have registered."""
    from distributed import Client

    scheduler_file = folder / "scheduler.json"
    common = {"cwd": folder, "stdout": subprocess.DEVNULL, "stderr": open(folder / "dask.log", "wb")}
    scheduler = subprocess.Popen(
        _dask(
            "dask_scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--dashboard-address",
            "127.0.0.1:0",  # its HTTP server runs even without a dashboard
            "--scheduler-file",
            str(scheduler_file),
        ),
        start_new_session=True,
        **common,  # type: ignore[arg-type]
    )
    processes = [scheduler]
    deadline = time.monotonic() + START_TIMEOUT_S
    while (address := _scheduler_address(scheduler_file)) is None:
        if time.monotonic() > deadline or scheduler.poll() is not None:
            stop(Cluster("", processes))
            raise RuntimeError("the Dask scheduler did not start: " + (folder / "dask.log").read_text()[-2000:])
        time.sleep(0.05)
    processes.append(
        subprocess.Popen(
            _dask(
                "dask_worker",
                address,
                "--nworkers",
                "2",
                "--nthreads",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
                "--dashboard-address",
                "127.0.0.1:0",
                "--memory-limit",
                "0",
            ),
            start_new_session=True,
            **common,  # type: ignore[arg-type]
        )
    )
    try:
        with Client(address, timeout=START_TIMEOUT_S) as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT_S)
    except BaseException:
        stop(Cluster(address, processes))  # the processes outlive a failed setup otherwise
        raise
    return Cluster(address, processes)


def worker_pids(address: str) -> list[int]:
    from distributed import Client

    with Client(address, timeout=15) as client:
        return sorted(client.run(os.getpid).values())


def stop(cluster: Cluster) -> None:
    for process in reversed(cluster.processes):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
