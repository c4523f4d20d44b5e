"""Files an attacker or a careless tool would make, generated with pydicom for the tests.

Each maker writes one file and returns its path; sizes are parameters so the fuzz suite
can draw them.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate_extended
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    ExplicitVRLittleEndian,
    JPEGLSLossless,
    RLELossless,
    SecondaryCaptureImageStorage,
    generate_uid,
)


def image_dataset(rows: int = 64, columns: int = 64, frames: int = 1, syntax: str = ExplicitVRLittleEndian) -> Dataset:
    """A small valid 16-bit grayscale Secondary Capture image with a ramp of values."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = syntax
    ds.SOPClassUID = SecondaryCaptureImageStorage
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.PatientName = "Hostile^Test"
    ds.PatientID = "H1"
    ds.Modality = "OT"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = rows, columns
    if frames > 1:
        ds.NumberOfFrames = frames
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    pixels = (np.arange(frames * rows * columns, dtype=np.uint16) % 4096).reshape(frames, rows, columns)
    ds.PixelData = pixels.tobytes()
    return ds


def ramp(ds: Dataset) -> np.ndarray:
    """The pixel values `image_dataset` wrote, as (frames, rows, columns)."""
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    return (np.arange(frames * ds.Rows * ds.Columns, dtype=np.uint16) % 4096).reshape(frames, ds.Rows, ds.Columns)


def write(ds: Dataset, path: Path) -> Path:
    ds.save_as(path, enforce_file_format=True)
    return path


def encode_frame(syntax: str, frame: np.ndarray) -> bytes:
    """One 12-bit grayscale frame encoded in `syntax` by pydicom's encoder."""
    from pydicom.pixels import get_encoder

    rows, columns = frame.shape
    return get_encoder(syntax).encode(
        frame,
        rows=rows,
        columns=columns,
        samples_per_pixel=1,
        bits_allocated=16,
        bits_stored=12,
        pixel_representation=0,
        photometric_interpretation="MONOCHROME2",
        number_of_frames=1,
    )


def rle_with_extended_offset_table(path: Path, frames: int = 3) -> Path:
    """A multi-frame RLE image carrying an Extended Offset Table (7FE0,0001/0002)."""

    ds = image_dataset(32, 32, frames)
    encoded = [encode_frame(RLELossless, frame) for frame in ramp(ds)]
    data, offsets, lengths = encapsulate_extended(encoded)
    ds.file_meta.TransferSyntaxUID = RLELossless
    ds.PixelData = data
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.ExtendedOffsetTable = offsets
    ds.ExtendedOffsetTableLengths = lengths
    return write(ds, path)


def deflate_bomb(path: Path, inflated_bytes: int) -> Path:
    """A deflated 64x64 image whose dataset inflates to `inflated_bytes` (a huge private OB)."""
    ds = image_dataset()
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    buffer = pydicom.filebase.DicomBytesIO()
    buffer.is_little_endian, buffer.is_implicit_VR = True, False
    small = Dataset()
    for element in ds:
        if element.tag < 0x7FE00010:
            small.add(element)
    pydicom.filewriter.write_dataset(buffer, small)
    head = buffer.getvalue()
    filler = max(0, inflated_bytes - len(head))
    element = struct.pack("<HH2sHI", 0x0009, 0x1010, b"OB", 0, filler)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    body = compressor.compress(head + element) + compressor.flush(zlib.Z_FULL_FLUSH)
    # After a full flush a block refers to nothing before it, so one compressed MiB of
    # zeros repeated is a valid stream: gigabytes are made in milliseconds.
    mib = 2**20
    block = compressor.compress(bytes(mib)) + compressor.flush(zlib.Z_FULL_FLUSH)
    body += block * (filler // mib)
    body += compressor.compress(bytes(filler % mib)) + compressor.flush()
    meta = pydicom.filebase.DicomBytesIO()
    meta.is_little_endian, meta.is_implicit_VR = True, False
    pydicom.filewriter.write_file_meta_info(meta, ds.file_meta, enforce_standard=True)
    path.write_bytes(b"\x00" * 128 + b"DICM" + meta.getvalue() + body)
    return path


def jpegls_with_codestream_size(path: Path, declared_rows: int, declared_columns: int) -> Path:
    """A 64x64 JPEG-LS image whose codestream's SOF55 header declares another size."""
    from pydicom.encaps import encapsulate

    ds = image_dataset()
    frame = ramp(ds)[0]
    stream = bytearray(encode_frame(JPEGLSLossless, frame))
    sof = stream.index(b"\xff\xf7")
    stream[sof + 5 : sof + 9] = struct.pack(">HH", declared_rows, declared_columns)
    ds.file_meta.TransferSyntaxUID = JPEGLSLossless
    ds.PixelData = encapsulate([bytes(stream)])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    return write(ds, path)


def deeply_nested(path: Path, depth: int) -> Path:
    """A valid image with `depth` levels of defined-length nested sequences (written raw:
    pydicom itself recurses once per level)."""
    ds = image_dataset(8, 8)
    write(ds, path)
    value = struct.pack("<HH2sH", 0x0008, 0x0100, b"SH", 2) + b"1 "
    for _ in range(depth):
        item = struct.pack("<HHI", 0xFFFE, 0xE000, len(value)) + value
        value = struct.pack("<HH2sHI", 0x0040, 0xA730, b"SQ", 0, len(item)) + item
    return insert_before_pixels(path, value)


def insert_before_pixels(path: Path, element: bytes) -> Path:
    data = path.read_bytes()
    at = data.index(struct.pack("<HH", 0x7FE0, 0x0010) + b"OW")
    path.write_bytes(data[:at] + element + data[at:])
    return path


def many_items(path: Path, count: int) -> Path:
    """A valid image with a sequence of `count` empty items (written raw: pydicom is slow)."""
    write(image_dataset(8, 8), path)
    items = struct.pack("<HHI", 0xFFFE, 0xE000, 0) * count
    return insert_before_pixels(path, struct.pack("<HH2sHI", 0x0040, 0xA730, b"SQ", 0, len(items)) + items)


def zeros_before(path: Path, zero_bytes: int) -> Path:
    """`zero_bytes` of zeros, then a whole DICOM file (preamble included)."""
    ds = image_dataset(8, 8)
    write(ds, path)
    data = path.read_bytes()
    with path.open("wb") as f:
        f.truncate(zero_bytes)
        f.seek(zero_bytes)
        f.write(data)
    return path


def odd_length_fragment(path: Path) -> Path:
    """A JPEG-LS image whose one fragment has an odd length (the delimiter follows it at an
    odd offset), as some encoders write them."""
    ds = image_dataset(16, 16)
    frame = encode_frame(JPEGLSLossless, ramp(ds)[0])
    if len(frame) % 2:
        frame += b"\xff"  # make it even, then cut one byte below to make the item odd
    frame += b"\x00\x00"
    ds.file_meta.TransferSyntaxUID = JPEGLSLossless
    from pydicom.encaps import encapsulate

    ds.PixelData = encapsulate([frame])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    write(ds, path)
    data = bytearray(path.read_bytes())
    item = data.rindex(b"\xfe\xff\x00\xe0" + struct.pack("<I", len(frame)))
    data[item + 4 : item + 8] = struct.pack("<I", len(frame) - 1)
    del data[item + 8 + len(frame) - 1]  # the item is now odd; the delimiter follows directly
    path.write_bytes(bytes(data))
    return path


def encapsulated_under_native(path: Path, codec: str) -> Path:
    """Compressed (encapsulated) Pixel Data whose meta says Explicit VR Little Endian, as
    tools that rewrite the meta without the data leave it. The UID is replaced in place,
    padded to the same length, so every other byte stays as written."""
    from pydicom.encaps import encapsulate

    ds = image_dataset(16, 16)
    ds.file_meta.TransferSyntaxUID = codec
    ds.PixelData = encapsulate([encode_frame(codec, ramp(ds)[0])])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    write(ds, path)
    data = path.read_bytes()
    old = str(codec).encode()
    old += b"\x00" * (len(old) % 2)
    new = str(ExplicitVRLittleEndian).encode().ljust(len(old), b"\x00")
    path.write_bytes(data.replace(old, new, 1))
    return path


def nested_encapsulated(path: Path) -> Path:
    """A JPEG-LS image with a private sequence whose item holds its own encapsulated
    thumbnail (7FE0,0010 of undefined length), as some vendors store previews."""
    from pydicom.encaps import encapsulate
    from pydicom.sequence import Sequence

    ds = image_dataset(16, 16)
    ds.file_meta.TransferSyntaxUID = JPEGLSLossless
    ds.PixelData = encapsulate([encode_frame(JPEGLSLossless, ramp(ds)[0])])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    thumbnail = Dataset()
    thumbnail.Rows, thumbnail.Columns = 8, 8
    thumbnail.PixelData = encapsulate([encode_frame(JPEGLSLossless, ramp(ds)[0][:8, :8])])
    thumbnail["PixelData"].VR = "OB"
    thumbnail["PixelData"].is_undefined_length = True
    block = ds.private_block(0x0009, "DICOM-VIEWER TEST", create=True)
    block.add_new(0x10, "SQ", Sequence([thumbnail]))
    return write(ds, path)


def tiled_slide(path: Path) -> Path:
    """A VL Whole Slide Microscopy image: a 32 x 32 Total Pixel Matrix in four 16 x 16 tiles."""
    ds = image_dataset(16, 16, frames=4)
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.77.1.6"
    ds.Modality = "SM"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "VOLUME", "NONE"]
    ds.DimensionOrganizationType = "TILED_FULL"
    ds.TotalPixelMatrixRows, ds.TotalPixelMatrixColumns = 32, 32
    ds.TotalPixelMatrixFocalPlanes = 1
    return write(ds, path)


def wrong_length_value(path: Path) -> Path:
    """An image whose (0054,0081) Number of Slices (US) holds 3 bytes: not a whole number
    of 2-byte values. The bytes follow directly (odd offset), as a careless writer leaves them."""
    ds = image_dataset(8, 8)
    write(ds, path)
    data = bytearray(path.read_bytes())
    at = data.index(struct.pack("<HH", 0x7FE0, 0x0010) + b"O")
    data[at:at] = struct.pack("<HH", 0x0054, 0x0081) + b"US" + struct.pack("<H", 3) + b"\x01\x02\x03"
    path.write_bytes(bytes(data))
    return path


def jpeg_with_wrong_sos(path: Path, frames: int = 3, wrong: tuple[int, ...] = (1,)) -> Path:
    """An 8-bit JPEG Baseline image (frames encoded by imagecodecs) whose frames in `wrong`
    (0-based) say spectral selection end 0 instead of 63 in their SOS segment: slightly
    wrong parameters that libjpeg refuses and gdcm or dcmtk decode with a warning."""
    import imagecodecs
    from pydicom.encaps import encapsulate
    from pydicom.uid import JPEGBaseline8Bit

    ds = image_dataset(32, 48, frames)
    ds.file_meta.TransferSyntaxUID = JPEGBaseline8Bit
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
    r, c = np.mgrid[0:32, 0:48]
    encoded = []
    for i in range(frames):
        frame = ((r * 4 + c * 2 + 40 * i) % 256).astype(np.uint8)
        data = bytearray(imagecodecs.jpeg8_encode(frame, level=95))
        if i in wrong:
            sos = data.index(b"\xff\xda")
            data[sos + 5 + 2 * data[sos + 4] + 1] = 0x00  # Se: 63 -> 0
        encoded.append(bytes(data) + b"\x00" * (len(data) % 2))
    ds.PixelData = encapsulate(encoded)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.LossyImageCompression = "01"
    return write(ds, path)


HTJ2K_LOSSLESS = "1.2.840.10008.1.2.4.201"


def set_htj2k_pixels(ds: Dataset, frames: np.ndarray) -> Dataset:
    """Give `ds` `frames` as HTJ2K Lossless (OpenJPH through imagecodecs: pydicom has no
    encoder for it)."""
    import imagecodecs
    from pydicom.encaps import encapsulate

    ds.PixelData = encapsulate([bytes(imagecodecs.htj2k_encode(frame)) for frame in frames])
    ds["PixelData"].VR = "OB"
    ds.file_meta.TransferSyntaxUID = HTJ2K_LOSSLESS
    return ds


def htj2k_file_bytes(frames: int = 2) -> bytes:
    """A small HTJ2K Lossless file."""
    import io

    ds = image_dataset(32, 24, frames=frames)
    set_htj2k_pixels(ds, ramp(ds))
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()
