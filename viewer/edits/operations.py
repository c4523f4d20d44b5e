"""Edit operations as recipe steps: parameters, JSON form, and how each applies.

Every GUI edit and every `dicom-viewer edit` option becomes one of these. They are
data (frozen dataclasses) plus an ``apply`` that calls the pure function of its
module; replaying a list of them over another file is what a recipe is. Frames are
1-based in recipes (``frame: null`` means every frame), 0-based inside.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from viewer.edits import binning, crop, flip, flood_fill, frames, invert, paint, rotate, threshold
from viewer.edits.values import fit_value, to_stored
from viewer.model.display import ModalityTransform
from viewer.model.errors import InvalidOperationError, ViewerError

Pixels = npt.NDArray[Any]


@dataclass
class EditContext:
    """What operations need to know besides the pixels."""

    bits_stored: int
    signed: bool
    is_color: bool
    modality_for: Callable[[int], ModalityTransform]  # 0-based working frame -> transform
    original_frame: Callable[[int], Pixels] | None = None  # for erase


#: Bounds on recipe numbers: far beyond any image, small enough that work stays bounded.
MAX_COORDINATE = 1_000_000
MAX_STROKE_POINTS = 100_000
MAX_SPEC_LENGTH = 10_000
MAX_BRUSH_RADIUS = 4096


def _field_error(op: Operation, name: str, problem: str) -> InvalidOperationError:
    return InvalidOperationError(f"operation '{op.name}', field '{name}': {problem}")


def _checked_number(op: Operation, name: str, value: Any, integer: bool) -> int | float:
    """A finite number of the field's type (true/false and strings are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _field_error(op, name, f"{value!r} is not a number")
    if integer:
        if isinstance(value, float) and not value.is_integer():
            raise _field_error(op, name, f"{value!r} is not a whole number")
        if not abs(value) <= MAX_COORDINATE:
            raise _field_error(op, name, f"{value!r} is out of range")
        return int(value)
    if not np.isfinite(value):
        raise _field_error(op, name, f"{value!r} is not a finite number")
    return float(value)


def _checked_points(op: Operation, name: str, value: Any) -> list[list[float]]:
    if not isinstance(value, list) or len(value) > MAX_STROKE_POINTS:
        raise _field_error(op, name, f"must be a list of at most {MAX_STROKE_POINTS} [row, column] pairs")
    points = []
    for point in value:
        if not isinstance(point, (list, tuple)) or len(point) != 2:
            raise _field_error(op, name, f"{point!r} is not a [row, column] pair")
        row, column = (_checked_number(op, name, v, integer=False) for v in point)
        if abs(row) > MAX_COORDINATE or abs(column) > MAX_COORDINATE:
            raise _field_error(op, name, f"{point!r} lies absurdly far outside any image")
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
                    raise _field_error(self, f.name, f"{value!r} is not true or false")
                checked = value
            elif kind == "str":
                if not isinstance(value, str) or len(value) > MAX_SPEC_LENGTH:
                    raise _field_error(self, f.name, f"{value!r:.40} is not a short text")
                checked = value
            else:
                checked = _checked_points(self, f.name, value)
            object.__setattr__(self, f.name, checked)
        self.check()

    def check(self) -> None:
        """Ranges of this operation's own fields (extended where there are more)."""
        frame = getattr(self, "frame", None)
        if frame is not None and frame < 1:
            raise _field_error(self, "frame", f"{frame} must be >= 1 (frames are numbered from 1)")

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
        frame = getattr(self, "frame", None)
        if frame is None:
            return list(range(frame_count))
        if not 1 <= frame <= frame_count:
            raise ViewerError(f"frame {frame} is outside 1..{frame_count}")
        return [frame - 1]


def _holding(out: Pixels, new: Pixels, original: Pixels) -> Pixels:
    """`out` as a writable array (never `original` itself) whose type holds `new`'s type."""
    widened = out.astype(np.promote_types(out.dtype, new.dtype), copy=False)
    return original.copy() if widened is original else widened


def _refuse_color(ctx: EditContext, what: str) -> None:
    if ctx.is_color:
        raise ViewerError(f"{what} works on grayscale images; this one is colour")


@dataclass(frozen=True)
class Crop(Operation):
    name: ClassVar[str] = "crop"
    geometric: ClassVar[bool] = True
    x: int
    y: int
    width: int
    height: int

    def check(self) -> None:
        if self.width < 1 or self.height < 1 or self.x < 0 or self.y < 0:
            raise ViewerError(f"crop {self.x},{self.y} {self.width}x{self.height} is empty or starts outside the image")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return crop.crop(pixels, self.x, self.y, self.width, self.height)


@dataclass(frozen=True)
class Flip(Operation):
    name: ClassVar[str] = "flip"
    geometric: ClassVar[bool] = True
    direction: str

    def check(self) -> None:
        if self.direction not in ("h", "v"):
            raise _field_error(self, "direction", f"{self.direction!r} must be 'h' or 'v'")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return flip.flip(pixels, self.direction)


@dataclass(frozen=True)
class Rotate(Operation):
    name: ClassVar[str] = "rotate"
    geometric: ClassVar[bool] = True
    degrees: int

    def check(self) -> None:
        if self.degrees not in (90, 180, 270):
            raise _field_error(self, "degrees", f"{self.degrees} must be 90, 180 or 270")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return rotate.rotate(pixels, self.degrees)


@dataclass(frozen=True)
class Bin(Operation):
    name: ClassVar[str] = "bin"
    geometric: ClassVar[bool] = True
    factor: int

    def check(self) -> None:
        if self.factor < 1:
            raise _field_error(self, "factor", f"{self.factor} must be >= 1")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return binning.bin_pixels(pixels, self.factor)


@dataclass(frozen=True)
class _RangeFill(Operation):
    lo: float
    hi: float
    value: float
    frame: int | None = None
    inside: ClassVar[bool] = True

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        _refuse_color(ctx, "threshold fill")
        out = pixels
        for i in self.target_frames(len(pixels)):
            modality = ctx.modality_for(i)
            filled = threshold.fill(pixels[i], self.lo, self.hi, self.value, modality, self.inside)
            out = _holding(out, filled, pixels)
            out[i] = filled
        return out


@dataclass(frozen=True)
class FillInside(_RangeFill):
    name: ClassVar[str] = "fill-inside"
    inside: ClassVar[bool] = True


@dataclass(frozen=True)
class FillOutside(_RangeFill):
    name: ClassVar[str] = "fill-outside"
    inside: ClassVar[bool] = False


@dataclass(frozen=True)
class Binarize(Operation):
    """1 inside [lo, hi], 0 outside. Over every frame the image becomes a plain 0/1 mask;
    on one frame the mask is written as the stored values whose modality values are 0 and 1,
    so the other frames keep their meaning."""

    name: ClassVar[str] = "binarize"
    lo: float
    hi: float
    frame: int | None = None

    def resets_modality(self, frame_count: int) -> bool:
        return len(self.target_frames(frame_count)) == frame_count

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        _refuse_color(ctx, "binarize")
        targets = self.target_frames(len(pixels))
        if len(targets) == len(pixels):
            return np.stack([threshold.binarize(pixels[i], self.lo, self.hi, ctx.modality_for(i)) for i in targets])
        out = pixels.copy()
        for i in targets:
            modality = ctx.modality_for(i)
            zero, one = to_stored(0, modality), to_stored(1, modality)
            if zero == one:
                raise ViewerError("the rescale cannot tell 0 from 1; binarize every frame instead")
            mask = threshold.threshold_mask(pixels[i], self.lo, self.hi, modality)
            out = fit_value(fit_value(out, zero), one)
            out[i] = np.where(mask, one, zero)
        return out


@dataclass(frozen=True)
class Invert(Operation):
    name: ClassVar[str] = "invert"
    frame: int | None = None

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        low, high = invert.value_range(pixels)  # over all frames, also when one is inverted
        out = pixels.copy()
        for i in self.target_frames(len(pixels)):
            out[i] = invert.invert(pixels[i], low, high)
        return out


@dataclass(frozen=True)
class DeleteFrames(Operation):
    name: ClassVar[str] = "delete-frames"
    geometric: ClassVar[bool] = True
    spec: str

    def kept(self, frame_count: int) -> list[int]:
        return frames.frames_to_keep(frame_count, frames.parse_frame_spec(self.spec, frame_count))

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return frames.keep_frames(pixels, self.kept(len(pixels)))


@dataclass(frozen=True)
class KeepFrames(Operation):
    name: ClassVar[str] = "keep-frames"
    geometric: ClassVar[bool] = True
    spec: str

    def kept(self, frame_count: int) -> list[int]:
        return frames.parse_frame_spec(self.spec, frame_count)

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return frames.keep_frames(pixels, self.kept(len(pixels)))


@dataclass(frozen=True)
class Paint(Operation):
    """A brush stroke in modality `value` (erase=True restores the original values)."""

    name: ClassVar[str] = "paint"
    frame: int
    points: list[list[float]] = field(default_factory=list)  # [row, column] pairs
    radius: float = 3.0
    value: float = 0.0
    erase: bool = False

    def check(self) -> None:
        super().check()
        if not 0 < self.radius <= MAX_BRUSH_RADIUS:
            raise _field_error(self, "radius", f"{self.radius:g} must be in (0, {MAX_BRUSH_RADIUS}]")

    def region(self, pixels: Pixels, ctx: EditContext) -> tuple[paint.Box, Pixels] | None:
        """The stroke's bounding box and its new values (frame 1-based in self.frame)."""
        (i,) = self.target_frames(len(pixels))
        points = [(float(r), float(c)) for r, c in self.points]
        if self.erase:
            if ctx.original_frame is None:
                raise ViewerError("erase needs the original pixels, which are not available")
            return paint.erase(pixels[i], ctx.original_frame(i), points, self.radius)
        value = to_stored(self.value, ctx.modality_for(i))
        return paint.paint(fit_value(pixels[i], value), points, self.radius, value)  # widen, never wrap

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        found = self.region(pixels, ctx)
        if found is None:
            return pixels
        (r0, r1, c0, c1), values = found
        out = _holding(pixels, values, pixels)
        out[self.frame - 1, r0:r1, c0:c1] = values
        return out

    def describe(self) -> str:
        return f"{'erase' if self.erase else 'paint'} frame {self.frame}"


@dataclass(frozen=True)
class FloodFill(Operation):
    name: ClassVar[str] = "flood-fill"
    frame: int
    row: int
    column: int
    tolerance: float
    value: float

    def check(self) -> None:
        super().check()
        if self.tolerance < 0:
            raise _field_error(self, "tolerance", f"{self.tolerance:g} must be >= 0")

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        _refuse_color(ctx, "flood fill")
        (i,) = self.target_frames(len(pixels))
        modality = ctx.modality_for(i)
        new = to_stored(self.value, modality)
        tolerance = self.tolerance / abs(modality.slope) if modality.lut is None else self.tolerance
        out = fit_value(pixels, new)
        if out is pixels:
            out = pixels.copy()
        out[i] = flood_fill.flood_fill(out[i], (self.row, self.column), tolerance, new)
        return out


OPERATIONS: dict[str, type[Operation]] = {
    cls.name: cls
    for cls in (
        Crop,
        Flip,
        Rotate,
        Bin,
        FillInside,
        FillOutside,
        Binarize,
        Invert,
        DeleteFrames,
        KeepFrames,
        Paint,
        FloodFill,
    )
}


def operation_from_json(data: dict[str, Any]) -> Operation:
    """Build an operation from its recipe form, refusing unknown names and fields."""
    if not isinstance(data, dict) or "op" not in data:
        raise ViewerError("a recipe step is not an object with an 'op'")
    cls = OPERATIONS.get(data["op"]) if isinstance(data["op"], str) else None
    if cls is None:
        raise ViewerError(f"unknown operation {str(data['op'])[:40]!r}; known: {', '.join(OPERATIONS)}")
    names = {f.name for f in fields(cls)}
    params = {k: v for k, v in data.items() if k != "op"}
    unknown = set(params) - names
    if unknown:
        raise ViewerError(f"operation '{cls.name}' has no parameter(s) {', '.join(sorted(unknown))}")
    try:
        return cls(**params)
    except TypeError as exc:
        raise ViewerError(f"operation '{cls.name}': {exc}") from None
