"""Property-based fuzzing: broken files end in a ViewerError (one line), never a traceback.

`make test` runs a few hundred cases; `make fuzz` (FUZZ_EXAMPLES=10000) runs thousands.
Each case has a time limit; a header that promises more than the file holds is refused
before anything big is allocated.
"""

from __future__ import annotations

import io
import os
import signal
from pathlib import Path

import pydicom
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.corpus import corpus_file
from tests.hostile import htj2k_file_bytes
from viewer.edits.session import begin_edit
from viewer.model.document import open_document
from viewer.model.errors import ViewerError
from viewer.model.rendering import render_frame
from viewer.model.summary import summarize

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "80"))
SECONDS_PER_CASE = 20
SEEDS = ["CT_small.dcm", "MR_small_RLE.dcm", "emri_small_jpeg_ls_lossless.dcm", "SC_rgb_small_odd.dcm", "JPEG2000.dcm"]
_SEED_BYTES = {name: corpus_file(name).read_bytes() for name in SEEDS}
SEEDS.append("htj2k")  # made here (pydicom has no HTJ2K encoder)
_SEED_BYTES["htj2k"] = htj2k_file_bytes()
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=False
)


class CaseTimeout(Exception):
    pass


def _exercise(path: Path) -> str:
    """Open, summarize, render first and last frame; return 'ok' or the error line."""

    def alarm(signum, frame):
        raise CaseTimeout(f"case took longer than {SECONDS_PER_CASE} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(SECONDS_PER_CASE)
    try:
        document = open_document(path)
        summarize(document)
        render_frame(document, 0)
        render_frame(document, document.frame_count - 1)
        return "ok"
    except ViewerError as exc:
        message = str(exc)
        assert message and "\n" not in message
        return message
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@FUZZ_SETTINGS
@given(seed=st.sampled_from(SEEDS), cut=st.floats(min_value=0.0, max_value=1.0))
def test_truncation(tmp_path_factory, seed: str, cut: float) -> None:
    """A file cut anywhere opens with a note or fails with a message."""
    data = _SEED_BYTES[seed]
    path = tmp_path_factory.mktemp("fuzz") / "cut.dcm"
    path.write_bytes(data[: int(len(data) * cut)])
    _exercise(path)


@FUZZ_SETTINGS
@given(
    seed=st.sampled_from(SEEDS),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=12),
    header_only=st.booleans(),
)
def test_byte_flips(tmp_path_factory, seed: str, flips, header_only: bool) -> None:
    """Random bytes changed in the header or anywhere never crash the reader."""
    data = bytearray(_SEED_BYTES[seed])
    limit = min(len(data), 2048) if header_only else len(data)
    for where, value in flips:
        data[min(int(where * limit), len(data) - 1)] = value
    path = tmp_path_factory.mktemp("fuzz") / "flipped.dcm"
    path.write_bytes(bytes(data))
    _exercise(path)


ABSURD_INTS = st.one_of(
    st.sampled_from([0, 1, 3, 7, 12, 17, 33, 64, 255, 4096, 65535, 2**31 - 1, -1]), st.integers(-(2**31), 2**32)
)


@FUZZ_SETTINGS
@given(
    seed=st.sampled_from(SEEDS),
    keyword=st.sampled_from(
        [
            "Rows",
            "Columns",
            "BitsAllocated",
            "BitsStored",
            "NumberOfFrames",
            "SamplesPerPixel",
            "PixelRepresentation",
            "HighBit",
            "PlanarConfiguration",
        ]
    ),
    value=ABSURD_INTS,
)
def test_absurd_header_values(tmp_path_factory, seed: str, keyword: str, value: int) -> None:
    """Absurd Rows/Columns/Bits/Frames values are refused with a message, never allocated."""
    ds = pydicom.dcmread(io.BytesIO(_SEED_BYTES[seed]))
    try:
        if keyword == "NumberOfFrames":
            ds.NumberOfFrames = str(value)
        elif value < 0 or value > 65535:
            ds[keyword].value = 65535
        else:
            setattr(ds, keyword, value)
    except Exception:
        return
    path = tmp_path_factory.mktemp("fuzz") / "absurd.dcm"
    try:
        ds.save_as(path)
    except Exception:
        return  # pydicom refuses to write it; nothing for us to read
    _exercise(path)


def _raw_ds(ds: pydicom.Dataset, keyword: str, text: str) -> None:
    """Put `text` into a DS element as raw bytes, bypassing pydicom's validation."""
    from pydicom.datadict import tag_for_keyword
    from pydicom.dataelem import RawDataElement
    from pydicom.tag import Tag

    value = text.encode("latin-1", "replace")
    if len(value) % 2:
        value += b" "
    tag = Tag(tag_for_keyword(keyword))
    ds._dict[tag] = RawDataElement(tag, "DS", len(value), value, 0, False, True)


@FUZZ_SETTINGS
@given(
    seed=st.sampled_from(["CT_small.dcm", "MR_small.dcm"]),
    items=st.integers(min_value=0, max_value=3000),
    window=st.tuples(st.floats(allow_nan=True, allow_infinity=True), st.floats(allow_nan=True, allow_infinity=True)),
    slope=st.sampled_from(["0", "-1", "1e30", "nan", "abc", ""]),
)
def test_sequences_windows_and_rescale(tmp_path_factory, seed: str, items: int, window, slope: str) -> None:
    """Empty or huge sequences, non-finite windows and bad rescales are survived."""
    from pydicom import config

    ds = pydicom.dcmread(corpus_file(seed))
    saved = config.settings.writing_validation_mode, config.settings.reading_validation_mode
    config.settings.writing_validation_mode = config.settings.reading_validation_mode = config.IGNORE
    try:
        ds.ReferencedImageSequence = [pydicom.Dataset() for _ in range(items)]
        ds.VOILUTSequence = []
        _raw_ds(ds, "WindowCenter", str(window[0])[:16])
        _raw_ds(ds, "WindowWidth", str(window[1])[:16])
        _raw_ds(ds, "RescaleSlope", slope)
        path = tmp_path_factory.mktemp("fuzz") / "seq.dcm"
        ds.save_as(path)
    finally:
        config.settings.writing_validation_mode, config.settings.reading_validation_mode = saved
    _exercise(path)


def test_values_outside_bits_stored_render(tmp_path: Path) -> None:
    """Stored values beyond Bits Stored (garbage high bits) render without error."""
    ds = pydicom.dcmread(corpus_file("MR_small.dcm"))
    arr = ds.pixel_array.copy()
    arr[0, :10] = 32767
    ds.BitsStored, ds.HighBit = 12, 11
    ds.PixelData = arr.tobytes()
    path = tmp_path / "outside.dcm"
    ds.save_as(path)
    assert _exercise(path) == "ok"


# -- hostile generators: bombs, lying codestreams, nesting, item counts, recipes -----------
#: Generators that write large files run fewer cases.
HEAVY_SETTINGS = settings(
    max_examples=max(10, EXAMPLES // 10), deadline=None, suppress_health_check=list(HealthCheck), derandomize=False
)


@HEAVY_SETTINGS
@given(inflated=st.integers(min_value=2**10, max_value=256 * 2**20))
def test_deflate_bombs(tmp_path_factory, inflated: int) -> None:
    """Deflated datasets of any inflated size: read under the cap, refused above it."""
    from tests.hostile import deflate_bomb
    from viewer.model.prescan import INFLATE_FLOOR

    path = deflate_bomb(tmp_path_factory.mktemp("fuzz") / "bomb.dcm", inflated)
    outcome = _exercise(path)
    if inflated > INFLATE_FLOOR + 2 * 64 * 64 * 2 + 2**20:
        assert "inflates beyond" in outcome


@FUZZ_SETTINGS
@given(rows=st.integers(0, 65535), columns=st.integers(0, 65535))
def test_codestream_sizes_that_disagree(tmp_path_factory, rows: int, columns: int) -> None:
    """A JPEG-LS frame may declare any size; only the dataset's 64 x 64 is decoded."""
    from tests.hostile import jpegls_with_codestream_size

    path = jpegls_with_codestream_size(tmp_path_factory.mktemp("fuzz") / "jls.dcm", rows, columns)
    outcome = _exercise(path)
    if (rows, columns) == (64, 64):
        assert outcome == "ok"
    elif (rows, columns) != (0, 64):  # JPEG-LS may leave the height to the scan (0)
        assert "declares" in outcome


@FUZZ_SETTINGS
@given(depth=st.integers(0, 2000))
def test_nesting_depths(tmp_path_factory, depth: int) -> None:
    from tests.hostile import deeply_nested
    from viewer.model.prescan import MAX_DEPTH

    outcome = _exercise(deeply_nested(tmp_path_factory.mktemp("fuzz") / "deep.dcm", depth))
    assert (outcome == "ok") == (depth <= MAX_DEPTH)


@HEAVY_SETTINGS
@given(count=st.integers(0, 2_000_000))
def test_item_counts(tmp_path_factory, count: int) -> None:
    from tests.hostile import many_items
    from viewer.model.prescan import BASE_ITEMS, ITEMS_PER_FRAME

    outcome = _exercise(many_items(tmp_path_factory.mktemp("fuzz") / "items.dcm", count))
    assert (outcome == "ok") == (count <= BASE_ITEMS + ITEMS_PER_FRAME)


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=12,
)
OPERATION_NAMES = st.sampled_from(
    [
        "crop",
        "flip",
        "rotate",
        "bin",
        "fill-inside",
        "fill-outside",
        "binarize",
        "invert",
        "delete-frames",
        "keep-frames",
        "paint",
        "flood-fill",
        "nope",
    ]
)
FIELD_NAMES = st.sampled_from(
    [
        "x",
        "y",
        "width",
        "height",
        "direction",
        "degrees",
        "factor",
        "lo",
        "hi",
        "value",
        "frame",
        "spec",
        "points",
        "radius",
        "erase",
        "row",
        "column",
        "tolerance",
    ]
)


@FUZZ_SETTINGS
@given(
    steps=st.lists(
        st.one_of(
            JSON_VALUES,
            st.fixed_dictionaries({"op": OPERATION_NAMES}, optional={}).flatmap(
                lambda head: st.dictionaries(FIELD_NAMES, JSON_VALUES, max_size=6).map(lambda rest: {**rest, **head})
            ),
        ),
        max_size=4,
    )
)
def test_hostile_recipes(tmp_path_factory, steps: list) -> None:
    """Any JSON as a recipe: a usage error naming the step, or operations that apply or fail
    with one line, within the time limit (bounded strokes, validated fields)."""
    import json

    from viewer.edits.recipe import load_recipe
    from viewer.model.errors import InvalidOperationError

    folder = tmp_path_factory.mktemp("fuzz")
    recipe = folder / "r.json"
    recipe.write_text(json.dumps(steps))
    try:
        operations = load_recipe(recipe)
    except InvalidOperationError as exc:
        assert "\n" not in str(exc) and "step" in str(exc)
        return
    document = open_document(corpus_file("CT_small.dcm"))
    previous = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(CaseTimeout("recipe too slow")))
    signal.alarm(SECONDS_PER_CASE)
    try:
        work = begin_edit(document)
        for op in operations:
            work.apply(op)
    except ViewerError as exc:
        assert "\n" not in str(exc)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _frame(count: int = 11) -> st.SearchStrategy[int | None]:
    return st.one_of(st.none(), st.integers(1, count))


_VALUES = st.integers(-1500, 3500).map(float)
_STREAMABLE = st.one_of(
    st.builds(lambda lo, hi, v, f: _op("FillOutside", lo, hi, v, frame=f), _VALUES, _VALUES, _VALUES, _frame()),
    st.builds(lambda lo, hi, v, f: _op("FillInside", lo, hi, v, frame=f), _VALUES, _VALUES, _VALUES, _frame()),
    st.builds(lambda lo, hi, f: _op("Binarize", lo, hi, frame=f), _VALUES, _VALUES, _frame()),
    st.builds(lambda f: _op("Invert", frame=f), _frame()),
    st.builds(lambda d: _op("Flip", d), st.sampled_from("hv")),
    st.builds(lambda a: _op("Rotate", a), st.sampled_from([90, 180, 270])),
    st.builds(lambda x, y, w, h: _op("Crop", x, y, w, h), *(st.integers(0, 40),) * 2, *(st.integers(1, 70),) * 2),
    st.builds(lambda n: _op("Bin", n), st.integers(1, 3)),
    st.builds(lambda a, b: _op("DeleteFrames", f"{a}-{b}"), st.integers(1, 11), st.integers(1, 11)),
    st.builds(lambda a, b: _op("KeepFrames", f"{a},{b}"), st.integers(1, 11), st.integers(1, 11)),
    st.builds(
        lambda f, r, c, v: _op("Paint", frame=f, points=[[r, c], [r + 5.0, c + 9.0]], radius=3.0, value=v),
        st.integers(1, 11),
        st.integers(-5, 70).map(float),
        st.integers(-5, 70).map(float),
        _VALUES,
    ),
)


def _op(name: str, *args: object, **kwargs: object) -> object:
    from viewer.edits import operations

    return getattr(operations, name)(*args, **kwargs)


@settings(max_examples=max(8, EXAMPLES // 10), deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=st.lists(_STREAMABLE, min_size=1, max_size=4), name=st.sampled_from(["emri_small.dcm", "CT_small.dcm"]))
def test_streamed_edits_save_what_edits_in_memory_save(tmp_path_factory, steps: list, name: str) -> None:
    """Any list of frame-by-frame operations: the streamed save (viewer.edits.streamed)
    writes the same header and pixels as the in-memory one, or both refuse in one line."""
    from tests.io.test_streamed_save import _comparable, _save

    folder = tmp_path_factory.mktemp("stream")
    outcomes = []
    for streamed in (False, True):
        target = folder / f"{streamed}.dcm"
        try:
            _save(corpus_file(name), steps, target, streamed)
        except ViewerError as exc:  # both refuse (the first problem each meets may differ)
            assert "\n" not in str(exc)
            outcomes.append(("error",))
            continue
        ds, pixels = _comparable(target)
        outcomes.append(("saved", ds, pixels.dtype, pixels.tobytes()))
    assert outcomes[0] == outcomes[1]
