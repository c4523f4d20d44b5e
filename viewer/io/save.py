"""Save a document: choose the transfer syntax, encode, write atomically, verify.

The target is replaced only by a complete, re-read and checked file (temporary file
beside it, fsync, rename); the input file is never written.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from io import SEEK_END, BytesIO
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
from pydicom import dcmread, dcmwrite
from pydicom.dataset import Dataset
from pydicom.uid import (
    UID,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGLSLossless,
    RLELossless,
)

from viewer.edits.streamed import StreamedEdits
from viewer.io.atomic import atomic_write
from viewer.io.commit import CommitResult, TagChange, commit
from viewer.io.encoding import cannot_encode, encode_frames
from viewer.io.nested_pixels import drop_nested_encapsulated
from viewer.io.stream_write import StreamedFrames, check_frame, write_encapsulated, write_native
from viewer.io.targets import resolve_output
from viewer.model import codecs
from viewer.model.document import Document, ProgressCallback
from viewer.model.errors import ViewerError, one_line, reraise_if_fatal, root_cause
from viewer.model.header import shallow_copy
from viewer.model.pixels import PIXEL_DATA_KEYWORDS
from viewer.model.progress import no_progress
from viewer.model.warning_notes import collect_warnings

WRITE_CHUNK = 16 * 2**20
#: Streamed edits of this much pixel data on are measured as they are written (see _one_pass_edits).
ONE_PASS_MIN_BYTES = 32 * 2**20
#: Pixel Data and what describes its encoding: replaced together whenever pixels are re-encoded.
_PIXEL_DATA_KEYWORDS = (*PIXEL_DATA_KEYWORDS, "ExtendedOffsetTable", "ExtendedOffsetTableLengths")
SYNTAX_CHOICES = ("keep", "explicit", "rle", "jpegls", "j2k")
_REQUESTED = {
    "explicit": ExplicitVRLittleEndian,
    "rle": RLELossless,
    "jpegls": JPEGLSLossless,
    "j2k": JPEG2000Lossless,
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
    if not edited and source != ExplicitVRBigEndian:
        return source, []  # the pixel bytes are copied as they are
    if source != ExplicitVRBigEndian and not codecs.is_lossy(source) and codecs.can_encode(source):
        return source, []  # re-encoded from the edited pixels without loss
    reason = (
        "big-endian data is written as little endian"
        if source == ExplicitVRBigEndian
        else (f"{source.name} cannot be re-encoded losslessly here")
    )
    return ExplicitVRLittleEndian, [f"{reason}; saved as Explicit VR Little Endian"]


def _syntax_change(document: Document, uid: UID, result: CommitResult) -> list[TagChange]:
    """The Transfer Syntax UID line of a plain save into another syntax (an edit's commit
    already says its pixels are re-encoded)."""
    if uid != document.transfer_syntax and result.pixels is None:
        return [TagChange("TransferSyntaxUID", document.transfer_syntax.name, uid.name)]
    return []


def syntax_changes(document: Document, result: CommitResult, choice: str) -> list[TagChange]:
    """What writing `result` with the syntax choice `choice` changes besides the commit
    itself (the Save As preview lists these as the choice changes)."""
    uid, _ = choose_syntax(document, choice, result.pixels is not None)
    copy = shallow_copy(result.dataset)  # drop_nested_encapsulated replaces sequences, never edits them
    return _syntax_change(document, uid, result) + drop_nested_encapsulated(copy, document.transfer_syntax, uid)


def _native_bytes(pixels: npt.NDArray[Any], bits_allocated: int) -> memoryview:
    """The Pixel Data value of native (uncompressed) little-endian pixels, without a copy."""
    if bits_allocated == 1:
        from pydicom.pixels import pack_bits

        return memoryview(pack_bits(pixels.astype(np.uint8).ravel()))
    return np.ascontiguousarray(pixels).data.cast("B")


def _encoding_options(ds: Dataset) -> dict[str, Any]:
    return {
        "rows": int(ds.Rows),
        "columns": int(ds.Columns),
        "samples_per_pixel": int(ds.SamplesPerPixel),
        "bits_allocated": int(ds.BitsAllocated),
        "bits_stored": int(ds.BitsStored),
        "pixel_representation": int(ds.PixelRepresentation),
        "photometric_interpretation": str(ds.PhotometricInterpretation),
        "planar_configuration": int(ds.get("PlanarConfiguration", 0) or 0),
    }


@dataclass
class EncodedDataset:
    """The dataset to write and, for native syntaxes, the pixel bytes appended after it."""

    dataset: Dataset
    syntax: UID
    native_pixels: memoryview | None = None  # written by `write_dataset` straight from the array
    pixels: npt.NDArray[Any] | StreamedFrames | None = None  # what was encoded (None: source bytes copied)
    changes: list[TagChange] = field(default_factory=list)  # made here because of the syntax

    @property
    def verify_every_frame(self) -> bool:
        """Every frame is read back when a codec encoded them; else the first and last."""
        return self.pixels is not None and self.syntax.is_compressed


def _replaced(ds: Dataset, keyword: str, value: Any) -> None:
    """Set `keyword` on a shallow copy with a new element (the commit's element stays as it is)."""
    if keyword in ds:
        del ds[keyword]
    setattr(ds, keyword, value)


def encode(result: CommitResult, document: Document, syntax: UID) -> EncodedDataset:
    """The dataset to write `result` in `syntax`; `result` itself is never changed, so one
    commit (the Save As preview) can be encoded again in another syntax."""
    pixels = result.pixels
    source = document.transfer_syntax
    ds = shallow_copy(result.dataset)  # changed elements are replaced, not edited
    nested = drop_nested_encapsulated(ds, source, syntax)
    if pixels is None and syntax == source:  # unedited, same syntax: the bytes stay bit-identical
        return EncodedDataset(ds if nested else result.dataset, syntax, changes=nested)
    if pixels is None:
        pixels = document.load_all_frames()
        _replaced(ds, "PhotometricInterpretation", document.pixels.photometric_interpretation)
        if document.source_pixels.samples_per_pixel > 1:
            _replaced(ds, "PlanarConfiguration", 0)
    bits_allocated = int(ds.BitsAllocated)
    trailing = any(tag > 0x7FE00010 for tag in ds.keys())
    if isinstance(pixels, StreamedFrames) and (bits_allocated == 1 or syntax.is_deflated or trailing):
        pixels = np.stack(list(pixels))  # deflated, 1-bit or elements after Pixel Data: in memory
    _replaced(ds.file_meta, "TransferSyntaxUID", syntax)
    for keyword in _PIXEL_DATA_KEYWORDS:  # the offset tables describe the old encoding
        if keyword in ds:
            del ds[keyword]
    if isinstance(pixels, StreamedFrames):
        return EncodedDataset(ds, syntax, pixels=pixels, changes=nested)  # written frame by frame
    little = pixels.astype(pixels.dtype.newbyteorder("<"), copy=False)
    if not syntax.is_compressed:
        data = _native_bytes(little, bits_allocated)
        if syntax.is_deflated or trailing:
            ds.PixelData = bytes(data) + (b"\x00" if len(data) % 2 else b"")
            ds["PixelData"].VR = "OB" if bits_allocated <= 8 else "OW"
            return EncodedDataset(ds, syntax, pixels=pixels, changes=nested)
        return EncodedDataset(ds, syntax, data, pixels=pixels, changes=nested)
    from pydicom.encaps import encapsulate

    options = _encoding_options(ds)
    try:
        with collect_warnings([]):
            frames = encode_frames(little, str(syntax), options)
    except BaseException as exc:
        reraise_if_fatal(exc)
        raise cannot_encode(options, syntax.name) from None
    ds.PixelData = encapsulate(frames)
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    return EncodedDataset(ds, syntax, pixels=pixels, changes=nested)


def _write_header(f: BinaryIO, encoded: EncodedDataset) -> None:
    """Everything pydicom writes: the file meta and the dataset up to the streamed or
    appended Pixel Data (all of it when the pixels are in the dataset)."""
    syntax = encoded.syntax
    for _ in encoded.dataset.iterall():
        pass  # parse raw elements (VRs looked up) so a different encoding can be written
    try:
        # dcmwrite, not save_as: save_as refuses big -> little endian conversion.
        dcmwrite(f, encoded.dataset, enforce_file_format=True, implicit_vr=syntax.is_implicit_VR, little_endian=True)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise ViewerError(f"cannot write the dataset as {syntax.name}: {one_line(exc)}") from None


def write_dataset(f: BinaryIO, encoded: EncodedDataset, progress: ProgressCallback = no_progress) -> int:
    """Write the file: pydicom writes the header; native pixels are appended from the array
    (pydicom would copy them twice through a buffer: 2x memory, a third of the speed).
    Returns the length of what pydicom wrote."""
    syntax = encoded.syntax
    start = f.tell()
    _write_header(f, encoded)
    header_length = f.tell() - start
    if isinstance(encoded.pixels, StreamedFrames):
        if syntax.is_compressed:
            write_encapsulated(f, encoded.pixels, syntax, _encoding_options(encoded.dataset), progress)
        else:
            write_native(f, encoded.pixels, syntax.is_implicit_VR, progress)
        return header_length
    data = encoded.native_pixels
    if data is None:
        return header_length
    pad = len(data) % 2
    length = len(data) + pad
    vr = b"OB" if int(encoded.dataset.BitsAllocated) <= 8 else b"OW"
    if syntax.is_implicit_VR:
        f.write(struct.pack("<HHI", 0x7FE0, 0x0010, length))
    else:
        f.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, vr, 0, length))
    for start in range(0, len(data), WRITE_CHUNK):  # moderate syscalls, no giant dirty bursts
        progress(start, len(data))  # may raise Cancelled: the temporary file is then removed
        f.write(data[start : start + WRITE_CHUNK])
    if pad:
        f.write(b"\x00")
    return header_length


def verify(
    path: Path, ds: Dataset, pixels: npt.NDArray[Any] | StreamedFrames | None, every_frame: bool = False
) -> None:
    """Re-read the written file: header must match; the first and last frames (every frame
    with `every_frame`) must decode equal to `pixels`."""
    from viewer.model.readers import make_reader

    try:
        with collect_warnings([]):
            back = dcmread(path, stop_before_pixels=True)
            rows, columns = int(back.Rows), int(back.Columns)
            frames = int(back.get("NumberOfFrames", 1) or 1)
            if (rows, columns) != (int(ds.Rows), int(ds.Columns)):
                raise ViewerError(f"written file reads back as {columns} x {rows}")
            if pixels is not None:
                if frames != len(pixels):
                    raise ViewerError(f"written file reads back with {frames} frames, not {len(pixels)}")
                reader = make_reader(path, back, False, [])  # as any file is read (deflated: inflated)
                for index in range(frames) if every_frame else sorted({0, frames - 1}):
                    decoded = reader.read(index)
                    if isinstance(pixels, StreamedFrames):
                        same = check_frame(pixels, index, decoded)
                    else:
                        same = np.array_equal(decoded.reshape(pixels[index].shape), pixels[index])
                    if not same:
                        raise ViewerError(f"frame {index + 1} does not read back equal to what was written")
    except ViewerError:
        raise
    except Exception as exc:
        raise ViewerError(f"the written file does not read back: {one_line(exc)}") from None


def save(
    document: Document,
    target: str | Path,
    syntax: str = "keep",
    overwrite_source: bool = False,
    progress: ProgressCallback = no_progress,
    series_uid: str | None = None,
    committed: CommitResult | None = None,
    force: bool = False,
    allow_damaged: bool = False,
) -> SaveReport:
    """Commit `document` and write it to `target` atomically; raise ViewerError on failure.

    `committed` is a commit already made for a preview (the Save As dialog), used once.
    The target obeys :mod:`viewer.io.targets` (never an input unless `overwrite_source`,
    a regular file, read-only only with `force`; a symlink is written through).
    The target is left as it was (absent or the old file) if anything fails or
    `progress` raises :class:`Cancelled`.
    """
    target = Path(target)
    inputs = [] if overwrite_source else [document.path, *(document.frame_paths or [])]
    real_target = resolve_output(target, inputs, force)
    progress(0, 3)
    one_pass = _one_pass_edits(document) if committed is None else None
    estimate = one_pass.estimated_summary() if one_pass is not None else None
    if committed is None and one_pass is None and isinstance(document.edits, StreamedEdits):
        document.edits.summary(progress)  # a pass over every frame first, with progress and Cancel
    result = committed if committed is not None else commit(document, series_uid, allow_damaged, estimate)
    uid, syntax_warnings = choose_syntax(document, syntax, result.pixels is not None)
    progress(1, 3)
    encoded = encode(result, document, uid)
    progress(2, 3)
    try:
        # `encoded` is read when the check runs: after a recommit, the file's final header
        check = lambda temp: verify(temp, encoded.dataset, encoded.pixels, encoded.verify_every_frame)  # noqa: E731 (a one-line callback)
        with atomic_write(real_target, check=check, like=document.path) as f:
            header_length = write_dataset(f, encoded, progress)
            if estimate is not None:
                again = (series_uid, allow_damaged, progress)
                result, encoded = _recommit(f, document, result, encoded, header_length, *again)
            written = f.tell()
    except OSError as exc:
        cause = root_cause(exc)
        if isinstance(cause, PermissionError):
            raise ViewerError(f"no permission to write '{target}'") from None
        raise ViewerError(f"cannot write '{target}': {one_line(cause)}") from None
    changes = [*result.changes, *_syntax_change(document, uid, result), *encoded.changes]
    return SaveReport(target, uid, changes, result.warnings + syntax_warnings, written)


def _one_pass_edits(document: Document) -> StreamedEdits | None:
    """The streamed edits a save measures as it writes their frames (``_recommit``), for
    pixel data from ONE_PASS_MIN_BYTES on. Below, a pass over the frames to measure them
    first costs less than committing twice (CT_small: 37 ms a file in two passes, 88 ms in
    one, its header read and written again)."""
    edits = document.edits
    if isinstance(edits, StreamedEdits) and not edits.has_summary:
        return edits if document.source_pixels.nbytes >= ONE_PASS_MIN_BYTES else None
    return None


def _recommit(
    f: BinaryIO,
    document: Document,
    first: CommitResult,
    written: EncodedDataset,
    header_length: int,
    series_uid: str | None,
    allow_damaged: bool,
    progress: ProgressCallback,
) -> tuple[CommitResult, EncodedDataset]:
    """Commit again with the extremes the write measured (the same instance UID) and make
    the file carry that header: put in place of the estimated one when it has the same
    length and the frames the same type and shape (their bytes are then the same; that is
    the rule, as an estimate of a few frames rarely changes a tag's length), else write the
    file again."""
    result = commit(document, series_uid, allow_damaged, instance_uid=str(first.dataset.SOPInstanceUID))
    encoded = encode(result, document, written.syntax)
    old, new = written.pixels, encoded.pixels
    if isinstance(old, StreamedFrames) and isinstance(new, StreamedFrames) and old.shape == new.shape:
        header = BytesIO()
        _write_header(header, encoded)
        if old.dtype == new.dtype and header.tell() == header_length:
            new.digests = old.digests
            f.seek(0)
            f.write(header.getvalue())
            f.seek(0, SEEK_END)
            return result, encoded
    f.seek(0)
    f.truncate()
    write_dataset(f, encoded, progress)
    return result, encoded
