"""Open DICOM files and give access to their frames, one decoded frame at a time.

A :class:`Document` reads the dataset without its pixel data, remembers where the
pixel data starts in the file and decodes a frame only when it is asked for
(pydicom 3 per-frame decoding), keeping a few recent frames in an LRU cache. Opening
a 1000-frame file therefore costs a header parse, not 1000 decodes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset
from pydicom.uid import UID

from viewer.model import codecs
from viewer.model.display import ModalityTransform, get_modality_transform
from viewer.model.edited import EditedPixels
from viewer.model.errors import (
    NotDicomError,
    PixelDataError,
    ViewerError,
    one_line,
    reraise_if_fatal,
)
from viewer.model.functional_groups import frame_view
from viewer.model.header import (
    collect_warnings,
    ensure_transfer_syntax,
    parse_all,
    read_full,
    read_header,
)
from viewer.model.pixels import PixelDescription, describe_array, describe_pixels
from viewer.model.prescan import require_regular_file
from viewer.model.readers import (
    DatasetFrameReader,
    FileFrameReader,
    FrameReader,
    SeriesFrameReader,
    make_reader,
)

FrameArray = npt.NDArray[Any]

#: Decoded frames kept per document; the GUI asks for neighbours while scrubbing.
CACHE_FRAMES = 8


ProgressCallback = Callable[[int, int], None]


class Document:
    """One opened DICOM object: its header, lazily decoded frames and notes.

    Frames are numbered from 0 here; people see them numbered from 1.
    """

    def __init__(
        self,
        path: Path,
        dataset: Dataset,
        reader: FrameReader,
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
        self.edits: EditedPixels | None = None  # set by viewer.edits.session
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
    def frame_paths(self) -> list[Path] | None:
        """For a series opened from a folder: the file of each source frame."""
        reader = self._reader
        return list(reader.paths) if isinstance(reader, SeriesFrameReader) else None

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
        return sum(op.quarter_turns for op in self.edits.operations) % 4

    def modality(self, index: int) -> ModalityTransform:
        """Stored -> modality transform of frame `index` as it is now (edits included)."""
        if self.edits is not None:
            return self.edits.modality_for(index)
        return get_modality_transform(self.frame_attributes(index), self.source_pixels)

    def load_all_frames(self, progress: ProgressCallback | None = None) -> FrameArray:
        """Decode every source frame into one (frames, rows, columns[, samples]) array."""
        count = self.source_pixels.frames
        first = self.source_frame(0)
        out = np.empty((count, *first.shape), dtype=first.dtype)
        out[0] = first
        for i in range(1, count):
            if progress:
                progress(i, count)
            out[i] = self.source_frame(i)
        return out

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
        return self.source_frame(index)

    @property
    def decodes_in_processes(self) -> bool:
        """True when decoding ahead should use worker processes (GIL-bound codec, plain file)."""
        from viewer.model.parallel import GIL_BOUND

        return (
            self.edits is None
            and self.frame_headers is None
            and isinstance(self._reader, FileFrameReader)
            and str(self.transfer_syntax) in GIL_BOUND
        )

    def accept_decoded(self, index: int, arr: FrameArray) -> FrameArray:
        """Check and cache a frame decoded elsewhere (a worker process): the same checks as
        a decode here (file unchanged since it was opened, frame shape); the worker itself
        checked the decoder and the codestream header."""
        self.check_unchanged()
        return self._remember(index, self._normalise(index, arr))

    def _remember(self, index: int, arr: FrameArray) -> FrameArray:
        """Make `arr` read-only and keep it in the LRU cache."""
        arr.flags.writeable = False
        with self._lock:
            self._cache[index] = arr
            while len(self._cache) > CACHE_FRAMES:
                self._cache.popitem(last=False)
        return arr

    def source_frame(self, index: int) -> FrameArray:
        """Frame `index` of the file as read (no edits), from the cache or decoded."""
        with self._lock:
            cached = self._cache.get(index)
            if cached is not None:
                self._cache.move_to_end(index)
                return cached
        return self._remember(index, self._decode(index))

    def check_unchanged(self) -> None:
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
        self.check_unchanged()
        try:
            with collect_warnings(self.notes):
                try:
                    arr = self._reader.read(index)
                except (MemoryError, ViewerError):
                    raise
                except BaseException as exc:
                    reraise_if_fatal(exc)
                    if not isinstance(self._reader, FileFrameReader) or self.frame_headers:
                        raise
                    # Quirks the fast reader does not walk (e.g. an implicit VR Pixel
                    # Data element in an explicit syntax): fall back to dcmread once.
                    self._reader = DatasetFrameReader(self.read_full_dataset())
                    arr = self._reader.read(index)
        except MemoryError:
            raise ViewerError(f"not enough memory to decode frame {index + 1}") from None
        except ViewerError:
            raise
        except BaseException as exc:
            reraise_if_fatal(exc)
            raise PixelDataError(
                f"cannot decode frame {index + 1} ({self.transfer_syntax.name}): {one_line(exc)}"
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
                raise PixelDataError(f"frame {index + 1} decoded to shape {arr.shape}, expected {shape}") from None
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
        self.check_unchanged()
        return read_full(self.path, self.forced, [])


def _file_stamp(path: Path) -> tuple[int, ...] | None:
    """Identity and change stamp of `path`, or None if it is gone.

    Size and mtime alone miss a file replaced by one of equal size whose mtime was set
    back: the inode changes on a replace, and ctime (which no one can set) on any write.
    """
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns


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


def check_memory_for(pixels: PixelDescription) -> None:
    """Refuse to load every frame for editing when memory cannot hold them."""
    needed = (
        pixels.frames * pixels.rows * pixels.columns * pixels.samples_per_pixel * max(pixels.bits_allocated, 8) // 8
    )
    available = available_memory()
    if available and needed > 0.8 * available:
        raise ViewerError(
            f"editing needs all {pixels.frames} frames in memory ({needed / 2**30:.1f} GiB); "
            f"only {available / 2**30:.1f} GiB is available"
        )


def open_document(path: str | Path) -> Document:
    """Open one DICOM file with pixel data; raise :class:`ViewerError` with a reason if not."""
    path = Path(path)
    require_regular_file(path)
    notes: list[str] = []
    try:
        ds, forced = read_header(path, notes)
        ensure_transfer_syntax(ds, notes)
        parse_all(ds, notes)
        syntax = UID(ds.file_meta.TransferSyntaxUID)
        if not syntax.is_transfer_syntax:
            raise NotDicomError(f"'{path.name}' names an unknown transfer syntax '{syntax}'")
        reader = make_reader(path, ds, forced, notes)
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
        raise NotDicomError(f"cannot read '{path.name}': {one_line(exc)}") from None


def open_series(paths: list[Path]) -> Document:
    """Open single-frame files of one series as one document, frame i = file i."""
    if not paths:
        raise ViewerError("an empty series cannot be opened")
    headers = []
    for path in paths:
        header, _ = read_header(Path(path), [])
        ensure_transfer_syntax(header, [])
        headers.append(header)
    first = describe_pixels(headers[0])
    for path, header in zip(paths, headers, strict=True):
        other = describe_pixels(header)
        if other.frame_shape != first.frame_shape:
            raise PixelDataError(f"'{Path(path).name}' is {other.frame_shape}, the series is {first.frame_shape}")
    reader = SeriesFrameReader([Path(p) for p in paths], headers)
    notes = [f"series of {len(paths)} files; frame N is file N in slice order"]
    return Document(Path(paths[0]), headers[0], reader, False, notes, frame_headers=headers)
