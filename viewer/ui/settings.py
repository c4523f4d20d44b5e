"""The one place that reads and writes QSettings; the rest gets a Settings object."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

MAX_RECENT = 10
#: The main window's size before any is remembered.
DEFAULT_WINDOW_SIZE = (1100, 800)


class Settings:
    """Typed access to the persisted preferences of the viewer."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._s = qsettings or QSettings("dicom-viewer", "dicom-viewer")

    def recent_files(self) -> list[str]:
        return self._list("recent_files")

    def add_recent_file(self, path: str | Path) -> list[str]:
        return self._push("recent_files", str(Path(path).resolve()))

    def _list(self, key: str) -> list[str]:
        value: Any = self._s.value(key, [])
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in (value or [])]

    def _push(self, key: str, value: str) -> list[str]:
        """`value` first in the list under `key`, once, at most MAX_RECENT entries."""
        values = [value, *(v for v in self._list(key) if v != value)][:MAX_RECENT]
        self._s.setValue(key, values)
        return values

    def pacs_nodes(self) -> list[str]:
        """PACS nodes used before (AET@HOST:PORT or a DICOMweb URL), the last used first."""
        return self._list("pacs_nodes")

    def add_pacs_node(self, node: str) -> list[str]:
        return self._push("pacs_nodes", node)

    def calling_aet(self) -> str:
        from viewer.io.pacs.node import DEFAULT_CALLING_AET  # the PACS package: not at start-up

        return str(self._s.value("pacs_calling_aet", DEFAULT_CALLING_AET) or DEFAULT_CALLING_AET)

    def set_calling_aet(self, aet: str) -> None:
        self._s.setValue("pacs_calling_aet", aet)

    def retrieve_folder(self) -> Path:
        """Where retrieved studies go: one folder per Study Instance UID below it."""
        default = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)) / "retrieved"
        return Path(str(self._s.value("pacs_retrieve_folder", str(default)) or default))

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

    def set_retrieve_folder(self, folder: str | Path) -> None:
        self._s.setValue("pacs_retrieve_folder", str(folder))

    def _flag(self, key: str, default: bool) -> bool:
        value: Any = self._s.value(key, default)
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")

    def wheel_zooms(self) -> bool:
        """The mouse wheel zooms and Ctrl+wheel scrolls frames (default: the other way round)."""
        return self._flag("wheel_zooms", False)

    def set_wheel_zooms(self, zooms: bool) -> None:
        self._s.setValue("wheel_zooms", bool(zooms))

    def smooth_pixels(self) -> bool:
        """Interpolate pixels when an image is scaled (default off: sharp squares, as read)."""
        return self._flag("smooth_pixels", False)

    def set_smooth_pixels(self, smooth: bool) -> None:
        self._s.setValue("smooth_pixels", bool(smooth))

    def hidden_annotation_groups(self) -> set[str]:
        """Annotation groups hidden by View > Annotations (default: none)."""
        value: Any = self._s.value("hidden_annotation_groups", "")
        return {g for g in str(value or "").split(",") if g}

    def set_hidden_annotation_groups(self, groups: set[str]) -> None:
        self._s.setValue("hidden_annotation_groups", ",".join(sorted(groups)))
