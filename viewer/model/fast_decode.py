"""Decode monochrome JPEG-LS, JPEG 2000 and RLE frames with imagecodecs, once it has been
shown to give exactly what pydicom's plug-in gives for the file.

pydicom's plug-ins for these syntaxes (pyjpegls, pylibjpeg-openjpeg, pylibjpeg-rle) keep
the GIL for the whole decode, so decoding ahead on a thread stalls the GUI thread that
paints. imagecodecs releases it (two threads decode twice as fast here) and is faster
on its own (512 x 512 16-bit: JPEG-LS 4.9 vs 7.1 ms, RLE 0.75 vs 2.5 ms). High-Throughput
JPEG 2000 stays with openjpeg although OpenJPH (imagecodecs' htj2k_decode) takes half its
time (512 x 512 12-bit lossless: 1.4 vs 2.7 ms): on damaged code-blocks OpenJPH 0.26.3
meets an error in a callback that cannot raise it and returns an image anyway (1,088 of
3,000 codestreams with 1-4 bytes changed, found by fuzzing), a damaged frame shown as if
whole; and it never returned from one whose image offset was damaged (which the
codestream check refuses first).

imagecodecs returns the codestream's samples as they are; pydicom also applies the
DICOM header's view of them (signedness, bits stored, colour). So a reader uses the fast
path only for one-sample images, only after both decoders agreed bit for bit (values,
shape and dtype) on the first frame it decoded, and falls back to pydicom for any frame
the fast decoder refuses or returns in another shape. One home for this rule:
:class:`FastDecoder`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.model.codestream import ends_with_eoi

JPEG_LS = ("1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.81")
JPEG_2000 = (
    "1.2.840.10008.1.2.4.90",
    "1.2.840.10008.1.2.4.91",
    "1.2.840.10008.1.2.4.201",
    "1.2.840.10008.1.2.4.202",
    "1.2.840.10008.1.2.4.203",
)
RLE = "1.2.840.10008.1.2.5"


def _codec(syntax: str, bits_allocated: int) -> Callable[[bytes], npt.NDArray[Any]] | None:
    """imagecodecs' decoder of one frame of `syntax`, or None (not installed, not handled)."""
    if syntax not in (*JPEG_LS, *JPEG_2000, RLE):
        return None  # imported only for files that can use it (start-up)
    try:
        import imagecodecs
    except ImportError:
        return None
    if syntax in JPEG_LS:
        return imagecodecs.jpegls_decode
    if syntax in JPEG_2000:
        return lambda frame: imagecodecs.jpeg2k_decode(frame, numthreads=1)  # frames decode in parallel
    if syntax == RLE and bits_allocated in (8, 16):
        dtype = np.dtype("u1" if bits_allocated == 8 else "<u2")
        return lambda frame: np.frombuffer(imagecodecs.dicomrle_decode(frame, dtype), dtype)
    return None


class FastDecoder:
    """The verified imagecodecs path of one file's frames (see the module docstring)."""

    def __init__(self, syntax: str, options: dict[str, Any]) -> None:
        self.syntax = syntax
        self.rows, self.columns = int(options.get("rows", 0)), int(options.get("columns", 0))
        one_sample = int(options.get("samples_per_pixel", 1) or 1) == 1
        bits = int(options.get("bits_allocated", 0) or 0)
        self._codec = _codec(syntax, bits) if one_sample else None
        self.verified: bool | None = None if self._codec is not None else False  # None: not yet compared
        self._dtype: np.dtype[Any] | None = None  # of the frame compared

    def _decode(self, frame: bytes) -> npt.NDArray[Any] | None:
        assert self._codec is not None
        try:
            arr = np.asarray(self._codec(frame))
        except Exception:  # refused: pydicom's plug-in decides (and reports) instead
            return None
        if arr.size != self.rows * self.columns:
            return None
        return arr.reshape(self.rows, self.columns)

    def decode(self, frame: bytes) -> npt.NDArray[Any] | None:
        """The frame, or None when pydicom's plug-in should decode it."""
        if not self.verified or not self._complete(frame):
            return None
        arr = self._decode(frame)
        # a frame whose codestream says another sign or depth than the one compared: pydicom
        return arr if arr is not None and arr.dtype == self._dtype else None

    def _complete(self, frame: bytes) -> bool:
        """A JPEG-LS frame cut short goes to libjpeg (viewer.model.readers): imagecodecs
        decodes with CharLS too."""
        return self.syntax not in JPEG_LS or ends_with_eoi(frame)

    def compare(self, frame: bytes, reference: npt.NDArray[Any]) -> None:
        """Use the fast path from now on if it gives `reference` (pydicom's decode of `frame`)."""
        if self.verified is not None:
            return
        arr = self._decode(frame) if self._complete(frame) else None
        self.verified = arr is not None and arr.dtype == reference.dtype and np.array_equal(arr, reference)
        self._dtype = reference.dtype
