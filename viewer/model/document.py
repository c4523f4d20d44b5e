"""An open document: a read-only :class:`Source` and, while it is edited, its edit session.

Views, commands and the commit ask the document for what is shown now; it answers from
the edit session when there is one (``viewer.edits.session`` starts it) and from the
source otherwise: the one place where "edited or not" is decided.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy.typing as npt
from pydicom.dataset import Dataset
from pydicom.uid import UID

from viewer.model.display import ModalityTransform, unusable_luts
from viewer.model.edited import EditedPixels
from viewer.model.errors import NotDicomError, PixelDataError, ViewerError, one_line, reraise_if_fatal
from viewer.model.frames import FrameSet
from viewer.model.functional_groups import frame_view
from viewer.model.header import ensure_transfer_syntax, parse_all, read_header
from viewer.model.measurement_set import Grid, MeasurementSet
from viewer.model.overlays import Overlay, follow_operations
from viewer.model.pixels import PixelDescription, describe_pixels
from viewer.model.prescan import require_regular_file
from viewer.model.readers import SeriesFrameReader, make_reader
from viewer.model.segments import SegmentSet
from viewer.model.shapes import Shape
from viewer.model.shutters import Shutter
from viewer.model.source import ProgressCallback, Source, available_memory, check_memory_for

FrameArray = npt.NDArray[Any]

__all__ = [
    "Document",
    "FrameArray",
    "ProgressCallback",
    "available_memory",
    "check_memory_for",
    "open_document",
    "open_series",
]


NO_SEGMENTS = SegmentSet()


class Document:
    """A source plus, while edited, its edit session; frames are 0-based here."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.edits: EditedPixels | None = None  # set by viewer.edits.session
        self.measurements = MeasurementSet()  # shapes drawn on it (viewer.model.measurement_set)
        self.segments: list[Overlay] = []  # segments of a DICOM SEG opened with it (on the source grid)
        self.segment_files: list[Path] = []  # the SEG files they came from
        self._shown_segments: tuple[tuple[int, ...], list[Overlay]] | None = None

    @property
    def shown(self) -> FrameSet:
        """What views show and commands act on now: the edit session, else the source."""
        return self.edits if self.edits is not None else self.source

    # -- what is shown now --------------------------------------------------------------
    @property
    def pixels(self) -> PixelDescription:
        """The pixel description of what is shown now: the file's, or the edited array's."""
        return self.shown.description

    @property
    def frame_count(self) -> int:
        return self.pixels.frames

    @property
    def is_edited(self) -> bool:
        return self.edits is not None and self.edits.is_edited

    @property
    def quarter_turns(self) -> int:
        """Net quarter turns applied by edits (odd: rows and columns swapped)."""
        return self.shown.quarter_turns % 4

    def get_frame(self, index: int) -> FrameArray:
        """Frame `index` (0-based) as a read-only array of stored values (YBR as RGB,
        palette as indices)."""
        if not 0 <= index < self.frame_count:
            raise ViewerError(f"frame {index + 1} does not exist; the image has {self.frame_count}")
        return self.shown.frame(index)

    def is_cached(self, index: int) -> bool:
        """True if frame `index` can be returned without decoding."""
        return self.shown.is_cached(index)

    def modality(self, index: int) -> ModalityTransform:
        """Stored -> modality transform of frame `index` as it is now (edits included)."""
        return self.shown.modality_for(index)

    @property
    def overlays(self) -> list[Overlay]:
        """Overlay planes on the grid shown now (moved with the pixels by edits)."""
        return self.shown.overlays

    def drawn_segments(self) -> SegmentSet:
        """Segments being drawn on this document (mask steps), on the grid shown now."""
        return self.edits.segments if self.edits is not None else NO_SEGMENTS

    def shown_segments(self) -> list[Overlay]:
        """The SEG segments on the grid shown now (moved with the pixels, like overlays)."""
        operations = self.edits.operations if self.edits is not None else []
        key = (id(self.segments), len(self.segments), *(id(op) for op in operations))
        if self._shown_segments is None or self._shown_segments[0] != key:
            moved = follow_operations(self.segments, operations, self.source_pixels.frames)
            self._shown_segments = (key, moved)
        return self._shown_segments[1]

    @property
    def shutter(self) -> Shutter | None:
        """The display shutter on the grid shown now (moved with the pixels by edits)."""
        return self.shown.shutter

    def add_shape(self, shape: Shape, frame: int) -> int:
        """Keep `shape`, drawn on frame `frame` (0-based) of the image as it is now."""
        return self.measurements.add(shape, frame, len(self.edits.operations) if self.edits is not None else 0)

    def replace_shape(self, index: int, shape: Shape, frame: int) -> None:
        """Shape `index` moved or resized by hand on the image as it is now."""
        self.measurements.replace(index, shape, frame, len(self.edits.operations) if self.edits is not None else 0)

    def shapes(self) -> list[tuple[int, int, Shape]]:
        """(index, frame, shape) of every drawn shape, where it is on the image now."""
        p = self.source_pixels
        operations = self.edits.operations if self.edits is not None else []
        return self.measurements.shown(operations, Grid(p.rows, p.columns, p.frames))

    def frame_attributes(self, index: int) -> Dataset:
        """Attributes in force for frame `index` as it is now (functional groups included;
        an edited frame answers with the attributes of the source frame it came from)."""
        return self.shown.attributes_for(index)

    @property
    def reads_directly(self) -> bool:
        """True when the current frames are in memory or a plain copy from the file."""
        return (self.edits is not None and self.edits.in_memory) or self.source.reads_directly

    @property
    def decodes_in_processes(self) -> bool:
        """True when decoding ahead should use worker processes (only for unedited sources)."""
        return self.edits is None and self.source.decodes_in_processes

    # -- the source, as read --------------------------------------------------------------
    @property
    def path(self) -> Path:
        return self.source.path

    @property
    def dataset(self) -> Dataset:
        return self.source.dataset

    @property
    def notes(self) -> list[str]:
        return self.source.notes

    @property
    def forced(self) -> bool:
        return self.source.forced

    @property
    def transfer_syntax(self) -> UID:
        return self.source.transfer_syntax

    @property
    def source_pixels(self) -> PixelDescription:
        return self.source.source_pixels

    @property
    def frame_headers(self) -> list[Dataset] | None:
        return self.source.frame_headers

    @property
    def frame_paths(self) -> list[Path] | None:
        return self.source.frame_paths

    @property
    def decodable(self) -> bool:
        return self.source.decodable

    @property
    def is_lossy(self) -> bool:
        return self.source.is_lossy

    def source_frame(self, index: int) -> FrameArray:
        return self.source.source_frame(index)

    def source_attributes(self, index: int) -> Dataset:
        return self.source.source_attributes(index)

    def load_all_frames(self, progress: Callable[[int, int], None] | None = None) -> FrameArray:
        return self.source.load_all_frames(progress)

    def accept_decoded(self, index: int, arr: FrameArray) -> FrameArray:
        return self.source.accept_decoded(index, arr)

    def check_unchanged(self) -> None:
        self.source.check_unchanged()

    def read_full_dataset(self) -> Dataset:
        return self.source.read_full_dataset()


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
        notes += unusable_luts(frame_view(ds, 0))
        return Document(Source(path, ds, reader, forced, notes))
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
    return Document(Source(Path(paths[0]), headers[0], reader, False, notes, frame_headers=headers))
