"""What the model needs to know of an edit session, without importing edits/.

The edit session (``viewer.edits.working.WorkingPixels``) lives above the model; a
document holds one and shows its frames (it is a :class:`FrameSet`).
"""

from __future__ import annotations

from typing import Any, Protocol

from viewer.model.frames import FrameSet
from viewer.model.segments import SegmentSet


class EditedPixels(FrameSet, Protocol):
    """The working pixels of an edited document."""

    operations: list[Any]
    modality_reset: bool
    segments: SegmentSet  # masks drawn beside the pixels (viewer.edits.mask_ops)
    in_memory: bool  # every frame held (False: each computed from the file when asked for)

    @property
    def is_edited(self) -> bool: ...

    @property
    def source_frames(self) -> list[int]: ...
