"""Measurements of what is shown: region statistics, line lengths and profiles, angles.

One core for the GUI and `dicom-viewer measure`, so a script reproduces any number the
GUI shows. Values are modality values (HU, Gy, ...) of the frame as it is now (edits
included); regions follow the pixel rule of :mod:`viewer.model.shapes`; lengths and
areas use :mod:`viewer.model.calibration`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.model.calibration import NONE, Calibration, calibration
from viewer.model.errors import ViewerError
from viewer.model.geometry import FrameGeometry
from viewer.model.shapes import Angle, Line, Region, Shape, region_mask

FloatArray = npt.NDArray[np.float64]


@dataclass
class Measurement:
    """One shape's numbers; `as_json` gives the keys of DESIGN.md's `measure --json`."""

    shape: Shape
    frame: int  # 0-based
    units: str
    spacing_source: str
    values: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "shape": self.shape.kind,
            "frame": self.frame + 1,
            "points": [list(p) for p in self.shape.points],
            **self.values,
            "units": self.units,
            "spacing_source": self.spacing_source,
        }

    def label(self) -> str:
        """Short words beside the shape in the GUI."""
        v, units = self.values, f" {self.units}" if self.units else ""
        if isinstance(self.shape, Angle):
            return f"{v['angle_deg']:.1f}°"
        if isinstance(self.shape, Line):
            mm = v["length_mm"]
            return f"{mm:.1f} mm" if mm is not None else f"{v['length_px']:.1f} px"
        area = f", {v['area_mm2']:.1f} mm²" if v["area_mm2"] is not None else f", {v['pixels']} px"
        return f"{v['mean']:.1f} ± {v['std']:.1f}{units}{area}"


def _modality_values(document: Any, frame: int) -> FloatArray:
    if document.pixels.is_color:
        raise ViewerError("measurements work on grayscale values; this image is colour")
    if not 0 <= frame < document.frame_count:
        raise ViewerError(f"frame {frame + 1} is outside 1..{document.frame_count}")
    values: FloatArray = document.modality(frame).apply(document.get_frame(frame))
    return values


def measure(document: Any, frame: int, shape: Shape) -> Measurement:
    """Measure `shape` on frame `frame` (0-based) of `document` as it is now."""
    values = _modality_values(document, frame)
    rows, columns = values.shape
    attributes = document.frame_attributes(frame)
    units = document.modality(frame).units
    shape.check()
    cal = _calibration_now(document, attributes, shape)
    if isinstance(shape, Angle):
        first, second = shape.arms
        scale = (cal.row_mm, cal.column_mm) if cal.row_mm is not None and cal.column_mm is not None else (1.0, 1.0)
        return Measurement(shape, frame, units, cal.source, {"angle_deg": angle_degrees(first, second, *scale)})
    if isinstance(shape, Line):
        dx, dy = shape.x2 - shape.x1, shape.y2 - shape.y1
        numbers: dict[str, Any] = {
            "length_px": math.hypot(dx, dy),
            "length_mm": cal.length_mm(dx, dy),
            "profile": [None if math.isnan(v) else v for v in profile(values, shape).tolist()],
        }
        return Measurement(shape, frame, units, cal.source, numbers)
    return _region(values, shape, frame, units, cal)


def _calibration_now(document: Any, attributes: Any, shape: Shape) -> Calibration:
    """The calibration of the pixels as they are now: the file's spacing carried through
    every geometric edit (a rotation swaps it, binning multiplies it), as a save writes it."""
    operations = [op for op in (document.edits.operations if document.edits is not None else []) if op.geometric]
    if not operations:
        return calibration(attributes, shape.points)
    source = calibration(attributes, [(-1.0, -1.0)])  # no ultrasound region holds this point
    if not source.known:
        return NONE  # ultrasound regions are in the file's coordinates; they do not follow edits
    p = document.source_pixels
    grid = FrameGeometry(p.rows, p.columns, row_spacing=source.row_mm, column_spacing=source.column_mm)
    for op in operations:
        grid = op.geometry(grid)
    return Calibration(grid.row_spacing, grid.column_spacing, f"{source.source}, carried through the edits")


def _inside(values: FloatArray, shape: Region) -> FloatArray:
    """The values of the pixels `shape` holds (the pixel rule of viewer.model.shapes)."""
    mask, (r0, c0) = region_mask(shape, *values.shape)
    inside: FloatArray = values[r0 : r0 + mask.shape[0], c0 : c0 + mask.shape[1]][mask]
    return inside


def region_values(document: Any, frame: int, shape: Region) -> FloatArray:
    """Modality values inside `shape` on frame `frame` as it is now (a region's histogram)."""
    return _inside(_modality_values(document, frame), shape)


def _region(values: FloatArray, shape: Region, frame: int, units: str, cal: Any) -> Measurement:
    inside = _inside(values, shape)
    numbers = {
        "pixels": int(inside.size),
        "mean": float(inside.mean()),
        "std": float(inside.std()),
        "min": float(inside.min()),
        "max": float(inside.max()),
        "area_mm2": cal.area_mm2(int(inside.size)),
    }
    return Measurement(shape, frame, units, cal.source, numbers)


def profile(values: FloatArray, line: Line) -> FloatArray:
    """Values along `line` at 1-pixel steps from its start (the end too when the length is
    whole), by linear interpolation between pixel centres; NaN outside the image."""
    length = math.hypot(line.x2 - line.x1, line.y2 - line.y1)
    steps = np.arange(math.floor(length + 1e-9) + 1, dtype=np.float64)
    x = line.x1 + (line.x2 - line.x1) * steps / length
    y = line.y1 + (line.y2 - line.y1) * steps / length
    rows, columns = values.shape
    out = np.full(len(steps), np.nan)
    ok = (x >= -1e-9) & (x <= columns - 1 + 1e-9) & (y >= -1e-9) & (y <= rows - 1 + 1e-9)
    x, y = np.clip(x[ok], 0, columns - 1), np.clip(y[ok], 0, rows - 1)
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    x1, y1 = np.minimum(x0 + 1, columns - 1), np.minimum(y0 + 1, rows - 1)  # at the last pixel: weight 0
    fx, fy = x - x0, y - y0
    top = values[y0, x0] * (1 - fx) + values[y0, x1] * fx
    bottom = values[y1, x0] * (1 - fx) + values[y1, x1] * fx
    out[ok] = top * (1 - fy) + bottom * fy
    return out


def angle_degrees(first: Line, second: Line, row_mm: float = 1.0, column_mm: float = 1.0) -> float:
    """The angle between two lines (0..180 degrees), in patient proportions when the
    spacing is anisotropic."""
    first.check()
    second.check()
    a = np.array([(first.x2 - first.x1) * column_mm, (first.y2 - first.y1) * row_mm])
    b = np.array([(second.x2 - second.x1) * column_mm, (second.y2 - second.y1) * row_mm])
    cosine = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cosine))))
