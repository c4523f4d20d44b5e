"""Masks from values: automatic thresholds and connected regions (Qt-free).

Otsu and triangle follow scikit-image's definitions (tests compare with it): integer
values get one histogram bin per integer (as scikit-image does for integer images; here
also float values that are all whole, such as rescaled HU), other values 256 bins.
Integer ranges wider than 2**20 use 256 bins too, where scikit-image would allocate one
counter per integer. Connected regions use scipy.ndimage.label with face
connectivity (4 in 2D, 6 in 3D).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.model.errors import ViewerError

Mask = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
BINS = 256
MAX_INTEGER_BINS = 2**20


def _histogram(values: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """Counts and bin centres, as scikit-image's ``histogram`` makes them."""
    values = np.asarray(values).ravel()
    if values.size == 0:
        raise ViewerError("there are no values to threshold")
    whole = values.dtype.kind in "iu" or bool(np.all(np.mod(values, 1) == 0))
    if whole:
        low, high = int(values.min()), int(values.max())
        if high - low + 1 <= MAX_INTEGER_BINS:  # one bin per integer value
            counts = np.bincount((values - low).astype(np.int64), minlength=high - low + 1)
            return counts, np.arange(low, high + 1, dtype=np.float64)
    counts, edges = np.histogram(values, bins=BINS)
    return counts, (edges[:-1] + edges[1:]) / 2


def otsu(values: npt.NDArray[Any]) -> float:
    """Otsu's threshold: the bin centre that maximises the between-class variance;
    values above it are the foreground."""
    counts, centres = _histogram(values)
    if len(centres) == 1:
        return float(centres[0])
    counts = counts.astype(np.float64)
    weight1 = np.cumsum(counts)
    weight2 = np.cumsum(counts[::-1])[::-1]
    mean1 = np.cumsum(counts * centres) / np.maximum(weight1, 1e-300)
    mean2 = np.cumsum((counts * centres)[::-1])[::-1] / np.maximum(weight2, 1e-300)
    variance = weight1[:-1] * weight2[1:] * (mean1[:-1] - mean2[1:]) ** 2
    return float(centres[:-1][int(np.argmax(variance))])


def triangle(values: npt.NDArray[Any]) -> float:
    """Zack's triangle threshold: the bin farthest below the line from the histogram's peak
    to the end of its longer tail."""
    counts, centres = _histogram(values)
    nonzero = np.flatnonzero(counts)
    first, last = int(nonzero[0]), int(nonzero[-1])
    peak = int(np.argmax(counts))
    if first == last:
        return float(centres[first])
    flip = peak - first < last - peak  # the longer tail is to the right: mirror it to the left
    if flip:
        counts = counts[::-1]
        first, last = len(counts) - last - 1, len(counts) - first - 1
        peak = len(counts) - peak - 1
    if first == peak:
        return float(centres[peak])
    width = peak - first
    height = counts[peak]
    x = np.arange(width) + 1
    y = counts[x + first]
    distance = height * x - width * y  # proportional to the distance to the line
    level = int(np.argmax(distance)) + first + 1
    if flip:
        level = len(counts) - level - 1
    return float(centres[level])


def percentile_range(values: npt.NDArray[Any], low: float, high: float) -> tuple[float, float]:
    """The values at percentiles `low` and `high` (0..100)."""
    if not 0 <= low <= high <= 100:
        raise ViewerError(f"percentiles {low:g}..{high:g} must satisfy 0 <= low <= high <= 100")
    return float(np.percentile(values, low)), float(np.percentile(values, high))


def _label(mask: Mask) -> tuple[npt.NDArray[np.int32], int]:
    from scipy import ndimage

    labels, count = ndimage.label(mask)  # face connectivity in any number of dimensions
    return labels, int(count)


def component_at(mask: Mask, seed: tuple[int, ...]) -> Mask:
    """The connected region of `mask` that holds `seed` (2D or 3D)."""
    if not mask[seed]:
        raise ViewerError("the point is not inside the mask")
    labels, _ = _label(mask)
    return np.asarray(labels == labels[seed])


def remove_islands(mask: Mask, smaller_than: int) -> Mask:
    """`mask` without connected regions of fewer than `smaller_than` pixels."""
    labels, count = _label(mask)
    if count == 0:
        return mask.copy()
    sizes = np.bincount(labels.ravel())
    keep = sizes >= smaller_than
    keep[0] = False
    return np.asarray(keep[labels])


def fill_holes(mask: Mask) -> Mask:
    """`mask` with every region it encloses (not reaching the border) filled, per frame."""
    from scipy import ndimage

    if mask.ndim == 3:
        return np.stack([ndimage.binary_fill_holes(frame) for frame in mask])
    return np.asarray(ndimage.binary_fill_holes(mask))
