"""`dicom-viewer segment PATH -o SEG.dcm (--threshold LO HI [--frames SPEC] [--label NAME] | --recipe R.json)`.

A binary DICOM Segmentation referencing the source (viewer.io.seg): either one segment of
the pixels whose modality values lie in [LO, HI], over every frame (or SPEC), or the
segments a GUI session drew, replayed from its recipe (its mask steps; a recipe that
edits pixels is refused, since the SEG references the file as it is).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO


def add_parser(sub: Any) -> None:
    segment = sub.add_parser("segment", help="a DICOM Segmentation of a threshold range or of a recipe's masks")
    segment.add_argument("path")
    segment.add_argument("-o", "--output", required=True, metavar="SEG.dcm")
    source = segment.add_mutually_exclusive_group(required=True)
    source.add_argument("--threshold", nargs=2, type=float, metavar=("LO", "HI"))
    source.add_argument("--recipe", metavar="FILE.json", help="mask steps recorded by the GUI (Edit > Export Recipe)")
    segment.add_argument("--frames", metavar="SPEC", help="1-based frames, e.g. 1,3,5-7 (default: all)")
    segment.add_argument("--label", default="Threshold", help="the segment's label")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.io.seg import drawn_segments, threshold_mask, write_segmentation
    from viewer.io.targets import resolve_output
    from viewer.model.document import open_document

    target = resolve_output(Path(args.output), [Path(args.path)])
    document = open_document(args.path)
    if args.recipe:
        from viewer.edits.recipe import load_recipe
        from viewer.edits.session import begin_edit

        work = begin_edit(document)
        for operation in load_recipe(args.recipe):
            work.apply(operation)
        masks, described = drawn_segments(document)
        written = write_segmentation(target, document.dataset, masks, "dicom-viewer segments", **described)
        pixels = sum(int(mask.sum()) for _, mask in masks)
        out.write(f"saved {target} ({len(masks)} segment(s), {pixels} pixels in {written} frame(s))\n")
        return 0
    low, high = _checked_range(args.threshold)
    frames = _frames(args.frames, document.frame_count)
    mask = threshold_mask(document, low, high, frames)
    written = write_segmentation(target, document.dataset, [(args.label, mask)], f"{low:g} <= value <= {high:g}")
    out.write(f"saved {target} ({int(mask.sum())} pixels in {written} frame(s))\n")
    return 0


def _checked_range(values: list[float]) -> tuple[float, float]:
    import math

    from viewer.cli.usage import UsageError

    low, high = values
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise UsageError(f"--threshold {low:g} {high:g}: LO and HI must be finite with LO <= HI")
    return low, high


def _frames(spec: str | None, count: int) -> list[int]:
    from viewer.edits.frames import parse_frame_spec

    return parse_frame_spec(spec, count) if spec else list(range(count))
