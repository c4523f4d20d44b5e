"""Save a document: choose the transfer syntax, encode, write atomically, verify.

The target is replaced only by a complete, re-read and checked file (temporary file
beside it, fsync, rename); the input file is never written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset
from pydicom.uid import (
    UID,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLSLossless,
    RLELossless,
)

from viewer.io.atomic import atomic_write
from viewer.io.commit import CommitResult, TagChange, commit
from viewer.model import codecs
from viewer.model.document import Document, collect_warnings
from viewer.model.errors import ViewerError

SYNTAX_CHOICES = ("keep", "explicit", "rle", "jpegls", "j2k")
_REQUESTED = {
    "explicit": ExplicitVRLittleEndian,
    "rle": RLELossless,
    "jpegls": JPEGLSLossless,
    "j2k": JPEG2000Lossless,
}
#: Syntaxes we can write without loss from decoded pixels.
_LOSSLESS_WRITABLE = {
    "1.2.840.10008.1.2",
    "1.2.840.10008.1.2.1",
    "1.2.840.10008.1.2.1.99",
    str(RLELossless),
    str(JPEGLSLossless),
    str(JPEG2000Lossless),
}


@dataclass
class SaveReport:
    """What a save did: where, in which syntax, which tags changed, what to know."""

    path: Path
    transfer_syntax: UID
    changes: list[TagChange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    bytes_written: int = 0


def choose_syntax(document: Document, choice: str, edited: bool) -> tuple[UID, list[str]]:
    """The transfer syntax to write, and warnings about the choice."""
    if choice not in SYNTAX_CHOICES:
        raise ViewerError(f"--syntax '{choice}' is not one of {', '.join(SYNTAX_CHOICES)}")
    source = document.transfer_syntax
    if choice != "keep":
        uid = _REQUESTED[choice]
        if not codecs.can_encode(uid):
            package = codecs.plugin_package(uid)
            raise ViewerError(f"cannot encode {uid.name} here" + (f"; install '{package}'" if package else ""))
        return uid, []
    if not edited and source != "1.2.840.10008.1.2.2":
        return source, []  # the pixel bytes are copied as they are
    if str(source) in _LOSSLESS_WRITABLE and codecs.can_encode(source):
        return source, []
    reason = "big-endian data is written as little endian" if source == "1.2.840.10008.1.2.2" else (
        f"{source.name} cannot be re-encoded losslessly here"
    )
    return ExplicitVRLittleEndian, [f"{reason}; saved as Explicit VR Little Endian"]


def _set_native_pixel_data(ds: Dataset, pixels: npt.NDArray[Any], bits_allocated: int) -> None:
    if bits_allocated == 1:
        from pydicom.pixels import pack_bits

        data = pack_bits(pixels.astype(np.uint8).ravel())
    else:
        data = np.ascontiguousarray(pixels).tobytes()
    if len(data) % 2:
        data += b"\x00"
    ds.PixelData = data
    ds["PixelData"].VR = "OB" if bits_allocated <= 8 else "OW"


def _frames_for_encoder(pixels: npt.NDArray[Any]) -> npt.NDArray[Any]:
    return pixels[0] if len(pixels) == 1 else pixels


def encode(result: CommitResult, document: Document, syntax: UID) -> Dataset:
    """Put the pixels into `result.dataset` in `syntax` (in place) and return the dataset."""
    ds = result.dataset
    pixels = result.pixels
    source = document.transfer_syntax
    if pixels is None and syntax == source:
        return ds  # unedited, same syntax: the original bytes stay bit-identical
    if pixels is None:
        pixels = document.load_all_frames()
        for keyword in ("PhotometricInterpretation",):
            setattr(ds, keyword, document.pixels.photometric_interpretation)
        if document.source_pixels.samples_per_pixel > 1:
            ds.PlanarConfiguration = 0
        if pixels.dtype.itemsize > 1 and not pixels.dtype.isnative:
            pixels = pixels.astype(pixels.dtype.newbyteorder("="))
    bits_allocated = int(ds.BitsAllocated)
    little = np.ascontiguousarray(pixels.astype(pixels.dtype.newbyteorder("<"), copy=False))
    ds.file_meta.TransferSyntaxUID = syntax
    if not syntax.is_compressed:
        _set_native_pixel_data(ds, little, bits_allocated)
        return ds
    _set_native_pixel_data(ds, little, bits_allocated)
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    plugin = "pylibjpeg" if syntax == RLELossless and _has_module("rle") else ""
    try:
        with collect_warnings([]):
            ds.compress(syntax, _frames_for_encoder(little), encoding_plugin=plugin, generate_instance_uid=False)
    except Exception as exc:
        raise ViewerError(f"cannot encode as {syntax.name}: {' '.join(str(exc).split())}") from None
    return ds


def _has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def verify(path: Path, ds: Dataset, pixels: npt.NDArray[Any] | None) -> None:
    """Re-read the written file: header must match, first and last frames must decode equal."""
    from pydicom.pixels import pixel_array

    try:
        with collect_warnings([]):
            back = dcmread(path, stop_before_pixels=True)
            rows, columns = int(back.Rows), int(back.Columns)
            frames = int(back.get("NumberOfFrames", 1) or 1)
            if (rows, columns) != (int(ds.Rows), int(ds.Columns)):
                raise ViewerError(f"written file reads back as {columns} x {rows}")
            if pixels is not None:
                for index in sorted({0, frames - 1}):
                    decoded = pixel_array(path, index=index)
                    if not np.array_equal(decoded.reshape(pixels[index].shape), pixels[index]):
                        raise ViewerError(f"frame {index + 1} does not read back equal to what was written")
    except ViewerError:
        raise
    except Exception as exc:
        raise ViewerError(f"the written file does not read back: {' '.join(str(exc).split())}") from None


def save(
    document: Document,
    target: str | Path,
    syntax: str = "keep",
    overwrite_source: bool = False,
) -> SaveReport:
    """Commit `document` and write it to `target` atomically; raise ViewerError on failure.

    The target is left as it was (absent or the old file) if anything fails.
    """
    target = Path(target)
    if target.exists() and target.resolve() == document.path.resolve() and not overwrite_source:
        raise ViewerError(f"refusing to overwrite the input file '{target}'; choose another output")
    if target.is_dir():
        raise ViewerError(f"'{target}' is a folder; give a file name")
    result = commit(document)
    uid, syntax_warnings = choose_syntax(document, syntax, result.pixels is not None)
    ds = encode(result, document, uid)
    if uid != document.transfer_syntax and result.pixels is None:
        result.changes.append(TagChange("TransferSyntaxUID", document.transfer_syntax.name, uid.name))
    check_pixels = result.pixels if result.pixels is not None else None
    try:
        with atomic_write(target) as f:
            # dcmwrite, not save_as: save_as refuses big -> little endian conversion.
            dcmwrite(f, ds, enforce_file_format=True, implicit_vr=uid.is_implicit_VR, little_endian=True)
            f.flush()
            verify(Path(f.name), ds, check_pixels)
            written = f.tell()
    except PermissionError:
        raise ViewerError(f"no permission to write '{target}'") from None
    except OSError as exc:
        raise ViewerError(f"cannot write '{target}': {exc.strerror or exc}") from None
    return SaveReport(target, uid, result.changes, result.warnings + syntax_warnings, written)
