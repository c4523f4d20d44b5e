"""The DICOM display pipeline: stored values to the 8-bit image a person sees.

stored value -> Modality LUT stage (PS3.3 C.11.1: Rescale Slope/Intercept, Modality
LUT Sequence, RT Dose Grid Scaling) -> VOI LUT stage (C.11.2: linear, linear exact
and sigmoid windows, VOI LUT Sequence) -> MONOCHROME1 inversion -> uint8. Colour
images go palette / RGB (8 or 16 bit) -> 8-bit RGB; YBR arrives already as RGB.

For integer stored values of at most 16 bits the whole grayscale chain is evaluated
once per possible stored value into a lookup table and applied with one indexing
pass, which is cheaper than float arithmetic over a frame.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, cast, overload

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from viewer.model.errors import PixelDataError, describe_attribute
from viewer.model.pixels import PixelDescription
from viewer.model.tables import TABLES, LookupHints, Span, UInt32Array, pack_gray

FloatArray = npt.NDArray[np.float64]
UInt8Array = npt.NDArray[np.uint8]

_FUNCTIONS = ("LINEAR", "LINEAR_EXACT", "SIGMOID")


#: The narrowest window accepted (modality units); a dose map can need 0.01 Gy.
MIN_WIDTH = 1e-9


@dataclass(frozen=True)
class Window:
    """A VOI window in modality units: (0028,1050) center, (0028,1051) width.

    Any width > 0 works. From width 1 up, LINEAR follows PS3.3 C.11.2.1.2 exactly (as
    dcmtk does, so integer data looks the same there); narrower windows, which that
    formula cannot express, map linearly from center - width/2 to center + width/2.
    """

    center: float
    width: float
    function: str = "LINEAR"
    explanation: str = ""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.center) and math.isfinite(self.width)):
            raise ValueError(f"window center/width must be finite, got {self.center}/{self.width}")
        if self.function not in _FUNCTIONS:
            raise ValueError(f"VOI LUT Function '{self.function}' is not one of {_FUNCTIONS}")
        if self.width < MIN_WIDTH:
            raise ValueError(f"window width {self.width:g} is invalid; it must be > 0")

    @property
    def dicom_linear(self) -> bool:
        """True when the PS3.3 LINEAR formula (with its half-unit offsets) applies."""
        return self.function == "LINEAR" and self.width >= 1

    @property
    def low(self) -> float:
        """The modality value shown as black (before any inversion)."""
        if self.dicom_linear:
            return self.center - 0.5 - (self.width - 1) / 2
        return self.center - self.width / 2

    @property
    def high(self) -> float:
        """The modality value shown as white (before any inversion)."""
        if self.dicom_linear:
            return self.center - 0.5 + (self.width - 1) / 2
        return self.center + self.width / 2

    @classmethod
    def from_bounds(cls, low: float, high: float, function: str = "LINEAR") -> Window:
        """The window that shows `low` as black and `high` as white."""
        if function == "LINEAR" and high - low >= 0:
            width = high - low + 1.0
            return cls(low + 0.5 + (width - 1) / 2, width, function)
        return cls((low + high) / 2, max(high - low, MIN_WIDTH), function)

    def moved(self, center: float | None = None, width: float | None = None) -> Window:
        """A copy with a new center and/or width (width kept valid)."""
        new_width = self.width if width is None else max(width, MIN_WIDTH)
        return replace(self, center=self.center if center is None else center, width=new_width)


@dataclass(frozen=True)
class VoiLut:
    """A (0028,3010) *VOI LUT Sequence* item: descriptor and data."""

    first_mapped: int
    data: npt.NDArray[np.int64]
    bits: int
    explanation: str = ""


@dataclass(frozen=True)
class ModalityTransform:
    """Stored value -> modality value: either a rescale or a LUT."""

    slope: float = 1.0
    intercept: float = 0.0
    lut_first: int = 0
    lut: npt.NDArray[np.int64] | None = None
    units: str = ""

    @property
    def key(self) -> tuple[Any, ...]:
        """Equal for transforms that map alike (the LUT by identity): display tables are kept by it."""
        return (self.slope, self.intercept, self.lut_first, None if self.lut is None else id(self.lut))

    def apply(self, stored: npt.NDArray[Any]) -> FloatArray:
        """Return the modality values of `stored` as float64."""
        if self.lut is not None:
            index = np.clip(stored.astype(np.int64) - self.lut_first, 0, len(self.lut) - 1)
            return self.lut[index].astype(np.float64)
        out = stored.astype(np.float64)
        if self.slope != 1.0:
            out *= self.slope
        if self.intercept != 0.0:
            out += self.intercept
        return out

    def inverse(self, value: float) -> float:
        """The stored value that maps to modality `value` (not rounded)."""
        if self.lut is not None:
            index = int(np.argmin(np.abs(self.lut - value)))
            return float(index + self.lut_first)
        return (value - self.intercept) / self.slope

    @property
    def is_identity(self) -> bool:
        return self.lut is None and self.slope == 1.0 and self.intercept == 0.0


def _as_list(value: Any) -> list[Any]:
    """A DICOM value as a list: multi-valued elements as they are, single values wrapped."""
    if value is None or value == "":
        return []
    if isinstance(value, (str, bytes, int, float)) or not hasattr(value, "__iter__"):
        return [value]
    return list(value)


def _float(ds: Dataset, keyword: str, default: float) -> float:
    """The first value of a numeric attribute; refuses text and non-finite numbers."""
    values = _as_list(ds.get(keyword))
    if not values:
        return default
    value = values[0]
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise PixelDataError(f"{describe_attribute(keyword)} has an invalid value '{value}'") from None
    if not math.isfinite(result):
        raise PixelDataError(f"{describe_attribute(keyword)} is {result}; it must be finite")
    return result


def _lut_from_item(item: Dataset, data_keyword: str, signed_first: bool) -> tuple[int, npt.NDArray[np.int64], int]:
    """Decode an LUT Descriptor (0028,3002) and LUT Data (0028,3006) pair."""
    try:
        desc = [int(v) for v in _as_list(item.get("LUTDescriptor"))]
    except (TypeError, ValueError):
        desc = []
    if len(desc) != 3:
        raise PixelDataError("its LUT Descriptor is empty or not three numbers")
    if data_keyword not in item or item[data_keyword].value is None:
        raise PixelDataError("its LUT Data is empty")
    entries = desc[0] or 65536
    first = desc[1]
    if signed_first and first >= 32768:
        first -= 65536
    bits = desc[2]
    elem = item[data_keyword]
    raw = elem.value
    if isinstance(raw, (bytes, bytearray)):
        if elem.VR in ("OW", "US", "SS", "US or SS", "US or OW") or bits > 8 or len(raw) >= 2 * entries:
            data = np.frombuffer(raw[: 2 * entries], dtype="<u2")
        else:
            data = np.frombuffer(raw[:entries], dtype=np.uint8)
    else:
        data = np.asarray(raw if isinstance(raw, (list, tuple)) or hasattr(raw, "__len__") else [raw])
    data = data.astype(np.int64)[:entries]
    if len(data) == 0:
        raise PixelDataError("LUT Data is empty")
    return first, data, bits


def get_modality_transform(view: Dataset, pixels: PixelDescription) -> ModalityTransform:
    """Return the Modality LUT stage for a frame's attributes (see :func:`frame_view`)."""
    units = str(view.get("RescaleType", "") or "")
    if not units and str(view.get("Modality", "")) == "CT":
        units = "HU"
    seq = view.get("ModalityLUTSequence")
    if seq and pixels.samples_per_pixel == 1:
        item = seq[0]
        try:
            first, data, _ = _lut_from_item(item, "LUTData", pixels.pixel_representation == 1)
            return ModalityTransform(lut_first=first, lut=data, units=str(item.get("ModalityLUTType", "") or units))
        except PixelDataError:
            pass  # unusable: ignored as dcmtk does (unusable_luts says so at open); rescale below
    slope = _float(view, "RescaleSlope", 1.0)
    intercept = _float(view, "RescaleIntercept", 0.0)
    if "DoseGridScaling" in view and str(view.get("Modality", "")) == "RTDOSE":
        slope *= _float(view, "DoseGridScaling", 1.0)
        units = str(view.get("DoseUnits", "") or "GY")
    if slope == 0.0:
        slope = 1.0  # a zero slope would make every pixel equal; treat as absent
    return ModalityTransform(slope=slope, intercept=intercept, units=units)


def _values(view: Dataset, keyword: str) -> list[float]:
    """Every value of a numeric attribute, or [] if any is not a number."""
    out = []
    for v in _as_list(view.get(keyword)):
        try:
            out.append(float(v))
        except (TypeError, ValueError):
            return []
    return out


def get_windows(view: Dataset) -> list[Window]:
    """Every valid (0028,1050)/(0028,1051) window pair stored for a frame."""
    centers = _values(view, "WindowCenter")
    widths = _values(view, "WindowWidth")
    explanations = view.get("WindowCenterWidthExplanation", [])
    if isinstance(explanations, str):
        explanations = [explanations]
    function = str(view.get("VOILUTFunction", "LINEAR") or "LINEAR").strip().upper()
    if function not in _FUNCTIONS:
        function = "LINEAR"
    windows = []
    for i, (center, width) in enumerate(zip(centers, widths, strict=False)):
        explanation = str(explanations[i]) if i < len(explanations) else ""
        try:
            windows.append(Window(center, width, function, explanation))
        except ValueError:
            continue
    return windows


def unusable_luts(view: Dataset) -> list[str]:
    """Notes for Modality and VOI LUT Sequence items that cannot be used (and are ignored)."""
    notes = []
    for keyword in ("ModalityLUTSequence", "VOILUTSequence"):
        for i, item in enumerate(view.get(keyword, []) or []):
            try:
                _lut_from_item(item, "LUTData", False)
            except (AttributeError, KeyError, ValueError, PixelDataError) as exc:
                notes.append(f"{describe_attribute(keyword)} item {i + 1} is ignored: {exc}")
    return notes


def get_voi_luts(view: Dataset) -> list[VoiLut]:
    """Every item of the (0028,3010) *VOI LUT Sequence* for a frame."""
    luts = []
    for item in view.get("VOILUTSequence", []) or []:
        try:
            first, data, bits = _lut_from_item(item, "LUTData", False)
        except (AttributeError, KeyError, ValueError, PixelDataError):
            continue
        luts.append(VoiLut(first, data, bits, str(item.get("LUTExplanation", "") or "")))
    return luts


#: Pixels converted to floats at once when rendering without a lookup table.
STRIP_PIXELS = 1 << 20


def minmax_window(modality_values: npt.NDArray[Any]) -> Window:
    """Black at the minimum, white at the maximum (as dcmtk's min-max window)."""
    if modality_values.size == 0 or np.all(np.isnan(modality_values)):
        return Window(0.5, 1.0)
    return _range_window(float(np.nanmin(modality_values)), float(np.nanmax(modality_values)))


def _range_window(low: float, high: float) -> Window:
    """Black at `low`, white at `high`: as dcmtk for integer values; exactly for fractional
    ones (a dose map of 0..0.8 Gy must not get a window 1.8 Gy wide)."""
    if low.is_integer() and high.is_integer():
        return Window((low + high + 1) / 2, high - low + 1)
    return Window((low + high) / 2, max(high - low, MIN_WIDTH))


def apply_window(values: FloatArray, window: Window) -> FloatArray:
    """Map modality values to 0..255 floats with the window's VOI LUT Function; in place, as
    a 64K table is rebuilt on each W/L drag event (temporaries: 0.9 ms, in place 0.13)."""
    if window.function == "SIGMOID":
        with np.errstate(over="ignore"):
            return 255.0 / (1.0 + np.exp(-4.0 * (values - window.center) / window.width))
    c, w = window.center, window.width  # LINEAR_EXACT, and LINEAR narrower than one unit
    if window.dicom_linear:
        c, w = c - 0.5, w - 1.0
        if w <= 0:
            return np.where(values <= c, 0.0, 255.0)
    out = np.subtract(values, c, dtype=np.float64)
    out /= w
    out += 0.5
    out *= 255.0
    return np.clip(out, 0.0, 255.0, out=out)


def apply_voi_lut_table(values: FloatArray, lut: VoiLut) -> FloatArray:
    """Map modality values through a VOI LUT, scaled to 0..255."""
    index = np.clip(np.floor(values).astype(np.int64) - lut.first_mapped, 0, len(lut.data) - 1)
    out = lut.data[index].astype(np.float64)
    top = float((1 << lut.bits) - 1) if 0 < lut.bits <= 16 else float(lut.data.max() or 1)
    return np.clip(out * (255.0 / top), 0.0, 255.0)


@dataclass(frozen=True)
class GrayscaleRendering:
    """Everything needed to turn one monochrome frame into uint8."""

    modality: ModalityTransform
    window: Window | None = None
    voi_lut: VoiLut | None = None
    invert: bool = False  # MONOCHROME1 xor the person's invert toggle

    def voi(self, modality_values: FloatArray) -> FloatArray:
        if self.voi_lut is not None and self.window is None:
            out = apply_voi_lut_table(modality_values, self.voi_lut)
        else:
            window = self.window if self.window is not None else minmax_window(modality_values)
            out = apply_window(modality_values, window)
        return np.subtract(255.0, out, out=out) if self.invert else out  # `out` is fresh

    def lookup_table(
        self, pixels: PixelDescription, packed: bool = False, span: Span | None = None
    ) -> UInt8Array | UInt32Array | None:
        """The table of TABLES.table (`packed`, `span`) for stored values of at most 16 bits
        allocated (else None), indexed by their unsigned bit patterns."""
        if pixels.bits_allocated > 16 or self.window is None and self.voi_lut is None:
            return None
        bits, signed = 8 if pixels.bits_allocated <= 8 else 16, pixels.pixel_representation == 1
        return TABLES.table(self, bits, signed, packed, span)

    @overload
    def render(self, stored: npt.NDArray[Any], pixels: PixelDescription) -> UInt8Array: ...
    @overload
    def render(
        self, stored: npt.NDArray[Any], pixels: PixelDescription, packed: bool, lookup: LookupHints | None = None
    ) -> UInt8Array | UInt32Array: ...
    def render(
        self,
        stored: npt.NDArray[Any],
        pixels: PixelDescription,
        packed: bool = False,
        lookup: LookupHints | None = None,
    ) -> UInt8Array | UInt32Array:
        """The uint8 display image of one monochrome frame, or with `packed` its RGB32
        pixels for the screen (viewer.model.tables.pack_gray); `lookup`: what is known of
        `stored` when it is looked up many times (a dragged part). Memory beyond the frame
        and its image stays bounded: modality values are computed in strips of rows (a
        16384 x 16384 frame would need 2 GB of floats at once)."""
        if self.window is None and self.voi_lut is None:
            window = strip_minmax_window(stored, self.modality)
            return replace(self, window=window).render(stored, pixels, packed, lookup)
        # a span is in the values' own signedness, the table's in the file's
        agrees = (stored.dtype.kind == "i") == (pixels.pixel_representation == 1)
        span = lookup.span if lookup is not None and agrees else None
        lut = self.lookup_table(pixels, packed, span) if stored.dtype.kind in "iu" else None
        if lut is not None:
            if lookup is not None and (stored.dtype.kind == "u" or len(lut) == 1 << (8 * stored.dtype.itemsize)):
                indices = lookup.indices  # a negative one counts from the end of a whole table: its pattern
            else:
                indices = stored.view(np.uint8 if stored.dtype.itemsize == 1 else np.uint16)
            return cast("UInt8Array | UInt32Array", np.take(lut, indices))  # twice as fast as lut[unsigned]
        out = np.empty(stored.shape, dtype=np.uint8)
        for rows in _strips(stored):
            out[rows] = to_uint8(self.voi(self.modality.apply(stored[rows])))
        return pack_gray(out) if packed else out


def _strips(frame: npt.NDArray[Any]) -> list[slice]:
    """Row ranges of about STRIP_PIXELS pixels each."""
    rows = max(1, STRIP_PIXELS // max(1, int(np.prod(frame.shape[1:]))))
    return [slice(start, start + rows) for start in range(0, max(1, len(frame)), rows)]


def strip_minmax_window(stored: npt.NDArray[Any], modality: ModalityTransform) -> Window:
    """:func:`minmax_window` of the frame's modality values, computed strip by strip."""
    low, high = np.inf, -np.inf
    for rows in _strips(stored):
        values = modality.apply(stored[rows])
        if values.size and not np.all(np.isnan(values)):
            low, high = min(low, float(np.nanmin(values))), max(high, float(np.nanmax(values)))
    return Window(0.5, 1.0) if low > high else _range_window(low, high)


def to_uint8(values: FloatArray) -> UInt8Array:
    """Rounded, NaN as 0."""
    return np.rint(np.nan_to_num(values, nan=0.0)).astype(np.uint8)
