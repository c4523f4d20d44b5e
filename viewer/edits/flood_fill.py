"""Flood fill: the 4-connected region around a seed whose values are within a tolerance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from viewer.edits.operation import EditContext, Operation, Pixels, field_error, refuse_color
from viewer.edits.values import fit_value, to_stored
from viewer.model.errors import ViewerError


def connected_region(frame: npt.NDArray[Any], seed: tuple[int, int], tolerance: float) -> npt.NDArray[np.bool_]:
    """Pixels 4-connected to `seed` with |value - seed value| <= tolerance (stored units).

    Grows by whole-array dilation restricted to the candidate mask, so the cost is
    numpy passes rather than Python per pixel.
    """
    rows, columns = frame.shape[:2]
    r, c = seed
    if not (0 <= r < rows and 0 <= c < columns):
        raise ViewerError(f"seed ({r}, {c}) is outside the {columns} x {rows} image")
    values = frame.astype(np.float64)
    candidate = np.abs(values - values[r, c]) <= tolerance
    region = np.zeros_like(candidate)
    region[r, c] = True
    while True:
        grown = region.copy()
        grown[1:] |= region[:-1]
        grown[:-1] |= region[1:]
        grown[:, 1:] |= region[:, :-1]
        grown[:, :-1] |= region[:, 1:]
        grown &= candidate
        if np.array_equal(grown, region):
            return region
        region = grown


def flood_fill(frame: npt.NDArray[Any], seed: tuple[int, int], tolerance: float, value: int) -> npt.NDArray[Any]:
    """Return a copy of `frame` with the connected region around `seed` set to `value`."""
    out = frame.copy()
    out[connected_region(frame, seed, tolerance)] = value
    return out


@dataclass(frozen=True)
class FloodFill(Operation):
    name: ClassVar[str] = "flood-fill"
    frame_wise: ClassVar[bool] = True
    frame: int
    row: int
    column: int
    tolerance: float
    value: float

    def check(self) -> None:
        super().check()
        if self.tolerance < 0:
            raise field_error(self, "tolerance", f"{self.tolerance:g} must be >= 0")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        refuse_color(ctx, "flood fill")
        (i,) = self.target_frames(len(pixels))
        modality = ctx.modality_for(i)
        new = to_stored(self.value, modality)
        tolerance = self.tolerance / abs(modality.slope) if modality.lut is None else self.tolerance
        out = fit_value(pixels, new)
        if out is pixels:
            out = pixels.copy()
        out[i] = flood_fill(out[i], (self.row, self.column), tolerance, new)
        return out
