"""CT-like series of one phantom acquired in any plane, in one Frame of Reference.

Every pixel holds the phantom's value at the pixel's patient position, so an axial, a
coronal and a sagittal series of the same phantom agree where they cross — what
synchronised scrolling and reference lines need to be tested (and looked at).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.uid import generate_uid

from tests.hostile import image_dataset, write

#: Plane name -> (row direction, column direction) as in Image Orientation (Patient).
PLANES = {
    "axial": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    "coronal": ((1.0, 0.0, 0.0), (0.0, 0.0, -1.0)),
    "sagittal": ((0.0, 1.0, 0.0), (0.0, 0.0, -1.0)),
}


def phantom(points: np.ndarray) -> np.ndarray:
    """Stored values (rescale -1024) at patient points [..., 3] in mm: air, an elliptic
    body along z, a bony rod and a bright ball."""
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    hu = np.full(x.shape, -1000.0)
    hu[(x / 120) ** 2 + (y / 90) ** 2 < 1] = 40
    hu[(x**2 + (y - 50) ** 2) < 15**2] = 700
    hu[((x - 40) ** 2 + (y + 20) ** 2 + z**2) < 25**2] = 300
    return (hu + 1024).astype(np.uint16)


def write_stack(
    folder: Path,
    plane: str,
    frame_of_reference: str,
    count: int = 24,
    size: int = 96,
    spacing: float = 2.5,
    slice_mm: float = 5.0,
    description: str | None = None,
) -> list[Path]:
    """`count` single-frame slices of the phantom in `plane`, centred on the origin, as
    files in `folder` (instance numbers running backwards: order must come from positions)."""
    folder.mkdir(parents=True, exist_ok=True)
    row_dir, col_dir = (np.array(v) for v in PLANES[plane])
    normal = np.cross(row_dir, col_dir)
    series = generate_uid()
    half = (size - 1) * spacing / 2
    paths = []
    for k in range(count):
        offset = (k - (count - 1) / 2) * slice_mm
        corner = -half * row_dir - half * col_dir + offset * normal
        r, c = np.mgrid[0:size, 0:size]
        points = corner + (c[..., None] * spacing) * row_dir + (r[..., None] * spacing) * col_dir
        ds = image_dataset(size, size)
        ds.Modality = "CT"
        ds.PixelData = phantom(points).tobytes()
        ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
        ds.WindowCenter, ds.WindowWidth = 40, 400
        ds.FrameOfReferenceUID = frame_of_reference
        ds.SeriesInstanceUID = series
        ds.SeriesDescription = description or plane
        ds.InstanceNumber = count - k
        ds.ImageOrientationPatient = [*map(float, row_dir), *map(float, col_dir)]
        ds.ImagePositionPatient = [float(v) for v in corner]
        ds.PixelSpacing = [spacing, spacing]
        ds.SliceThickness = slice_mm
        paths.append(write(ds, folder / f"{plane}{k:03d}.dcm"))
    return paths
