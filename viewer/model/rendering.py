"""The one rendering policy, used by the GUI and by `render` alike.

A view is plain data (:class:`ViewState`: frame, window or VOI LUT, invert, zoom). Which
window a frame is first shown with, how MONOCHROME1 and the person's invert combine, and
how colour is shown are decided here and nowhere else:

- a window given by the person (`--window`, a drag, a preset);
- else the first stored window (per-frame functional groups first);
- else the first VOI LUT Sequence item;
- else the frame's min..max of modality values (as dcmtk's min-max window).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from viewer.model.display import (
    GrayscaleRendering,
    ModalityTransform,
    VoiLut,
    Window,
    get_voi_luts,
    get_windows,
    strip_minmax_window,
    to_uint8,
)
from viewer.model.errors import PixelDataError, ViewerError, one_line
from viewer.model.overlays import draw_overlays
from viewer.model.pixels import PixelDescription
from viewer.model.shutters import draw_shutter
from viewer.model.tables import LookupHints, UInt32Array

UInt8Array = npt.NDArray[np.uint8]
#: Colour images are shown as they are; this window only labels the readout.
COLOR_WINDOW = Window(127.5, 256)


@dataclass
class ViewState:
    """How one document is being looked at: plain data, no Qt."""

    frame: int = 0  # 0-based
    window: Window | None = None
    voi_lut: VoiLut | None = None
    invert: bool = False  # the person's invert toggle (MONOCHROME1 is handled separately)
    zoom: float | None = None  # None: fitted to the view

    @property
    def has_voi(self) -> bool:
        return self.window is not None or self.voi_lut is not None


def initial_voi(
    attributes: Dataset, pixels: PixelDescription, modality: ModalityTransform, stored: npt.NDArray[Any]
) -> tuple[Window | None, VoiLut | None]:
    """(window, VOI LUT) a frame is first shown with when the person has chosen none."""
    if pixels.is_color:
        return COLOR_WINDOW, None
    windows = get_windows(attributes)
    if windows:
        return windows[0], None
    luts = get_voi_luts(attributes)
    if luts:
        return None, luts[0]
    return strip_minmax_window(stored, modality), None


def grayscale_rendering(state: ViewState, pixels: PixelDescription, modality: ModalityTransform) -> GrayscaleRendering:
    """The VOI and presentation of `state`: MONOCHROME1 shows inverted, the toggle inverts again."""
    monochrome1 = pixels.photometric_interpretation == "MONOCHROME1"
    return GrayscaleRendering(modality, state.window, state.voi_lut, invert=monochrome1 != state.invert)


def render_stored(
    stored: npt.NDArray[Any],
    attributes: Dataset,
    pixels: PixelDescription,
    modality: ModalityTransform,
    state: ViewState,
) -> UInt8Array:
    """uint8 gray or RGB of stored values (a frame or part of one) as `state` shows them."""
    if pixels.is_color:
        rgb = color_to_rgb8(stored, attributes, pixels)
        return 255 - rgb if state.invert else rgb
    return grayscale_rendering(state, pixels, modality).render(stored, pixels)


def render_for_screen(
    stored: npt.NDArray[Any],
    attributes: Dataset,
    pixels: PixelDescription,
    modality: ModalityTransform,
    state: ViewState,
    lookup: LookupHints | None = None,
) -> UInt8Array | UInt32Array:
    """:func:`render_stored` as a picture for Qt: gray as RGB32 pixels (pack_gray), drawn
    as they are; RGB as uint8 triples. `lookup`: what is known of `stored` (LookupHints)."""
    if pixels.is_color:
        return render_stored(stored, attributes, pixels, modality, state)
    return grayscale_rendering(state, pixels, modality).render(stored, pixels, True, lookup)


def render_frame(
    document: Any, index: int, window: Window | None = None, invert: bool = False, overlays: bool = True
) -> UInt8Array:
    """Render frame `index` (0-based) of a :class:`Document` as a fresh view would show it:
    overlay planes drawn in unless `overlays` is False, the display shutter always."""
    return render_view(document, ViewState(frame=index, window=window, invert=invert), overlays)


def render_view(document: Any, state: ViewState, overlays: bool = True) -> UInt8Array:
    """Frame `state.frame` as `state` shows it (its window or VOI LUT, else the frame's own
    first choice; its invert), with overlay planes and the display shutter: what the GUI
    shows, and what `render` and the exports write."""
    index = state.frame
    stored = document.get_frame(index)
    try:
        attributes = document.frame_attributes(index)
        modality = document.modality(index)
        if not state.has_voi:
            state = ViewState(state.frame, *initial_voi(attributes, document.pixels, modality, stored), state.invert)
        image = render_stored(stored, attributes, document.pixels, modality, state)
        if overlays:
            image = draw_overlays(image, document.overlays, index)
        return draw_shutter(image, document.shutter)
    except (ViewerError, MemoryError):
        raise
    except Exception as exc:  # malformed LUTs and the like
        raise PixelDataError(f"cannot display frame {index + 1}: {one_line(exc)}") from None


def color_to_rgb8(frame: npt.NDArray[Any], view: Dataset, pixels: PixelDescription) -> UInt8Array:
    """Return an 8-bit RGB image of a colour frame (RGB, YBR already as RGB, or palette)."""
    if pixels.photometric_interpretation == "PALETTE COLOR":
        from pydicom.pixels.processing import apply_color_lut

        try:
            rgb = apply_color_lut(frame, view)
        except Exception as exc:
            raise PixelDataError(f"cannot apply the palette colour LUT: {exc}") from None
        bits = 8 if rgb.dtype.itemsize == 1 else 16
        return _scale_to_uint8(rgb, bits)
    return _scale_to_uint8(frame, pixels.bits_stored)


def _scale_to_uint8(arr: npt.NDArray[Any], bits: int) -> UInt8Array:
    if arr.dtype == np.uint8 and bits <= 8:
        return np.ascontiguousarray(arr)
    if bits <= 8:
        return np.clip(arr, 0, 255).astype(np.uint8)
    top = float((1 << bits) - 1)
    return to_uint8(np.clip(arr.astype(np.float64), 0, top) * (255.0 / top))
