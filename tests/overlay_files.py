"""Images with overlay planes (60xx), generated with pydicom for the overlay tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels import pack_bits

from tests.hostile import image_dataset, write


def overlay_planes(frames: int, rows: int, columns: int) -> np.ndarray:
    """Distinct, asymmetric shapes per frame, so misplacement, flips and frame mix-ups show."""
    planes = np.zeros((frames, rows, columns), dtype=bool)
    for i in range(frames):
        planes[i, 2 + i : 6 + i, 3 : 10 + 3 * i] = True
        planes[i, :, -1] = True
        planes[i, rows - 2, : 4 + i] = True
    return planes


def add_overlay(
    ds: Dataset,
    planes: np.ndarray,
    group: int = 0x6000,
    origin: tuple[int, int] = (1, 1),
    kind: str = "G",
    frame_origin: int | None = None,
) -> Dataset:
    """Add `planes` (frames, rows, columns) as overlay `group`; frame_origin makes it multi-frame."""
    frames, rows, columns = planes.shape
    ds.add_new(group << 16 | 0x0010, "US", rows)
    ds.add_new(group << 16 | 0x0011, "US", columns)
    ds.add_new(group << 16 | 0x0040, "CS", kind)
    ds.add_new(group << 16 | 0x0050, "SS", list(origin))
    ds.add_new(group << 16 | 0x0100, "US", 1)
    ds.add_new(group << 16 | 0x0102, "US", 0)
    if frame_origin is not None:
        ds.add_new(group << 16 | 0x0015, "IS", str(frames))
        ds.add_new(group << 16 | 0x0051, "US", frame_origin)
    ds.add_new(group << 16 | 0x3000, "OW", pack_bits(planes.ravel(), pad=True))
    return ds


def overlay_image(path: Path, frames: int = 1, photometric: str = "MONOCHROME2", **overlay: object) -> Path:
    """A 24 x 32 image (window 600/1200) with one overlay; `overlay` as for :func:`add_overlay`
    plus `shape` (overlay rows, columns) and `overlay_frames`."""
    ds = image_dataset(24, 32, frames)
    ds.PhotometricInterpretation = photometric
    ds.WindowCenter, ds.WindowWidth = 2048, 4096
    rows, columns = overlay.pop("shape", (20, 30))  # type: ignore[misc]
    planes = overlay_planes(int(overlay.pop("overlay_frames", 1)), rows, columns)  # type: ignore[call-overload]
    add_overlay(ds, planes, **overlay)  # type: ignore[arg-type]
    return write(ds, path)


def on_grid(ds: Dataset, group: int = 0x6000) -> np.ndarray:
    """pydicom's overlay_array of `group` placed on the image grid: (overlay frames, rows, columns)."""
    arr = ds.overlay_array(group)
    arr = arr.reshape(-1, *arr.shape[-2:]).astype(bool)
    top, left = (int(v) - 1 for v in ds[group << 16 | 0x0050].value)
    grid = np.zeros((len(arr), ds.Rows + 2 * arr.shape[1], ds.Columns + 2 * arr.shape[2]), dtype=bool)
    r0, c0 = top + arr.shape[1], left + arr.shape[2]  # a margin as large as the overlay on every side
    grid[:, r0 : r0 + arr.shape[1], c0 : c0 + arr.shape[2]] = arr
    return grid[:, arr.shape[1] : arr.shape[1] + ds.Rows, arr.shape[2] : arr.shape[2] + ds.Columns]
