"""The batch engine: the same outputs in this process, on a local pool and on a real Dask
cluster; dead workers cost no output; --resume; Cancel; outputs never partial."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from functools import partial
from pathlib import Path

import pydicom
import pytest

from tests.cli_runner import run_in_process
from viewer.edits.operations import FillOutside, Flip
from viewer.io import batch_engine
from viewer.io.anonymize import anonymize_folder
from viewer.io.batch import edit_folder
from viewer.io.batch_engine import FileJob, complete_output, plan_folder, run_batch
from viewer.model.errors import ViewerError
from viewer.model.progress import Cancelled

TEST_FILES = Path(pydicom.__file__).parent / "data" / "test_files"
OPERATIONS = [FillOutside(-100.0, 1000.0, 0.0), Flip("h")]
#: Set by the derivation on every save: a new SOP Instance UID (random by design).
PER_RUN = ("SOPInstanceUID",)


def _folder(root: Path, copies: int = 4) -> Path:
    source = root / "in"
    (source / "sub").mkdir(parents=True)
    for n in range(copies):
        shutil.copy(TEST_FILES / "CT_small.dcm", source / f"ct{n}.dcm")
        shutil.copy(TEST_FILES / "MR_small.dcm", source / "sub" / f"mr{n}.dcm")
    shutil.copy(TEST_FILES / "MR_small_RLE.dcm", source / "sub" / "rle.dcm")
    (source / "notdicom.dcm").write_bytes(b"not a DICOM file")
    return source


def _read(path: Path) -> pydicom.Dataset:
    ds = pydicom.dcmread(path)
    for keyword in PER_RUN:
        del ds[keyword]
    del ds.file_meta.MediaStorageSOPInstanceUID
    return ds


def _same_outputs(a: Path, b: Path) -> list[str]:
    names = sorted(str(p.relative_to(a)) for p in a.rglob("*.dcm"))
    assert names == sorted(str(p.relative_to(b)) for p in b.rglob("*.dcm"))
    return [name for name in names if _read(a / name) != _read(b / name)]


def _engines(cluster) -> dict[str, dict[str, object]]:
    return {"serial": {"workers": 1}, "pool": {"workers": 2}, "dask": {"scheduler": cluster.address}}


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    from tests import dask_cluster

    cluster = dask_cluster.start(tmp_path_factory.mktemp("dask"))
    yield cluster
    dask_cluster.stop(cluster)


def test_local_pool_and_dask_cluster_write_what_one_process_writes(tmp_path: Path, dask_cluster) -> None:
    source = _folder(tmp_path)
    results = {}
    for name, where in {
        "serial": {"workers": 1},
        "pool": {"workers": 2},
        "dask": {"scheduler": dask_cluster.address},
    }.items():
        results[name] = edit_folder(source, tmp_path / name, OPERATIONS, "keep", **where)
    for name, result in results.items():
        assert (result.files, result.saved) == (10, 9), name
        assert [str(relative) for relative, _ in result.failures] == ["notdicom.dcm"], name
    assert _same_outputs(tmp_path / "serial", tmp_path / "pool") == []
    assert _same_outputs(tmp_path / "serial", tmp_path / "dask") == []
    edited = pydicom.dcmread(tmp_path / "dask" / "ct0.dcm")
    assert edited.ImageType[0] == "DERIVED" and "flip h" in edited.DerivationDescription


def test_anonymised_folder_is_byte_identical_on_a_cluster(tmp_path: Path, dask_cluster) -> None:
    source = _folder(tmp_path, copies=2)
    for name, where in {"serial": {"workers": 1}, "dask": {"scheduler": dask_cluster.address}}.items():
        result = anonymize_folder(source, tmp_path / name, "fixed key", **where)  # type: ignore[arg-type]
        assert result.saved == 5, name
    for path in (tmp_path / "serial").rglob("*.dcm"):
        assert path.read_bytes() == (tmp_path / "dask" / path.relative_to(tmp_path / "serial")).read_bytes()


def test_a_dask_worker_killed_mid_run_loses_and_corrupts_nothing(tmp_path: Path, dask_cluster) -> None:
    from tests.dask_cluster import worker_pids

    source = _folder(tmp_path, copies=6)
    reference = edit_folder(source, tmp_path / "serial", OPERATIONS, "keep", workers=1)
    victim = worker_pids(dask_cluster.address)[0]
    killed = threading.Event()

    def progress(done: int, total: int) -> None:
        if done >= 2 and not killed.is_set():
            os.kill(victim, signal.SIGKILL)  # the nanny starts a new worker; its tasks run again
            killed.set()

    result = edit_folder(source, tmp_path / "dask", OPERATIONS, "keep", progress, scheduler=dask_cluster.address)
    assert killed.is_set() and victim not in worker_pids(dask_cluster.address)
    assert (result.saved, result.failures) == (reference.saved, reference.failures)
    assert _same_outputs(tmp_path / "serial", tmp_path / "dask") == []
    assert all(complete_output(path) for path in (tmp_path / "dask").rglob("*.dcm"))


def _copy_or_die(marker_folder: Path, source: Path, target: Path) -> str:
    """A job whose worker process dies: once for 'ct0' (a marker remembers), always for 'mr0'."""
    marker = marker_folder / (source.name + ".died")
    if source.name == "mr0.dcm" or (source.name == "ct0.dcm" and not marker.exists()):
        marker.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    shutil.copy(source, target)
    return ""


def test_a_local_worker_that_dies_costs_a_retry_then_a_reported_file(tmp_path: Path) -> None:
    source = _folder(tmp_path, copies=2)
    jobs, result = plan_folder(source, tmp_path / "out")
    run_batch(jobs, partial(_copy_or_die, tmp_path), result, workers=2)
    assert result.saved == 5  # ct0 died once and was copied on its second run
    assert [(str(relative), message) for relative, message in result.failures] == [
        ("sub/mr0.dcm", "the worker process died on this file (2 times)")
    ]
    assert not (tmp_path / "out" / "sub" / "mr0.dcm").exists()


def test_resume_skips_complete_outputs_and_redoes_broken_ones(tmp_path: Path) -> None:
    source = _folder(tmp_path, copies=2)
    first = edit_folder(source, tmp_path / "out", OPERATIONS, workers=1)
    assert first.saved == 5
    cut = tmp_path / "out" / "ct1.dcm"
    cut.write_bytes(cut.read_bytes()[:-100])  # as if copied in by hand and cut short
    (tmp_path / "out" / "sub" / "mr1.dcm").unlink()
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*.dcm")}
    again = edit_folder(source, tmp_path / "out", OPERATIONS, workers=1, resume=True)
    assert (again.saved, again.skipped, len(again.failures)) == (2, 3, 1)
    assert again.summary() == "2 saved, 1 failed, 3 already done, 6 files"
    for path, mtime in before.items():
        assert (path.stat().st_mtime_ns == mtime) == (path != cut)
    assert complete_output(cut) and complete_output(tmp_path / "out" / "sub" / "mr1.dcm")


@pytest.mark.parametrize(
    ("name", "damage", "complete"),
    [
        ("CT_small.dcm", None, True),  # native Pixel Data
        ("JPEG2000.dcm", None, True),  # encapsulated, ends with its delimiter
        ("CT_small.dcm", 1, False),  # native cut by one byte
        ("JPEG2000.dcm", 8, False),  # encapsulated without its delimiter
        ("CT_small.dcm", "header", False),  # only the preamble and part of the header
        ("CT_small.dcm", "text", False),  # not DICOM
    ],
)
def test_complete_output(tmp_path: Path, name: str, damage: object, complete: bool) -> None:
    data = (TEST_FILES / name).read_bytes()
    if isinstance(damage, int):
        data = data[:-damage]
    elif damage == "header":
        data = data[:300]
    elif damage == "text":
        data = b"hello " * 100
    (tmp_path / name).write_bytes(data)
    assert complete_output(tmp_path / name) is complete


def test_cancel_stops_after_the_files_in_flight_none_half_written(tmp_path: Path) -> None:
    source = _folder(tmp_path, copies=6)

    def progress(done: int, total: int) -> None:
        if done >= 3:
            raise Cancelled("cancelled")

    with pytest.raises(Cancelled):
        edit_folder(source, tmp_path / "out", OPERATIONS, progress=progress, workers=2)
    written = list((tmp_path / "out").rglob("*"))
    assert 3 <= len([p for p in written if p.is_file()]) < 18
    assert all(complete_output(p) for p in written if p.is_file())
    assert not [p for p in written if p.name.startswith(".")]  # no temporary files left


def test_unreachable_scheduler_is_one_clear_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(batch_engine, "CONNECT_TIMEOUT_S", 1)
    jobs = [FileJob(TEST_FILES / "CT_small.dcm", tmp_path / "out.dcm", Path("CT_small.dcm"))]
    with pytest.raises(ViewerError, match="cannot reach the Dask scheduler tcp://127.0.0.1:9"):
        run_batch(jobs, partial(shutil.copy), batch_engine.BatchResult(files=1), scheduler="tcp://127.0.0.1:9")
    assert not (tmp_path / "out.dcm").exists()


@pytest.mark.usefixtures("command_output")
def test_cli_folder_commands_take_workers(tmp_path: Path) -> None:
    """The real command on two workers (a process: it forks them); the usage error in this one."""
    source = _folder(tmp_path, copies=1)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "viewer.cli", *args], capture_output=True, text=True, timeout=120)

    segmented = run("segment", str(source), "-o", str(tmp_path / "seg"), "--threshold", "100", "2000", "--workers", "2")
    assert segmented.returncode == 1 and segmented.stdout == "3 saved, 1 failed, 4 files\n"
    assert segmented.stderr.startswith("dicom-viewer: error: notdicom.dcm: ")
    assert pydicom.dcmread(tmp_path / "seg" / "ct0.dcm").Modality == "SEG"
    usage = run_in_process("edit", str(source), "-o", str(tmp_path / "x"), "--workers", "0")
    assert usage.returncode == 2 and "--workers: 0 is not between 1 and 512" in usage.stderr
