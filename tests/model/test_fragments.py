"""Where each frame of encapsulated Pixel Data lies (viewer.model.fragments): found by the
walk at opening when each frame is one fragment, read with one positioned read, and the
same bytes pydicom's get_frame gives; other layouts are left to pydicom."""

from __future__ import annotations

from array import array
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.encaps import encapsulate, generate_frames, get_frame
from pydicom.uid import RLELossless

from tests.hostile import image_dataset, ramp, write
from viewer.model.document import open_document
from viewer.model.fragments import FrameSpans, walk_fragments

FRAMES = 5


def _rle_frames(frames: int = FRAMES) -> tuple[pydicom.Dataset, list[bytes]]:
    ds = image_dataset(16, 24, frames=frames)
    ds.compress(RLELossless, ramp(ds), generate_instance_uid=False)
    return ds, list(generate_frames(ds.PixelData, number_of_frames=frames))


def _file(tmp_path: Path, layout: str) -> tuple[Path, pydicom.Dataset]:
    ds, encoded = _rle_frames()
    if layout == "offset table":
        ds.PixelData = encapsulate(encoded, has_bot=True)
    elif layout == "no offset table":
        ds.PixelData = encapsulate(encoded, has_bot=False)
    elif layout == "odd lengths, padded":
        ds.PixelData = encapsulate([frame + b"\x00\x01\x02" for frame in encoded], has_bot=True)
    elif layout == "two fragments a frame":
        ds.PixelData = encapsulate(encoded, fragments_per_frame=2, has_bot=True)
    return write(ds, tmp_path / "frames.dcm"), ds


#: layout -> whether the walk finds each frame's place itself
LAYOUTS = {
    "offset table": True,
    "no offset table": True,
    "odd lengths, padded": True,
    "two fragments a frame": False,  # left to pydicom, which reads the offset table
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_frames_are_pydicoms_frames_whatever_the_layout(tmp_path: Path, layout: str) -> None:
    path, ds = _file(tmp_path, layout)
    document = open_document(path)
    reader = document.source._reader
    assert (reader.spans is not None) is LAYOUTS[layout]
    for index in range(FRAMES):
        expected = bytes(get_frame(ds.PixelData, index, number_of_frames=FRAMES))
        if reader.spans is not None:
            assert reader.spans.read(path, index) == expected
        assert np.array_equal(document.get_frame(index), ramp(ds)[index])


def test_a_frame_found_by_the_walk_does_not_go_through_pydicoms_get_frame(tmp_path: Path, monkeypatch) -> None:
    """pydicom's get_frame read the item headers again for every frame (6 ms a frame of a
    2000-frame file without an offset table, here)."""
    path, ds = _file(tmp_path, "no offset table")
    document = open_document(path)

    def refuse(*args, **kwargs):
        raise AssertionError("pydicom's get_frame was asked")

    monkeypatch.setattr("pydicom.encaps.get_frame", refuse)
    for index in range(1, FRAMES):  # frame 1 was decoded both ways when the file opened (fast path check)
        assert np.array_equal(document.get_frame(index), ramp(ds)[index])


@pytest.mark.parametrize(
    ("cut", "damage"),
    [
        (-8, "the file ends without the end of the encapsulated data"),  # no delimiter
        (-4, "the file ends inside fragment 6"),  # half a delimiter
        (-40, "the file ends after 4 of 5 frames"),
    ],
)
def test_a_truncated_file_says_what_is_missing_and_keeps_no_spans(tmp_path: Path, cut: int, damage: str) -> None:
    path, _ds = _file(tmp_path, "offset table")
    path.write_bytes(path.read_bytes()[:cut])
    document = open_document(path)
    reader = document.source._reader
    walk = walk_fragments(path, reader.offset, reader.options)
    assert walk.spans is None and damage in walk.damage


def test_something_else_after_the_items_is_left_to_pydicom(tmp_path: Path) -> None:
    """An unknown tag where the next item should be: no damage said, no spans kept."""
    path, _ds = _file(tmp_path, "offset table")
    data = path.read_bytes()
    delimiter = data.rindex(b"\xfe\xff\xdd\xe0")
    path.write_bytes(data[:delimiter] + b"\x08\x00\x10\x00" + data[delimiter + 4 :])
    reader = open_document(path).source._reader
    walk = walk_fragments(path, reader.offset, reader.options)
    assert walk.damage == "" and walk.whole == -1 and walk.spans is None


def test_a_span_no_longer_in_the_file_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "short.bin"
    path.write_bytes(b"0123456789")
    spans = FrameSpans(array("q", [4]), array("q", [20]))
    assert spans.read(path, 0) is None
