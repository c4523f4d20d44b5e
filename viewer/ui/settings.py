"""The one place that reads and writes QSettings; the rest gets a Settings object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT = 10


class Settings:
    """Typed access to the persisted preferences of the viewer."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._s = qsettings or QSettings("dicom-viewer", "dicom-viewer")

    def recent_files(self) -> list[str]:
        value: Any = self._s.value("recent_files", [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def add_recent_file(self, path: str | Path) -> list[str]:
        path = str(Path(path).resolve())
        recent = [p for p in self.recent_files() if p != path]
        recent.insert(0, path)
        recent = recent[:MAX_RECENT]
        self._s.setValue("recent_files", recent)
        return recent

    def last_folder(self) -> str:
        return str(self._s.value("last_folder", "") or "")

    def set_last_folder(self, folder: str | Path) -> None:
        self._s.setValue("last_folder", str(folder))

    def geometry(self) -> QByteArray | None:
        value = self._s.value("window_geometry")
        return value if isinstance(value, QByteArray) else None

    def set_geometry(self, geometry: QByteArray) -> None:
        self._s.setValue("window_geometry", geometry)

    def window_state(self) -> QByteArray | None:
        value = self._s.value("window_state")
        return value if isinstance(value, QByteArray) else None

    def set_window_state(self, state: QByteArray) -> None:
        self._s.setValue("window_state", state)

    def history_budget_mb(self) -> int:
        try:
            value: Any = self._s.value("history_budget_mb", 1024)
            return int(value)
        except (TypeError, ValueError):
            return 1024

    def set_history_budget_mb(self, megabytes: int) -> None:
        self._s.setValue("history_budget_mb", int(megabytes))
