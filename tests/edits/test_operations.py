"""Each edit against an independent numpy computation on real files, edges included."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from tests.corpus import corpus_file
from viewer.edits.operations import (
    Bin,
    Binarize,
    Crop,
    DeleteFrames,
    FillInside,
    FillOutside,
    Flip,
    FloodFill,
    Invert,
    KeepFrames,
    Paint,
    Rotate,
    operation_from_json,
)
from viewer.edits.session import begin_edit
from viewer.model.document import open_document
from viewer.model.errors import ViewerError


def _edited(name: str, *operations):
    """(original frames array as pydicom reads it, edited working array, document)."""
    path = corpus_file(name)
    ds = pydicom.dcmread(path)
    original = ds.pixel_array
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames == 1:
        original = original[np.newaxis]
    document = open_document(path)
    work = begin_edit(document)
    for op in operations:
        work.apply(op)
    return original, work.pixels, document


def test_fill_outside_in_hu_on_ct() -> None:
    """CT_small: HU outside [-100, 200] become -1000 HU (stored = HU + 1024)."""
    original, edited, _ = _edited("CT_small.dcm", FillOutside(-100, 200, -1000))
    hu = original.astype(float) * 1 - 1024
    expected = np.where((hu >= -100) & (hu <= 200), original, -1000 + 1024)
    assert np.array_equal(edited, expected)


def test_fill_inside_mr() -> None:
    """MR_small: values in [300, 600] become 0, the rest unchanged."""
    original, edited, _ = _edited("MR_small.dcm", FillInside(300, 600, 0))
    assert np.array_equal(edited, np.where((original >= 300) & (original <= 600), 0, original))


def test_seed_example_below_300_becomes_0() -> None:
    """MR_small: every pixel below 300 becomes 0, the rest unchanged."""
    original, edited, _ = _edited("MR_small.dcm", FillOutside(300, 1e9, 0))
    assert np.array_equal(edited, np.where(original < 300, 0, original))


def test_empty_range_and_full_range() -> None:
    """An empty range fills nothing inside / everything outside; a full range the reverse."""
    original, edited, _ = _edited("MR_small.dcm", FillInside(500, 400, 7))
    assert np.array_equal(edited, original)
    original, edited, _ = _edited("MR_small.dcm", FillOutside(-1e9, 1e9, 7))
    assert np.array_equal(edited, original)
    original, edited, _ = _edited("MR_small.dcm", FillInside(-1e9, 1e9, 7))
    assert np.all(edited == 7)


def test_binarize_multiframe_resets_modality() -> None:
    """emri_small (10 frames): a 0/1 mask of [200, 400] over every frame."""
    original, edited, document = _edited("emri_small.dcm", Binarize(200, 400))
    assert edited.dtype == np.uint8
    assert np.array_equal(edited, ((original >= 200) & (original <= 400)).astype(np.uint8))
    assert document.modality(0).is_identity


def test_binarize_single_frame_image_is_a_plain_mask() -> None:
    """Binarizing frame 1 of a one-frame CT is the whole image: plain 0/1, identity rescale."""
    original, edited, document = _edited("CT_small.dcm", Binarize(0, 100, frame=1))
    hu = original.astype(int) - 1024
    assert np.array_equal(edited, ((hu >= 0) & (hu <= 100)).astype(np.uint8))
    assert document.modality(0).is_identity


def test_binarize_one_frame_of_many_keeps_the_others() -> None:
    """On one frame of a multi-frame image the mask is written in modality units 0/1."""
    original, edited, document = _edited("emri_small.dcm", Binarize(200, 400, frame=2))
    assert np.array_equal(edited[[0, *range(2, 10)]], original[[0, *range(2, 10)]])
    values = document.modality(1).apply(edited[1])
    assert np.array_equal(values, ((original[1] >= 200) & (original[1] <= 400)).astype(float))


def test_crop_touching_the_border() -> None:
    """A crop that ends at the last row and column keeps exactly that block."""
    original, edited, _ = _edited("MR_small.dcm", Crop(50, 40, 14, 24))
    assert np.array_equal(edited, original[:, 40:64, 50:64])


def test_crop_outside_is_refused() -> None:
    """A rectangle beyond the image is refused with the sizes named."""
    with pytest.raises(ViewerError, match="reaches outside the 64 x 64 image"):
        _edited("MR_small.dcm", Crop(60, 0, 10, 10))


def test_bin_with_remainder() -> None:
    """Bin 3 of 64 x 64: 21 x 21 means of 3 x 3 blocks, the last row/column dropped."""
    original, edited, _ = _edited("MR_small.dcm", Bin(3))
    blocks = original[:, :63, :63].reshape(1, 21, 3, 21, 3).astype(float).mean(axis=(2, 4))
    assert edited.shape == (1, 21, 21)
    assert np.array_equal(edited, np.rint(blocks).astype(original.dtype))


def test_flip_and_rotate_multiframe() -> None:
    """Flips mirror and rotations turn clockwise, row-major, on every frame."""
    original, edited, _ = _edited("emri_small.dcm", Flip("h"))
    assert np.array_equal(edited, original[:, :, ::-1])
    original, edited, _ = _edited("emri_small.dcm", Flip("v"))
    assert np.array_equal(edited, original[:, ::-1, :])
    original, edited, _ = _edited("emri_small.dcm", Rotate(90))
    assert np.array_equal(edited[3], np.rot90(original[3], k=-1))
    assert edited[3][0, -1] == original[3][0, 0]  # top-left goes to top-right
    original, edited, _ = _edited("emri_small.dcm", Rotate(270))
    assert np.array_equal(edited[3], np.rot90(original[3], k=1))


def test_rgb_geometry() -> None:
    """RGB frames crop, flip and rotate with their samples intact."""
    original, edited, _ = _edited("SC_rgb.dcm", Crop(10, 20, 30, 40), Rotate(180))
    assert np.array_equal(edited[0], original[0, 20:60, 10:40][::-1, ::-1])


def test_threshold_refused_on_colour() -> None:
    """Thresholds on colour images are refused with a clear message."""
    with pytest.raises(ViewerError, match="grayscale"):
        _edited("SC_rgb.dcm", FillOutside(0, 10, 0))


def test_invert_monochrome1() -> None:
    """RG3_UNCI (MONOCHROME1): stored values reverse within the image's own range."""
    original, edited, _ = _edited("RG3_UNCI.dcm", Invert())
    low, high = int(original.min()), int(original.max())
    assert np.array_equal(edited, (low + high) - original.astype(int))


@pytest.mark.parametrize(
    ("dtype", "values"),
    [
        ("int16", [-1024, 0, 3071]),  # signed CT: stays in -1024..3071, not -1 - v
        ("uint16", [100, 200, 4000]),  # 12-bit unsigned: not 4095 - v
        ("uint64", [0, 2**63, 2**64 - 1]),  # the sum overflows 64 bits
        ("int64", [-(2**63), 0, 2**63 - 1]),
        ("float32", [-1.5, 0.0, 2.5]),
    ],
)
def test_invert_keeps_the_image_range(dtype: str, values: list[int]) -> None:
    """v' = min + max - v over all frames, exact for every type, never leaving the range."""
    from viewer.edits.invert import invert

    pixels = np.array(values, dtype=dtype)
    out = invert(pixels, pixels.min(), pixels.max())
    expected = [int(values[0]) + int(values[-1]) - int(v) for v in values] if dtype != "float32" else None
    assert out.dtype == pixels.dtype
    if expected is not None:
        assert [int(v) for v in out] == expected
    else:
        assert np.allclose(out, [2.5, 1.0, -1.5])


def test_delete_and_keep_frames() -> None:
    """Deleting 1,3,5-7 of 10 keeps 2,4,8,9,10; keeping is the reverse."""
    original, edited, document = _edited("emri_small.dcm", DeleteFrames("1,3,5-7"))
    assert np.array_equal(edited, original[[1, 3, 7, 8, 9]])
    assert document.edits.source_frames == [1, 3, 7, 8, 9]
    original, edited, _ = _edited("emri_small.dcm", KeepFrames("2-3"))
    assert np.array_equal(edited, original[[1, 2]])


def test_deleting_every_frame_is_refused() -> None:
    """A single-frame image cannot lose its only frame."""
    with pytest.raises(ViewerError, match="would leave none"):
        _edited("CT_small.dcm", DeleteFrames("1"))


def test_fill_value_outside_stored_type_widens() -> None:
    """A fill value the stored type cannot hold widens the type; it never wraps."""
    original, edited, _ = _edited("MR_small.dcm", FillInside(0, 400, 70000))
    assert edited.dtype.itemsize >= 4
    assert np.array_equal(edited, np.where(original <= 400, 70000, original.astype(np.int64)))


def test_paint_round_brush_row_major() -> None:
    """A brush at (row 10, col 40) radius 3 paints a disc there, not at (40, 10)."""
    original, edited, _ = _edited("MR_small.dcm", Paint(frame=1, points=[[10, 40]], radius=3, value=0))
    rr, cc = np.mgrid[0:64, 0:64]
    disc = (rr - 10) ** 2 + (cc - 40) ** 2 <= 9
    assert np.array_equal(edited[0], np.where(disc, 0, original[0]))


def test_erase_restores_original() -> None:
    """Erase over a painted stroke brings back the file's values."""
    _, edited, document = _edited(
        "MR_small.dcm",
        Paint(frame=1, points=[[20, 20], [20, 40]], radius=4, value=0),
        Paint(frame=1, points=[[20, 10], [20, 50]], radius=6, erase=True),
    )
    assert np.array_equal(edited[0], document.source_frame(0))


def test_flood_fill_region() -> None:
    """Flood fill sets exactly the 4-connected component within the tolerance."""
    original, edited, _ = _edited("MR_small.dcm", FloodFill(frame=1, row=0, column=0, tolerance=50, value=9999))
    changed = edited[0] != original[0]
    seed = int(original[0, 0, 0])
    assert changed[0, 0] and np.all(np.abs(original[0][changed].astype(int) - seed) <= 50)


def test_recipe_json_round_trip() -> None:
    """Every operation survives to_json -> operation_from_json unchanged."""
    ops = [
        Crop(1, 2, 3, 4),
        Flip("v"),
        Rotate(90),
        Bin(2),
        FillOutside(1, 2, 3),
        FillInside(1, 2, 3, frame=2),
        Binarize(1, 2),
        Invert(),
        DeleteFrames("1,3"),
        KeepFrames("2-4"),
        Paint(frame=1, points=[[1.0, 2.0]], radius=2, value=5),
        FloodFill(frame=1, row=1, column=2, tolerance=3, value=4),
    ]
    for op in ops:
        assert operation_from_json(op.to_json()) == op


def test_unknown_recipe_step_is_refused() -> None:
    """Recipe steps with unknown names or parameters get a message naming them."""
    with pytest.raises(ViewerError, match="unknown operation 'blur'"):
        operation_from_json({"op": "blur"})
    with pytest.raises(ViewerError, match="no parameter"):
        operation_from_json({"op": "flip", "direction": "h", "angle": 3})


def test_paint_value_beyond_the_type_widens() -> None:
    """Painting 70000 into int16 pixels widens the array instead of failing or wrapping."""
    _, edited, _ = _edited("MR_small.dcm", Paint(frame=1, points=[[5, 5]], radius=1, value=70000))
    assert edited.dtype.itemsize >= 4 and edited[0, 5, 5] == 70000


def _rescaled_frames(path, frames: np.ndarray, intercept: float) -> object:
    from tests.hostile import image_dataset, write

    ds = image_dataset(rows=frames.shape[1], columns=frames.shape[2], frames=len(frames))
    ds.RescaleSlope, ds.RescaleIntercept = "1", str(intercept)
    ds.PixelData = frames.astype("<u2").tobytes()
    return write(ds, path)


def test_binarize_of_one_frame_writes_the_stored_values_of_modality_0_and_1(tmp_path) -> None:
    """On a rescaled multi-frame, frame 2 becomes the stored values whose modality values
    are 0 and 1 (1000 and 1001 for intercept -1000); the other frames keep their meaning.
    (It wrote stored 0 and 1, i.e. -1000 and -999.)"""
    frames = (np.arange(3 * 16).reshape(3, 4, 4) * 40).astype(np.uint16)  # frame 2: 640..1240 -> -360..240
    document = open_document(_rescaled_frames(tmp_path / "r.dcm", frames, -1000.0))
    work = begin_edit(document)
    work.apply(Binarize(-100.0, 100.0, frame=2))
    modality = frames[1].astype(float) - 1000
    assert np.array_equal(work.pixels[1], np.where((modality >= -100) & (modality <= 100), 1001, 1000))
    assert np.array_equal(work.pixels[[0, 2]], frames[[0, 2]]) and not work.modality_reset


def test_invert_of_one_frame_uses_the_whole_images_range(tmp_path) -> None:
    """v' = min + max - v with min and max over every frame, also when one is inverted
    (it used the inverted frame's own range)."""
    frames = np.stack([np.full((4, 4), 100), np.arange(16).reshape(4, 4) + 200, np.full((4, 4), 900)]).astype(np.uint16)
    document = open_document(_rescaled_frames(tmp_path / "i.dcm", frames, 0.0))
    work = begin_edit(document)
    work.apply(Invert(frame=2))
    assert np.array_equal(work.pixels[1], 100 + 900 - frames[1])
    assert np.array_equal(work.pixels[[0, 2]], frames[[0, 2]])
