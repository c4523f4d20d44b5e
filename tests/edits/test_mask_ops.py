"""Mask steps: segments drawn beside the pixels, undone with the pixel edits, following
geometric edits, packed one bit a pixel, and replayed from a recipe."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from scipy import ndimage

from tests.corpus import corpus_file
from viewer.edits.operations import (
    Crop,
    DeleteFrames,
    FillHoles,
    FillMask,
    Flip,
    KeepRegion,
    MaskGrow,
    MaskPaint,
    MaskThreshold,
    NewSegment,
    RemoveIslands,
    Rotate,
    operation_from_json,
)
from viewer.edits.session import begin_edit
from viewer.model.document import open_document
from viewer.model.errors import InvalidOperationError, ViewerError
from viewer.model.segments import SegmentSet


def _hu(document, frame: int = 0) -> np.ndarray:
    return document.modality(frame).apply(document.get_frame(frame)).astype(float)


@pytest.fixture
def ct():
    document = open_document(corpus_file("CT_small.dcm"))
    work = begin_edit(document)
    work.apply(NewSegment("Bone"))
    return document, work


def test_threshold_into_a_segment_leaves_the_pixels(ct) -> None:
    document, work = ct
    before = work.pixels.copy()
    work.apply(MaskThreshold(200, 3000))
    assert np.array_equal(work.segments.get(1).frame(0), (_hu(document) >= 200) & (_hu(document) <= 3000))
    assert np.array_equal(work.pixels, before) and not work.is_edited and work.has_segment_work
    work.apply(MaskThreshold(1000, 3000, mode="remove"))
    hu = _hu(document)
    assert np.array_equal(work.segments.get(1).frame(0), (hu >= 200) & (hu < 1000))
    work.undo()
    assert np.array_equal(work.segments.get(1).frame(0), (hu >= 200) & (hu <= 3000))
    work.undo()
    assert work.segments.get(1).count == 0
    work.redo()
    assert work.segments.get(1).count == int(((hu >= 200) & (hu <= 3000)).sum())


def test_a_range_that_selects_nothing_is_refused(ct) -> None:
    _, work = ct
    with pytest.raises(ViewerError, match="selects no pixel in this frame; the segment is unchanged"):
        work.apply(MaskThreshold(90000, 90001))
    assert work.segments.get(1).count == 0 and len(work.operations) == 1


def test_connected_regions_equal_scipy(ct) -> None:
    document, work = ct
    work.apply(MaskThreshold(100, 3000))
    mask = work.segments.get(1).frame(0)
    labels, count = ndimage.label(mask)
    assert count > 2
    sizes = np.bincount(labels.ravel())
    biggest = int(np.argmax(sizes[1:])) + 1
    row, column = (int(v[0]) for v in np.nonzero(labels == biggest))
    work.apply(KeepRegion(frame=1, row=row, column=column))
    assert np.array_equal(work.segments.get(1).frame(0), labels == biggest)
    work.undo()
    work.apply(RemoveIslands(20))
    keep = sizes >= 20
    keep[0] = False
    assert np.array_equal(work.segments.get(1).frame(0), keep[labels])
    work.apply(FillHoles())
    assert np.array_equal(work.segments.get(1).frame(0), ndimage.binary_fill_holes(keep[labels]))
    with pytest.raises(ViewerError, match="not inside segment 1"):
        work.apply(KeepRegion(frame=1, row=0, column=0))


def test_region_growing_is_the_seed_component_within_tolerance(ct) -> None:
    document, work = ct
    hu = _hu(document)
    work.apply(MaskGrow(frame=1, row=64, column=64, tolerance=100))
    labels, _ = ndimage.label(np.abs(hu - hu[64, 64]) <= 100)
    assert np.array_equal(work.segments.get(1).frame(0), labels == labels[64, 64])


def test_brush_and_erase_into_a_segment(ct) -> None:
    _, work = ct
    work.apply(MaskPaint(frame=1, points=[[10, 10], [10, 30]], radius=2))
    painted = work.segments.get(1).frame(0)
    assert painted[10, 10:31].all() and painted[13, 20] == False and painted.sum() > 21  # noqa: E712
    work.apply(MaskPaint(frame=1, points=[[10, 20]], radius=3, erase=True))
    assert not work.segments.get(1).frame(0)[8:13, 18:23].any() and work.segments.get(1).frame(0)[10, 10]


@pytest.mark.parametrize("op", [Flip("h"), Rotate(90), Crop(10, 20, 50, 40)])
def test_segments_follow_geometric_edits_and_undo(ct, op) -> None:
    _, work = ct
    work.apply(MaskThreshold(200, 3000))
    before = work.segments.get(1).frame(0)
    work.apply(op)
    expected = op.overlay(before[None])[0]
    assert np.array_equal(work.segments.get(1).frame(0), expected)
    assert work.segments.get(1).shape == (1, *work.pixels.shape[1:3])
    work.undo()
    assert np.array_equal(work.segments.get(1).frame(0), before)


def test_fill_mask_turns_a_segment_into_a_pixel_edit(ct) -> None:
    document, work = ct
    hu = _hu(document)
    work.apply(MaskThreshold(200, 3000))
    work.apply(FillMask(value=-1000, inside=False))
    assert work.is_edited
    edited = document.modality(0).apply(work.pixels[0]).astype(float)
    inside = (hu >= 200) & (hu <= 3000)
    assert np.array_equal(edited[inside], hu[inside]) and (edited[~inside] == -1000).all()


def test_multi_frame_3d_and_frame_deletion() -> None:
    document = open_document(corpus_file("eCT_Supplemental.dcm"))
    work = begin_edit(document)
    work.apply(NewSegment("Body"))
    work.apply(MaskThreshold(-200, 3000))
    volume = np.stack([work.segments.get(1).frame(i) for i in range(2)])
    hu = np.stack([_hu(document, i) for i in range(2)])
    assert np.array_equal(volume, (hu >= -200) & (hu <= 3000))
    seed = tuple(int(v[0]) for v in np.nonzero(volume))
    work.apply(KeepRegion(frame=seed[0] + 1, row=seed[1], column=seed[2], three_d=True))
    labels, _ = ndimage.label(volume)
    assert np.array_equal(work.segments.get(1).volume(), labels == labels[seed])
    kept = work.segments.get(1).volume()
    work.apply(DeleteFrames("1"))
    assert np.array_equal(work.segments.get(1).volume(), kept[1:])


def test_packed_masks_cost_one_bit_a_pixel(ct) -> None:
    _, work = ct
    work.apply(MaskThreshold(-5000, 5000))  # every pixel
    assert work.segments.get(1).nbytes == work.pixels[0].size // 8  # 128 x 128 16-bit: 1/16 of 32 KB


def test_mask_steps_replay_from_their_recipe_form(ct) -> None:
    _, work = ct
    steps = [
        MaskThreshold(200, 3000),
        MaskPaint(frame=1, points=[[5, 5]], radius=2),
        RemoveIslands(5, three_d=True),
        FillMask(value=0),
    ]
    for step in steps:
        work.apply(step)
    replay = begin_edit(open_document(corpus_file("CT_small.dcm")))
    for op in work.operations:
        replay.apply(operation_from_json(op.to_json()))
    assert np.array_equal(replay.segments.get(1).frame(0), work.segments.get(1).frame(0))
    assert np.array_equal(replay.pixels, work.pixels)


def test_bad_mask_steps_are_usage_errors() -> None:
    for data in (
        {"op": "mask-threshold", "lo": 5, "hi": 1},
        {"op": "mask-threshold", "lo": 1, "hi": 5, "mode": "xor"},
        {"op": "mask-remove-islands", "smaller_than": 0},
        {"op": "mask-paint", "frame": 1, "points": [[1, 1]], "radius": 0},
    ):
        with pytest.raises(InvalidOperationError):
            operation_from_json(data)
    with pytest.raises(ViewerError, match="there is no segment 2"):
        SegmentSet().get(2)


def test_a_save_after_mask_steps_alone_keeps_the_file(ct, tmp_path) -> None:
    from viewer.io.save import save

    document, work = ct
    work.apply(MaskThreshold(200, 3000))
    save(document, tmp_path / "same.dcm")
    assert pydicom.dcmread(tmp_path / "same.dcm").PixelData == pydicom.dcmread(corpus_file("CT_small.dcm")).PixelData
