"""Overlay planes (60xx groups): read onto the pixel grid, followed through edits, drawn.

Each overlay is held aligned with the image's pixel grid: ``planes`` (True where set) and
``extent`` (True where the overlay is defined; ROI overlays dim the unset part of it), so
that every geometric operation moves, cuts, flips, rotates and bins an overlay with the
same function it applies to the pixels (``Operation.overlay``). Set pixels that lie
outside the image cannot be carried and are counted (``outside``).

Drawing follows dcmtk's ``dcm2pnm`` defaults, the reference our tests compare with:
graphics overlays replace the displayed value with white; ROI overlays keep the region
and dim the rest of the overlay's extent (value >> 4 on 8-bit output). An overlay with
neither Number of Frames in Overlay nor Image Frame Origin applies to every frame (as
dcm2pnm shows it); otherwise to its frames from Image Frame Origin on.
Overlays embedded in unused Pixel Data bits (retired) are reported, not shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset

Planes = npt.NDArray[np.bool_]  # (frames, rows, columns), True where set

#: RGBA of a drawn overlay pixel (graphics: white) and of a dimmed ROI surround
#: (black at 15/16 opacity = value >> 4, as dcm2pnm shows it).
GRAPHIC_RGBA = (255, 255, 255, 255)
ROI_DIM_RGBA = (0, 0, 0, 240)
#: Segments (DICOM SEG shown with its source) cover their pixels at this opacity (45 %).
SEGMENT_ALPHA = 115
#: An overlay may not unpack to more than this many bits per image pixel (hostile sizes).
MAX_BITS_PER_IMAGE_PIXEL = 4


class PlaneOperation(Protocol):
    """What an edit operation offers overlays (see ``viewer.edits.operation``)."""

    def kept_frames(self, frame_count: int) -> list[int] | None: ...

    def overlay(self, planes: Planes) -> Planes: ...


@dataclass(frozen=True)
class Overlay:
    """One overlay group on the current pixel grid."""

    group: int  # 0x6000, 0x6002, ... (a segment: its Segment Number)
    kind: str  # "G" graphics, "R" region of interest, "S" a segment of a DICOM SEG
    planes: Planes  # one plane per entry of `frames`, or a single plane for every frame
    extent: Planes  # (1, rows, columns)
    frames: tuple[int, ...] | None  # 0-based image frames of `planes`; None: every frame
    outside: int = 0  # set pixels that lie outside the image (not kept on edits)
    colour: tuple[int, int, int] = (255, 255, 255)  # a segment's display colour
    label: str = ""

    @property
    def name(self) -> str:
        return f"segment {self.group} ({self.label})" if self.kind == "S" else f"overlay {self.group:04X}"

    def plane_for(self, frame: int) -> Planes | None:
        """The (rows, columns) plane drawn on image frame `frame` (0-based), if any."""
        if self.frames is None:
            return self.planes[0]
        if frame in self.frames:
            return self.planes[self.frames.index(frame)]
        return None

    def after(self, op: PlaneOperation, frame_count: int) -> Overlay | None:
        """This overlay after `op` on an image of `frame_count` frames; None if nothing is left."""
        planes, frames = self.planes, self.frames
        kept = op.kept_frames(frame_count)
        if kept is not None and frames is not None:
            new_index = {old: new for new, old in enumerate(kept)}
            keep = [i for i, f in enumerate(frames) if f in new_index]
            if not keep:
                return None
            planes = planes[keep]
            frames = tuple(new_index[frames[i]] for i in keep)
        extent = op.overlay(self.extent)
        if not extent.any():
            return None
        return replace(self, planes=op.overlay(planes), extent=extent, frames=frames)


def overlay_groups(ds: Dataset) -> list[int]:
    """Groups 6000..601E that hold an overlay (Overlay Rows present)."""
    return [g for g in range(0x6000, 0x6020, 2) if (g << 16 | 0x0010) in ds]


def _value(ds: Dataset, group: int, element: int, default: Any = None) -> Any:
    tag = group << 16 | element
    if tag not in ds:
        return default
    value = ds[tag].value
    return default if value is None or value == "" else value


def _read_one(ds: Dataset, group: int, rows: int, columns: int, frame_count: int) -> Overlay | str:
    """The overlay of `group` on a rows x columns grid, or the reason it cannot be used."""
    from pydicom.pixels import unpack_bits

    name = f"overlay {group:04X}"
    try:
        o_rows, o_columns = int(_value(ds, group, 0x0010, 0)), int(_value(ds, group, 0x0011, 0))
        origin = _value(ds, group, 0x0050, [1, 1])
        top, left = int(origin[0]) - 1, int(origin[1]) - 1
        count = int(_value(ds, group, 0x0015, 1))
        first = int(_value(ds, group, 0x0051, 1)) - 1
        kind = str(_value(ds, group, 0x0040, "G")).strip().upper()
        data = _value(ds, group, 0x3000)
    except (TypeError, ValueError, IndexError):
        return f"{name}: unreadable size, origin or frames; not shown"
    if data is None:
        return f"{name}: embedded in Pixel Data bits (retired form); not shown and not kept by pixel edits"
    if o_rows < 1 or o_columns < 1 or count < 1:
        return f"{name}: empty size {o_columns} x {o_rows}; not shown"
    bits = count * o_rows * o_columns
    if bits > MAX_BITS_PER_IMAGE_PIXEL * max(1, rows * columns * frame_count):
        return f"{name}: {count} frame(s) of {o_columns} x {o_rows} is far larger than the image; not shown"
    if len(data) * 8 < bits:
        return f"{name}: Overlay Data holds {len(data) * 8} bits, its size needs {bits}; not shown"
    unpacked = np.asarray(unpack_bits(bytes(data[: (bits + 7) // 8]), as_array=True))
    raw = unpacked[:bits].astype(bool).reshape(count, o_rows, o_columns)
    frames: tuple[int, ...] | None = None
    outside = 0
    if (group << 16 | 0x0015) in ds or (group << 16 | 0x0051) in ds:
        inside = [i for i in range(count) if 0 <= first + i < frame_count]
        outside = int(np.count_nonzero(np.delete(raw, inside, axis=0)))
        raw, frames = raw[inside], tuple(first + i for i in inside)
    planes = np.zeros((len(raw), rows, columns), dtype=bool)
    extent = np.zeros((1, rows, columns), dtype=bool)
    r0, c0 = max(top, 0), max(left, 0)
    r1, c1 = min(top + o_rows, rows), min(left + o_columns, columns)
    if r0 < r1 and c0 < c1:
        planes[:, r0:r1, c0:c1] = raw[:, r0 - top : r1 - top, c0 - left : c1 - left]
        extent[:, r0:r1, c0:c1] = True
    outside += int(np.count_nonzero(raw)) - int(np.count_nonzero(planes))
    return Overlay(group, "R" if kind == "R" else "G", planes, extent, frames, outside)


def read_overlays(ds: Dataset, rows: int, columns: int, frame_count: int) -> tuple[list[Overlay], list[str]]:
    """Every usable overlay of `ds` on its pixel grid, and a note for each that is not."""
    overlays: list[Overlay] = []
    notes: list[str] = []
    for group in overlay_groups(ds):
        result = _read_one(ds, group, rows, columns, frame_count)
        if isinstance(result, str):
            notes.append(result)
            continue
        overlays.append(result)
        if result.outside:
            notes.append(f"{result.name}: {result.outside} set pixel(s) lie outside the image and are not shown")
    return overlays, notes


def follow_operations(overlays: list[Overlay], operations: list[Any], frame_count: int) -> list[Overlay]:
    """Overlays after each operation in turn, on an image that starts with `frame_count` frames."""
    for op in operations:
        overlays = [moved for o in overlays if (moved := o.after(op, frame_count)) is not None]
        kept = op.kept_frames(frame_count)
        frame_count = frame_count if kept is None else len(kept)
    return overlays


def _masks(overlays: list[Overlay], frame: int) -> tuple[Planes | None, Planes | None]:
    """(pixels drawn white, pixels dimmed) on `frame`, or None where there are none."""
    white: Planes | None = None
    dim: Planes | None = None
    for overlay in overlays:
        plane = overlay.plane_for(frame)
        if plane is None:
            continue
        if overlay.kind == "R":
            outside_roi = overlay.extent[0] & ~plane
            dim = outside_roi if dim is None else dim | outside_roi
        elif overlay.kind == "G":
            white = plane if white is None else white | plane
    return white, dim


def draw_overlays(image: npt.NDArray[np.uint8], overlays: list[Overlay], frame: int) -> npt.NDArray[np.uint8]:
    """`image` (8-bit gray or RGB, as displayed) with the overlays of `frame` drawn in."""
    white, dim = _masks(overlays, frame)
    if white is None and dim is None:
        return image
    out = image.copy()
    if dim is not None:
        out[dim] >>= 4
    if white is not None:
        out[white] = 255
    return out


def overlay_rgba(
    overlays: list[Overlay],
    frame: int,
    painted: list[tuple[tuple[int, int, int], Planes]] | None = None,
    alpha: int = SEGMENT_ALPHA,
) -> npt.NDArray[np.uint8] | None:
    """A (rows, columns, 4) layer that shows the overlays of `frame` over the image, and
    segments (a SEG's, and `painted` (colour, mask) pairs of segments being drawn) in
    their colours at `alpha`; None when nothing is drawn."""
    white, dim = _masks(overlays, frame)
    segments = [(o.colour, p) for o in overlays if o.kind == "S" and (p := o.plane_for(frame)) is not None]
    segments += painted or []
    if white is None and dim is None and not segments:
        return None
    shape = overlays[0].extent.shape[1:] if overlays else segments[0][1].shape
    layer = np.zeros((*shape, 4), dtype=np.uint8)
    for colour, plane in segments:
        layer[plane] = (*colour, alpha)
    if dim is not None:
        layer[dim] = ROI_DIM_RGBA
    if white is not None:
        layer[white] = GRAPHIC_RGBA
    return layer
