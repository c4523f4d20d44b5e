"""`dicom-viewer segment PATH -o SEG.dcm (--threshold LO HI [--frames SPEC] [--label NAME] | --recipe R.json)`;
a folder to a folder of SEGs (same relative paths) with --workers / --scheduler / --resume.

A binary DICOM Segmentation referencing the source (viewer.io.seg): either one segment of
the pixels whose modality values lie in [LO, HI], over every frame (or SPEC), or the
segments a GUI session drew, replayed from its recipe (its mask steps; a recipe that
edits pixels is refused, since the SEG references the file as it is).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from viewer.cli.batch_options import add_batch_options, engine_options, progress_bar, report_batch


def add_parser(sub: Any) -> None:
    segment = sub.add_parser("segment", help="a DICOM Segmentation of a threshold range or of a recipe's masks")
    segment.add_argument("path")
    segment.add_argument("-o", "--output", required=True, metavar="SEG.dcm")
    source = segment.add_mutually_exclusive_group(required=True)
    source.add_argument("--threshold", nargs=2, type=float, metavar=("LO", "HI"))
    source.add_argument("--recipe", metavar="FILE.json", help="mask steps recorded by the GUI (Edit > Export Recipe)")
    segment.add_argument("--frames", metavar="SPEC", help="1-based frames, e.g. 1,3,5-7 (default: all)")
    segment.add_argument("--label", default="Threshold", help="the segment's label")
    add_batch_options(segment)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.io.seg import segment_file, segment_folder

    options: dict[str, Any] = {"frames": args.frames, "label": args.label}
    if args.recipe:
        from viewer.edits.recipe import load_recipe

        options["recipe"] = load_recipe(args.recipe)
    else:
        options["threshold"] = _checked_range(args.threshold)
    source, output = Path(args.path), Path(args.output)
    if not source.is_dir():
        out.write(segment_file(source, output, **options) + "\n")
        return 0
    with progress_bar(err, "segment") as show:
        result = segment_folder(source, output, show, **options, **engine_options(args))
    return report_batch(result, out, err)


def _checked_range(values: list[float]) -> tuple[float, float]:
    import math

    from viewer.cli.usage import UsageError

    low, high = values
    if not (math.isfinite(low) and math.isfinite(high)) or low > high:
        raise UsageError(f"--threshold {low:g} {high:g}: LO and HI must be finite with LO <= HI")
    return low, high
