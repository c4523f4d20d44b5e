"""Minimal PNG writer for 8-bit gray and RGB images (no imaging library needed)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

from viewer.io.atomic import atomic_write


def encode_png(image: npt.NDArray[np.uint8], level: int = 6) -> bytes:
    """Encode a (rows, columns) gray or (rows, columns, 3) RGB uint8 array as PNG bytes."""
    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError(f"expected a 2-D or RGB uint8 image, got {image.dtype} {image.shape}")
    rows, columns = image.shape[:2]
    color_type = 0 if image.ndim == 2 else 2
    stride = columns * (1 if image.ndim == 2 else 3)
    raw = np.zeros((rows, stride + 1), dtype=np.uint8)  # filter byte 0 (None) per row
    raw[:, 1:] = image.reshape(rows, stride)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", columns, rows, 8, color_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), level))
        + chunk(b"IEND", b"")
    )


def write_png(path: str | Path, image: npt.NDArray[np.uint8], like: Path | None = None) -> None:
    """Write `image` to `path` atomically (no looser mode than `like`, the input)."""
    data = encode_png(image)
    with atomic_write(Path(path), like=like) as f:
        f.write(data)
