"""Delete or keep frames, given as 1-based lists and ranges such as '1,3,5-7'."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy.typing as npt

from viewer.edits.operation import EditContext, Operation, Pixels
from viewer.model.errors import ViewerError


def parse_frame_spec(spec: str, frame_count: int) -> list[int]:
    """0-based sorted unique frame indices from a 1-based spec like '1,3,5-7'."""
    indices: set[int] = set()
    for part in str(spec).replace(" ", "").split(","):
        if not part:
            continue
        try:
            if "-" in part:
                a, b = (int(v) for v in part.split("-", 1))
            else:
                a = b = int(part)
        except ValueError:
            raise ViewerError(f"frame list '{spec}' is not like 1,3,5-7") from None
        if a > b:
            a, b = b, a
        if a < 1 or b > frame_count:
            raise ViewerError(f"frames {part} are outside 1..{frame_count}")
        indices.update(range(a - 1, b))
    if not indices:
        raise ViewerError(f"frame list '{spec}' names no frames")
    return sorted(indices)


def keep_frames(pixels: npt.NDArray[Any], keep: list[int]) -> npt.NDArray[Any]:
    """Return only the frames at 0-based indices `keep`, in order."""
    if not keep:
        raise ViewerError("at least one frame must remain")
    return pixels[keep].copy()


def frames_to_keep(frame_count: int, delete: list[int]) -> list[int]:
    """0-based indices that remain after deleting `delete`; refuses deleting every frame."""
    remove = set(delete)
    keep = [i for i in range(frame_count) if i not in remove]
    if not keep:
        raise ViewerError(f"deleting frames would leave none of the {frame_count}")
    return keep


@dataclass(frozen=True)
class _FrameSelection(Operation):
    """Frames that remain, in order (`kept`); pixels and multi-frame overlays follow them
    (overlays through ``kept_frames``, see ``viewer.model.overlays``)."""

    geometric: ClassVar[bool] = True
    selects_frames: ClassVar[bool] = True
    spec: str

    def kept(self, frame_count: int) -> list[int]:
        raise NotImplementedError

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return keep_frames(pixels, self.kept(len(pixels)))

    def kept_frames(self, frame_count: int) -> list[int] | None:
        return self.kept(frame_count)


@dataclass(frozen=True)
class DeleteFrames(_FrameSelection):
    name: ClassVar[str] = "delete-frames"

    def kept(self, frame_count: int) -> list[int]:
        return frames_to_keep(frame_count, parse_frame_spec(self.spec, frame_count))


@dataclass(frozen=True)
class KeepFrames(_FrameSelection):
    name: ClassVar[str] = "keep-frames"

    def kept(self, frame_count: int) -> list[int]:
        return parse_frame_spec(self.spec, frame_count)
