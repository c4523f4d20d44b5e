"""Streamed edits (one frame at a time, viewer.edits.streamed) save exactly what edits
held in memory save: the same tags, changes, warnings and pixels, for real files of every
kind and every operation that streams; refusals are the same too."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from tests.corpus import corpus_file
from viewer.edits.operations import (
    Bin,
    Binarize,
    Crop,
    DeleteFrames,
    FillHoles,
    FillInside,
    FillOutside,
    Flip,
    FloodFill,
    Invert,
    KeepFrames,
    Operation,
    Pad,
    Paint,
    Rotate,
)
from viewer.edits.session import begin_edit, begin_streamed_edit, streams
from viewer.edits.streamed import can_stream
from viewer.io.batch import edit_file
from viewer.io.save import save
from viewer.model.document import open_document
from viewer.model.errors import ViewerError

FILES = [
    "CT_small.dcm",  # one frame, rescale
    "emri_small.dcm",  # 10 frames
    "emri_small_RLE.dcm",
    "emri_small_jpeg_ls_lossless.dcm",
    "emri_small_big_endian.dcm",  # written little endian
    "eCT_Supplemental.dcm",  # per-frame functional groups
    "rtdose.dcm",  # 32-bit, Dose Grid Scaling, implicit VR
    "OBXXXX1A_rle_2frame.dcm",  # 8-bit
    "SC_rgb_2frame.dcm",  # colour
]
SEQUENCES: dict[str, list[Operation]] = {
    "fill-flip": [FillOutside(-100.0, 1000.0, 0.0), Flip("h")],
    "crop-rotate-bin": [Crop(2, 3, 40, 30), Rotate(90), Bin(2)],
    "invert-delete": [Invert(), DeleteFrames("2")],
    "keep-widen-invert-one": [KeepFrames("1-2"), FillInside(0.0, 100.0, -70000.0), Invert(frame=1)],
    "binarize": [Binarize(50.0, 400.0)],
    "binarize-one": [Binarize(50.0, 400.0, frame=2), Flip("v")],
    "paint-erase-flood": [
        Paint(frame=2, points=[[5.0, 5.0], [9.0, 20.0]], radius=3.0, value=900.0),
        Rotate(180),
        Paint(frame=2, points=[[55.0, 50.0]], radius=2.0, erase=True),
        FloodFill(frame=1, row=10, column=10, tolerance=50.0, value=0.0),
    ],
}
#: Set anew by every save (random by design).
PER_SAVE = ("SOPInstanceUID",)


def _save(path: Path, operations: list[Operation], target: Path, streamed: bool, syntax: str = "keep"):
    document = open_document(path)
    if streamed:
        begin_streamed_edit(document, operations)
    else:
        work = begin_edit(document)
        for op in operations:
            work.apply(op)
    return save(document, target, syntax)


def _comparable(path: Path) -> tuple[pydicom.Dataset, np.ndarray]:
    ds = pydicom.dcmread(path)
    pixels = ds.pixel_array
    for keyword in (*PER_SAVE, "PixelData"):
        del ds[keyword]
    del ds.file_meta.MediaStorageSOPInstanceUID
    return ds, pixels


@pytest.mark.parametrize("sequence", list(SEQUENCES))
@pytest.mark.parametrize("name", FILES)
def test_streamed_save_equals_the_in_memory_save(tmp_path: Path, monkeypatch, name: str, sequence: str) -> None:
    """In one pass (the frames measured as they are written, as for big files)."""
    import viewer.io.save as save_module

    monkeypatch.setattr(save_module, "ONE_PASS_MIN_BYTES", 0)
    source, operations = corpus_file(name), SEQUENCES[sequence]
    try:
        expected = _save(source, operations, tmp_path / "memory.dcm", streamed=False)
    except ViewerError as exc:  # the same refusal, before any output
        with pytest.raises(ViewerError) as streamed_error:
            _save(source, operations, tmp_path / "streamed.dcm", streamed=True)
        assert str(streamed_error.value) == str(exc)
        assert not (tmp_path / "streamed.dcm").exists()
        return
    report = _save(source, operations, tmp_path / "streamed.dcm", streamed=True)
    assert report.transfer_syntax == expected.transfer_syntax
    assert report.warnings == expected.warnings
    per_save = [c for c in expected.changes if c.path not in PER_SAVE]
    assert [c for c in report.changes if c.path not in PER_SAVE] == per_save
    (memory, memory_pixels), (streamed, streamed_pixels) = (
        _comparable(tmp_path / "memory.dcm"),
        _comparable(tmp_path / "streamed.dcm"),
    )
    assert streamed == memory
    assert streamed_pixels.dtype == memory_pixels.dtype and np.array_equal(streamed_pixels, memory_pixels)


@pytest.mark.parametrize("syntax", ["explicit", "rle", "jpegls", "j2k"])
def test_every_written_syntax_streams_and_reads_back(tmp_path: Path, syntax: str) -> None:
    source = corpus_file("emri_small.dcm")
    operations = SEQUENCES["fill-flip"]
    _save(source, operations, tmp_path / "memory.dcm", streamed=False, syntax=syntax)
    _save(source, operations, tmp_path / "streamed.dcm", streamed=True, syntax=syntax)
    assert np.array_equal(_comparable(tmp_path / "streamed.dcm")[1], _comparable(tmp_path / "memory.dcm")[1])
    assert _comparable(tmp_path / "streamed.dcm")[0] == _comparable(tmp_path / "memory.dcm")[0]


def test_edit_streams_what_streams_and_holds_the_rest(tmp_path: Path) -> None:
    document = open_document(corpus_file("emri_small.dcm"))
    assert streams(document, SEQUENCES["fill-flip"]) and streams(document, SEQUENCES["keep-widen-invert-one"])
    assert not can_stream([Pad(1, 1, 1, 1, 0.0)])  # one stored value for every frame's rescale
    assert not can_stream([FillOutside(0.0, 1.0, 0.0), FillHoles(segment=1)])  # a mask step
    assert not streams(open_document(corpus_file("liver.dcm")), [Flip("h")])  # 1-bit frames
    report = edit_file(corpus_file("emri_small.dcm"), tmp_path / "out.dcm", SEQUENCES["fill-flip"], "keep")
    assert report.path == tmp_path / "out.dcm" and pydicom.dcmread(report.path).NumberOfFrames == 10


def test_a_bad_frame_number_is_refused_before_any_pixel_work(tmp_path: Path) -> None:
    document = open_document(corpus_file("emri_small.dcm"))
    with pytest.raises(ViewerError, match="frame 11 is outside 1..10"):
        begin_streamed_edit(document, [Invert(frame=11)])
    with pytest.raises(ViewerError, match="frame 10 is outside 1..9"):
        begin_streamed_edit(document, [DeleteFrames("1"), Invert(frame=10)])


def test_an_edit_that_needs_every_frame_says_so_before_decoding(tmp_path: Path, monkeypatch) -> None:
    import viewer.model.source

    monkeypatch.setattr(viewer.model.source, "available_memory", lambda: 100_000)  # 80% of it < 10 x 64 x 64 x 2
    with pytest.raises(ViewerError) as refused:
        edit_file(corpus_file("emri_small.dcm"), tmp_path / "out.dcm", [Flip("h"), Pad(1, 1, 1, 1, 0.0)], "keep")
    assert str(refused.value).startswith("pad needs every frame at once: editing needs all 10 frames in memory")
    streamed = edit_file(corpus_file("emri_small.dcm"), tmp_path / "out.dcm", [Flip("h")], "keep")  # streams
    assert streamed.path.exists()


def test_frames_computed_on_worker_processes_give_the_same_file(tmp_path: Path, monkeypatch) -> None:
    """What a command-line save of a big native file does (viewer.edits.stream_workers), on
    a small one: blocks of two frames through two shared slots (each slot used again), and
    the file written is the one a save in one process writes."""
    import viewer.edits.stream_workers as stream_workers

    frame_bytes = 64 * 64 * 2
    monkeypatch.setattr(stream_workers, "BLOCK_BYTES", 2 * frame_bytes)
    monkeypatch.setattr(stream_workers, "SHARED_BYTES", 4 * frame_bytes)
    blocks = []
    original = stream_workers.blocks_on_workers

    def counted(*args, **kwargs):
        for block in original(*args, **kwargs):
            blocks.append(block[0])
            yield block

    monkeypatch.setattr(stream_workers, "blocks_on_workers", counted)
    paint = Paint(frame=8, points=[[9.0, 9.0]], radius=3.0, value=900.0)
    operations = [FillOutside(-100.0, 300.0, 0.0), DeleteFrames("3"), Flip("h"), paint]
    for workers in (1, 2):
        document = open_document(corpus_file("emri_small.dcm"))
        begin_streamed_edit(document, operations, workers)
        save(document, tmp_path / f"{workers}.dcm", "explicit")
    assert blocks == [0, 2, 4, 6, 8]  # 9 frames, two a block, in order
    one, two = _comparable(tmp_path / "1.dcm"), _comparable(tmp_path / "2.dcm")
    assert one[0] == two[0] and np.array_equal(one[1], two[1])


def _counted_writes(monkeypatch) -> list[int]:
    """One entry per `write_dataset` call of a save (2: the frames were written again)."""
    import viewer.io.save as save_module

    writes: list[int] = []
    write = save_module.write_dataset

    def counted(*args, **kwargs):
        writes.append(1)
        return write(*args, **kwargs)

    monkeypatch.setattr(save_module, "write_dataset", counted)
    return writes


def _estimated_from_the_first_frame(monkeypatch) -> list[int]:
    """Saves (in one pass, as of big files) commit their first header against frame 1
    alone; returns the `write_dataset` calls (1: the measured header was put in place)."""
    import viewer.io.save as save_module
    from viewer.edits.streamed import StreamedEdits

    monkeypatch.setattr(save_module, "ONE_PASS_MIN_BYTES", 0)
    estimate = StreamedEdits.estimated_summary
    monkeypatch.setattr(StreamedEdits, "estimated_summary", lambda self: estimate(self, samples=1))
    return _counted_writes(monkeypatch)


@pytest.mark.parametrize(
    ("value", "writes", "bits"),
    [
        (5000.0, 1, (16, 13, 0)),  # Bits Stored 12 -> 13: the same header length, put in place
        (-70000.0, 2, (32, 18, 1)),  # 32-bit signed pixels: the frames are written again
    ],
)
@pytest.mark.parametrize("workers", [1, 2])
def test_a_save_measures_the_frames_it_writes_and_corrects_its_header(
    tmp_path: Path, monkeypatch, value: float, writes: int, bits: tuple[int, int, int], workers: int
) -> None:
    """A streamed save writes its header from an estimate (here frame 1 alone) and measures
    every frame as it writes it (here, or on worker processes): frame 7's values change the
    Image Pixel module, and the file, report and warnings are those of a save that knew
    every frame beforehand."""
    operations: list[Operation] = [FillInside(0.0, 100.0, value, frame=7), Flip("v")]
    expected = _save(corpus_file("emri_small.dcm"), operations, tmp_path / "memory.dcm", streamed=False)
    counted = _estimated_from_the_first_frame(monkeypatch)
    document = open_document(corpus_file("emri_small.dcm"))
    begin_streamed_edit(document, operations, workers)
    report = save(document, tmp_path / "streamed.dcm")
    assert len(counted) == writes
    assert report.warnings == expected.warnings and any("widened" in w for w in report.warnings)
    assert [c for c in report.changes if c.path not in PER_SAVE] == [
        c for c in expected.changes if c.path not in PER_SAVE
    ]
    (memory, memory_pixels), (streamed, streamed_pixels) = (
        _comparable(tmp_path / "memory.dcm"),
        _comparable(tmp_path / "streamed.dcm"),
    )
    assert (streamed.BitsAllocated, streamed.BitsStored, streamed.PixelRepresentation) == bits
    assert streamed == memory
    assert streamed_pixels.dtype == memory_pixels.dtype and np.array_equal(streamed_pixels, memory_pixels)
    written = pydicom.dcmread(tmp_path / "streamed.dcm")
    reported = next(c.new for c in report.changes if c.path == "SOPInstanceUID")
    assert written.SOPInstanceUID == written.file_meta.MediaStorageSOPInstanceUID == reported


def test_a_save_cancelled_while_workers_compute_leaves_the_old_target(tmp_path: Path, monkeypatch) -> None:
    """Cancel between two blocks of frames computed on worker processes: the old target
    stays, no temporary file is left, and the workers have ended."""
    import multiprocessing

    import viewer.edits.stream_workers as stream_workers
    from viewer.model.progress import Cancelled, Progress

    monkeypatch.setattr(stream_workers, "BLOCK_BYTES", 2 * 64 * 64 * 2)
    target = tmp_path / "out.dcm"
    target.write_bytes(b"previous complete file")
    document = open_document(corpus_file("emri_small.dcm"))
    begin_streamed_edit(document, [FillOutside(-100.0, 300.0, 0.0), Flip("h")], workers=2)
    reports: list[int] = []

    def cancel_at_the_third_block(done: int, total: int) -> None:
        reports.append(done)
        if done == 4:
            progress.cancel()

    progress = Progress(report=cancel_at_the_third_block)
    with pytest.raises(Cancelled):
        save(document, target, "explicit", progress=progress)
    assert 0 in reports and 2 in reports and 6 not in reports
    assert target.read_bytes() == b"previous complete file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.dcm"]
    assert not multiprocessing.active_children()


def test_small_files_are_measured_before_they_are_written(tmp_path: Path, monkeypatch) -> None:
    """Below ONE_PASS_MIN_BYTES a pass over the frames costs less than a second commit:
    the header is committed once, from every frame's extremes, and written once."""
    import viewer.io.save as save_module
    from viewer.edits.streamed import StreamedEdits

    def never(self):
        raise AssertionError("estimated")

    monkeypatch.setattr(StreamedEdits, "estimated_summary", never)
    monkeypatch.setattr(save_module, "ONE_PASS_MIN_BYTES", 64 * 64 * 2 * 10 + 1)  # emri_small's pixels + 1
    counted = _counted_writes(monkeypatch)
    operations: list[Operation] = [FillInside(0.0, 100.0, 5000.0, frame=7), Flip("v")]
    report = _save(corpus_file("emri_small.dcm"), operations, tmp_path / "streamed.dcm", streamed=True)
    assert len(counted) == 1 and pydicom.dcmread(report.path).BitsStored == 13
