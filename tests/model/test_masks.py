"""Automatic thresholds equal scikit-image's; connected regions equal its labelling."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import measure as skmeasure
from skimage.filters import threshold_otsu, threshold_triangle

from viewer.model.errors import ViewerError
from viewer.model.masks import component_at, fill_holes, otsu, percentile_range, remove_islands, triangle

rng = np.random.default_rng(7)
VALUES = {
    "8-bit bimodal": np.concatenate([rng.normal(60, 10, 5000), rng.normal(180, 15, 3000)])
    .clip(0, 255)
    .astype(np.uint8),
    "CT HU (int16, wide)": np.concatenate(
        [rng.normal(-800, 50, 5000), rng.normal(40, 30, 8000), rng.normal(900, 100, 1000)]
    ).astype(np.int16),
    "dose in Gy (float)": np.concatenate([rng.normal(0.2, 0.05, 5000), rng.normal(1.5, 0.2, 2000)]),
    "long right tail": np.concatenate([rng.normal(30, 5, 8000), rng.uniform(30, 250, 800)])
    .clip(0, 255)
    .astype(np.uint8),
    "long left tail": np.concatenate([rng.normal(220, 5, 8000), rng.uniform(0, 220, 800)])
    .clip(0, 255)
    .astype(np.uint8),
}


@pytest.mark.parametrize("name", VALUES)
def test_otsu_and_triangle_equal_scikit_image(name: str) -> None:
    values = VALUES[name]
    assert otsu(values) == pytest.approx(threshold_otsu(values))
    assert triangle(values) == pytest.approx(threshold_triangle(values))
    if values.dtype.kind in "iu":  # the same values as modality floats (rescaled HU are whole numbers)
        assert otsu(values.astype(float)) == pytest.approx(threshold_otsu(values))


def test_percentile_range() -> None:
    values = np.arange(101, dtype=float)
    assert percentile_range(values, 5, 95) == (5.0, 95.0)
    with pytest.raises(ViewerError):
        percentile_range(values, 90, 10)


def _blobs(shape: tuple[int, ...]) -> np.ndarray:
    return np.random.default_rng(3).random(shape) > 0.6


@pytest.mark.parametrize("shape", [(40, 50), (6, 30, 30)], ids=["2D", "3D"])
def test_component_under_a_point_equals_skimage_label(shape: tuple[int, ...]) -> None:
    mask = _blobs(shape)
    labels = skmeasure.label(mask, connectivity=1)
    seeds = np.argwhere(mask)[:: max(1, int(mask.sum()) // 25)]
    for seed in map(tuple, seeds):
        np.testing.assert_array_equal(component_at(mask, seed), labels == labels[seed])


def test_islands_and_holes() -> None:
    mask = _blobs((40, 50))
    labels = skmeasure.label(mask, connectivity=1)
    sizes = np.bincount(labels.ravel())
    expected = np.isin(labels, np.flatnonzero(sizes >= 5)) & mask
    np.testing.assert_array_equal(remove_islands(mask, 5), expected)
    ring = np.zeros((1, 9, 9), dtype=bool)
    ring[0, 2:7, 2:7] = True
    ring[0, 3:6, 3:6] = False
    filled = fill_holes(ring)
    assert filled[0, 2:7, 2:7].all() and filled.sum() == 25
    with pytest.raises(ViewerError, match="not inside the mask"):
        component_at(mask, tuple(np.argwhere(~mask)[0]))
