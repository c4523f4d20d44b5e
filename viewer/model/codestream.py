"""What a compressed frame says about itself, checked before any decoder sees it.

Decoders allocate what the codestream's own header declares: a 1.6 KB JPEG-LS frame
claiming 60000 x 60000 pixels made a decoder run for minutes at 8 GB. So the size in
the codestream (JPEG and JPEG-LS frame header, JPEG 2000 / HTJ2K SIZ marker) must agree
with the dataset's Rows and Columns before decoding.
"""

from __future__ import annotations

import struct

from viewer.model.errors import PixelDataError

#: Start-of-frame markers: JPEG baseline/extended/progressive/lossless (not DHT C4, JPG C8,
#: DAC CC) and JPEG-LS SOF55 (F7).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF, 0xF7}
_J2K_SIZ = b"\xff\x4f\xff\x51"
_SEARCH = 4096  # a JP2 wrapper puts a few boxes before the codestream


def declared_size(frame: bytes) -> tuple[int, int, int] | None:
    """(rows, columns, components) a JPEG, JPEG-LS or JPEG 2000 frame declares, or None."""
    if frame[:2] == b"\xff\xd8":
        return _jpeg_size(frame)
    at = frame.find(_J2K_SIZ, 0, _SEARCH)
    if at >= 0 and len(frame) >= at + 42:
        x, y, x0, y0 = struct.unpack_from(">IIII", frame, at + 8)
        (components,) = struct.unpack_from(">H", frame, at + 40)
        return max(0, y - y0), max(0, x - x0), components
    return None


def ends_with_eoi(frame: bytes) -> bool:
    """True when a JPEG / JPEG-LS codestream ends with its end-of-image marker (trailing
    padding aside): CharLS can hang on one cut short, inside native code."""
    return frame.rstrip(b"\x00").endswith(b"\xff\xd9")


def _is_jpeg_ls(frame: bytes) -> bool:
    """True when the first frame header of a JPEG codestream is JPEG-LS's SOF55 (F7)."""
    return frame[:2] == b"\xff\xd8" and _jpeg_header(frame)[1] == 0xF7


def _jpeg_size(frame: bytes) -> tuple[int, int, int] | None:
    p, _ = _jpeg_header(frame)
    if p < 0:
        return None
    rows, columns = struct.unpack_from(">HH", frame, p + 5)
    return rows, columns, frame[p + 9]


def _jpeg_header(frame: bytes) -> tuple[int, int]:
    """(offset, marker) of the first start-of-frame header, or (-1, 0) without one."""
    p = 2
    while p + 4 <= len(frame):
        if frame[p] != 0xFF:
            return -1, 0
        marker = frame[p + 1]
        if marker == 0xFF:  # fill byte
            p += 1
            continue
        if marker in _SOF and p + 10 <= len(frame):
            return p, marker
        if marker == 0xDA:  # start of scan before any frame header
            return -1, 0
        (length,) = struct.unpack_from(">H", frame, p + 2)
        p += 2 + length
    return -1, 0


def check_frame(frame: bytes, rows: int, columns: int, index: int, syntax_name: str) -> None:
    """Refuse a frame whose codestream declares another size than the dataset."""
    declared = declared_size(frame)
    if declared is None:
        return
    frame_rows, frame_columns, components = declared
    # JPEG may leave the height to a DNL marker (0); anything else must agree exactly.
    if (frame_rows not in (0, rows)) or frame_columns != columns or components > 4:
        raise PixelDataError(
            f"frame {index + 1}: the {syntax_name} codestream declares {frame_columns} x {frame_rows} "
            f"pixels, {components} component(s), but the dataset says {columns} x {rows}; "
            "refusing to decode it"
        )
    if frame_rows == 0 and _is_jpeg_ls(frame):
        # JPEG-LS leaving its height to a DNL marker: CharLS cannot decode it, and libjpeg
        # allocated without bound on such a frame (24 GB seen in fuzzing).
        raise PixelDataError(
            f"frame {index + 1}: the {syntax_name} codestream leaves its height to a DNL marker; refusing to decode it"
        )
