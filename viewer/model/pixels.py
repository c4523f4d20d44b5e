"""The (0028,xxxx) Image Pixel attributes: how to read the pixels, checked once."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from viewer.model.errors import PixelDataError, describe_attribute

#: Refuse frames no screen or decoder could sensibly hold.
#: The elements that hold pixel values (integer, float, double): the one list of them.
PIXEL_DATA_KEYWORDS = ("PixelData", "FloatPixelData", "DoubleFloatPixelData")
PIXEL_DATA_TAGS = (0x7FE00010, 0x7FE00008, 0x7FE00009)
MAX_FRAME_BYTES = 2 * 2**30


@dataclass(frozen=True)
class PixelDescription:
    """The (0028,xxxx) *Image Pixel* attributes that say how to read the pixels."""

    rows: int
    columns: int
    frames: int
    samples_per_pixel: int
    photometric_interpretation: str
    bits_allocated: int
    bits_stored: int
    pixel_representation: int
    planar_configuration: int

    @property
    def is_color(self) -> bool:
        return self.samples_per_pixel > 1 or self.photometric_interpretation == "PALETTE COLOR"

    @property
    def frame_bytes(self) -> int:
        """Bytes one frame takes decoded (whole bytes per sample)."""
        return self.rows * self.columns * self.samples_per_pixel * max(self.bits_allocated, 8) // 8

    @property
    def nbytes(self) -> int:
        """Bytes every frame takes decoded."""
        return self.frames * self.frame_bytes

    @property
    def frame_shape(self) -> tuple[int, ...]:
        """Shape of one decoded frame: (rows, columns[, samples])."""
        if self.samples_per_pixel > 1:
            return (self.rows, self.columns, self.samples_per_pixel)
        return (self.rows, self.columns)


def _int(ds: Dataset, keyword: str, default: int) -> int:
    value = ds.get(keyword)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PixelDataError(f"{describe_attribute(keyword)} has an invalid value '{value}'") from None


def describe_pixels(ds: Dataset) -> PixelDescription:
    """Read the Image Pixel module of `ds`, refusing values no decoder can honour."""
    for keyword in ("Rows", "Columns", "BitsAllocated"):
        if keyword not in ds:
            raise PixelDataError(
                f"the dataset has Pixel Data but no {describe_attribute(keyword)}, so it cannot be shown"
            )
    desc = PixelDescription(
        rows=_int(ds, "Rows", 0),
        columns=_int(ds, "Columns", 0),
        frames=_int(ds, "NumberOfFrames", 1) or 1,
        samples_per_pixel=_int(ds, "SamplesPerPixel", 1),
        photometric_interpretation=str(ds.get("PhotometricInterpretation", "MONOCHROME2")).strip() or "MONOCHROME2",
        bits_allocated=_int(ds, "BitsAllocated", 0),
        bits_stored=_int(ds, "BitsStored", _int(ds, "BitsAllocated", 0)),
        pixel_representation=_int(ds, "PixelRepresentation", 0),
        planar_configuration=_int(ds, "PlanarConfiguration", 0),
    )
    if desc.rows <= 0 or desc.columns <= 0:
        raise PixelDataError(f"Rows x Columns is {desc.rows} x {desc.columns}; both must be > 0")
    if desc.frames < 0:
        raise PixelDataError(f"Number of Frames is {desc.frames}; it must be >= 1")
    if desc.bits_allocated not in (1, 8, 16, 32, 64):
        raise PixelDataError(f"Bits Allocated is {desc.bits_allocated}; it must be 1 or a multiple of 8 up to 64")
    if not 1 <= desc.bits_stored <= desc.bits_allocated:
        raise PixelDataError(f"Bits Stored is {desc.bits_stored}; it must be 1..{desc.bits_allocated} (Bits Allocated)")
    frame_bytes = desc.frame_bytes
    if frame_bytes > MAX_FRAME_BYTES:
        raise PixelDataError(
            f"one frame of {desc.columns} x {desc.rows} x {desc.samples_per_pixel} at "
            f"{desc.bits_allocated} bits needs {frame_bytes / 2**30:.1f} GiB; refusing"
        )
    if desc.samples_per_pixel not in (1, 3):
        raise PixelDataError(f"Samples per Pixel is {desc.samples_per_pixel}; it must be 1 or 3")
    return desc


def describe_array(array: npt.NDArray[Any], source: PixelDescription) -> PixelDescription:
    """The pixel description of an edited (frames, rows, columns[, samples]) array."""
    return describe_frames(array.shape[:3], array.dtype, array.max(initial=0) if array.size else 0, source)


def describe_frames(
    shape: tuple[int, ...], dtype: np.dtype[Any], maximum: Any, source: PixelDescription
) -> PixelDescription:
    """The pixel description of edited frames of `shape` (frames, rows, columns) whose
    array would have type `dtype` and largest value `maximum` (no array needed)."""
    frames, rows, columns = shape[:3]
    bits = dtype.itemsize * 8
    same_type = bits == source.bits_allocated and (dtype.kind == "i") == bool(source.pixel_representation)
    return replace(
        source,
        rows=rows,
        columns=columns,
        frames=frames,
        bits_allocated=bits if source.bits_allocated != 1 or maximum > 1 else 1,
        bits_stored=source.bits_stored if same_type else bits,
        pixel_representation=1 if dtype.kind == "i" else 0,
        photometric_interpretation=_decoded_photometric(source.photometric_interpretation),
    )


def _decoded_photometric(photometric: str) -> str:
    """What pydicom's decode turns YBR data into: RGB."""
    return "RGB" if photometric.startswith("YBR") else photometric
