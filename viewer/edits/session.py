"""Start editing a document: the working copy of its pixels that operations change."""

from __future__ import annotations

from typing import Any

from viewer.edits.history import DEFAULT_BUDGET_BYTES
from viewer.edits.operation import Operation
from viewer.edits.streamed import StreamedEdits, can_stream, needs_all_frames
from viewer.edits.working import WorkingPixels
from viewer.model.document import Document, FrameArray, check_memory_for
from viewer.model.errors import ViewerError

#: An edit session the GUI drives: frames in memory, or streamed for files larger than memory.
EditSession = WorkingPixels | StreamedEdits


def begin_edit(document: Document, budget_bytes: int | None = None) -> WorkingPixels:
    """The document's working pixels, made on first call (decodes every frame once)."""
    if document.edits is None:
        check_memory_for(document.source_pixels)
        document.edits = _working(document, document.load_all_frames(), budget_bytes, copy=False)
    assert isinstance(document.edits, WorkingPixels)
    return document.edits


def adopt_edits(document: Document, pixels: FrameArray, operations: list[Any], modality_reset: bool) -> WorkingPixels:
    """Take pixels edited elsewhere (one frame of an edited series) as `document`'s edits."""
    work = _working(document, pixels, None, copy=True)
    work.operations = list(operations)
    work.modality_reset = modality_reset
    document.edits = work
    return work


def _working(document: Document, pixels: FrameArray, budget_bytes: int | None, copy: bool) -> WorkingPixels:
    source = document.source_pixels
    return WorkingPixels(
        pixels,
        bits_stored=source.bits_stored,
        signed=source.pixel_representation == 1,
        is_color=source.is_color,
        source_modality=document.source.modality_for,
        source_frame=document.source_frame,
        budget_bytes=budget_bytes or DEFAULT_BUDGET_BYTES,
        copy=copy,
        source_description=source,
        source_attributes=document.source_attributes,
        source_overlays=lambda: document.source.overlays,
        source_shutter=lambda: document.source.shutter,
        source_dataset=lambda: document.dataset,
    )


def begin_streamed_edit(document: Document, operations: list[Operation], workers: int = 1) -> StreamedEdits:
    """`operations` as `document`'s edits, computed frame by frame (on `workers` processes
    when more than one) when a save asks for them. No frame is decoded here; frame numbers
    and specs are checked."""
    document.edits = StreamedEdits(document, operations, workers)
    return document.edits


def streams(document: Document, operations: list[Operation]) -> bool:
    """Whether `operations` can be computed one frame at a time on `document`: one whole
    file (not damaged, 8 bits or more) and operations that act frame by frame."""
    whole = not document.source.damage and document.frame_headers is None
    return whole and document.source_pixels.bits_allocated >= 8 and can_stream(operations)


def require_memory(document: Document, operations: list[Operation]) -> None:
    """Refuse, before any frame is decoded, to hold every frame when memory cannot; the
    message names the operations that need them all (else the file, which cannot stream)."""
    try:
        check_memory_for(document.source_pixels)
    except ViewerError as exc:
        names = ", ".join(sorted(set(needs_all_frames(operations)))) or "this file"
        raise ViewerError(f"{names} needs every frame at once: {exc}") from None


def edit_session(document: Document, operation: Operation, budget_bytes: int | None = None) -> EditSession:
    """The session that takes `operation` (the GUI's): the document's own; else its
    frames in memory when they fit; else, for a file larger than memory, streamed edits
    (each frame computed from the file when shown, undo for free). An operation that
    needs every frame at once on such a file is refused, saying so, before any work."""
    if document.edits is None:
        try:
            require_memory(document, [operation])
        except ViewerError:
            if not streams(document, [operation]):
                raise
            return begin_streamed_edit(document, [])
        return begin_edit(document, budget_bytes)
    edits = edit_state(document)
    if isinstance(edits, StreamedEdits) and not can_stream([operation]):
        raise ViewerError(
            f"{operation.name} needs every frame at once, and this file is edited frame by frame "
            "because it does not fit in memory"
        )
    return edits


def session(document: Document) -> EditSession | None:
    """The document's edit session of either kind, if it has one."""
    return None if document.edits is None else edit_state(document)


def edit_state(document: Document) -> WorkingPixels | StreamedEdits:
    """The document's edits, held in memory or streamed (what a commit reads of both)."""
    edits = document.edits
    assert isinstance(edits, (WorkingPixels, StreamedEdits))
    return edits


def working(document: Document) -> WorkingPixels | None:
    """The document's edit session, typed as what it is (the model knows only a protocol)."""
    edits = document.edits
    assert edits is None or isinstance(edits, WorkingPixels)
    return edits
