"""Lookup tables kept between renders (viewer.model.display builds them).

A 16-bit frame is shown through a 64K-entry table of its bit patterns. Building one
costs a modality pass and a window pass over 64K values; the first is the same for
every window of a frame, and the whole table is the same for every repaint, every
frame that shares the transform and window, and every hovered pixel.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from viewer.model.display import GrayscaleRendering, ModalityTransform

UInt8Array = npt.NDArray[np.uint8]
UInt32Array = npt.NDArray[np.uint32]
FloatArray = npt.NDArray[np.float64]
Span = tuple[int, int]  # the lowest and highest stored value a table is used for


class LookupHints:
    """What is known of integer stored values looked up many times (a dragged window's
    part of a frame): their lowest and highest value (a table is computed for those only),
    and the values as intp, which numpy's take would otherwise cast them to on every
    lookup (512 x 512: ~0.06 of 0.25 ms). Each is worked out when first asked for: a part
    rendered without a table (a large preview, as uint8) never makes the intp copy."""

    def __init__(self, values: npt.NDArray[Any]) -> None:
        self.values = values

    @classmethod
    def of(cls, stored: npt.NDArray[Any]) -> LookupHints | None:
        if stored.dtype.kind not in "iu" or stored.dtype.itemsize > 2 or not stored.size:
            return None
        return cls(stored)

    @cached_property
    def span(self) -> Span:
        return int(self.values.min()), int(self.values.max())

    @cached_property
    def indices(self) -> npt.NDArray[np.intp]:
        return self.values.astype(np.intp)


def pack_gray(gray: UInt8Array) -> UInt32Array:
    """Gray levels as Qt's RGB32 pixels (0xffRRGGBB, R = G = B): a frame looked up through
    a table of these is a picture Qt draws as it is. Looking up 32-bit entries costs about
    what 8-bit ones do here (0.25 ms for 512 x 512); converting a Grayscale8 picture to
    RGB32 afterwards cost 0.15-0.3 ms on every dragged window."""
    packed = gray.astype(np.uint32)
    packed *= 0x010101
    packed |= np.uint32(0xFF000000)
    return packed


class TableCache:
    """Recent lookup tables and per-transform modality values of every bit pattern.

    Keyed by what the transform does (ModalityTransform.key: frames with the same rescale
    share tables; an entry keeps its transform, so a LUT's identity is not reused while it
    is cached), bounded to a few entries, so scrubbing frames that share a window,
    repainting and hovering reuse a table instead of rebuilding 64K values.
    """

    def __init__(self, tables: int = 8, transforms: int = 4) -> None:
        # (transform key, VOI LUT id, rendering key) -> (transform, VOI LUT, span, table);
        # the entry keeps the transform and LUT alive, so their ids are not reused
        self._tables: dict[tuple[Any, ...], tuple[ModalityTransform, Any, Span, UInt8Array | UInt32Array]] = {}
        self._values: list[tuple[ModalityTransform, tuple[int, bool], FloatArray, bool]] = []
        self._max_tables, self._max_transforms = tables, transforms

    def table(
        self, rendering: GrayscaleRendering, bits: int, signed: bool, packed: bool = False, span: Span | None = None
    ) -> UInt8Array | UInt32Array:
        """The uint8 table of `rendering` for every `bits`-bit pattern (two's complement if
        `signed`), or with `packed` its RGB32 pixels (pack_gray): NaN modality values show
        as 0, as the strip path shows them.

        With `span` (the lowest and highest stored value that will be looked up) only those
        entries are computed and the others are 0 (an unsigned table ends at the highest):
        a dragged window needs a new table on every mouse move, and a 12-bit frame uses 4K
        of the 64K entries (0.16 -> 0.02 ms). A table is reused for any span it covers."""
        modality, voi_lut = rendering.modality, rendering.voi_lut
        every = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
        low, high = every if span is None else (max(span[0], every[0]), min(span[1], every[1]))
        key = (modality.key, id(voi_lut), bits, signed, rendering.window, rendering.invert, packed)
        cached = self._tables.get(key)
        if cached is not None and cached[2][0] <= low and high <= cached[2][1]:
            return cached[3]
        values, has_nan = self.modality_values(modality, 1 << bits, signed)
        # unsigned values index a table up to the highest; signed ones need every pattern
        # (a negative value's is at the top)
        size = high + 1 if low >= 0 and not signed else 1 << bits
        table: UInt8Array | UInt32Array = np.zeros(size, np.uint32) if packed else np.zeros(size, np.uint8)
        for patterns in _patterns(low, high, bits):
            out = rendering.voi(values[patterns])
            if has_nan:
                out = np.nan_to_num(out, copy=False, nan=0.0)
            levels = np.rint(out, out=out).astype(np.uint8)
            table[patterns] = pack_gray(levels) if packed else levels
        table.flags.writeable = False
        self._tables.pop(key, None)
        self._tables[key] = (modality, voi_lut, (low, high), table)  # the newest last
        while len(self._tables) > self._max_tables:
            del self._tables[next(iter(self._tables))]
        return table

    def modality_values(self, modality: ModalityTransform, size: int, signed: bool) -> tuple[FloatArray, bool]:
        for cached_modality, key, values, has_nan in self._values:
            if cached_modality.key == modality.key and key == (size, signed):
                return values, has_nan
        patterns = np.arange(size, dtype=np.int64)
        if signed:
            patterns[size // 2 :] -= size
        values = modality.apply(patterns)
        values.flags.writeable = False
        has_nan = bool(np.isnan(values).any())
        self._values = [(modality, (size, signed), values, has_nan), *self._values[: self._max_transforms - 1]]
        return values, has_nan


def _patterns(low: int, high: int, bits: int) -> list[slice]:
    """The bit patterns of the stored values low..high: a negative value's pattern is
    2**bits above it (two's complement), so a span across 0 is two ranges."""
    size = 1 << bits
    if low >= 0:
        return [slice(low, high + 1)]
    if high < 0:
        return [slice(low + size, high + 1 + size)]
    return [slice(0, high + 1), slice(low + size, size)]


TABLES = TableCache()
