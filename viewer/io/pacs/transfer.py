"""What a retrieve or send reports, and how a received instance lands on disk (both protocols)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from viewer.io.atomic import atomic_write


@dataclass
class Transfer:
    """The outcome of a retrieve or send: files done, and (name, reason) of each failure.

    A cancelled transfer raises viewer.model.progress.Cancelled from its progress callback
    instead; the files it finished are complete (each written atomically).
    """

    done: list[Path] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def uid_file_name(uid: str) -> str:
    """A UID as a file or folder name; anything that is not a UID becomes a hash (never a path)."""
    uid = str(uid).strip().rstrip("\0")
    if not re.fullmatch(r"[0-9][0-9.]{0,63}", uid):
        uid = "x" + hashlib.sha256(uid.encode(errors="replace")).hexdigest()[:32]
    return uid


def instance_path(folder: Path, sop_instance_uid: str) -> Path:
    """``FOLDER/<SOP Instance UID>.dcm``."""
    return folder / f"{uid_file_name(sop_instance_uid)}.dcm"


def store_received(folder: Path, sop_instance_uid: str, encoded: bytes) -> Path:
    """Write one received Part 10 file atomically (never a partial file under its name)."""
    target = instance_path(folder, sop_instance_uid)
    with atomic_write(target) as f:
        f.write(encoded)
    return target
