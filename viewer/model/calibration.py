"""How big a pixel is, and on what authority: the calibration measurements use.

In order: Pixel Spacing (per-frame functional groups first); else Imager Pixel Spacing,
divided by Estimated Radiographic Magnification Factor when present (and said so); else
an ultrasound region (Sequence of Ultrasound Regions) in cm that holds the whole shape;
else none, and lengths stay in pixels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset


@dataclass(frozen=True)
class Calibration:
    row_mm: float | None  # between rows (y)
    column_mm: float | None  # between columns (x)
    source: str  # where the spacing comes from, in words

    @property
    def known(self) -> bool:
        return self.row_mm is not None and self.column_mm is not None

    def length_mm(self, dx: float, dy: float) -> float | None:
        if self.row_mm is None or self.column_mm is None:
            return None
        return math.hypot(dx * self.column_mm, dy * self.row_mm)

    def area_mm2(self, pixels: int) -> float | None:
        if self.row_mm is None or self.column_mm is None:
            return None
        return pixels * self.row_mm * self.column_mm


NONE = Calibration(None, None, "none: no pixel spacing; lengths in pixels")


def _pair(value: Any) -> tuple[float, float] | None:
    try:
        row, column = float(value[0]), float(value[1])
    except (TypeError, ValueError, IndexError):
        return None
    if row > 0 and column > 0 and math.isfinite(row) and math.isfinite(column):
        return row, column
    return None


def _ultrasound(ds: Dataset, points: list[tuple[float, float]]) -> Calibration | None:
    """The ultrasound region holding every point, when its physical units are cm (3)."""
    for region in ds.get("SequenceOfUltrasoundRegions", []) or []:
        try:
            x0, x1 = int(region.RegionLocationMinX0), int(region.RegionLocationMaxX1)
            y0, y1 = int(region.RegionLocationMinY0), int(region.RegionLocationMaxY1)
            units = (int(region.PhysicalUnitsXDirection), int(region.PhysicalUnitsYDirection))
            delta_x, delta_y = abs(float(region.PhysicalDeltaX)), abs(float(region.PhysicalDeltaY))
        except (AttributeError, TypeError, ValueError):
            continue
        if all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in points) and units == (3, 3) and delta_x and delta_y:
            return Calibration(delta_y * 10, delta_x * 10, "SequenceOfUltrasoundRegions (the region holding the shape)")
    return None


def calibration(frame_attributes: Dataset, points: list[tuple[float, float]]) -> Calibration:
    """The calibration for a shape with `points` on a frame with these attributes."""
    spacing = _pair(frame_attributes.get("PixelSpacing"))
    if spacing is not None:
        return Calibration(spacing[0], spacing[1], "PixelSpacing")
    imager = _pair(frame_attributes.get("ImagerPixelSpacing"))
    if imager is not None:
        try:
            factor = float(frame_attributes.get("EstimatedRadiographicMagnificationFactor") or 0)
        except (TypeError, ValueError):
            factor = 0
        if factor > 0 and math.isfinite(factor):
            return Calibration(
                imager[0] / factor,
                imager[1] / factor,
                f"ImagerPixelSpacing corrected by EstimatedRadiographicMagnificationFactor {factor:g}",
            )
        return Calibration(imager[0], imager[1], "ImagerPixelSpacing (at the detector, not corrected)")
    return _ultrasound(frame_attributes, points) or NONE
