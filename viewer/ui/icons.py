"""Icons of every action, tool and dock, loaded from `resources/icons` (SVG), and
tooltips that name each action's shortcut.

One name per action (`open`, `save`, `undo`, ..., and the tool modes). A missing file
gives an empty icon, so the toolbar falls back to its text instead of failing.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from PySide6.QtGui import QAction, QIcon, QKeySequence

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


#: Icon of each action, by its text without '&' and '…' (one table for every menu).
ACTION_ICONS: dict[str, str] = {
    "Open File": "open",
    "Open Folder": "open-folder",
    "Save As": "save",
    "Export Image (pixels as shown)": "export-image",
    "Export View (with annotations)": "export-view",
    "Copy View": "copy",
    "Export Cine": "export-cine",
    "Save Anonymised Copy": "anonymise",
    "Anonymise a Folder": "anonymise-folder",
    "Query / Retrieve": "pacs-query",
    "Send to PACS": "pacs-send",
    "Close": "close",
    "Quit": "quit",
    "Undo": "undo",
    "Redo": "redo",
    "Export Recipe": "recipe",
    "Apply Recipe to Folder": "batch",
    "Preferences": "preferences",
    "Fit to Window": "fit",
    "Actual Size (1:1)": "actual-size",
    "Zoom In": "zoom-in",
    "Zoom Out": "zoom-out",
    "Image's Own Window": "window",
    "Auto Window (1-99 %)": "window-auto",
    "Smooth Pixels": "smooth",
    "Magnifier": "magnifier",
    "Invert Display": "invert",
    "Show Annotations": "annotations",
    "Show Overlays and Segments": "overlays",
    "Patient and Study": "annotations",
    "Frame, Slice and Frame Time": "annotations",
    "Window and Zoom": "window",
    "Orientation Markers": "orientation",
    "Scale Bar": "scale-bar",
    "Play / Pause": "play",
    "Previous Frame": "previous",
    "Next Frame": "next",
    "1 x 1 Layout": "layout-1x1",
    "1 x 2 Layout": "layout-1x2",
    "2 x 1 Layout": "layout-2x1",
    "2 x 2 Layout": "layout-2x2",
    "Synchronise Scrolling": "sync-scroll",
    "Synchronise Window": "sync-window",
    "Synchronise Zoom": "sync-zoom",
    "Reference Lines": "reference-lines",
    "Tags": "tags",
    "Series": "series",
    "Volume Planes (MPR)": "volume-planes",
    "Threshold": "threshold",
    "Segments": "segments",
    "Edit Tools": "edit-tools",
    "Navigate": "navigate",
    "Brush": "brush",
    "Erase": "erase",
    "Flood Fill": "flood-fill",
    "Crop Rectangle": "crop",
    "Flip Horizontal": "flip-horizontal",
    "Flip Vertical": "flip-vertical",
    "Rotate 90° Clockwise": "rotate-cw",
    "Rotate 180°": "rotate-180",
    "Rotate 90° Counter-clockwise": "rotate-ccw",
    "Bin": "bin",
    "Pad Canvas": "pad",
    "Invert Values": "invert-values",
    "Delete Current Frame": "delete-frame",
    "Delete Frames": "delete-frames",
    "Keep Frames": "keep-frames",
    "Measure Line": "measure-line",
    "Measure Angle": "measure-angle",
    "Measure Rectangle": "measure-rect",
    "Measure Ellipse": "measure-ellipse",
    "Measure Freehand": "measure-freehand",
    "Measurements Panel": "measurements",
    "Export Measurements as CSV": "export-csv",
    "Save Measurements as SR": "save-sr",
    "Keyboard and Mouse": "keyboard",
    "About": "about",
}


def plain_text(action: QAction) -> str:
    """An action's text as read: without the mnemonic '&' and the trailing '…'."""
    return action.text().replace("&", "").rstrip("…").strip()


def tooltip_of(action: QAction) -> str:
    """The action's name and, when it has one, its shortcut: "Undo (Ctrl+Z)"."""
    shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    return plain_text(action) + (f"  ({shortcut})" if shortcut else "")


def decorate(actions: Iterable[QAction], default: str | None = None) -> None:
    """Give each action its icon (from ACTION_ICONS, else `default`) and a tooltip that
    shows its shortcut."""
    for action in actions:
        name = ACTION_ICONS.get(plain_text(action), default)
        if name is not None and action.icon().isNull():
            action.setIcon(icon(name))
        action.setToolTip(tooltip_of(action))
