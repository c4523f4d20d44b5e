"""Mask steps: operations that draw into a segment instead of the pixels.

They are recipe steps like any other (so a GUI session replays from the command line)
and share the edit history, but change only the document's segments (``apply_mask``);
``FillMask`` is the one that goes the other way, turning a segment into a pixel edit.
Values are modality units; frames 1-based (``frame: null``: every frame). 3D steps
connect pixels across consecutive frames, in the order the frames are shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from viewer.edits.operation import MAX_BRUSH_RADIUS, EditContext, Operation, Pixels, field_error, holding, refuse_color
from viewer.edits.paint import stroke_mask
from viewer.edits.threshold import threshold_mask
from viewer.edits.values import fit_value, to_stored
from viewer.model import masks
from viewer.model.errors import ViewerError
from viewer.model.segments import Mask, SegmentSet

SEGMENT_MODES = ("add", "replace", "remove")


@dataclass(frozen=True)
class MaskOperation(Operation):
    """A step on a segment (1-based `segment`); pixels unchanged."""

    changes_pixels: ClassVar[bool] = False

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        return pixels  # the pixels stay; see apply_mask

    def apply_mask(self, segments: SegmentSet, pixels: Pixels, ctx: EditContext) -> SegmentSet:
        raise NotImplementedError

    def _frames_of(self, segments: SegmentSet, number: int, new: Iterable[tuple[int, Mask]]) -> SegmentSet:
        """`segments` with frames of segment `number` replaced, one (index, mask) at a time
        (a generator keeps one unpacked frame in memory, not the volume)."""
        segment = segments.get(number)
        for index, mask in new:
            segment = segment.with_frame(index, mask)
        return segments.replaced(number, segment)

    def _seed_frames(self, pixels: Pixels, three_d: bool) -> list[int]:
        return list(range(len(pixels))) if three_d else self.target_frames(len(pixels))


def _within(pixels: Pixels, frames: list[int], ctx: EditContext, centre: float, tolerance: float) -> Mask:
    """(frames, rows, columns): modality value within `tolerance` of `centre` (1 byte a pixel)."""
    return np.stack([np.abs(ctx.modality_for(i).apply(pixels[i]) - centre) <= tolerance for i in frames])


def _check_seed(op: Operation, pixels: Pixels, row: int, column: int) -> None:
    rows, columns = pixels.shape[1:3]
    if not (0 <= row < rows and 0 <= column < columns):
        raise ViewerError(f"{op.name}: the point ({column}, {row}) is outside the {columns} x {rows} image")


@dataclass(frozen=True)
class NewSegment(MaskOperation):
    """A new, empty segment (numbered after the existing ones)."""

    name: ClassVar[str] = "new-segment"
    label: str = ""
    category: str = "Tissue"  # SNOMED CT keywords of pydicom's codes.SCT (CID 7150)
    kind: str = "Tissue"  # (CID 7151), e.g. Bone, Organ, Lesion

    def check(self) -> None:
        super().check()
        from pydicom.sr.codedict import codes

        for name in ("category", "kind"):
            keyword = getattr(self, name)
            if keyword not in codes.SCT.dir(keyword):
                raise field_error(self, name, f"{keyword!r:.40} is not a SNOMED CT keyword pydicom knows")

    def apply_mask(self, segments: SegmentSet, pixels: Pixels, ctx: EditContext) -> SegmentSet:
        return segments.added(self.label, (len(pixels), *pixels.shape[1:3]), self.category, self.kind)

    def describe(self) -> str:
        return f"new segment {self.label}"


@dataclass(frozen=True)
class ImportSegments(MaskOperation):
    """The segments of a DICOM SEG of this image (`path`) added to the segments being
    drawn, to clean or fill into the pixels; before any geometric edit (a SEG is on the
    file's grid)."""

    name: ClassVar[str] = "import-seg"
    path: str

    def apply_mask(self, segments: SegmentSet, pixels: Pixels, ctx: EditContext) -> SegmentSet:
        from viewer.model.seg_reader import read_segments

        if ctx.source_dataset is None:
            raise ViewerError("import-seg needs the image's header")
        if ctx.geometric:
            raise ViewerError("import a SEG before cropping, flipping, rotating, binning, padding or deleting frames")
        found = read_segments(Path(self.path), ctx.source_dataset(), len(pixels))
        if not found:
            raise ViewerError(f"'{Path(self.path).name}' is not a segmentation of this image")
        shape = (len(pixels), *pixels.shape[1:3])
        for overlay in found:
            segments = segments.added(overlay.label, shape, colour=overlay.colour)
            planes = zip(overlay.frames or range(len(pixels)), overlay.planes, strict=False)
            segments = self._frames_of(segments, len(segments), ((i, plane) for i, plane in planes if plane.any()))
        return segments

    def describe(self) -> str:
        return f"segments of {Path(self.path).name}"


@dataclass(frozen=True)
class MaskThreshold(MaskOperation):
    """The pixels whose modality value is in [lo, hi] added to, replacing or removed from a segment."""

    name: ClassVar[str] = "mask-threshold"
    lo: float
    hi: float
    segment: int = 1
    frame: int | None = None
    mode: str = "add"

    def check(self) -> None:
        super().check()
        if self.lo > self.hi:
            raise field_error(self, "hi", f"{self.hi:g} is below lo {self.lo:g}")
        if self.mode not in SEGMENT_MODES:
            raise field_error(self, "mode", f"{self.mode!r} is not one of {', '.join(SEGMENT_MODES)}")

    def apply_mask(self, segments: SegmentSet, pixels: Pixels, ctx: EditContext) -> SegmentSet:
        refuse_color(ctx, "a threshold mask")
        frames = self.target_frames(len(pixels))
        segment = segments.get(self.segment)
        selected = [False]

        def new() -> Iterator[tuple[int, Mask]]:
            for i in frames:
                inside = threshold_mask(pixels[i], self.lo, self.hi, ctx.modality_for(i))
                selected[0] = selected[0] or bool(inside.any())
                if self.mode == "add":
                    yield i, segment.frame(i) | inside
                elif self.mode == "remove":
                    yield i, segment.frame(i) & ~inside
                else:
                    yield i, inside

        result = self._frames_of(segments, self.segment, new())
        if not selected[0]:  # the new set is dropped: nothing changed
            where = "this frame" if len(frames) == 1 else f"the {len(frames)} frames"
            raise ViewerError(
                f"the range {self.lo:g}..{self.hi:g} selects no pixel in {where}; the segment is unchanged"
            )
        return result


@dataclass(frozen=True)
class MaskPaint(MaskOperation):
    """A brush stroke into a segment (erase=True takes the stroke out of it)."""

    name: ClassVar[str] = "mask-paint"
    frame: int
    points: list[list[float]] = field(default_factory=list)
    radius: float = 3.0
    segment: int = 1
    erase: bool = False

    def check(self) -> None:
        super().check()
        if not 0 < self.radius <= MAX_BRUSH_RADIUS:
            raise field_error(self, "radius", f"{self.radius:g} must be in (0, {MAX_BRUSH_RADIUS}]")

    def apply_mask(self, segments: SegmentSet, pixels: Pixels, ctx: EditContext) -> SegmentSet:
        (i,) = self.target_frames(len(pixels))
        found = stroke_mask(pixels.shape[1:3], [(float(r), float(c)) for r, c in self.points], self.radius)
        mask = segments.get(self.segment).frame(i)
        if found is not None:
            (r0, r1, c0, c1), stroke = found
            if self.erase:
                mask[r0:r1, c0:c1] &= ~stroke
            else:
                mask[r0:r1, c0:c1] |= stroke
        return self._frames_of(segments, self.segment, [(i, mask)])

    def describe(self) -> str:
        return f"{'erase' if self.erase else 'paint'} segment {self.segment} frame {self.frame}"


@dataclass(frozen=True)
class MaskGrow(MaskOperation):
    """Region growing: the pixels connected to the seed whose modality value is within
    `tolerance` of the seed's, added to a segment (2D, or 3D across frames)."""

    name: ClassVar[str] = "mask-grow"
    frame: int
    row: int
    column: int
    tolerance: float
    segment: int = 1
    three_d: bool = False

    def check(self) -> None:
        super().check()
        if self.tolerance < 0:
            raise field_error(self, "tolerance", f"{self.tolerance:g} must be >= 0")

    def apply_mask(self, segments: SegmentSet, pixels: Pixels, ctx: EditContext) -> SegmentSet:
        refuse_color(ctx, "region growing")
        (seed_frame,) = self.target_frames(len(pixels))
        _check_seed(self, pixels, self.row, self.column)
        frames = self._seed_frames(pixels, self.three_d)
        centre = float(ctx.modality_for(seed_frame).apply(pixels[seed_frame][self.row, self.column]))
        seed = (frames.index(seed_frame), self.row, self.column)
        region = masks.component_at(_within(pixels, frames, ctx, centre, self.tolerance), seed)
        segment = segments.get(self.segment)
        grown = ((i, segment.frame(i) | region[k]) for k, i in enumerate(frames) if region[k].any())
        return self._frames_of(segments, self.segment, grown)


@dataclass(frozen=True)
class KeepRegion(MaskOperation):
    """Only the connected region of the segment under the point stays (2D, or 3D)."""

    name: ClassVar[str] = "mask-keep-region"
    frame: int
    row: int
    column: int
    segment: int = 1
    three_d: bool = False

    def apply_mask(self, segments: SegmentSet, pixels: Pixels, ctx: EditContext) -> SegmentSet:
        (seed_frame,) = self.target_frames(len(pixels))
        _check_seed(self, pixels, self.row, self.column)
        frames = self._seed_frames(pixels, self.three_d)
        segment = segments.get(self.segment)
        volume = segment.volume(frames)
        seed = (frames.index(seed_frame), self.row, self.column)
        if not volume[seed]:
            raise ViewerError(f"the point ({self.column}, {self.row}) is not inside segment {self.segment}")
        kept = masks.component_at(volume, seed)
        return self._frames_of(segments, self.segment, zip(frames, kept, strict=True))


@dataclass(frozen=True)
class RemoveIslands(MaskOperation):
    """Connected regions of the segment smaller than `smaller_than` pixels removed."""

    name: ClassVar[str] = "mask-remove-islands"
    smaller_than: int
    segment: int = 1
    frame: int | None = None
    three_d: bool = False

    def check(self) -> None:
        super().check()
        if self.smaller_than < 1:
            raise field_error(self, "smaller_than", f"{self.smaller_than} must be >= 1")

    def apply_mask(self, segments: SegmentSet, pixels: Pixels, ctx: EditContext) -> SegmentSet:
        frames = self.target_frames(len(pixels))
        segment = segments.get(self.segment)
        if self.three_d:  # connected across frames: the volume at once (1 byte a pixel, labels 4)
            kept = masks.remove_islands(segment.volume(frames), self.smaller_than)
            return self._frames_of(segments, self.segment, zip(frames, kept, strict=True))
        planes = ((i, masks.remove_islands(segment.frame(i), self.smaller_than)) for i in frames if i in segment.frames)
        return self._frames_of(segments, self.segment, planes)


@dataclass(frozen=True)
class FillHoles(MaskOperation):
    """Every region the segment encloses in a frame (not reaching the border) filled."""

    name: ClassVar[str] = "mask-fill-holes"
    segment: int = 1
    frame: int | None = None

    def apply_mask(self, segments: SegmentSet, pixels: Pixels, ctx: EditContext) -> SegmentSet:
        segment = segments.get(self.segment)
        frames = [i for i in self.target_frames(len(pixels)) if i in segment.frames]
        return self._frames_of(segments, self.segment, ((i, masks.fill_holes(segment.frame(i))) for i in frames))


@dataclass(frozen=True)
class FillMask(Operation):
    """A segment as a pixel edit: its pixels (inside) or all others (outside) set to `value`."""

    name: ClassVar[str] = "fill-mask"
    reads_segments: ClassVar[bool] = True
    value: float
    segment: int = 1
    inside: bool = True
    frame: int | None = None

    def apply(self, pixels: Pixels, ctx: EditContext) -> Pixels:
        refuse_color(ctx, "filling a segment")
        if ctx.segments is None:
            raise ViewerError("fill-mask needs the document's segments")
        segment = ctx.segments.get(self.segment)
        out: Any = pixels
        for i in self.target_frames(len(pixels)):
            mask = segment.frame(i) if self.inside else ~segment.frame(i)
            if not mask.any():
                continue
            new = to_stored(self.value, ctx.modality_for(i))
            frame = fit_value(pixels[i], new)
            frame = frame.copy() if frame is pixels[i] else frame
            frame[mask] = new
            out = holding(out, frame, pixels)
            out[i] = frame
        return out

    def describe(self) -> str:
        return f"fill {'inside' if self.inside else 'outside'} segment {self.segment} with {self.value:g}"
