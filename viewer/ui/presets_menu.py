"""View > Window Presets: the file's windows and VOI LUTs, CT presets, min-max and auto.

Built each time the menu opens, for the current document's current frame.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from PySide6.QtWidgets import QMenu

from viewer.model.display import Window, get_voi_luts, get_windows
from viewer.model.presets import CT_PRESETS, minmax_preset, percentile_preset
from viewer.ui.document_view import DocumentView


def fill_presets_menu(menu: QMenu, view: DocumentView | None) -> None:
    """Replace `menu`'s entries with the presets for `view` (disabled without a grayscale view)."""
    menu.clear()
    for submenu in menu.findChildren(QMenu):
        submenu.deleteLater()
    if view is None or view.is_color:
        menu.setEnabled(False)
        return
    menu.setEnabled(True)
    attributes = view.document.frame_attributes(view.frame)
    for i, window in enumerate(get_windows(attributes)):
        label = window.explanation or f"Stored window {i + 1}"
        _add_window_action(menu, view, f"{label}  ({window.center:g}/{window.width:g})", window)
    for i, lut in enumerate(get_voi_luts(attributes)):
        action = menu.addAction(f"VOI LUT: {lut.explanation or i + 1}")
        action.triggered.connect(lambda _c=False, chosen=lut: view.use_voi_lut(chosen))
    menu.addSeparator()
    ct = menu.addMenu("CT")
    for preset in CT_PRESETS:
        _add_window_action(
            ct, view, f"{preset.name}  ({preset.window.center:g}/{preset.window.width:g})", preset.window
        )
    menu.addSeparator()
    menu.addAction("Min-max").triggered.connect(
        lambda: apply_computed(view, lambda values: minmax_preset(values).window)
    )
    menu.addAction("Auto (1-99 percentile)").triggered.connect(
        lambda: apply_computed(view, lambda values: percentile_preset(values).window)
    )


def _add_window_action(menu: QMenu, view: DocumentView, text: str, window: Window) -> None:
    menu.addAction(text).triggered.connect(lambda _c=False, w=window: view.set_window(w))


def apply_computed(view: DocumentView, make: Callable[[npt.NDArray[np.float64]], Window]) -> None:
    """Set the window `make` computes from the current frame's modality values (once decoded)."""
    values = view.modality_values()
    if values is not None:
        view.set_window(make(values))
