"""Series as volumes: built in patient order whatever the file order, resliced as DESIGN
says (checked against numpy on the same voxels), and refused when they are not a box."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from pydicom.uid import generate_uid

from tests.hostile import image_dataset, write
from viewer.model.document import open_series
from viewer.model.errors import ViewerError
from viewer.model.volume import build_volume, plane

X, Y, Z = 6, 5, 4  # voxels along the patient's x (R->L), y (A->P), z (F->H)
TRUTH = (1000 * np.arange(Z)[None, None, :] + 10 * np.arange(Y)[None, :, None] + np.arange(X)[:, None, None]).astype(
    np.uint16
)  # [x, y, z]


def _series(folder: Path, row_dir, col_dir, spacing=(0.5, 0.5), slice_mm=2.0, drop=None, tilt=0.0) -> list[Path]:
    """Write TRUTH as single-frame files acquired with these directions, shuffled, with
    instance numbers running backwards; `drop` leaves a slice out, `tilt` shifts slices."""
    folder.mkdir()
    row_dir, col_dir = np.array(row_dir, float), np.array(col_dir, float)
    normal = np.cross(row_dir, col_dir)
    sizes = {0: X, 1: Y, 2: Z}
    axis_of = lambda d: int(np.argmax(np.abs(d)))  # noqa: E731
    ra, ca, na = axis_of(row_dir), axis_of(col_dir), axis_of(normal)
    mm = {ra: spacing[1], ca: spacing[0], na: slice_mm}
    uid = generate_uid()
    paths = []
    count = sizes[na]
    for k in range(count):
        if k == drop:
            continue

        # voxel index along each patient axis for (slice k, row r, column c)
        def index(axis, value, direction):
            return value if direction[axis] > 0 else sizes[axis] - 1 - value

        frame = np.zeros((sizes[ca], sizes[ra]), dtype=np.uint16)
        for r in range(sizes[ca]):
            for c in range(sizes[ra]):
                ijk = [0, 0, 0]
                ijk[ra] = index(ra, c, row_dir)
                ijk[ca] = index(ca, r, col_dir)
                ijk[na] = index(na, k, normal)
                frame[r, c] = TRUTH[tuple(ijk)]
        corner = [0.0, 0.0, 0.0]  # patient position of the first pixel of slice k
        for axis, direction, step in ((ra, row_dir, 0), (ca, col_dir, 0), (na, normal, k)):
            first = 0 if direction[axis] > 0 else sizes[axis] - 1
            corner[axis] = (first if axis != na else index(na, step, normal)) * mm[axis]
        corner[ra if ra != na else 0] += tilt * k
        ds = image_dataset(sizes[ca], sizes[ra])
        ds.PixelData = frame.tobytes()
        ds.SeriesInstanceUID, ds.InstanceNumber = uid, count - k
        ds.ImageOrientationPatient = [*map(float, row_dir), *map(float, col_dir)]
        ds.ImagePositionPatient = corner
        ds.PixelSpacing = list(spacing)
        paths.append(write(ds, folder / f"f{k}.dcm"))
    random.Random(4).shuffle(paths)
    return paths


ACQUISITIONS = [
    ("axial", [1, 0, 0], [0, 1, 0]),
    ("axial, feet first (normal -z)", [-1, 0, 0], [0, 1, 0]),
    ("coronal", [1, 0, 0], [0, 0, -1]),
    ("sagittal", [0, 1, 0], [0, 0, -1]),
]


@pytest.mark.parametrize(("name", "row", "column"), ACQUISITIONS, ids=[a[0] for a in ACQUISITIONS])
def test_volume_holds_the_voxels_in_patient_order(name, row, column, tmp_path: Path) -> None:
    document = open_series(_series(tmp_path / "s", row, column, spacing=(1.0, 1.0), slice_mm=1.0))
    volume = build_volume(document)
    np.testing.assert_array_equal(volume.values, TRUTH)


def _expected_resample(image: np.ndarray, spacing: tuple[float, float]) -> np.ndarray:
    target = min(spacing)
    for axis, step in enumerate(spacing):
        n = image.shape[axis]
        new = np.arange(int(np.floor((n - 1) * step / target + 1e-9)) + 1) * target / step
        image = np.apply_along_axis(lambda line, new=new, n=n: np.interp(new, np.arange(n), line), axis, image)
    return image


def test_planes_equal_numpy_with_square_pixels(tmp_path: Path) -> None:
    document = open_series(_series(tmp_path / "s", [1, 0, 0], [0, 1, 0], spacing=(0.5, 0.5), slice_mm=2.0))
    volume = build_volume(document)
    t = TRUTH.astype(float)
    cases = {
        ("axial", 2): (t[:, :, 2].T, (0.5, 0.5)),
        ("coronal", 3): (t[:, 3, ::-1].T, (2.0, 0.5)),
        ("sagittal", 1): (t[1, :, ::-1].T, (2.0, 0.5)),
    }
    for (name, index), (image, spacing) in cases.items():
        np.testing.assert_allclose(plane(volume, name, index), _expected_resample(image, spacing), atol=1e-9)
    assert plane(volume, "coronal", 0).shape == ((Z - 1) * 4 + 1, X)  # 2 mm slices -> 0.5 mm rows


@pytest.mark.parametrize("mode", ["mip", "minip", "mean"])
def test_thick_slabs_equal_numpy_projections(mode: str, tmp_path: Path) -> None:
    """A slab of N mm projects round(N / spacing) voxels centred on the index (cut at the
    ends of the volume), then is oriented and resampled as a thin plane is."""
    document = open_series(_series(tmp_path / "s", [1, 0, 0], [0, 1, 0], spacing=(0.5, 0.5), slice_mm=2.0))
    volume = build_volume(document)
    t = TRUTH.astype(float)
    reduce = {"mip": np.max, "minip": np.min, "mean": np.mean}[mode]
    cases = {  # (plane, index, slab mm): (expected before resampling, its spacing)
        ("axial", 1, 4.0): (reduce(t[:, :, 1:3], axis=2).T, (0.5, 0.5)),  # 2 slices of 2 mm
        ("axial", 3, 6.0): (reduce(t[:, :, 2:4], axis=2).T, (0.5, 0.5)),  # 3 wanted, cut at the top
        ("coronal", 2, 1.5): (reduce(t[:, 1:4, :], axis=1)[:, ::-1].T, (2.0, 0.5)),  # 3 rows of 0.5 mm
        ("sagittal", 0, 10.0): (reduce(t[0:6, :, :], axis=0)[:, ::-1].T, (2.0, 0.5)),  # 20 wanted, X = 6
    }
    for (name, index, mm), (image, spacing) in cases.items():
        got = plane(volume, name, index, slab_mm=mm, mode=mode)
        np.testing.assert_allclose(got, _expected_resample(image, spacing), rtol=1e-6, err_msg=f"{name} {mm}")
    np.testing.assert_array_equal(plane(volume, "axial", 2, slab_mm=1.0, mode=mode), plane(volume, "axial", 2))
    with pytest.raises(ViewerError, match="slab mode"):
        plane(volume, "axial", 0, slab_mm=4, mode="sum")


@pytest.mark.parametrize(("name", "row", "column"), ACQUISITIONS, ids=[a[0] for a in ACQUISITIONS])
def test_each_voxel_slice_knows_its_acquired_frame(name, row, column, tmp_path: Path) -> None:
    """volume.frames links the planes to the document's frames (files sorted along the
    normal, whichever way it points): the acquired frame holds the same voxels."""
    document = open_series(_series(tmp_path / "s", row, column, spacing=(1.0, 1.0), slice_mm=1.0))
    volume = build_volume(document)
    assert sorted(volume.frames) == list(range(document.frame_count))
    for index in range(volume.values.shape[volume.slice_axis]):
        frame = document.get_frame(volume.frames[index])
        voxels = np.take(volume.values, index, axis=volume.slice_axis)
        assert sorted(frame.ravel().tolist()) == sorted(voxels.ravel().tolist())
        assert volume.index_of_frame(volume.frames[index]) == index


BAD = [
    ("a missing slice", {"drop": 2}, "a missing slice"),
    ("a tilted gantry", {"tilt": 0.4}, "tilted gantry"),
]


@pytest.mark.parametrize(("case", "options", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_series_are_refused_with_the_reason(case, options, message, tmp_path: Path) -> None:
    document = open_series(_series(tmp_path / "s", [1, 0, 0], [0, 1, 0], **options))
    with pytest.raises(ViewerError, match=message):
        build_volume(document)


def test_oblique_and_mixed_orientations_are_refused(tmp_path: Path) -> None:
    s = np.sqrt(0.5)
    document = open_series(_series(tmp_path / "o", [s, s, 0], [0, 0, -1]))
    with pytest.raises(ViewerError, match="oblique"):
        build_volume(document)


def test_render_plane_writes_the_resliced_image(tmp_path: Path, capfd) -> None:
    import imageio.v3 as iio

    from viewer.cli.main import main

    folder = tmp_path / "s"
    _series(folder, [1, 0, 0], [0, 1, 0], spacing=(0.5, 0.5), slice_mm=2.0)
    out = tmp_path / "coronal.png"
    assert (
        main(["render", str(folder), "-o", str(out), "--plane", "coronal", "--index", "3", "--window", "2000", "4000"])
        == 0
    )
    expected = _expected_resample(TRUTH.astype(float)[:, 3, ::-1].T, (2.0, 0.5))
    gray = np.clip(np.rint((expected - (2000 - 0.5 - (4000 - 1) / 2)) / (4000 - 1) * 255), 0, 255)
    assert np.abs(iio.imread(out).astype(int) - gray.astype(int)).max() <= 1
    assert main(["render", str(folder), "-o", str(out), "--plane", "axial", "--index", "9"]) == 1
    assert "outside 0..3" in capfd.readouterr().err
    assert main(["render", str(folder), "-o", str(out), "--plane", "axial"]) == 2


@pytest.mark.parametrize(
    "operation",
    [("flip", "h"), ("flip", "v"), ("rotate", 90), ("rotate", 180)],
    ids=["flip h", "flip v", "rotate 90", "rotate 180"],
)
def test_an_edited_series_keeps_its_voxels_in_patient_order(operation, tmp_path: Path) -> None:
    """Flips and turns move pixels and, with them, where they lie: the volume of the edited
    series is the same patient volume (the file's own geometry would mirror it)."""
    from viewer.edits.flip import Flip
    from viewer.edits.rotate import Rotate
    from viewer.edits.session import edit_session

    document = open_series(_series(tmp_path / "s", [1, 0, 0], [0, 1, 0], spacing=(1.0, 1.0), slice_mm=1.0))
    kind, value = operation
    op = Flip(value) if kind == "flip" else Rotate(value)
    edit_session(document, op).apply(op)
    np.testing.assert_array_equal(build_volume(document).values, TRUTH)


@pytest.mark.parametrize(("name", "row", "column"), ACQUISITIONS, ids=[a[0] for a in ACQUISITIONS])
def test_the_affine_places_every_voxel_where_its_file_says(name, row, column, tmp_path: Path) -> None:
    """Voxel (x, y, z) -> patient mm through the affine equals the position the files give
    the pixel holding that voxel's value (found by value: TRUTH's values are unique)."""
    from viewer.model.geometry import frame_geometry

    document = open_series(_series(tmp_path / "s", row, column, spacing=(0.5, 0.5), slice_mm=2.0))
    volume = build_volume(document)
    p = document.pixels
    for frame in range(document.frame_count):
        g = frame_geometry(document.frame_attributes(frame), p.rows, p.columns)
        pixels = document.get_frame(frame)
        for r, c in ((0, 0), (p.rows - 1, 1), (2, p.columns - 1)):
            x, y, z = np.argwhere(volume.values == pixels[r, c])[0]
            np.testing.assert_allclose((volume.affine @ [x, y, z, 1])[:3], g.moved(r, c), atol=1e-6)


@pytest.mark.parametrize(("name", "row", "column"), ACQUISITIONS, ids=[a[0] for a in ACQUISITIONS])
def test_a_stack_on_the_document_grid_is_arranged_as_the_volume(name, row, column, tmp_path: Path) -> None:
    """Masks drawn on the document's frames (here: its own pixels) land on the same voxels."""
    from viewer.model.volume import arranged

    document = open_series(_series(tmp_path / "s", row, column, spacing=(1.0, 1.0), slice_mm=1.0))
    volume = build_volume(document)
    stack = np.stack([document.get_frame(i) for i in range(document.frame_count)])
    np.testing.assert_array_equal(arranged(volume, stack), volume.values)
