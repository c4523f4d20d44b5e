"""Crash recovery: the edit recipe of every edited document, autosaved after each edit.

After a crash the viewer finds the recipes left behind and offers to replay them on
their source files. A recipe is removed when its document is saved or closed cleanly.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from viewer.edits.operations import Operation, operation_from_json
from viewer.io.atomic import atomic_write
from viewer.model.errors import ViewerError


@dataclass(frozen=True)
class PendingRecovery:
    """Edits of `source` that were never saved."""

    source: Path
    operations: list[Operation]
    recipe_path: Path


class RecoveryStore:
    """A folder of autosaved recipes, one per edited source file."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path_for(self, source: Path) -> Path:
        key = hashlib.sha1(str(Path(source).resolve()).encode()).hexdigest()[:16]
        return self.folder / f"{key}.json"

    def save(self, source: Path, operations: list[Operation]) -> None:
        """Write (or, with no operations, remove) the recipe for `source`."""
        if not operations:
            self.discard(source)
            return
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)  # source paths often hold patient names: private
        data = {"source": str(Path(source).resolve()), "operations": [op.to_json() for op in operations]}
        with atomic_write(self._path_for(source), mode=0o600) as f:
            f.write(json.dumps(data).encode())

    def discard(self, source: Path) -> None:
        self._path_for(source).unlink(missing_ok=True)

    def pending(self) -> list[PendingRecovery]:
        """Recipes left by a previous run (unreadable ones are skipped)."""
        found = []
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            try:
                data = json.loads(path.read_text())
                operations = [operation_from_json(step) for step in data["operations"]]
                found.append(PendingRecovery(Path(data["source"]), operations, path))
            except (OSError, ValueError, KeyError, TypeError, ViewerError):
                continue
        return found
