"""The base of every edit operation: a recipe step that owns its whole effect.

An operation is data (a frozen dataclass, validated when made) plus what it does:
``apply`` to the pixels, ``geometry`` of each frame in patient space, ``overlay`` planes
(60xx, aligned with the pixel grid), ``kept_frames`` and ``quarter_turns``, its recipe
form (``to_json``) and its words for Derivation Description (``describe``). Each kind
lives in its own module with its pixel function; `operations.py` registers them.
Frames are 1-based in recipes (``frame: null`` means every frame), 0-based inside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

from viewer.model.display import ModalityTransform
from viewer.model.errors import InvalidOperationError, ViewerError
from viewer.model.geometry import FrameGeometry
from viewer.model.overlays import Planes  # overlay planes: (frames, rows, columns), True where set
from viewer.model.segments import SegmentSet

Pixels = npt.NDArray[Any]


@dataclass
class EditContext:
    """What operations need to know besides the pixels."""

    bits_stored: int
    signed: bool
    is_color: bool
    modality_for: Callable[[int], ModalityTransform]  # 0-based working frame -> transform
    original_frame: Callable[[int], Pixels] | None = None  # for erase
    segments: SegmentSet | None = None  # the document's segments (fill-mask reads them)
    source_dataset: Callable[[], Dataset] | None = None  # the file's header (import-seg)
    geometric: bool = False  # a geometric edit was made: the grid is no longer the file's
    frame_count: int | None = None  # frames of the whole image when `pixels` is one frame of it


#: Bounds on recipe numbers: far beyond any image, small enough that work stays bounded.
MAX_COORDINATE = 1_000_000
MAX_STROKE_POINTS = 100_000
MAX_SPEC_LENGTH = 10_000
MAX_BRUSH_RADIUS = 4096


def field_error(op: Operation, name: str, problem: str) -> InvalidOperationError:
    return InvalidOperationError(f"operation '{op.name}', field '{name}': {problem}")


def _checked_number(op: Operation, name: str, value: Any, integer: bool) -> int | float:
    """A finite number of the field's type (true/false and strings are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise field_error(op, name, f"{value!r} is not a number")
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise field_error(op, name, f"{value!r} is not a whole number")
        if not abs(value) <= MAX_COORDINATE:
            raise field_error(op, name, f"{value!r} is out of range")
        return int(value)
    if not np.isfinite(value):
        raise field_error(op, name, f"{value!r} is not a finite number")
    return float(value)


def _checked_points(op: Operation, name: str, value: Any) -> list[list[float]]:
    if not isinstance(value, list) or len(value) > MAX_STROKE_POINTS:
        raise field_error(op, name, f"must be a list of at most {MAX_STROKE_POINTS} [row, column] pairs")
    points = []
    for point in value:
        if not isinstance(point, (list, tuple)) or len(point) != 2:
            raise field_error(op, name, f"{point!r} is not a [row, column] pair")
        row, column = (_checked_number(op, name, v, integer=False) for v in point)
        if abs(row) > MAX_COORDINATE or abs(column) > MAX_COORDINATE:
            raise field_error(op, name, f"{point!r} lies absurdly far outside any image")
        points.append([row, column])
    return points


@dataclass(frozen=True)
class Operation:
    """Base of all recipe steps.

    Fields are validated when an operation is made (from options, a recipe or the GUI):
    type, finiteness and range, with messages naming the operation and the field, so that
    a hostile recipe never reaches the pixels. Bounds that depend on the image (crop
    rectangle, bin factor, frame numbers, seed) are checked where the image is known.
    """

    name: ClassVar[str] = ""
    geometric: ClassVar[bool] = False  # changes rows, columns or frames
    selects_frames: ClassVar[bool] = False  # removes frames (a one-frame file keeps its own)
    changes_pixels: ClassVar[bool] = True  # False: a mask step (viewer.edits.mask_ops)
    reads_segments: ClassVar[bool] = False  # a pixel edit made from a segment (fill-mask)
    frame_wise: ClassVar[bool] = False  # each frame's result depends on that frame alone (streams)
    reads_all_frames: ClassVar[bool] = False  # even on one frame, the result depends on every frame

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            kind = str(f.type)
            if value is None and kind.endswith("| None"):
                continue
            if kind.startswith("int"):
                checked: Any = _checked_number(self, f.name, value, integer=True)
            elif kind == "float":
                checked = _checked_number(self, f.name, value, integer=False)
            elif kind == "bool":
                if not isinstance(value, bool):
                    raise field_error(self, f.name, f"{value!r} is not true or false")
                checked = value
            elif kind == "str":
                if not isinstance(value, str) or len(value) > MAX_SPEC_LENGTH:
                    raise field_error(self, f.name, f"{value!r:.40} is not a short text")
                checked = value
            else:
                checked = _checked_points(self, f.name, value)
            object.__setattr__(self, f.name, checked)
        self.check()

    # -- what the operation does besides the pixels (defaults: nothing) -----------------
    def geometry(self, frame: FrameGeometry) -> FrameGeometry:
        """Where a frame sits after this operation (position, directions, spacing, size)."""
        return frame

    def overlay(self, planes: Planes) -> Planes:
        """Overlay planes after this operation, moved, cut, flipped or binned with the pixels."""
        return planes

    def point(self, row: float, column: float, rows: int, columns: int) -> tuple[float, float]:
        """Where pixel (row, column) of a rows x columns frame lands (0-based, fractional):
        how display shutters and other coordinates follow the pixels."""
        return row, column

    @property
    def scale(self) -> float:
        """How lengths in pixels change (binning shrinks them)."""
        return 1.0

    def kept_frames(self, frame_count: int) -> list[int] | None:
        """0-based frames that remain, in order; None when every frame stays."""
        return None

    @property
    def quarter_turns(self) -> int:
        """Clockwise quarter turns of the pixel grid (odd: rows and columns swap)."""
        return 0

    def check(self) -> None:
        """Ranges of this operation's own fields (extended where there are more)."""
        frame = getattr(self, "frame", None)
        if frame is not None and frame < 1:
            raise field_error(self, "frame", f"{frame} must be >= 1 (frames are numbered from 1)")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        raise NotImplementedError

    def resets_modality(self, frame_count: int) -> bool:
        """True if the result is plain values whose rescale is identity (a 0/1 mask)."""
        return False

    def describe(self) -> str:
        """Short words for (0008,2111) Derivation Description."""
        args = " ".join(
            f"{v:g}" if isinstance(v, float) else str(v)
            for v in asdict(self).values()
            if v is not None and not isinstance(v, list)
        )
        return f"{self.name} {args}".strip()

    def to_json(self) -> dict[str, Any]:
        return {"op": self.name, **asdict(self)}

    def target_frames(self, frame_count: int) -> list[int]:
        """0-based frames a value operation changes (its `frame` field, else every frame)."""
        frame = getattr(self, "frame", None)
        if frame is None:
            return list(range(frame_count))
        if not 1 <= frame <= frame_count:
            raise ViewerError(f"frame {frame} is outside 1..{frame_count}")
        return [frame - 1]


def holding(out: Pixels, new: Pixels, original: Pixels) -> Pixels:
    """`out` as a writable array (never `original` itself) whose type holds `new`'s type."""
    widened = out.astype(np.promote_types(out.dtype, new.dtype), copy=False)
    return original.copy() if widened is original else widened


def refuse_color(ctx: EditContext, what: str) -> None:
    if ctx.is_color:
        raise ViewerError(f"{what} works on grayscale images; this one is colour")
