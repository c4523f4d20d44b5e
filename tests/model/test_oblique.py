"""Oblique planes against numpy: turning by 0 gives the axis-aligned plane, by 90 degrees
the other plane, and at any angle every pixel of a volume whose values are linear in
position equals that linear function at the pixel's point (linear sampling is exact there)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.model.test_volume import TRUTH, X, Y, Z, _series
from viewer.model.document import open_series
from viewer.model.oblique import oblique_plane, rotation
from viewer.model.volume import build_volume, plane


@pytest.fixture
def cube(tmp_path: Path):
    return build_volume(open_series(_series(tmp_path / "s", [1, 0, 0], [0, 1, 0], spacing=(1.0, 1.0), slice_mm=1.0)))


def test_no_turn_is_the_plane_and_a_quarter_turn_is_the_other_plane(cube) -> None:
    point = (2, 3, 1)
    for name, normal in (("axial", 2), ("coronal", 1), ("sagittal", 0)):
        view = oblique_plane(cube, name, "axial" if name != "axial" else "coronal", 0.0, point)
        np.testing.assert_allclose(view.values, plane(cube, name, point[normal]), atol=1e-4)
    turned = oblique_plane(cube, "coronal", "axial", 90.0, point)  # about z: its columns run along y
    np.testing.assert_allclose(turned.values, plane(cube, "sagittal", point[0]), atol=1e-3)


@pytest.mark.parametrize("spacing", [(1.0, 1.0, 1.0), (0.5, 0.5, 2.0)], ids=["isotropic", "anisotropic"])
@pytest.mark.parametrize(("name", "turned", "degrees"), [("coronal", "axial", 30.0), ("axial", "sagittal", -45.0)])
def test_every_pixel_holds_the_value_at_its_point(tmp_path: Path, spacing, name, turned, degrees) -> None:
    volume = build_volume(
        open_series(_series(tmp_path / "s", [1, 0, 0], [0, 1, 0], spacing=spacing[:2], slice_mm=spacing[2]))
    )
    point = (3, 2, 2)
    view = oblique_plane(volume, name, turned, degrees, point)
    sx, sy, sz = volume.spacing
    inside = ~np.isnan(view.values)
    assert inside.sum() > 10
    rows, columns = np.nonzero(inside)
    for r, c in zip(rows, columns, strict=True):
        x, y, z = view.point_of(r, c) / np.array(volume.spacing)  # fractional voxel
        assert view.values[r, c] == pytest.approx(1000 * z + 10 * y + x, abs=1e-2)
        assert -1e-6 <= x <= X - 1 + 1e-6 and -1e-6 <= y <= Y - 1 + 1e-6 and -1e-6 <= z <= Z - 1 + 1e-6
    # the crosshair point lies in the plane, and pixels are square at the smallest spacing
    r, c = view.pixel_of(np.array(point) * np.array(volume.spacing))
    assert np.allclose(view.point_of(r, c), np.array(point) * np.array(volume.spacing))
    assert view.pixel_mm == min(volume.spacing) and abs(view.row_direction @ view.column_direction) < 1e-12
    assert TRUTH.max() > 0


def test_rotation_is_right_handed() -> None:
    np.testing.assert_allclose(rotation(2, 90) @ [1, 0, 0], [0, 1, 0], atol=1e-12)
    np.testing.assert_allclose(rotation(0, 90) @ [0, 1, 0], [0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(rotation(1, 90) @ [0, 0, 1], [1, 0, 0], atol=1e-12)


def test_turned_crosshair_lines_and_oblique_markers(cube) -> None:
    """At 0 degrees the coronal trace in the axial plane is horizontal and the sagittal
    vertical; turning by 30 turns both by 30 (mod 180); an axial turn of 90 degrees makes
    the coronal plane read like a sagittal one."""
    from viewer.model.oblique import markers, trace_angle

    def mod180(a: float) -> float:
        return round(a % 180.0, 6) % 180.0

    assert mod180(trace_angle("axial", 0, "coronal")) == 0 and mod180(trace_angle("axial", 0, "sagittal")) == 90
    assert mod180(trace_angle("axial", 30, "coronal")) == 30 and mod180(trace_angle("axial", 30, "sagittal")) == 120
    assert mod180(trace_angle("coronal", -20, "axial")) == 160
    assert markers(oblique_plane(cube, "coronal", "axial", 0, (1, 1, 1))) == "H|F|R|L"
    assert markers(oblique_plane(cube, "coronal", "axial", 90, (1, 1, 1))) == "H|F|A|P"
    assert markers(oblique_plane(cube, "coronal", "axial", 45, (1, 1, 1))) in ("H|F|RA|LP", "H|F|AR|PL")
