"""Oblique planes of a volume: the coronal and sagittal planes turned about the axial
normal (or any plane pair turned about the third one's normal), sampled linearly.

Used when the crosshair of one plane is rotated in the volume planes window: the other
two planes turn with its lines. Work is in patient millimetres relative to the volume's
first voxel (viewer.model.volume indexes voxels [x, y, z] in increasing patient
coordinate); pixels are square, of the volume's smallest spacing; points outside the
volume are NaN (drawn black, never thresholded).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.model.volume import PLANE_AXES, PLANES, Volume

Vector = npt.NDArray[np.float64]
#: Each plane's (row direction, column direction) in patient axes before any turn, as
#: viewer.model.volume draws them (rows head->feet on coronal and sagittal).
BASES: dict[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "axial": ((0.0, 1.0, 0.0), (1.0, 0.0, 0.0)),
    "coronal": ((0.0, 0.0, -1.0), (1.0, 0.0, 0.0)),
    "sagittal": ((0.0, 0.0, -1.0), (0.0, 1.0, 0.0)),
}


def rotation(axis: int, degrees: float) -> npt.NDArray[np.float64]:
    """The right-handed rotation by `degrees` about patient axis `axis` (0 x, 1 y, 2 z)."""
    angle = np.radians(degrees)
    c, s = np.cos(angle), np.sin(angle)
    i, j = (axis + 1) % 3, (axis + 2) % 3  # y -> z about x, z -> x about y, x -> y about z
    matrix = np.eye(3)
    matrix[i, i], matrix[i, j], matrix[j, i], matrix[j, j] = c, -s, s, c
    return matrix


@dataclass(frozen=True)
class ObliqueView:
    """A sampled plane: its pixels, and how its pixel grid sits in the volume."""

    values: npt.NDArray[np.float32]  # (rows, columns), NaN outside the volume
    origin: Vector  # mm (relative to voxel 0) of pixel (0, 0)
    row_direction: Vector  # unit, down the image
    column_direction: Vector  # unit, across the image
    pixel_mm: float

    def pixel_of(self, point_mm: Vector) -> tuple[float, float]:
        """(row, column) of a point in mm, projected onto the plane."""
        d = point_mm - self.origin
        return float(d @ self.row_direction) / self.pixel_mm, float(d @ self.column_direction) / self.pixel_mm

    def point_of(self, row: float, column: float) -> Vector:
        """The point in mm of pixel (row, column)."""
        return self.origin + (row * self.row_direction + column * self.column_direction) * self.pixel_mm


def turned_basis(name: str, turned: str, degrees: float) -> tuple[Vector, Vector]:
    """(row, column) directions of plane `name` when the crosshair of plane `turned` is
    rotated by `degrees` (the plane itself does not turn; the other two turn about its
    normal)."""
    rows, columns = (np.array(v) for v in BASES[name])
    if name == turned or degrees == 0:
        return rows, columns
    matrix = rotation(PLANE_AXES[turned][0], degrees)
    return matrix @ rows, matrix @ columns


def oblique_plane(volume: Volume, name: str, turned: str, degrees: float, point: Any) -> ObliqueView:
    """Plane `name` through voxel `point` (x, y, z) when plane `turned`'s crosshair is
    rotated by `degrees`: sampled linearly at the smallest spacing, framed to hold the
    whole volume's cut and centred on the volume (it does not shift as the point moves
    within the plane)."""
    from scipy.ndimage import map_coordinates

    if name not in PLANES or turned not in PLANES:
        raise ValueError(f"planes are {', '.join(PLANES)}")
    spacing = np.array(volume.spacing, dtype=float)
    shape = np.array(volume.values.shape)
    size_mm = (shape - 1) * spacing
    pixel = float(spacing.min())
    rows_dir, columns_dir = turned_basis(name, turned, degrees)
    normal = np.cross(columns_dir, rows_dir)
    through = np.asarray(point, dtype=float) * spacing
    centre = size_mm / 2
    centre = centre - ((centre - through) @ normal) * normal  # the volume's centre, on the plane
    extent = [float(np.abs(d) @ size_mm) for d in (rows_dir, columns_dir)]  # the box's shadow
    count = [int(np.ceil(e / pixel)) + 1 for e in extent]
    origin = centre - (count[0] - 1) / 2 * pixel * rows_dir - (count[1] - 1) / 2 * pixel * columns_dir
    r, c = np.mgrid[0 : count[0], 0 : count[1]].astype(np.float64)
    points = origin[:, None, None] + pixel * (rows_dir[:, None, None] * r + columns_dir[:, None, None] * c)
    voxels = points / spacing[:, None, None]
    values = map_coordinates(
        volume.values, voxels, output=np.float32, order=1, mode="constant", cval=np.nan, prefilter=False
    )
    outside = np.any((voxels < -1e-6) | (voxels > (shape - 1)[:, None, None] + 1e-6), axis=0)
    values[outside] = np.nan
    return ObliqueView(values.astype(np.float32), origin, rows_dir, columns_dir, pixel)


def markers(view: ObliqueView) -> str:
    """Orientation letters at the (top, bottom, left, right) edges of an oblique plane."""
    from viewer.model.orientation import edge_labels

    left, right, top, bottom = edge_labels(view.column_direction, view.row_direction)
    return f"{top}|{bottom}|{left}|{right}"


def trace_angle(turned: str, degrees: float, other: str) -> float:
    """The angle (degrees, in plane `turned`'s display: columns right, rows down) of the
    line where turned plane `other` cuts it: its crosshair line, rotated."""
    rows_t, columns_t = (np.array(v) for v in BASES[turned])
    rows_p, columns_p = turned_basis(other, turned, degrees)
    direction = np.cross(np.cross(columns_t, rows_t), np.cross(columns_p, rows_p))
    return float(np.degrees(np.arctan2(direction @ rows_t, direction @ columns_t)))
