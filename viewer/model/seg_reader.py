"""Reading the segments of a DICOM SEG onto the frames of the image it references.

The model reads them (shown over their source as overlay planes of kind "S", and taken
into the segments being drawn by the import-seg mask step); writing SEGs is io's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from viewer.model.errors import ViewerError, one_line
from viewer.model.segments import PALETTE


def read_segments(path: Path, source: Dataset, frames: int) -> list[Any]:
    """The segments of the SEG at `path` on the frames of `source` (its header), as
    overlay planes of kind "S" (viewer.model.overlays), one per segment; [] when the SEG
    refers to another image."""
    import highdicom as hd

    from viewer.model.overlays import Overlay

    try:
        seg = hd.seg.segread(path)
        referenced = {uid for _, _, uid in seg.get_source_image_uids()}
        if str(source.SOPInstanceUID) not in referenced:
            return []
        if frames > 1:
            pixels = seg.get_pixels_by_source_frame(
                source_sop_instance_uid=source.SOPInstanceUID,
                source_frame_numbers=list(range(1, frames + 1)),
                combine_segments=False,
                skip_overlap_checks=True,
            )
        else:
            pixels = seg.get_pixels_by_source_instance(
                source_sop_instance_uids=[source.SOPInstanceUID], combine_segments=False, skip_overlap_checks=True
            )
    except Exception as exc:
        raise ViewerError(f"cannot read segments from '{path.name}': {one_line(exc)}") from None
    pixels = np.asarray(pixels).reshape(frames, int(source.Rows), int(source.Columns), -1) > 0
    segments = []
    for index, item in enumerate(seg.SegmentSequence):
        lab = item.get("RecommendedDisplayCIELabValue")
        colour = hd.color.CIELabColor.from_dicom_value(lab).to_rgb() if lab else PALETTE[index % len(PALETTE)]
        planes = np.ascontiguousarray(pixels[..., index])
        extent = np.ones((1, *planes.shape[1:]), dtype=bool)
        number = int(item.SegmentNumber)
        segments.append(
            Overlay(number, "S", planes, extent, tuple(range(frames)), 0, colour, str(item.get("SegmentLabel", "")))
        )
    return segments
