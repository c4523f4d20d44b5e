"""Open DICOM files and give access to their frames, one decoded frame at a time.

A :class:`Document` reads the dataset without its pixel data, remembers where the
pixel data starts in the file and decodes a frame only when it is asked for
(pydicom 3 per-frame decoding), keeping a few recent frames in an LRU cache. Opening
a 1000-frame file therefore costs a header parse, not 1000 decodes.
"""

from __future__ import annotations

import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from viewer.model import codecs
from viewer.model.display import ModalityTransform, get_modality_transform
from viewer.model.errors import (
    NoPixelDataError,
    NotDicomError,
    PixelDataError,
    ViewerError,
    reraise_if_fatal,
)
from viewer.model.functional_groups import frame_view
from viewer.model.pixels import PixelDescription, describe_array, describe_pixels

if TYPE_CHECKING:
    from viewer.edits.working import WorkingPixels

FrameArray = npt.NDArray[Any]

#: Decoded frames kept per document; the GUI asks for neighbours while scrubbing.
CACHE_FRAMES = 8

_PIXEL_TAGS = (0x7FE00010, 0x7FE00008, 0x7FE00009)


ProgressCallback = Callable[[int, int], None]


@contextmanager
def collect_warnings(into: list[str]) -> Iterator[None]:
    """Turn warnings raised by pydicom and the codecs into notes for the person."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    for w in caught:
        text = " ".join(str(w.message).split())
        if text and text not in into:
            into.append(text)


def _read_header(path: Path, notes: list[str]) -> tuple[Dataset, bool]:
    """Read everything before the pixel data; fall back to ``force`` for files without meta."""
    try:
        with collect_warnings(notes):
            return dcmread(path, stop_before_pixels=True), False
    except InvalidDicomError:
        pass
    except (OSError, MemoryError):
        raise
    except Exception as exc:  # pydicom raises many types on malformed headers
        raise NotDicomError(f"cannot parse '{path.name}' as DICOM: {_one_line(exc)}") from None
    try:
        with collect_warnings(notes):
            ds = dcmread(path, stop_before_pixels=True, force=True)
    except Exception as exc:
        raise NotDicomError(f"'{path.name}' is not a DICOM file: {_one_line(exc)}") from None
    if len(ds) == 0 or not any(e.tag.group in (0x0008, 0x0010, 0x0020, 0x0028) for e in ds):
        raise NotDicomError(f"'{path.name}' is not a DICOM file (no DICOM preamble or elements)")
    notes.append("file has no DICOM preamble/meta header; read with force")
    return ds, True


def _parse_all(ds: Dataset, notes: list[str], depth: int = 0) -> None:
    """Convert every raw element now; drop (with a note) those that cannot be read.

    pydicom converts elements lazily, so a corrupt value would otherwise surface as an
    exception wherever it is first touched (summary, tag browser, save).
    """
    for tag in list(ds.keys()):
        try:
            element = ds[tag]
            if element.VR == "SQ" and depth < 16:
                for item in element.value:
                    _parse_all(item, notes, depth + 1)
        except Exception as exc:
            del ds[tag]
            notes.append(f"element ({tag >> 16:04X},{tag & 0xFFFF:04X}) cannot be read and is ignored: {_one_line(exc)}")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."


def _infer_transfer_syntax(ds: Dataset) -> UID:
    implicit, little = ds.original_encoding
    if implicit:
        return ImplicitVRLittleEndian
    return ExplicitVRLittleEndian if little else ExplicitVRBigEndian


#: Refuse a header that promises absurdly more pixel data than the file holds.
ABSURD_SHORTFALL_BYTES = 16 * 2**20
@dataclass
class _NativeLayout:
    """Where the frames of uncompressed pixel data sit, to read what a short file holds."""

    frame_shape: tuple[int, ...]
    dtype: np.dtype[Any]
    frames: int
    bits_stored: int
    available: int = -1
    truncated: bool = False

    @classmethod
    def from_options(cls, options: dict[str, Any], syntax: UID) -> _NativeLayout | None:
        if syntax.is_compressed or syntax.is_deflated or options.get("bits_allocated", 0) % 8:
            return None
        if options.get("photometric_interpretation") == "YBR_FULL_422" or options.get("planar_configuration"):
            return None
        samples = int(options.get("samples_per_pixel", 1))
        rows, columns = int(options["rows"]), int(options["columns"])
        shape = (rows, columns, samples) if samples > 1 else (rows, columns)
        size = int(options["bits_allocated"]) // 8
        kind = "i" if options.get("pixel_representation") else "u"
        order = "<" if syntax.is_little_endian else ">"
        frames = int(options.get("number_of_frames", 1) or 1)
        return cls(shape, np.dtype(f"{order}{kind}{size}"), frames, int(options.get("bits_stored", size * 8)))

    @property
    def frame_bytes(self) -> int:
        return int(np.prod(self.frame_shape)) * self.dtype.itemsize

    def check_length(self, available: int, name: str, notes: list[str]) -> None:
        """Refuse an absurd promise; note a modest shortfall (frames are then padded)."""
        expected = self.frame_bytes * self.frames
        self.available = available
        if available >= expected:
            return
        if expected - available > ABSURD_SHORTFALL_BYTES and expected > 4 * available:
            raise PixelDataError(
                f"'{name}' promises {expected} bytes of pixel data "
                f"({self.frames} frame(s) of {' x '.join(map(str, self.frame_shape))}) but holds {available}"
            )
        self.truncated = True
        notes.append(
            f"Pixel Data is truncated: the file holds {available} of {expected} bytes; "
            "missing pixels are shown as 0"
        )

    def read(self, path: Path, offset: int, index: int) -> FrameArray:
        """Frame `index`, padded with zeros where the file ends early."""
        start = index * self.frame_bytes
        count = max(0, min(self.frame_bytes, self.available - start))
        with path.open("rb") as f:
            f.seek(offset + start)
            data = f.read(count)
        buffer = bytearray(self.frame_bytes)
        buffer[: len(data)] = data
        arr = np.frombuffer(bytes(buffer), dtype=self.dtype).reshape(self.frame_shape)
        arr = arr.astype(self.dtype.newbyteorder("="))
        bits = self.dtype.itemsize * 8
        if self.bits_stored < bits:
            shift = bits - self.bits_stored
            if self.dtype.kind == "i":  # sign-extend from Bits Stored, as pydicom does
                arr = (arr << shift) >> shift
        return arr


class _FileFrameReader:
    """Decode single frames straight from the file: seek to the pixel data, decode one."""

    def __init__(self, path: Path, transfer_syntax: UID, notes: list[str]) -> None:
        from pydicom.pixels import get_decoder
        from pydicom.pixels.utils import _DEFAULT_TAGS, _array_common

        self.path = path
        with path.open("rb") as f, collect_warnings(notes):
            _, self.options = _array_common(
                f, list(_DEFAULT_TAGS), transfer_syntax_uid=transfer_syntax
            )
            self.offset = f.tell()
        self.decoder = get_decoder(transfer_syntax)
        self.plugin = codecs.preferred_decoder_plugin(transfer_syntax)
        self.native = _NativeLayout.from_options(self.options, transfer_syntax)
        if self.native is not None:
            self.native.check_length(path.stat().st_size - self.offset, path.name, notes)

    def read(self, index: int) -> FrameArray:
        if self.native is not None and self.native.truncated:
            return self.native.read(self.path, self.offset, index)
        with self.path.open("rb") as f:
            f.seek(self.offset)
            try:
                arr, _ = self.decoder.as_array(
                    f, index=index, validate=True, decoding_plugin=self.plugin, **self.options
                )
            except BaseException as exc:
                reraise_if_fatal(exc)
                if not self.plugin:
                    raise
                f.seek(self.offset)  # the preferred plug-in failed: let pydicom try them all
                arr, _ = self.decoder.as_array(f, index=index, validate=True, **self.options)
        return arr


class _DatasetFrameReader:
    """Decode frames from a fully read dataset (deflated or headerless files)."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds

    def read(self, index: int) -> FrameArray:
        from pydicom.pixels import pixel_array

        return pixel_array(self.ds, index=index)


class _SeriesFrameReader:
    """Frame i of a series is frame 1 of file i; each file's reader is made on first use."""

    def __init__(self, paths: list[Path], headers: list[Dataset]) -> None:
        self.paths = paths
        self.headers = headers
        self._readers: dict[int, _FileFrameReader | _DatasetFrameReader] = {}

    def read(self, index: int) -> FrameArray:
        reader = self._readers.get(index)
        if reader is None:
            header = self.headers[index]
            reader = _make_reader(self.paths[index], header, False, [])
            self._readers[index] = reader
        return reader.read(0)


class Document:
    """One opened DICOM object: its header, lazily decoded frames and notes.

    Frames are numbered from 0 here; people see them numbered from 1.
    """

    def __init__(
        self,
        path: Path,
        dataset: Dataset,
        reader: _FileFrameReader | _DatasetFrameReader | _SeriesFrameReader,
        forced: bool,
        notes: list[str],
        frame_headers: list[Dataset] | None = None,
    ) -> None:
        self.path = path
        self.frame_headers = frame_headers
        self.dataset = dataset
        self.forced = forced
        self.notes = notes
        self.transfer_syntax = UID(dataset.file_meta.TransferSyntaxUID)
        self.source_pixels = describe_pixels(dataset)
        if frame_headers is not None:
            self.source_pixels = replace(self.source_pixels, frames=len(frame_headers))
        self.edits: WorkingPixels | None = None
        self._reader = reader
        self._cache: OrderedDict[int, FrameArray] = OrderedDict()
        self._lock = threading.Lock()
        self._stamp = _file_stamp(path)

    @property
    def pixels(self) -> PixelDescription:
        """The pixel description of what is shown now: the file's, or the edited array's."""
        if self.edits is None:
            return self.source_pixels
        return describe_array(self.edits.pixels, self.source_pixels)

    @property
    def frame_count(self) -> int:
        return self.pixels.frames

    @property
    def is_edited(self) -> bool:
        return self.edits is not None and self.edits.is_edited

    @property
    def quarter_turns(self) -> int:
        """Net quarter turns applied by edits (odd: rows and columns swapped)."""
        if self.edits is None:
            return 0
        return sum(op.degrees // 90 for op in self.edits.operations if op.name == "rotate") % 4

    def modality(self, index: int) -> ModalityTransform:
        """Stored -> modality transform of frame `index` as it is now (edits included)."""
        if self.edits is not None:
            return self.edits.modality_for(index)
        return get_modality_transform(self.frame_attributes(index), self.source_pixels)

    def load_all_frames(self, progress: ProgressCallback | None = None) -> FrameArray:
        """Decode every source frame into one (frames, rows, columns[, samples]) array."""
        count = self.source_pixels.frames
        first = self._source_frame(0)
        out = np.empty((count, *first.shape), dtype=first.dtype)
        out[0] = first
        for i in range(1, count):
            if progress:
                progress(i, count)
            out[i] = self._source_frame(i)
        return out

    def begin_edit(self, budget_bytes: int | None = None) -> WorkingPixels:
        """Make the working copy that edits change (decodes every frame once)."""
        if self.edits is None:
            from viewer.edits.history import DEFAULT_BUDGET_BYTES
            from viewer.edits.working import WorkingPixels

            source = self.source_pixels
            _check_memory_for(source)
            self.edits = WorkingPixels(
                self.load_all_frames(),
                bits_stored=source.bits_stored,
                signed=source.pixel_representation == 1,
                is_color=source.is_color,
                source_modality=lambda i: get_modality_transform(self.source_attributes(i), source),
                source_frame=self._source_frame,
                budget_bytes=budget_bytes or DEFAULT_BUDGET_BYTES,
                copy=False,
            )
        return self.edits

    @property
    def decodable(self) -> bool:
        return codecs.can_decode(self.transfer_syntax)

    @property
    def is_lossy(self) -> bool:
        """True when the pixels have been lossy compressed, now or in their history."""
        flag = str(self.dataset.get("LossyImageCompression", "")).strip()
        return codecs.is_lossy(self.transfer_syntax) or flag == "01"

    def is_cached(self, index: int) -> bool:
        """True if frame `index` can be returned without decoding."""
        if self.edits is not None:
            return True
        with self._lock:
            return index in self._cache

    def get_frame(self, index: int) -> FrameArray:
        """Return frame `index` (0-based) as a read-only array of stored values.

        YBR data comes back as RGB, palette data as palette indices.
        """
        if not 0 <= index < self.frame_count:
            raise ViewerError(f"frame {index + 1} does not exist; the image has {self.frame_count}")
        if self.edits is not None:
            return self.edits.frame(index)
        return self._source_frame(index)

    @property
    def decodes_in_processes(self) -> bool:
        """True when decoding ahead should use worker processes (GIL-bound codec, plain file)."""
        from viewer.model.parallel import GIL_BOUND

        return (
            self.edits is None
            and self.frame_headers is None
            and isinstance(self._reader, _FileFrameReader)
            and str(self.transfer_syntax) in GIL_BOUND
        )

    def accept_decoded(self, index: int, arr: FrameArray) -> FrameArray:
        """Check and cache a frame decoded elsewhere (a worker process)."""
        return self._remember(index, self._normalise(index, arr))

    def _remember(self, index: int, arr: FrameArray) -> FrameArray:
        """Make `arr` read-only and keep it in the LRU cache."""
        arr.flags.writeable = False
        with self._lock:
            self._cache[index] = arr
            while len(self._cache) > CACHE_FRAMES:
                self._cache.popitem(last=False)
        return arr

    def _source_frame(self, index: int) -> FrameArray:
        with self._lock:
            cached = self._cache.get(index)
            if cached is not None:
                self._cache.move_to_end(index)
                return cached
        return self._remember(index, self._decode(index))

    def _check_unchanged(self) -> None:
        """Frames are read from the file on demand: refuse if it vanished or changed."""
        if self.frame_headers is not None:
            return
        stamp = _file_stamp(self.path)
        if stamp is None:
            raise ViewerError(f"'{self.path.name}' was deleted or moved after it was opened")
        if stamp != self._stamp:
            raise ViewerError(f"'{self.path.name}' changed on disk after it was opened; open it again")

    def _decode(self, index: int) -> FrameArray:
        codecs.require_decoder(self.transfer_syntax)
        self._check_unchanged()
        try:
            with collect_warnings(self.notes):
                try:
                    arr = self._reader.read(index)
                except MemoryError:
                    raise
                except BaseException as exc:
                    reraise_if_fatal(exc)
                    if not isinstance(self._reader, _FileFrameReader) or self.frame_headers:
                        raise
                    # Quirks the fast reader does not walk (e.g. an implicit VR Pixel
                    # Data element in an explicit syntax): fall back to dcmread once.
                    self._reader = _DatasetFrameReader(self.read_full_dataset())
                    arr = self._reader.read(index)
        except MemoryError:
            raise ViewerError(f"not enough memory to decode frame {index + 1}") from None
        except BaseException as exc:
            reraise_if_fatal(exc)
            raise PixelDataError(
                f"cannot decode frame {index + 1} ({self.transfer_syntax.name}): {_one_line(exc)}"
            ) from None
        return self._normalise(index, arr)

    def _normalise(self, index: int, arr: FrameArray) -> FrameArray:
        """Native byte order and the frame shape of the pixel description."""
        if not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        shape = self.source_pixels.frame_shape
        if arr.shape != shape:
            try:
                arr = arr.reshape(shape)
            except ValueError:
                raise PixelDataError(
                    f"frame {index + 1} decoded to shape {arr.shape}, expected {shape}"
                ) from None
        return arr

    def frame_attributes(self, index: int) -> Dataset:
        """Attributes in force for frame `index` of the file, functional groups included.

        While edited, `index` is a working frame and maps to the frame it came from.
        """
        if self.edits is not None:
            index = self.edits.source_frames[index]
        return self.source_attributes(index)

    def source_attributes(self, index: int) -> Dataset:
        """Attributes of frame `index` of the file as read (no edit mapping)."""
        if self.frame_headers is not None:
            return self.frame_headers[index]
        return frame_view(self.dataset, index)

    def read_full_dataset(self) -> Dataset:
        """Read the whole object, pixel data included (for saving)."""
        self._check_unchanged()
        return _read_full(self.path, self.forced, [])


def _file_stamp(path: Path) -> tuple[int, int] | None:
    """(size, modification time in ns) of `path`, or None if it is gone."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def available_memory() -> int:
    """Bytes the kernel says can be allocated without swapping (MemAvailable), or 0 if unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _check_memory_for(pixels: PixelDescription) -> None:
    """Refuse to load every frame for editing when memory cannot hold them."""
    needed = pixels.frames * pixels.rows * pixels.columns * pixels.samples_per_pixel * max(pixels.bits_allocated, 8) // 8
    available = available_memory()
    if available and needed > 0.8 * available:
        raise ViewerError(
            f"editing needs all {pixels.frames} frames in memory ({needed / 2**30:.1f} GiB); "
            f"only {available / 2**30:.1f} GiB is available"
        )


def _read_full(path: Path, forced: bool, notes: list[str]) -> Dataset:
    try:
        with collect_warnings(notes):
            ds = dcmread(path, force=forced)
    except Exception as exc:
        raise NotDicomError(f"cannot read '{path.name}': {_one_line(exc)}") from None
    _ensure_transfer_syntax(ds, notes)
    return ds


def _ensure_transfer_syntax(ds: Dataset, notes: list[str]) -> None:
    if getattr(ds, "file_meta", None) is None:
        ds.file_meta = FileMetaDataset()
    if "TransferSyntaxUID" not in ds.file_meta:
        uid = _infer_transfer_syntax(ds)
        ds.file_meta.TransferSyntaxUID = uid
        notes.append(f"no Transfer Syntax UID in the file meta; read as {uid.name}")


def open_document(path: str | Path) -> Document:
    """Open one DICOM file with pixel data; raise :class:`ViewerError` with a reason if not."""
    path = Path(path)
    if not path.exists():
        raise ViewerError(f"'{path}' does not exist")
    if path.is_dir():
        raise ViewerError(f"'{path}' is a folder, not a file")
    notes: list[str] = []
    try:
        ds, forced = _read_header(path, notes)
        _ensure_transfer_syntax(ds, notes)
        _parse_all(ds, notes)
        syntax = UID(ds.file_meta.TransferSyntaxUID)
        if not syntax.is_transfer_syntax:
            raise NotDicomError(f"'{path.name}' names an unknown transfer syntax '{syntax}'")
        reader = _make_reader(path, ds, forced, notes)
        return Document(path, ds, reader, forced, notes)
    except ViewerError:
        raise
    except PermissionError:
        raise ViewerError(f"no permission to read '{path}'") from None
    except OSError as exc:
        raise ViewerError(f"cannot read '{path}': {exc.strerror or exc}") from None
    except MemoryError:
        raise ViewerError(f"not enough memory to open '{path.name}'") from None
    except BaseException as exc:  # malformed files raise anything; the person gets one line
        reraise_if_fatal(exc)
        raise NotDicomError(f"cannot read '{path.name}': {_one_line(exc)}") from None


def _make_reader(
    path: Path, ds: Dataset, forced: bool, notes: list[str]
) -> _FileFrameReader | _DatasetFrameReader:
    syntax = UID(ds.file_meta.TransferSyntaxUID)
    if not syntax.is_deflated:
        try:
            return _FileFrameReader(path, syntax, notes)
        except AttributeError as exc:
            if "no pixel data" in str(exc).lower():
                raise NoPixelDataError(
                    f"'{path.name}' has no Pixel Data (SOP Class: {_sop_class_name(ds)})"
                ) from None
        except (OSError, MemoryError, ViewerError):
            raise
        except Exception:
            pass  # a header the fast path cannot walk: read it the slow way below
    full = _read_full(path, forced, notes)
    if not any(tag in full for tag in _PIXEL_TAGS):
        raise NoPixelDataError(f"'{path.name}' has no Pixel Data (SOP Class: {_sop_class_name(ds)})")
    return _DatasetFrameReader(full)


def _sop_class_name(ds: Dataset) -> str:
    uid = ds.get("SOPClassUID")
    return UID(uid).name if uid else "unknown"


def open_series(paths: list[Path]) -> Document:
    """Open single-frame files of one series as one document, frame i = file i."""
    if not paths:
        raise ViewerError("an empty series cannot be opened")
    headers = []
    for path in paths:
        header, _ = _read_header(Path(path), [])
        _ensure_transfer_syntax(header, [])
        headers.append(header)
    first = describe_pixels(headers[0])
    for path, header in zip(paths, headers):
        other = describe_pixels(header)
        if other.frame_shape != first.frame_shape:
            raise PixelDataError(
                f"'{Path(path).name}' is {other.frame_shape}, the series is {first.frame_shape}"
            )
    reader = _SeriesFrameReader([Path(p) for p in paths], headers)
    notes = [f"series of {len(paths)} files; frame N is file N in slice order"]
    return Document(Path(paths[0]), headers[0], reader, False, notes, frame_headers=headers)
