"""Never lose a user's file: outputs that are inputs, special files, nested folders,
re-encoded offset tables, inputs replaced mid-edit, modes, temporary files, error lines."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests import hostile
from tests.cli_runner import run_in_process
from tests.corpus import corpus_file
from viewer.edits.operations import Flip
from viewer.edits.session import begin_edit
from viewer.io import atomic
from viewer.io import save as save_module
from viewer.io.recovery import RecoveryStore
from viewer.io.save import save
from viewer.model.document import open_document
from viewer.model.errors import ViewerError

ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.usefixtures("command_output")  # commands run in this process
run = run_in_process


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line_error(result: subprocess.CompletedProcess[str], status: int = 1) -> str:
    assert result.returncode == status, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("dicom-viewer: error: "), result.stderr
    return result.stderr


# -- 1. folders inside folders -------------------------------------------------------------
def _nest(tmp_path: Path) -> Path:
    nest = tmp_path / "nest"
    (nest / "sub").mkdir(parents=True)
    shutil.copy(corpus_file("CT_small.dcm"), nest / "a.dcm")
    shutil.copy(corpus_file("MR_small.dcm"), nest / "sub" / "b.dcm")
    return nest


@pytest.mark.parametrize("layout", ["output inside input", "input inside output", "symlink into input"])
def test_nested_folders_are_refused(tmp_path: Path, layout: str) -> None:
    """`edit nest -o nest/sub --flip h` replaced nest/sub/b.dcm (an MR) with the flipped CT."""
    nest = _nest(tmp_path)
    before = {p: digest(p) for p in nest.rglob("*.dcm")}
    if layout == "output inside input":
        source, output = nest, nest / "sub"
    elif layout == "input inside output":
        source, output = nest / "sub", nest
    else:
        (tmp_path / "link").symlink_to(nest / "sub")
        source, output = nest, tmp_path / "link"
    result = run("edit", source, "-o", output, "--flip", "h")
    assert "inside" in one_line_error(result)
    assert {p: digest(p) for p in nest.rglob("*.dcm")} == before


def test_folder_output_that_links_to_an_input_is_not_written(tmp_path: Path) -> None:
    """out/b.dcm is a symlink to in/a.dcm: that file is refused, the others are written."""
    source = tmp_path / "in"
    source.mkdir()
    shutil.copy(corpus_file("CT_small.dcm"), source / "a.dcm")
    shutil.copy(corpus_file("MR_small.dcm"), source / "b.dcm")
    out = tmp_path / "out"
    out.mkdir()
    (out / "b.dcm").symlink_to(source / "a.dcm")
    before = digest(source / "a.dcm")
    result = run("edit", source, "-o", out, "--flip", "h")
    assert result.returncode == 1
    assert "b.dcm" in result.stderr and "input" in result.stderr
    assert digest(source / "a.dcm") == before
    assert pydicom.dcmread(out / "a.dcm").Rows == 128


# -- 2. an output that is an input ----------------------------------------------------------
@pytest.mark.parametrize("command", ["render", "edit"])
@pytest.mark.parametrize("alias", ["same path", "symlink", "hard link"])
def test_output_resolving_to_the_input_is_refused(tmp_path: Path, command: str, alias: str) -> None:
    """`render IN.dcm -o IN.dcm` replaced the DICOM file with a PNG."""
    source = tmp_path / "in.dcm"
    shutil.copy(corpus_file("CT_small.dcm"), source)
    output = {"same path": source, "symlink": tmp_path / "link.dcm", "hard link": tmp_path / "hard.dcm"}[alias]
    if alias == "symlink":
        output.symlink_to(source)
    elif alias == "hard link":
        os.link(source, output)
    before = digest(source)
    result = run(command, source, "-o", output, *(["--flip", "h"] if command == "edit" else []))
    assert "refusing to write over the input" in one_line_error(result)
    assert digest(source) == before


# -- 4. special and protected targets -------------------------------------------------------
@pytest.mark.parametrize("kind", ["character device", "fifo", "folder"])
def test_non_regular_targets_are_refused(tmp_path: Path, kind: str) -> None:
    """`-o /dev/null` replaced the machine's /dev/null with a regular file (as root). The
    test makes its own null device (a regression must not take the real one with it)."""
    target = tmp_path / "target"
    if kind == "character device":
        if os.geteuid() != 0:
            pytest.skip("only root can make a device node")
        os.mknod(target, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    elif kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    mode = target.stat().st_mode
    result = run("render", corpus_file("CT_small.dcm"), "-o", target)
    assert "not a regular file" in one_line_error(result) or kind == "folder"
    assert target.stat().st_mode == mode  # still the device / FIFO / folder


def test_read_only_target_needs_force(tmp_path: Path) -> None:
    """A read-only file in a writable folder was silently replaced."""
    target = tmp_path / "ro.dcm"
    target.write_bytes(b"keep me")
    target.chmod(0o444)
    result = run("edit", corpus_file("CT_small.dcm"), "-o", target, "--flip", "h")
    assert "read-only" in one_line_error(result) and "--force" in result.stderr
    assert target.read_bytes() == b"keep me"
    forced = run("edit", corpus_file("CT_small.dcm"), "-o", target, "--flip", "h", "--force")
    assert forced.returncode == 0, forced.stderr
    assert pydicom.dcmread(target).Rows == 128
    assert stat.S_IMODE(target.stat().st_mode) == 0o444  # replaced, still read-only


def test_symlink_target_is_written_through(tmp_path: Path) -> None:
    """A symlink as output: the file it points to is replaced, the link stays a link."""
    real = tmp_path / "real.dcm"
    real.write_bytes(b"old")
    link = tmp_path / "link.dcm"
    link.symlink_to(real)
    result = run("edit", corpus_file("CT_small.dcm"), "-o", link, "--flip", "h")
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert pydicom.dcmread(real).Rows == 128


def test_replacing_keeps_owner(tmp_path: Path) -> None:
    """Replacing someone's file as root keeps its owner and group."""
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another owner")
    target = tmp_path / "theirs.dcm"
    target.write_bytes(b"old")
    os.chown(target, 12345, 12346)
    assert run("edit", corpus_file("CT_small.dcm"), "-o", target, "--flip", "h").returncode == 0
    assert (target.stat().st_uid, target.stat().st_gid) == (12345, 12346)


# -- 3. the Extended Offset Table ----------------------------------------------------------
@pytest.mark.parametrize(
    "args", [["--syntax", "jpegls"], ["--syntax", "explicit"], ["--flip", "h"], ["--flip", "h", "--syntax", "rle"]]
)
def test_extended_offset_table_is_not_copied(tmp_path: Path, args: list[str]) -> None:
    """An RLE file with an Extended Offset Table: the old table described the old frames."""
    source = hostile.rle_with_extended_offset_table(tmp_path / "eot.dcm", frames=3)
    expected = hostile.ramp(pydicom.dcmread(source))
    if "--flip" in args:
        expected = expected[:, :, ::-1]
    out = tmp_path / "out.dcm"
    result = run("edit", source, "-o", out, *args)
    assert result.returncode == 0, result.stderr
    back = pydicom.dcmread(out)
    assert "ExtendedOffsetTable" not in back and "ExtendedOffsetTableLengths" not in back
    assert np.array_equal(back.pixel_array, expected)
    assert run("render", out, "-o", tmp_path / "f2.png", "--frame", "2").returncode == 0


def test_every_re_encoded_frame_is_verified(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A syntax change re-encodes every frame, so every frame is read back, not only the
    first and last: a middle frame the encoder got wrong fails the save."""
    real_encode = save_module.encode_frames

    def wrong_middle(pixels, syntax, options):
        frames = real_encode(pixels, syntax, options)
        frames[len(frames) // 2] = real_encode(np.zeros_like(pixels[:1]), syntax, options)[0]
        return frames

    monkeypatch.setattr(save_module, "encode_frames", wrong_middle)
    target = tmp_path / "out.dcm"
    target.write_bytes(b"old")
    with pytest.raises(ViewerError, match="frame 6 does not read back"):
        save(open_document(corpus_file("emri_small.dcm")), target, "rle")
    assert target.read_bytes() == b"old"


# -- 6. an input replaced while it is edited ------------------------------------------------
def _swap_keeping_size_and_mtime(path: Path, other: bytes) -> None:
    st = path.stat()
    with path.open("r+b") as f:
        f.write(other)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def test_input_rewritten_with_same_size_and_mtime_is_detected(tmp_path: Path) -> None:
    """Frames of two different files were mixed in one output."""
    path = tmp_path / "emri.dcm"
    shutil.copy(corpus_file("emri_small.dcm"), path)
    document = open_document(path)
    document.get_frame(0)
    data = path.read_bytes()
    flipped = data[:-4000] + bytes(b ^ 0xFF for b in data[-4000:])
    _swap_keeping_size_and_mtime(path, flipped)
    with pytest.raises(ViewerError, match="changed on disk"):
        document.get_frame(9)


def test_input_replaced_before_save_is_detected(tmp_path: Path) -> None:
    """The header re-read for the save must come from the file that was edited."""
    path = tmp_path / "ct.dcm"
    shutil.copy(corpus_file("CT_small.dcm"), path)
    document = open_document(path)
    begin_edit(document).apply(Flip("h"))
    replacement = tmp_path / "other.dcm"
    shutil.copy(path, replacement)
    st = path.stat()
    os.utime(replacement, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(replacement, path)  # same size, same mtime, another inode
    with pytest.raises(ViewerError, match="changed on disk"):
        save(document, tmp_path / "out.dcm")
    assert not (tmp_path / "out.dcm").exists()


# -- 12. temporary files and workers --------------------------------------------------------
def _wait_until_writing_into(pid: int, folder: Path, seconds: float = 30) -> None:
    """Until process `pid` has a file open in `folder` (the save's temporary file)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            targets = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            targets = []
        if any(t.startswith(f"{folder}/") for t in targets):
            return
        time.sleep(0.005)
    raise AssertionError("the save never started writing")


def _start_big_save(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    source = hostile.write(hostile.image_dataset(512, 512, frames=200), tmp_path / "big.dcm")
    out = tmp_path / "out"
    out.mkdir()
    child = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "viewer.cli",
            "edit",
            str(source),
            "-o",
            str(out / "x.dcm"),
            "--flip",
            "h",
            "--syntax",
            "rle",  # frames are encoded as they are written: the save stays in its write long enough
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_until_writing_into(child.pid, out)
    return child, out


def test_kill_during_save_leaves_no_temporary_file(tmp_path: Path) -> None:
    """kill -9 mid-save left 161-419 MB `.target.dcm.*.tmp` files behind."""
    child, out = _start_big_save(tmp_path)
    child.kill()
    child.communicate(timeout=10)
    assert list(out.iterdir()) == []


def test_stale_named_temporary_files_are_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where unnamed files are unsupported, a dead process's temporary file goes on the next save."""
    monkeypatch.setattr(atomic, "_unnamed_files_work", lambda folder: False)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".x.dcm{atomic.TEMP_MARK}{int(dead.stdout)}-abcd.tmp"
    stale.write_bytes(b"left by a kill")
    mine = tmp_path / f".y.dcm{atomic.TEMP_MARK}{os.getpid()}-abcd.tmp"  # alive: not touched
    mine.write_bytes(b"in use")
    with atomic.atomic_write(tmp_path / "new.txt") as f:
        f.write(b"data")
    assert not stale.exists() and mine.exists()
    assert (tmp_path / "new.txt").read_bytes() == b"data"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, "new.txt"])


def test_workers_die_with_their_parent(tmp_path: Path) -> None:
    """Encoder workers of a killed save were orphaned (~440 MB each, alive > 60 s)."""
    script = (
        "import os, sys, time\n"
        "from viewer.model.parallel import worker_pool\n"
        "import multiprocessing\n"
        "pool = worker_pool(2, multiprocessing.get_context('fork'))\n"
        "pids = [pool.submit(os.getpid).result() for _ in range(4)]\n"
        "print(' '.join(map(str, set(pids))), flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = [int(p) for p in parent.stdout.readline().split()]
    assert workers
    parent.kill()
    parent.wait(10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.1)
    assert not any(_running(pid) for pid in workers)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


# -- 13. modes -------------------------------------------------------------------------------
def test_recovery_files_are_private(tmp_path: Path) -> None:
    """They hold absolute source paths, which often contain patient names."""
    store = RecoveryStore(tmp_path / "recovery")
    store.save(Path("/data/Doe^John/ct.dcm"), [Flip("h")])
    assert stat.S_IMODE((tmp_path / "recovery").stat().st_mode) == 0o700
    (recipe,) = (tmp_path / "recovery").iterdir()
    assert stat.S_IMODE(recipe.stat().st_mode) == 0o600


@pytest.mark.parametrize(("input_mode", "expected"), [(0o600, 0o600), (0o644, 0o644), (0o640, 0o640)])
def test_output_is_never_looser_than_its_input(tmp_path: Path, input_mode: int, expected: int) -> None:
    source = tmp_path / "in.dcm"
    shutil.copy(corpus_file("CT_small.dcm"), source)
    source.chmod(input_mode)
    old = os.umask(0o022)
    try:
        for command, out in (("edit", tmp_path / "o.dcm"), ("render", tmp_path / "o.png")):
            result = run(command, source, "-o", out, *(["--flip", "h"] if command == "edit" else []))
            assert result.returncode == 0, result.stderr
            assert stat.S_IMODE(out.stat().st_mode) == expected
    finally:
        os.umask(old)


# -- 14. one clean line --------------------------------------------------------------------
def test_full_disk_gives_one_clean_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk printed pydicom's traceback text inside the error line."""
    real_open_temporary = atomic._open_temporary

    def full_disk(folder, name, mode):
        fd, temp = real_open_temporary(folder, name, mode)
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), temp

    monkeypatch.setattr(atomic, "_open_temporary", full_disk)
    monkeypatch.setattr(atomic, "_unnamed_files_work", lambda folder: False)
    document = open_document(corpus_file("CT_small.dcm"))
    begin_edit(document).apply(Flip("h"))
    with pytest.raises(ViewerError) as caught:
        save(document, tmp_path / "out.dcm")
    assert str(caught.value) == f"cannot write '{tmp_path / 'out.dcm'}': No space left on device"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("delay", [0.2, 0.35, 0.5])
def test_sigint_early_gives_no_traceback(tmp_path: Path, delay: float) -> None:
    """Ctrl+C while the command starts printed a traceback. (The interpreter's own start-up,
    about 50 ms here before any of our code runs, is out of our reach; the
    cases start at 0.2 s so that a loaded machine does not make them flaky.)"""
    child = subprocess.Popen(
        [sys.executable, "-m", "viewer.cli", "info", str(corpus_file("CT_small.dcm"))],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=30)
    assert "Traceback" not in err
    assert err in ("", "dicom-viewer: error: interrupted\n")


def test_sigterm_during_save_cleans_up(tmp_path: Path) -> None:
    child, out = _start_big_save(tmp_path)
    child.terminate()
    _, err = child.communicate(timeout=30)
    assert child.returncode == 143 and err == "dicom-viewer: error: terminated\n"
    assert list(out.iterdir()) == []


def test_unknown_first_argument_is_a_usage_error() -> None:
    """`dicom-viewer frobnicate x.dcm` opened the GUI and waited, which hangs scripts."""
    result = run("frobnicate", "x.dcm")
    assert result.returncode == 2
    assert "neither a command" in result.stderr


@pytest.mark.parametrize("where", ["probe", "save"])
def test_a_signal_right_after_a_temporary_is_named_leaves_no_file(tmp_path: Path, monkeypatch, where: str) -> None:
    """SIGTERM handled just after os.link named an O_TMPFILE file, before the name was
    stored (in the support probe, or before the rename of a save), left the named file
    behind: seen once in the full suite as `test_sigterm_during_save_cleans_up`."""
    from viewer.cli.main import Terminated

    named = atomic._name_unnamed

    def signal_lands(fd: int, folder: Path, name: str) -> Path:
        linked = named(fd, folder, name)
        if (name == "probe") == (where == "probe"):
            raise Terminated(143)  # as the handler raises it between two bytecodes
        return linked

    monkeypatch.setattr(atomic, "_unnamed_support", {})
    monkeypatch.setattr(atomic, "_name_unnamed", signal_lands)
    out = tmp_path / "out"
    out.mkdir()
    result = run_in_process("edit", corpus_file("CT_small.dcm"), "-o", out / "x.dcm", "--flip", "h")
    assert result.returncode == 143 and "terminated" in result.stderr
    assert list(out.iterdir()) == []
