"""Threshold edits: fill inside / outside a modality-value range, or binarize to a mask."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from viewer.edits.operation import EditContext, Operation, Pixels, holding, refuse_color
from viewer.edits.values import fit_value, stored_range, to_stored
from viewer.model.display import ModalityTransform
from viewer.model.errors import ViewerError


def threshold_mask(
    stored: npt.NDArray[Any], lo: float, hi: float, modality: ModalityTransform
) -> npt.NDArray[np.bool_]:
    """True where the modality value of `stored` lies in [lo, hi] (an empty mask if lo > hi)."""
    if lo > hi:
        return np.zeros(stored.shape, dtype=bool)
    if modality.lut is not None:
        values = modality.apply(stored)
        return (values >= lo) & (values <= hi)
    s_lo, s_hi = stored_range(lo, hi, modality)
    # Compare in stored space with bounds of the array's own type: exact for integer data,
    # no float copy of the frame (a float bound would compare every pixel as float64).
    if stored.dtype.kind in "iu":
        info = np.iinfo(stored.dtype)
        if math.isnan(s_lo) or math.isnan(s_hi) or s_lo > info.max or s_hi < info.min:
            return np.zeros(stored.shape, dtype=bool)
        low = int(info.min) if s_lo <= info.min else math.ceil(s_lo - 1e-9)
        high = int(info.max) if s_hi >= info.max else math.floor(s_hi + 1e-9)
        if low > high:
            return np.zeros(stored.shape, dtype=bool)
        return (stored >= stored.dtype.type(low)) & (stored <= stored.dtype.type(high))
    return (stored >= s_lo) & (stored <= s_hi)


def fill(
    stored: npt.NDArray[Any],
    lo: float,
    hi: float,
    value: float,
    modality: ModalityTransform,
    inside: bool,
) -> npt.NDArray[Any]:
    """Return a copy where pixels inside (or outside) [lo, hi] become modality `value`."""
    in_range = threshold_mask(stored, lo, hi, modality)
    new = to_stored(value, modality)
    out = fit_value(stored, new)
    if out.dtype.kind in "iu":
        # kept pixels x 1 + filled pixels x 0 (+ the value): multiplying by a mask is
        # vectorised, a masked copy is not (0.12 vs 1.6 ms a 512 x 512 frame here)
        keep = ~in_range if inside else in_range
        result = np.multiply(out, keep, dtype=out.dtype)
        if new:
            result += np.multiply(~keep, out.dtype.type(new), dtype=out.dtype)
        return result
    if out is stored:
        out = stored.copy()
    np.copyto(out, out.dtype.type(new), where=in_range if inside else ~in_range)
    return out


def binarize(stored: npt.NDArray[Any], lo: float, hi: float, modality: ModalityTransform) -> npt.NDArray[np.uint8]:
    """A 0/1 mask: 1 where the modality value is in [lo, hi], 0 elsewhere."""
    return threshold_mask(stored, lo, hi, modality).astype(np.uint8)


@dataclass(frozen=True)
class _RangeFill(Operation):
    lo: float
    hi: float
    value: float
    frame: int | None = None
    inside: ClassVar[bool] = True
    frame_wise: ClassVar[bool] = True

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        refuse_color(ctx, "threshold fill")
        targets = self.target_frames(len(pixels))
        if len(pixels) == 1 and targets:  # one frame (streamed edits, single-frame images): no copy to hold it
            return fill(pixels[0], self.lo, self.hi, self.value, ctx.modality_for(0), self.inside)[np.newaxis]
        out = pixels
        for i in targets:
            modality = ctx.modality_for(i)
            filled = fill(pixels[i], self.lo, self.hi, self.value, modality, self.inside)
            out = holding(out, filled, pixels)
            out[i] = filled
        return out


@dataclass(frozen=True)
class FillInside(_RangeFill):
    name: ClassVar[str] = "fill-inside"
    inside: ClassVar[bool] = True


@dataclass(frozen=True)
class FillOutside(_RangeFill):
    name: ClassVar[str] = "fill-outside"
    inside: ClassVar[bool] = False


@dataclass(frozen=True)
class Binarize(Operation):
    """1 inside [lo, hi], 0 outside. Over every frame the image becomes a plain 0/1 mask;
    on one frame the mask is written as the stored values whose modality values are 0 and 1,
    so the other frames keep their meaning."""

    name: ClassVar[str] = "binarize"
    frame_wise: ClassVar[bool] = True
    lo: float
    hi: float
    frame: int | None = None

    def resets_modality(self, frame_count: int) -> bool:
        return len(self.target_frames(frame_count)) == frame_count

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        refuse_color(ctx, "binarize")
        targets = self.target_frames(len(pixels))
        if self.resets_modality(ctx.frame_count or len(pixels)):  # the whole image: a plain 0/1 mask
            return np.stack([binarize(pixels[i], self.lo, self.hi, ctx.modality_for(i)) for i in targets])
        out = pixels.copy()
        for i in targets:
            modality = ctx.modality_for(i)
            zero, one = to_stored(0, modality), to_stored(1, modality)
            if zero == one:
                raise ViewerError("the rescale cannot tell 0 from 1; binarize every frame instead")
            mask = threshold_mask(pixels[i], self.lo, self.hi, modality)
            out = fit_value(fit_value(out, zero), one)
            out[i] = np.where(mask, one, zero)
        return out


def modality_extremes(document: Any, frames: list[int]) -> tuple[float, float]:
    """Lowest and highest modality value over `frames` (0-based) of a document as it is now:
    the range a threshold that will touch those frames must start from."""
    lows, highs = [], []
    for i in frames:
        stored = document.get_frame(i)
        modality = document.modality(i)
        if modality.lut is None:  # a rescale is monotonic: its extremes are at the stored extremes
            values = modality.apply(np.array([stored.min(), stored.max()]))
        else:
            values = modality.apply(stored)
        lows.append(float(values.min()))
        highs.append(float(values.max()))
    return min(lows), max(highs)


def count_inside(document: Any, frames: list[int], lo: float, hi: float) -> tuple[int, int]:
    """(pixels inside [lo, hi], all pixels) over `frames` of a document as it is now."""
    inside = total = 0
    for i in frames:
        stored = document.get_frame(i)
        inside += int(threshold_mask(stored, lo, hi, document.modality(i)).sum())
        total += stored.size
    return inside, total
