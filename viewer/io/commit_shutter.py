"""The Display Shutter after a geometric edit: its edges, centre and vertices move with the
pixels (``Operation.point``). Stored values are whole pixels (IS); rounding never widens
what the shutter shows (edges and radius round inwards), so nothing it hid comes into view.
"""

from __future__ import annotations

import math

from pydicom.dataset import Dataset

from viewer.io.tag_changes import TagRecorder
from viewer.model.document import Document


def commit_shutter(rec: TagRecorder, ds: Dataset, document: Document, geometric: bool) -> None:
    shutter = document.shutter
    if not geometric or shutter is None:
        return
    if shutter.rectangle is not None:
        left, right, upper, lower = shutter.rectangle
        rec.set(ds, "ShutterLeftVerticalEdge", str(math.ceil(left - 1e-9)))
        rec.set(ds, "ShutterRightVerticalEdge", str(math.floor(right + 1e-9)))
        rec.set(ds, "ShutterUpperHorizontalEdge", str(math.ceil(upper - 1e-9)))
        rec.set(ds, "ShutterLowerHorizontalEdge", str(math.floor(lower + 1e-9)))
    if shutter.center is not None and shutter.radius is not None:
        rec.set(ds, "CenterOfCircularShutter", [str(round(v)) for v in shutter.center])
        rec.set(ds, "RadiusOfCircularShutter", str(max(0, math.floor(shutter.radius + 1e-9))))
    if shutter.vertices is not None:
        rec.set(ds, "VerticesOfThePolygonalShutter", [str(round(v)) for point in shutter.vertices for v in point])
