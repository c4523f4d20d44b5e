"""A DICOM file or series as read: header, notes and frames decoded one at a time.

A :class:`Source` reads the dataset without its pixel data, remembers where the pixel
data starts in the file and decodes a frame only when it is asked for (pydicom 3
per-frame decoding), keeping what it decoded in the shared cache of decoded frames
(viewer.model.frame_cache) and a few recent uncompressed frames in a cache of its own.
Opening a 1000-frame file therefore costs a header parse, not 1000 decodes.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset
from pydicom.uid import UID

from viewer.model import codecs, frame_cache
from viewer.model.display import ModalityTransform, get_modality_transform
from viewer.model.errors import (
    PixelDataError,
    ViewerError,
    one_line,
    reraise_if_fatal,
)
from viewer.model.frame_cache import FrameCache
from viewer.model.functional_groups import frame_view
from viewer.model.header import read_full
from viewer.model.overlays import Overlay, read_overlays
from viewer.model.pixels import PixelDescription, describe_pixels
from viewer.model.readers import (
    DatasetFrameReader,
    FileFrameReader,
    FrameReader,
    SeriesFrameReader,
)
from viewer.model.shutters import Shutter, read_shutter
from viewer.model.warning_notes import collect_warnings

FrameArray = npt.NDArray[Any]

#: Uncompressed frames kept per document (read again, a copy costs ~0.1 ms for 512 x 512).
CACHE_FRAMES = 8


ProgressCallback = Callable[[int, int], None]


class Source:
    """One opened DICOM object (or series of single-frame files) as read: its header,
    lazily decoded frames and notes. Read-only: edits live in an edit session beside it.

    Every decode path (this thread, decode-ahead threads, worker processes through
    :meth:`accept_decoded`) checks that the file has not changed since it was opened.
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
        self._reader = reader
        self._modalities: dict[int, ModalityTransform] = {}
        self._owner = FrameCache.new_owner()
        if self.reads_directly:
            self._cache = FrameCache(CACHE_FRAMES * max(self.source_pixels.frame_bytes, 1))
        else:
            self._cache = frame_cache.DECODED
            weakref.finalize(self, self._cache.forget, self._owner)
        self._stamp = _file_stamp(path)
        # what is drawn over the pixels (a series of files has neither)
        self.overlays: list[Overlay] = []
        self.shutter: Shutter | None = None
        if frame_headers is None:
            p = self.source_pixels
            self.overlays, overlay_notes = read_overlays(dataset, p.rows, p.columns, p.frames)
            self.shutter, shutter_notes = read_shutter(dataset)
            self.notes += overlay_notes + shutter_notes

    @property
    def frame_paths(self) -> list[Path] | None:
        """For a series opened from a folder: the file of each source frame."""
        reader = self._reader
        return list(reader.paths) if isinstance(reader, SeriesFrameReader) else None

    def load_all_frames(self, progress: ProgressCallback | None = None) -> FrameArray:
        """Decode every source frame into one (frames, rows, columns[, samples]) array (the
        frames are not kept in the cache besides)."""
        count = self.source_pixels.frames
        first = self.source_frame(0)
        out = np.empty((count, *first.shape), dtype=first.dtype)
        out[0] = first
        for i in range(1, count):
            if progress:
                progress(i, count)
            cached = self._cache.get(self._owner, i)  # the others are not kept: `out` holds them
            out[i] = cached if cached is not None else self._decode(i)
        return out

    @property
    def damage(self) -> str:
        """What is missing from the pixel data, in words ("" when it is whole)."""
        return str(getattr(self._reader, "damage", ""))

    def decoded_by(self, index: int) -> str | None:
        """The decoder plug-in that decoded frame `index` when the preferred one refused it."""
        return getattr(self._reader, "decoded_by", {}).get(index)

    def missing_pixels(self, index: int) -> npt.NDArray[np.bool_] | None:
        """True where frame `index` has no bytes in a truncated file (shown as 0); None if whole."""
        native = getattr(self._reader, "native", None)
        return None if native is None else native.missing(index)

    @property
    def decodable(self) -> bool:
        return codecs.can_decode(self.transfer_syntax)

    @property
    def is_lossy(self) -> bool:
        """True when the pixels have been lossy compressed, now or in their history."""
        flag = str(self.dataset.get("LossyImageCompression", "")).strip()
        return codecs.is_lossy(self.transfer_syntax) or flag == "01"

    # -- the shown-frames interface (viewer.model.frames.FrameSet) -------------------
    @property
    def description(self) -> PixelDescription:
        return self.source_pixels

    @property
    def quarter_turns(self) -> int:
        return 0

    def is_cached(self, index: int) -> bool:
        """True if frame `index` can be returned without decoding."""
        return self._cache.contains(self._owner, index)

    def frame(self, index: int) -> FrameArray:
        """Frame `index` as read (YBR as RGB, palette as indices), read-only."""
        return self.source_frame(index)

    def modality_for(self, index: int) -> ModalityTransform:
        """Frame `index`'s transform, made once (it is immutable; rendering caches tables by it)."""
        transform = self._modalities.get(index)
        if transform is None:
            attributes = self.source_attributes(index)
            # without functional groups every frame has the file's own (-1): made once,
            # not on each frame's first showing (~0.2 ms of pydicom look-ups a frame)
            shared = attributes is self.dataset
            transform = self._modalities.get(-1) if shared else None
            if transform is None:
                transform = get_modality_transform(attributes, self.source_pixels)
                if shared:
                    self._modalities[-1] = transform
            self._modalities[index] = transform
        return transform

    def attributes_for(self, index: int) -> Dataset:
        return self.source_attributes(index)

    @property
    def reads_directly(self) -> bool:
        """True when a frame is a copy of bytes (uncompressed little endian in one file):
        cheaper to read where it is wanted than to hand to a decoding thread."""
        return self.frame_headers is None and str(self.transfer_syntax) in ("1.2.840.10008.1.2", "1.2.840.10008.1.2.1")

    @property
    def decodes_in_processes(self) -> bool:
        """True when decoding ahead should use worker processes (GIL-bound codec, plain file);
        not once imagecodecs decodes this file's frames (it releases the GIL: threads do)."""
        from viewer.model.parallel import GIL_BOUND

        return (
            self.frame_headers is None
            and isinstance(self._reader, FileFrameReader)
            and str(self.transfer_syntax) in GIL_BOUND
            and not self._reader.fast.verified
        )

    def accept_decoded(self, index: int, arr: FrameArray) -> FrameArray:
        """Check and cache a frame decoded elsewhere (a worker process): the same checks as
        a decode here (file unchanged since it was opened, frame shape); the worker itself
        checked the decoder and the codestream header."""
        self.check_unchanged()
        return self._remember(index, self._normalise(index, arr))

    def _remember(self, index: int, arr: FrameArray) -> FrameArray:
        """Make `arr` read-only and keep it in the cache."""
        arr.flags.writeable = False
        self._cache.put(self._owner, index, arr)
        return arr

    def source_frame(self, index: int) -> FrameArray:
        """Frame `index` of the file as read (no edits), from the cache or decoded."""
        cached = self._cache.get(self._owner, index)
        return cached if cached is not None else self._remember(index, self._decode(index))

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
                    self._reader = DatasetFrameReader(self.read_full_dataset(), self.notes)
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
    needed = pixels.nbytes
    available = available_memory()
    if available and needed > 0.8 * available:
        raise ViewerError(
            f"editing needs all {pixels.frames} frames in memory ({needed / 2**30:.1f} GiB); "
            f"only {available / 2**30:.1f} GiB is available"
        )
