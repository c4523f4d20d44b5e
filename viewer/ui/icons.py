"""Icons for the toolbar and the tools, loaded from `resources/icons` (SVG).

One name per action (`open`, `save`, `undo`, ..., and the tool modes). A missing file
gives an empty icon, so the toolbar falls back to its text instead of failing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

#: The repository's resources folder (installed with the package in editable mode).
ICON_FOLDER = Path(__file__).resolve().parents[2] / "resources" / "icons"


@cache
def icon(name: str) -> QIcon:
    """The icon `name` (e.g. "undo", "brush"), or an empty icon if there is no such file."""
    path = ICON_FOLDER / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


def icon_names() -> list[str]:
    """Every icon the resources hold."""
    return sorted(p.stem for p in ICON_FOLDER.glob("*.svg"))
