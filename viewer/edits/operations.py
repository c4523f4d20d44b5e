"""The registry of edit operations: every kind by its recipe name, and recipe steps -> operations.

Each operation lives in the module of its pixel function and owns its whole effect
(see :mod:`viewer.edits.operation`); adding one means writing its module and adding it
to :data:`OPERATIONS` (plus its CLI flag and menu entry). The names are re-exported here
so that callers import every operation from one place.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from viewer.edits.binning import Bin
from viewer.edits.crop import Crop
from viewer.edits.flip import Flip
from viewer.edits.flood_fill import FloodFill
from viewer.edits.frames import DeleteFrames, KeepFrames
from viewer.edits.invert import Invert
from viewer.edits.mask_ops import (
    FillHoles,
    FillMask,
    ImportSegments,
    KeepRegion,
    MaskGrow,
    MaskPaint,
    MaskThreshold,
    NewSegment,
    RemoveIslands,
)
from viewer.edits.operation import EditContext, Operation
from viewer.edits.pad import Pad
from viewer.edits.paint import Paint
from viewer.edits.rotate import Rotate
from viewer.edits.threshold import Binarize, FillInside, FillOutside
from viewer.model.errors import ViewerError

__all__ = [
    "OPERATIONS",
    "Bin",
    "Binarize",
    "Crop",
    "DeleteFrames",
    "EditContext",
    "FillHoles",
    "FillInside",
    "FillMask",
    "FillOutside",
    "Flip",
    "FloodFill",
    "ImportSegments",
    "Invert",
    "KeepFrames",
    "KeepRegion",
    "MaskGrow",
    "MaskPaint",
    "MaskThreshold",
    "NewSegment",
    "Operation",
    "Pad",
    "Paint",
    "RemoveIslands",
    "Rotate",
    "operation_from_json",
]

OPERATIONS: dict[str, type[Operation]] = {
    cls.name: cls
    for cls in (
        Crop,
        Pad,
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
        NewSegment,
        ImportSegments,
        MaskThreshold,
        MaskPaint,
        MaskGrow,
        KeepRegion,
        RemoveIslands,
        FillHoles,
        FillMask,
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
