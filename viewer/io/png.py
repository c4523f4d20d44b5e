"""Minimal PNG writer for 8-bit gray and RGB images (no imaging library needed).

Rows are compressed in strips straight into the file, one IDAT chunk per strip, so a
16384 x 16384 render needs no second or third copy of the image in memory.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

from viewer.io.atomic import atomic_write

STRIP_BYTES = 4 * 2**20


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png_chunks(image: npt.NDArray[np.uint8], level: int) -> Iterator[bytes]:
    """The PNG file of a (rows, columns) gray or (rows, columns, 3) RGB uint8 array, in pieces."""
    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError(f"expected a 2-D or RGB uint8 image, got {image.dtype} {image.shape}")
    rows, columns = image.shape[:2]
    color_type = 0 if image.ndim == 2 else 2
    stride = columns * (1 if image.ndim == 2 else 3)
    yield b"\x89PNG\r\n\x1a\n"
    yield _chunk(b"IHDR", struct.pack(">IIBBBBB", columns, rows, 8, color_type, 0, 0, 0))
    compressor = zlib.compressobj(level)
    flat = image.reshape(rows, stride)
    step = max(1, STRIP_BYTES // (stride + 1))
    for start in range(0, rows, step):
        raw = np.zeros((min(step, rows - start), stride + 1), dtype=np.uint8)  # filter byte 0 per row
        raw[:, 1:] = flat[start : start + step]
        data = compressor.compress(raw.tobytes())
        if data:
            yield _chunk(b"IDAT", data)
    yield _chunk(b"IDAT", compressor.flush())
    yield _chunk(b"IEND", b"")


def write_png(path: str | Path, image: npt.NDArray[np.uint8], like: Path | None = None) -> None:
    """Write `image` to `path` atomically (no looser mode than `like`, the input)."""
    chunks = _png_chunks(image, 6)
    first = next(chunks)  # a wrong image type fails before the file is created
    with atomic_write(Path(path), like=like) as f:
        f.write(first)
        for chunk in chunks:
            f.write(chunk)
