"""Window presets a radiologist expects: stored windows, CT presets, min-max, percentile."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from viewer.model.display import Window


@dataclass(frozen=True)
class Preset:
    """A named window (center/width in modality units)."""

    name: str
    window: Window


#: Common CT windows in HU (center, width).
CT_PRESETS: tuple[Preset, ...] = tuple(
    Preset(name, Window(center, width, explanation=name))
    for name, center, width in (
        ("Brain", 40, 80),
        ("Subdural", 75, 215),
        ("Stroke", 32, 8),
        ("Lung", -600, 1500),
        ("Mediastinum", 50, 350),
        ("Abdomen", 40, 400),
        ("Liver", 60, 160),
        ("Bone", 400, 1800),
    )
)


def minmax_preset(values: npt.NDArray[np.float64]) -> Preset:
    """Black at the frame's minimum, white at its maximum."""
    from viewer.model.display import minmax_window

    return Preset("Min-max", minmax_window(values))


def percentile_preset(values: npt.NDArray[np.float64], low: float = 1.0, high: float = 99.0) -> Preset:
    """A window over the central percentiles, robust to a few extreme pixels."""
    if values.size == 0:
        return Preset("Auto", Window(0.5, 1.0))
    lo, hi = (float(v) for v in np.percentile(values, [low, high]))
    return Preset(f"Auto ({low:g}-{high:g}%)", Window.from_bounds(lo, max(hi, lo)))
