"""A thin Qt adapter over the view state of one open document (frame, window, invert).

The state itself is plain data (:class:`viewer.model.rendering.ViewState`) and pixels are
shown by the one rendering policy that `render` uses too; this class adds the signals.
Widgets never keep pixels or levels of their own: they call the setters here and
redraw when a signal says the state changed. Frames are decoded on background threads
(viewer.ui.frame_decoding); only the latest requested frame is shown.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset
from PySide6.QtCore import QObject, Signal

from viewer.edits.operations import Operation
from viewer.edits.session import EditSession, edit_session, session
from viewer.model.display import ModalityTransform, VoiLut, Window, minmax_window
from viewer.model.document import Document
from viewer.model.errors import ViewerError
from viewer.model.rendering import COLOR_WINDOW, ViewState, initial_voi, render_for_screen, render_stored
from viewer.model.tables import LookupHints
from viewer.ui.frame_decoding import FrameDecoding

Region = tuple[int, int, int, int]  # rows r0:r1, columns c0:c1 of a frame


class DocumentView(QObject):
    """Frame, window and invert state for one :class:`Document`."""

    frame_changed = Signal(int)  # 0-based index
    window_changed = Signal(object)  # Window
    image_changed = Signal()  # the current frame's pixels are available (or changed)
    geometry_changed = Signal()  # rows, columns or frame count changed (crop, rotate, ...)
    edits_changed = Signal()  # an edit was applied, undone or redone
    error_raised = Signal(str)

    def __init__(self, document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.state = ViewState()
        self._stored: npt.NDArray[Any] | None = None
        self._modality_values: npt.NDArray[np.float64] | None = None
        self._attributes: tuple[tuple[int, int, int], Dataset] | None = None  # (frame, edits) -> view
        self._kept_part: tuple[Any, ...] | None = None  # (frame ref, edits, key, (part, hints)): _part
        self._travel = 1  # the way the person last moved through the frames: +1 or -1
        self.decoding = FrameDecoding(document, self)
        self.decoding.decoded.connect(self._on_decoded)

    # -- state ----------------------------------------------------------------------
    @property
    def frame(self) -> int:
        return self.state.frame

    @frame.setter
    def frame(self, index: int) -> None:
        self.state.frame = index

    @property
    def window(self) -> Window | None:
        return self.state.window

    @window.setter
    def window(self, window: Window | None) -> None:
        self.state.window = window

    @property
    def voi_lut(self) -> VoiLut | None:
        return self.state.voi_lut

    @voi_lut.setter
    def voi_lut(self, lut: VoiLut | None) -> None:
        self.state.voi_lut = lut

    @property
    def invert(self) -> bool:
        return self.state.invert

    @property
    def frame_count(self) -> int:
        return self.document.frame_count

    @property
    def is_color(self) -> bool:
        return self.document.pixels.is_color

    def modality(self) -> ModalityTransform:
        """The modality transform of the current frame."""
        return self.document.modality(self.frame)

    def frame_attributes(self) -> Dataset:
        """The current frame's attributes, looked up once per frame and edit: an enhanced
        file's frame view costs ~0.4 ms, and drags and hovering ask on every event."""
        edits = self.document.edits
        key = (self.frame, id(edits), getattr(edits, "generation", 0))
        if self._attributes is None or self._attributes[0] != key:
            self._attributes = (key, self.document.frame_attributes(self.frame))
        return self._attributes[1]

    def stored_frame(self) -> npt.NDArray[Any] | None:
        """Stored values of the current frame (read-only), or None while it decodes."""
        return self._stored

    def modality_values(self) -> npt.NDArray[np.float64] | None:
        """Modality values of the current frame (e.g. HU), computed once per frame."""
        if self._stored is None or self.is_color:
            return None
        if self._modality_values is None:
            self._modality_values = self.modality().apply(self._stored)
        return self._modality_values

    def _whole_rescale(self) -> ModalityTransform | None:
        """The current frame's transform when it maps whole stored numbers to whole numbers
        by a rescale: then the questions below are answered without the frame's modality
        values (128 MB of floats for a 4096 x 4096 mammogram, ~0.2 s when a drag begins)."""
        stored, modality = self._stored, self.modality()
        if stored is None or self.is_color or stored.dtype.kind not in "iu" or modality.lut is not None:
            return None
        whole = float(modality.slope).is_integer() and float(modality.intercept).is_integer()
        return modality if whole else None

    def integer_values(self) -> bool:
        """True when the current frame's modality values are whole numbers (CT HU, most MR):
        a dragged window is then kept to whole numbers, as a person reads and types it."""
        if self._whole_rescale() is not None:
            return bool(self._stored is not None and self._stored.size)
        values = self.modality_values()
        return values is not None and values.size > 0 and bool(np.all(np.mod(values, 1) == 0))

    def value_span(self) -> float:
        """max - min of the current frame's modality values (1.0 while unknown)."""
        rescale, stored = self._whole_rescale(), self._stored
        if rescale is not None and stored is not None and stored.size:
            span = abs(rescale.slope) * (float(stored.max()) - float(stored.min()))
        else:
            values = self.modality_values()
            if values is None or not values.size:
                return 1.0
            span = float(np.nanmax(values) - np.nanmin(values))
        return span if span > 0 else 1.0

    def set_frame(self, index: int) -> None:
        """Show frame `index` (0-based, clamped); decodes in the background if needed."""
        index = max(0, min(int(index), self.frame_count - 1))
        if index == self.frame and self._stored is not None:
            return
        if self._stored is not None and index != self.frame:
            self._travel = 1 if index > self.frame else -1
            self.decoding.preload(index, self._travel)  # the person moves: decode the rest
        self.frame = index
        self.frame_changed.emit(index)
        if self.document.is_cached(index) or self.document.reads_directly:  # no thread hop for a copy
            self._take_frame(index)
        else:
            self.decoding.request(index)
        self.prefetch(step=self._travel, wrap=False)  # the next frames the way the person moves

    def load_current(self) -> None:
        """Decode the current frame now, on this thread (first display, tests)."""
        self._take_frame(self.frame)

    def set_window(self, window: Window) -> None:
        """Use `window` for every frame until changed (changing frames keeps it)."""
        if window == self.window and self.voi_lut is None:
            return
        self.window = window
        self.voi_lut = None
        self.window_changed.emit(window)

    def reset_window(self) -> None:
        """Back to the window a fresh view of this frame starts with (the rendering policy's)."""
        if self._stored is None or self.is_color:
            return
        attributes = self.frame_attributes()
        window, lut = initial_voi(attributes, self.document.pixels, self.modality(), self._stored)
        if lut is not None:
            self.use_voi_lut(lut)
        elif window is not None:
            self.set_window(window)

    def use_voi_lut(self, lut: VoiLut) -> None:
        """Show through a (0028,3010) VOI LUT Sequence item instead of a window."""
        self.window = None
        self.voi_lut = lut
        self.window_changed.emit(self.effective_window())

    def set_invert(self, invert: bool) -> None:
        if invert != self.invert:
            self.state.invert = invert
            self.window_changed.emit(self.window)

    def effective_window(self) -> Window:
        """The window in force; a VOI LUT is approximated by the range it spans."""
        if self.window is not None:
            return self.window
        if self.voi_lut is not None:
            lut = self.voi_lut
            return Window.from_bounds(lut.first_mapped, lut.first_mapped + len(lut.data) - 1)
        values = self.modality_values()
        return minmax_window(values) if values is not None else COLOR_WINDOW

    # -- rendering ------------------------------------------------------------------
    def display_image(self, step: int = 1, region: Region | None = None) -> npt.NDArray[np.uint8] | None:
        """uint8 gray or RGB of the current frame, or of every `step`-th pixel of `region`."""
        stored = self._stored
        return None if stored is None else render_stored(self._part(stored, step, region)[0], *self._rendering())

    def screen_image(self, step: int = 1, region: Region | None = None) -> npt.NDArray[np.uint8 | np.uint32] | None:
        """:meth:`display_image` as a picture Qt draws as it is (gray as RGB32 pixels)."""
        if self._stored is None:
            return None
        part, hints = self._part(self._stored, step, region)
        return render_for_screen(part, *self._rendering(), hints)

    def _rendering(self) -> tuple[Any, Any, ModalityTransform, ViewState]:
        return self.frame_attributes(), self.document.pixels, self.modality(), self._shown()

    def _part(
        self, stored: npt.NDArray[Any], step: int, region: Region | None
    ) -> tuple[npt.NDArray[Any], LookupHints | None]:
        """The frame, or every `step`-th pixel of `region` of it with its LookupHints, copied
        once and kept while asked for again (a dragged window asks on every event): a kept
        4096 x 4096 part is in the CPU's caches (~0.7 ms a lookup, ~1.4 from the frame). The
        frame is referred to weakly: a frame left behind is not kept alive."""
        if region is None and step == 1:
            return stored, None
        edits = self.document.edits
        key = (step, region, getattr(edits, "generation", 0))
        kept = self._kept_part
        if kept is not None and kept[0]() is stored and kept[1] is edits and kept[2] == key:
            return kept[3]
        r0, r1, c0, c1 = region if region is not None else (0, stored.shape[0], 0, stored.shape[1])
        part = np.ascontiguousarray(stored[r0:r1:step, c0:c1:step])
        hints = LookupHints.of(part)
        self._kept_part = (weakref.ref(stored), edits, key, (part, hints))
        return part, hints

    def display_value_at(self, row: int, column: int) -> npt.NDArray[np.uint8]:
        """The displayed gray value (or RGB triple) of one pixel of the current frame."""
        if self._stored is None:
            return np.zeros(3 if self.is_color else (), dtype=np.uint8)
        pixel = np.ascontiguousarray(self._stored[row : row + 1, column : column + 1])
        attributes = self.frame_attributes()
        return render_stored(pixel, attributes, self.document.pixels, self.modality(), self._shown())[0, 0]

    def _shown(self) -> ViewState:
        """The state to render: before a window is chosen, the frame's own range."""
        if self.state.has_voi:
            return self.state
        return ViewState(self.frame, self.effective_window(), None, self.invert)

    # -- decoding -------------------------------------------------------------------
    def _take_frame(self, index: int) -> None:
        try:
            stored = self.document.get_frame(index)
        except ViewerError as exc:
            self.error_raised.emit(str(exc))
            return
        first = self._stored is None
        self._stored = stored
        self._modality_values = None
        if first and self.window is None and self.voi_lut is None:
            self._choose_initial_window()
        self.image_changed.emit()

    def _choose_initial_window(self) -> None:
        """The window the rendering policy gives the first frame shown (see viewer.model.rendering)."""
        assert self._stored is not None
        attributes = self.frame_attributes()
        self.window, self.voi_lut = initial_voi(attributes, self.document.pixels, self.modality(), self._stored)
        if self.is_color:
            return
        self.window_changed.emit(self.effective_window())

    def _on_decoded(self, index: int, error: str) -> None:
        if error:
            if index == self.frame:
                self.error_raised.emit(error)
            return
        if self.document.is_cached(self.frame):
            if self._stored is None or self._stored is not self.document.get_frame(self.frame):
                self._take_frame(self.frame)
        else:
            self.decoding.request(self.frame)

    def prefetch(self, ahead: int | None = None, step: int = 1, wrap: bool = True) -> None:
        """Decode the next frames in the background (FrameDecoding.ahead)."""
        self.decoding.ahead(self.frame, ahead, step, wrap)

    # -- editing --------------------------------------------------------------------
    def apply(self, operation: Operation, budget_bytes: int | None = None) -> None:
        """Apply one edit (one undo step); raises ViewerError with a reason."""
        before = self._edit_state()
        edit_session(self.document, operation, budget_bytes).apply(operation)
        self._after_edit(before)

    def undo(self) -> Operation | None:
        return self._step(lambda edits: edits.undo())

    def redo(self) -> Operation | None:
        return self._step(lambda edits: edits.redo())

    def _step(self, do: Callable[[EditSession], Operation | None]) -> Operation | None:
        work = session(self.document)
        if work is None:
            return None
        before = self._edit_state()
        operation = do(work)
        if operation is not None:
            self._after_edit(before)
        return operation

    def _edit_state(self) -> tuple[tuple[int, ...], int, bool]:
        """What an edit may change that the view must follow: frame shape, count, mask-ness."""
        edits = self.document.edits
        return self.document.pixels.frame_shape, self.frame_count, bool(edits and edits.modality_reset)

    def _after_edit(self, before: tuple[tuple[int, ...], int, bool]) -> None:
        if self.frame >= self.frame_count:
            self.frame = self.frame_count - 1
            self.frame_changed.emit(self.frame)
        self._stored = self.document.get_frame(self.frame)
        self._modality_values = None
        now = self._edit_state()
        if now[2] and not before[2] and self.window is not None:
            self.window = Window(0.5, 1.0)  # became a 0/1 mask: show 0 black, 1 white
            self.window_changed.emit(self.window)
        if now[:2] != before[:2]:
            self.geometry_changed.emit()
        self.edits_changed.emit()
        self.image_changed.emit()

    def close(self) -> None:
        self.decoding.close()
