"""Atomic file replacement: an unnamed temporary file in the target's folder, fsync, rename.

Either the target ends up complete or it is left exactly as it was. Where the filesystem
allows (Linux O_TMPFILE), the temporary file has no name until it is complete, so a
``kill -9`` during a save leaves nothing behind; elsewhere a named temporary file is
used, and stale ones of ours (their process gone) are removed on the next save into the
same folder. The new file's mode is never looser than the input it was made from.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

TEMP_MARK = ".dvtmp-"


@contextmanager
def atomic_write(
    target: Path,
    check: Callable[[Path], None] | None = None,
    like: Path | None = None,
    mode: int | None = None,
) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces `target` only if the block ends without error.

    `check(path)` runs after the data is on disk and before the rename, with a path that
    reads the new data; if it raises, the target is left as it was. The new file's mode
    is `mode` if given, else the umask's, narrowed to an existing target's mode and to
    the mode of `like` (the input it was made from): a private input stays private.
    (Reading back before fsync is slow: the reads compete with the writeback.)
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    final_mode = _mode_for(target, like) if mode is None else mode
    _remove_stale_temporaries(folder)
    fd, temp = _open_temporary(folder, target.name, final_mode)
    linked: Path | None = None
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
            if check is not None:
                check(temp if temp is not None else Path(f"/proc/self/fd/{f.fileno()}"))
            os.fchmod(f.fileno(), final_mode)
            _keep_owner(f.fileno(), target)
            if temp is None:
                linked = _name_unnamed(f.fileno(), folder, target.name)
        os.replace(linked or temp, target)  # type: ignore[arg-type]  # one of them is set
        _fsync_folder(folder)
    except BaseException:
        for leftover in (temp, linked):
            if leftover is not None:
                leftover.unlink(missing_ok=True)
        raise


class EarlyWriteback:
    """Asks the kernel to start writing a big file to disk part by part as it is written
    (Linux ``sync_file_range``), so that the fsync before the rename waits for the last
    part only: with the default dirty-page limits nothing of a 500 MB save reaches the disk
    before that fsync (0.2-0.3 s here), while the disk idles as frames are computed. A hint:
    a platform without it, or a refusal, changes nothing but the timing."""

    STEP = 8 * 2**20
    _WRITE = 2  # SYNC_FILE_RANGE_WRITE: start writing the range; do not wait

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self._started = f.tell()
        self._call = _sync_file_range()

    def wrote(self) -> None:
        """Call after each write (from the thread that writes)."""
        end = self._f.tell()
        if self._call is None or end - self._started < self.STEP:
            return
        self._f.flush()
        self._call(self._f.fileno(), self._started, end - self._started, self._WRITE)
        self._started = end


def _sync_file_range() -> Callable[[int, int, int, int], int] | None:
    import ctypes

    try:
        call = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    call.argtypes = [ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint]
    call.restype = ctypes.c_int
    return call


def _open_temporary(folder: Path, name: str, mode: int) -> tuple[int, Path | None]:
    """An unnamed file in `folder` (O_TMPFILE), or a named one where that is unsupported."""
    if _unnamed_files_work(folder):
        return os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600), None
    temp = _temporary_name(folder, name)
    return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), temp


def _temporary_name(folder: Path, name: str) -> Path:
    """Ours by its mark, and whose by its pid: stale ones are found and removed later."""
    _named_in.add(folder)
    return folder / f".{name}{TEMP_MARK}{os.getpid()}-{secrets.token_hex(4)}.tmp"


_named_in: set[Path] = set()  # folders this process has named temporary files in


def remove_own_temporaries() -> None:
    """Remove this process's named temporary files. A signal handled between naming one
    and keeping its name (os.link returned, the name not yet stored: the support probe's
    or a save's) unwinds past the code that knows it; an interrupted command calls this
    last (viewer.cli.main)."""
    own = f"{TEMP_MARK}{os.getpid()}-"
    for folder in list(_named_in):
        with contextlib.suppress(OSError):
            for name in os.listdir(folder):
                if own in name and name.endswith(".tmp"):
                    with contextlib.suppress(OSError):
                        (folder / name).unlink()


_unnamed_support: dict[int, bool] = {}


def _unnamed_files_work(folder: Path) -> bool:
    """Can this folder's filesystem make an O_TMPFILE file and then give it a name?
    (Some kernels and sandboxes refuse one or the other; tried once per filesystem.)"""
    if not hasattr(os, "O_TMPFILE"):
        return False
    try:
        device = os.stat(folder).st_dev
    except OSError:
        return False
    if device not in _unnamed_support:
        works = False
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600)
        except OSError:
            fd = -1
        if fd >= 0:
            try:
                probe = _name_unnamed(fd, folder, "probe")
                probe.unlink()
                works = True
            except OSError:
                pass
            finally:
                os.close(fd)
        _unnamed_support[device] = works
    return _unnamed_support[device]


def _name_unnamed(fd: int, folder: Path, name: str) -> Path:
    """Give a complete O_TMPFILE file a temporary name, to rename it over the target."""
    linked = _temporary_name(folder, name)
    try:
        os.link(f"/proc/self/fd/{fd}", linked, follow_symlinks=True)
    except OSError:
        _linkat_empty_path(fd, linked)
    return linked


def _linkat_empty_path(fd: int, linked: Path) -> None:
    """linkat(fd, "", AT_FDCWD, linked, AT_EMPTY_PATH): where /proc links are refused."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, at_empty_path = -100, 0x1000
    if libc.linkat(fd, b"", at_fdcwd, os.fsencode(linked), at_empty_path) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(linked))


def _remove_stale_temporaries(folder: Path) -> None:
    """Named temporary files of ours whose process is gone (a kill during a save)."""
    try:
        names = [n for n in os.listdir(folder) if TEMP_MARK in n and n.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        pid_text = name.rsplit(TEMP_MARK, 1)[1].split("-", 1)[0]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            with contextlib.suppress(OSError):
                (folder / name).unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mode_for(target: Path, like: Path | None) -> int:
    mode = 0o666 & ~_umask()
    for path in (target, like):
        if path is not None:
            with contextlib.suppress(OSError):
                mode &= os.stat(path).st_mode & 0o777
    return mode


def _keep_owner(fd: int, target: Path) -> None:
    """Replacing a file as root must not hand it to root."""
    try:
        st = os.stat(target)
        os.fchown(fd, st.st_uid, st.st_gid)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
