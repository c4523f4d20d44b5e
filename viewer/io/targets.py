"""Where output may go: the rules that keep every command from writing over its input.

One home for them, used by `edit`, `render`, the batch engine, series saves and the
GUI's Save As. An output is refused when it resolves to an input (same path, a symlink
to it or a hard link of it), when it is not a regular file (a device, a FIFO, a folder),
when it is read-only (unless forced), and, for folders, when the output folder lies
inside the input folder or the input inside the output. A symlink as output is followed:
the file it points to is replaced atomically and the link itself stays.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from viewer.model.errors import ViewerError


class TargetError(ViewerError):
    """An output path that would lose or corrupt data if written."""


def file_identity(path: Path) -> tuple[int, int] | None:
    """(device, inode) of the file `path` names after following symlinks, or None."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def resolve_output(target: Path, inputs: Iterable[Path] = (), force: bool = False) -> Path:
    """The real file a write to `target` replaces; raise TargetError if it must not be written.

    `inputs` are every file the command reads; `force` allows replacing a read-only file.
    """
    target = Path(target)
    real = Path(os.path.realpath(target))
    identities = {i for i in (file_identity(Path(p)) for p in inputs) if i is not None}
    try:
        st = os.stat(real)
    except FileNotFoundError:
        if not real.parent.is_dir():
            raise TargetError(f"the folder of '{target}' does not exist") from None
        return real
    except OSError as exc:
        raise TargetError(f"cannot use '{target}' as output: {exc.strerror or exc}") from None
    if (st.st_dev, st.st_ino) in identities:
        raise TargetError(f"refusing to write over the input '{target}'; choose another output")
    if stat.S_ISDIR(st.st_mode):
        raise TargetError(f"'{target}' is a folder; give a file name")
    if not stat.S_ISREG(st.st_mode):
        raise TargetError(f"'{target}' is not a regular file (a device, FIFO or socket); refusing to replace it")
    if not st.st_mode & 0o222 and not force:
        raise TargetError(f"'{target}' is read-only; refusing to replace it (use --force to replace it anyway)")
    return real


def check_folders(source: Path, target: Path) -> None:
    """Refuse an output folder inside the input folder, or the reverse (symlinks resolved)."""
    real_source = Path(os.path.realpath(source))
    real_target = Path(os.path.realpath(target))
    if real_target == real_source:
        raise TargetError("the output folder must differ from the input folder")
    if real_target.is_relative_to(real_source):
        raise TargetError(f"the output folder '{target}' lies inside the input folder '{source}'")
    if real_source.is_relative_to(real_target):
        raise TargetError(f"the input folder '{source}' lies inside the output folder '{target}'")
    if real_target.exists() and not real_target.is_dir():
        raise TargetError(f"'{target}' must be a folder when the input is a folder")
