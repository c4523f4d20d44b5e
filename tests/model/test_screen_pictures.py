"""The image view's picture (render_for_screen): gray frames looked up straight into Qt
RGB32 pixels must show exactly the gray levels of render_stored, whatever the path
(16-bit and 8-bit tables, signed values, a VOI LUT, the invert toggle, 32-bit values
without a table); colour stays uint8 RGB."""

from __future__ import annotations

import numpy as np
import pytest

from tests.corpus import corpus_file
from viewer.model.display import Window
from viewer.model.document import open_document
from viewer.model.rendering import ViewState, initial_voi, render_for_screen, render_stored
from viewer.model.tables import pack_gray

CASES = [  # (file, window or None for the file's first choice, invert, expected dtype)
    ("CT_small.dcm", None, False, np.uint32),  # signed, rescaled: 16-bit table
    ("CT_small.dcm", Window(40, 400), True, np.uint32),
    ("MR_small.dcm", Window(600, 1200), False, np.uint32),
    ("vlut_04.dcm", None, False, np.uint32),  # through its VOI LUT
    ("US1_UNCR.dcm", None, False, np.uint8),  # RGB stays as it is
    ("rtdose_1frame.dcm", None, False, np.uint32),  # 32-bit values: no table, strips
]


@pytest.mark.parametrize(("name", "window", "invert", "dtype"), CASES)
def test_screen_picture_is_the_rendered_gray_as_rgb32(name: str, window, invert: bool, dtype) -> None:
    document = open_document(corpus_file(name))
    stored = document.get_frame(0)
    attributes, modality = document.frame_attributes(0), document.modality(0)
    state = ViewState(0, window, None, invert)
    if window is None:
        state = ViewState(0, *initial_voi(attributes, document.pixels, modality, stored), invert)
    gray = render_stored(stored, attributes, document.pixels, modality, state)
    picture = render_for_screen(stored, attributes, document.pixels, modality, state)
    assert picture.dtype == dtype
    expected = pack_gray(gray) if dtype == np.uint32 else gray
    assert np.array_equal(picture, expected)


def test_pack_gray_is_qt_rgb32() -> None:
    """0xffRRGGBB with R = G = B = the level, for every level."""
    levels = np.arange(256, dtype=np.uint8)
    packed = pack_gray(levels)
    assert packed.dtype == np.uint32
    for shift in (0, 8, 16):
        assert np.array_equal((packed >> shift) & 0xFF, levels)
    assert np.all(packed >> 24 == 0xFF)


SPANS = [  # (signed, lowest, highest stored value of a part)
    (False, 0, 4095),
    (False, 17, 300),
    (False, 65535, 65535),
    (True, -1024, 3071),  # two ranges of bit patterns
    (True, -2000, -3),
    (True, 5, 40000 - 32768),
    (True, -32768, 32767),
]


@pytest.mark.parametrize(("signed", "low", "high"), SPANS)
@pytest.mark.parametrize("packed", [False, True])
def test_a_table_for_a_span_looks_up_those_values_as_the_whole_table(signed, low, high, packed) -> None:
    """A dragged window's table is computed for the values of the part shown only; every
    value of the span looks up what the table of all 64K patterns gives it, and that table
    is not taken for values outside the span."""
    from viewer.model.display import GrayscaleRendering, ModalityTransform
    from viewer.model.tables import TableCache

    cache = TableCache()
    rendering = GrayscaleRendering(ModalityTransform(slope=0.5, intercept=-100.0), Window(300.5, 1500.0))
    values = np.arange(low, high + 1, dtype=np.int32).astype(np.int16 if signed else np.uint16)
    patterns = values.view(np.uint16)
    part = cache.table(rendering, 16, signed, packed, span=(low, high))
    whole = TableCache().table(rendering, 16, signed, packed)
    assert np.array_equal(part[patterns], whole[patterns])
    assert cache.table(rendering, 16, signed, packed, span=(low, high)) is part  # kept
    wider = (low - 1, high) if low > (-32768 if signed else 0) else (low, high + 1)
    if wider[1] <= (32767 if signed else 65535):
        assert cache.table(rendering, 16, signed, packed, span=wider) is not part
