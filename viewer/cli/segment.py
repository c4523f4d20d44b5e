"""`dicom-viewer segment PATH -o SEG.dcm --threshold LO HI [--frames SPEC] [--label NAME]`.

A binary DICOM Segmentation of the pixels whose modality values lie in [LO, HI], one
segment, over every frame (or SPEC), referencing the source (viewer.io.seg).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO


def add_parser(sub: Any) -> None:
    segment = sub.add_parser("segment", help="a DICOM Segmentation of a threshold range")
    segment.add_argument("path")
    segment.add_argument("-o", "--output", required=True, metavar="SEG.dcm")
    segment.add_argument("--threshold", nargs=2, type=float, required=True, metavar=("LO", "HI"))
    segment.add_argument("--frames", metavar="SPEC", help="1-based frames, e.g. 1,3,5-7 (default: all)")
    segment.add_argument("--label", default="Threshold", help="the segment's label")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import math

    from viewer.cli.usage import UsageError
    from viewer.edits.frames import parse_frame_spec
    from viewer.io.seg import threshold_mask, write_segmentation
    from viewer.io.targets import resolve_output
    from viewer.model.document import open_document

    low, high = args.threshold
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise UsageError(f"--threshold {low:g} {high:g}: LO and HI must be finite with LO <= HI")
    target = resolve_output(Path(args.output), [Path(args.path)])
    document = open_document(args.path)
    frames = parse_frame_spec(args.frames, document.frame_count) if args.frames else list(range(document.frame_count))
    mask = threshold_mask(document, low, high, frames)
    written = write_segmentation(target, document.dataset, [(args.label, mask)], f"{low:g} <= value <= {high:g}")
    out.write(f"saved {target} ({int(mask.sum())} pixels in {written} frame(s))\n")
    return 0
