"""What the model needs to know of an edit session, without importing edits/.

The edit session (``viewer.edits.working.WorkingPixels``) lives above the model; a
document only holds one and asks it these questions.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy.typing as npt

from viewer.model.display import ModalityTransform


class EditedPixels(Protocol):
    """The working pixels of an edited document."""

    operations: list[Any]
    modality_reset: bool

    @property
    def pixels(self) -> npt.NDArray[Any]: ...

    @property
    def is_edited(self) -> bool: ...

    @property
    def source_frames(self) -> list[int]: ...

    def frame(self, index: int) -> npt.NDArray[Any]: ...

    def modality_for(self, index: int) -> ModalityTransform: ...
