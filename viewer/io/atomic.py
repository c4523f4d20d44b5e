"""Atomic file replacement: a temporary file beside the target, fsync, rename.

Either the target ends up complete or it is left exactly as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_write(target: Path, check: Callable[[Path], None] | None = None) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces `target` only if the block ends without error.

    `check(temporary_path)` runs after the data is on disk and before the rename; if it
    raises, the target is left as it was. (Reading back before fsync is slow: the reads
    compete with the kernel's writeback of the same pages.)
    """
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    temp = Path(temp_name)
    try:
        os.close(fd)
        with open(temp, "wb") as f:  # f.name is the temporary path, for verification
            yield f
            f.flush()
            os.fsync(f.fileno())
        if check is not None:
            check(temp)
        if target.exists():
            os.chmod(temp, target.stat().st_mode & 0o7777)
        else:
            os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, target)
        _fsync_folder(folder)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


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
