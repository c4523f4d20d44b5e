"""Windows, VOI LUTs and the Modality LUT after an edit: kept while they still show the
data, replaced (and said so) when they no longer do; a 0/1 mask gets an identity rescale."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from viewer.edits.session import edit_state
from viewer.io.commit_geometry import macro_item
from viewer.io.tag_changes import TagRecorder
from viewer.model.display import Window, get_voi_luts, get_windows
from viewer.model.document import Document
from viewer.model.geometry import format_ds


def _fits(window: Window, low: float, high: float) -> bool:
    """A window still fits when it overlaps the data's modality range."""
    return window.low <= high and window.high >= low


def _fitted_window(low: float, high: float) -> Window:
    """0.5/1 for a 0/1 mask; otherwise black at the minimum and white at the maximum."""
    return Window((low + high) / 2, max(high - low, 1.0), explanation="FITTED TO EDITED DATA")


def update_windows(
    rec: TagRecorder, ds: Dataset, low: float, high: float, replace_all: bool, where: str, warnings: list[str]
) -> None:
    """Keep windows and VOI LUTs that still show the data, replace the rest (and say so)."""
    windows = get_windows(ds)
    luts = get_voi_luts(ds)
    keep = [] if replace_all else [w for w in windows if _fits(w, low, high)]
    lut_ok = not replace_all and any(
        lut.first_mapped <= high and lut.first_mapped + len(lut.data) - 1 >= low for lut in luts
    )
    if luts and not lut_ok:
        rec.delete(ds, "VOILUTSequence", where)
        warn_once(warnings, "the VOI LUT no longer fits the edited values; it is replaced by a window")
    if len(keep) == len(windows) and windows and not replace_all:
        return
    if not windows and (lut_ok or "VOILUTSequence" in ds):
        return
    if not windows and not luts and not replace_all:
        return
    dropped = [w for w in windows if w not in keep]
    if dropped:
        shown = ", ".join(f"{w.center:g}/{w.width:g}" for w in dropped)
        warn_once(warnings, f"window(s) {shown} no longer fit the edited values {low:g}..{high:g}")
    if not keep:
        keep = [_fitted_window(low, high)]
    rec.set(
        ds, "WindowCenter", [format_ds(w.center) for w in keep] if len(keep) > 1 else format_ds(keep[0].center), where
    )
    rec.set(ds, "WindowWidth", [format_ds(w.width) for w in keep] if len(keep) > 1 else format_ds(keep[0].width), where)
    if "WindowCenterWidthExplanation" in ds or any(w.explanation for w in keep):
        texts = [w.explanation or "WINDOW" for w in keep]
        rec.set(ds, "WindowCenterWidthExplanation", texts if len(texts) > 1 else texts[0], where)


def warn_uncovered(ds: Dataset, before: tuple[float, float], after: tuple[float, float], warnings: list[str]) -> None:
    """Warn about each kept window that showed all the values before the edit and no longer does."""
    for window in get_windows(ds):
        covered_before = window.low <= before[0] and window.high >= before[1]
        if covered_before and not (window.low <= after[0] and window.high >= after[1]):
            warn_once(
                warnings,
                f"window {window.center:g}/{window.width:g} is kept but no longer covers the edited values "
                f"{after[0]:g}..{after[1]:g}: values beyond it show as black or white",
            )


def warn_once(warnings: list[str], text: str) -> None:
    if text not in warnings:
        warnings.append(text)


def modality_range(document: Document, mins: npt.NDArray[Any], maxs: npt.NDArray[Any]) -> tuple[float, float]:
    """Lowest and highest modality value over all frames, from per-frame stored extremes."""
    work = edit_state(document)
    per_frame = "PerFrameFunctionalGroupsSequence" in document.dataset and not work.modality_reset
    indices = range(len(mins)) if per_frame else [0]  # classic objects: one rescale for all
    lows, highs = [], []
    for i in indices:
        values = document.modality(i).apply(
            np.array([mins[i], maxs[i]]) if per_frame else np.array([mins.min(), maxs.max()])
        )
        lows.append(float(values.min()))
        highs.append(float(values.max()))
    return min(lows), max(highs)


def reset_rescale(rec: TagRecorder, ds: Dataset) -> None:
    for target, where in _rescale_places(ds):
        if "RescaleSlope" in target or "RescaleIntercept" in target:
            rec.set(target, "RescaleIntercept", "0", where)
            rec.set(target, "RescaleSlope", "1", where)
        rec.delete(target, "ModalityLUTSequence", where)
    if "DoseGridScaling" in ds:
        rec.set(ds, "DoseGridScaling", "1")


def _rescale_places(ds: Dataset) -> list[tuple[Dataset, str]]:
    places = [(ds, "")]
    for seq_keyword in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        for i, groups in enumerate(ds.get(seq_keyword, []) or []):
            item = macro_item(groups, "PixelValueTransformationSequence")
            if item is not None:
                places.append((item, f"{seq_keyword}[{i + 1}] > PixelValueTransformation > "))
    return places


def update_group_windows(
    rec: TagRecorder, ds: Dataset, low: float, high: float, replace_all: bool, warnings: list[str]
) -> None:
    for seq_keyword in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        for i, groups in enumerate(ds.get(seq_keyword, []) or []):
            item = macro_item(groups, "FrameVOILUTSequence")
            if item is not None:
                update_windows(rec, item, low, high, replace_all, f"{seq_keyword}[{i + 1}] > FrameVOILUT > ", warnings)
