"""View > Volume Planes (Ctrl+Shift+M): the current series in an MPR window, and what ties
the two together — window/level, the threshold preview, edits (the volume is rebuilt),
the frame shown (the original follows the crosshair and leads it), Crop to Box."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtGui import QAction

from viewer.edits.session import working
from viewer.edits.volume_crop import Box, box_crop
from viewer.model.errors import ViewerError
from viewer.model.volume import Volume, arranged, build_volume
from viewer.ui.dialogs import show_error
from viewer.ui.mpr_window import MprWindow


def open_mpr(main: Any) -> MprWindow | None:
    """The current document's volume in an MPR window (None, said in a dialog, when the
    document is not a volume)."""
    panel = main.current_panel()
    if panel is None:
        return None
    try:
        volume = build_volume(panel.document)
    except ViewerError as exc:
        show_error(main, "Volume planes", str(exc))
        return None
    mpr = MprWindow(volume, panel.view.window, panel.title, original=panel.view)
    dock = main.threshold_dock  # its range previews in the planes too
    if dock.isVisible() and dock.panel is panel:
        mpr.set_threshold(dock.range())
    view = panel.view

    def rebuild() -> None:  # an edit changed the series: never show the old voxels
        try:
            mpr.set_volume(build_volume(panel.document))
        except ViewerError as exc:
            mpr.set_volume(None, str(exc))
            return
        mpr.set_masks(segment_masks(panel.document, mpr.volume))

    def show_original(point: list[int]) -> None:  # the acquired slice, in the main window
        frame = None if mpr.stale else mpr.volume.frame_at(point)
        if frame is not None and frame != view.frame:
            view.set_frame(frame)

    links = [
        (dock.range_shown, mpr.set_threshold),
        (view.window_changed, mpr.set_window),  # window/level shared with the document
        (view.edits_changed, rebuild),
        (view.frame_changed, mpr.show_frame),
    ]
    for signal, slot in links:
        signal.connect(slot)
    mpr.point_moved.connect(show_original)

    def crop(box: Box) -> None:  # the document is edited; the volume follows (rebuild)
        try:
            for operation in box_crop(mpr.volume, box):
                panel.apply(operation)
        except ViewerError as exc:
            show_error(mpr, "Crop to box", str(exc))

    mpr.crop_requested.connect(crop)
    mpr.set_masks(segment_masks(panel.document, volume))
    main.mpr_windows = [*getattr(main, "mpr_windows", []), mpr]  # kept alive while open

    def closed() -> None:  # the volume (hundreds of MB) goes with the window
        for signal, slot in links:
            _disconnect(signal, slot)
        main.mpr_windows = [w for w in main.mpr_windows if w is not mpr]

    mpr.closed.connect(closed)
    mpr.resize(1000, 900)
    mpr.show()
    return mpr


def segment_masks(document: Any, volume: Volume) -> list[tuple[tuple[int, int, int], Volume]]:
    """The segments drawn on `document` (Tools > Segments) as voxels of `volume`: one byte a
    voxel while the planes are open (the document keeps them packed, a bit a pixel)."""
    work = working(document)
    if work is None or not len(work.segments):
        return []
    return [
        (segment.colour, Volume(arranged(volume, segment.volume()).astype(np.uint8), volume.spacing))
        for segment in work.segments.segments
        if segment.frames
    ]


def _disconnect(signal: Any, slot: Any) -> None:
    try:
        signal.disconnect(slot)
    except (RuntimeError, TypeError):  # already gone with its window
        pass


def mpr_action(main: Any) -> QAction:
    action = QAction("&Volume Planes (MPR)", main)
    action.setShortcut("Ctrl+Shift+M")
    action.triggered.connect(lambda: open_mpr(main))
    return action
