"""What a view shows: a set of frames with their pixel description, modality and attributes.

Both the read-only source (``viewer.model.source.Source``) and an edit session
(``viewer.edits.working.WorkingPixels``) are frame sets; a document shows one of them.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy.typing as npt
from pydicom.dataset import Dataset

from viewer.model.display import ModalityTransform
from viewer.model.overlays import Overlay
from viewer.model.pixels import PixelDescription
from viewer.model.shutters import Shutter


class FrameSet(Protocol):
    """Frames numbered from 0, as they are now."""

    @property
    def description(self) -> PixelDescription: ...

    @property
    def quarter_turns(self) -> int: ...

    @property
    def overlays(self) -> list[Overlay]: ...

    @property
    def shutter(self) -> Shutter | None: ...

    def frame(self, index: int) -> npt.NDArray[Any]: ...

    def is_cached(self, index: int) -> bool: ...

    def modality_for(self, index: int) -> ModalityTransform: ...

    def attributes_for(self, index: int) -> Dataset: ...
