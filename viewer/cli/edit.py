"""`dicom-viewer edit PATH -o OUT`: operations from options or a recipe, applied in order, then saved.

A folder input with a folder output processes every DICOM file below it, keeps going
past bad files, and ends with a summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from viewer.cli.batch_options import add_batch_options, engine_options, progress_bar, report_batch
from viewer.edits.operations import (
    Bin,
    Binarize,
    Crop,
    DeleteFrames,
    FillInside,
    FillOutside,
    Flip,
    Invert,
    KeepFrames,
    Operation,
    Pad,
    Rotate,
)
from viewer.edits.recipe import load_recipe
from viewer.io.batch import edit_file, edit_folder, format_report
from viewer.io.save import SYNTAX_CHOICES
from viewer.model.errors import ViewerError


class _AddOperation(argparse.Action):
    """Append an operation to args.operations, keeping the command-line order."""

    def __init__(self, *args: Any, make: Any = None, **kwargs: Any) -> None:
        self.make = make
        super().__init__(*args, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        ops = getattr(namespace, "operations", None) or []
        values = values if isinstance(values, list) else [values]
        try:
            ops.append(self.make(*values))
        except (TypeError, ValueError, ViewerError) as exc:
            parser.error(f"{option_string}: {exc}")
        namespace.operations = ops


def add_parser(sub: Any) -> None:
    """Register `edit` and its options on the sub-command parser."""
    edit = sub.add_parser("edit", help="edit pixels and save a new DICOM file")
    edit.add_argument("path", help="input file, or folder for batch editing")
    edit.add_argument("-o", "--output", required=True, help="output file (or folder)")
    edit.set_defaults(operations=[])
    edit.add_argument("--crop", nargs=4, type=int, metavar=("X", "Y", "W", "H"), action=_AddOperation, make=Crop)
    edit.add_argument("--flip", choices=("h", "v"), action=_AddOperation, make=Flip)
    edit.add_argument("--rotate", type=int, choices=(90, 180, 270), action=_AddOperation, make=Rotate)
    edit.add_argument(
        "--pad",
        nargs=5,
        type=float,
        metavar=("LEFT", "TOP", "RIGHT", "BOTTOM", "VALUE"),
        action=_AddOperation,
        make=Pad,
    )
    edit.add_argument("--bin", type=int, metavar="N", action=_AddOperation, make=Bin)
    edit.add_argument(
        "--fill-outside", nargs=3, type=float, metavar=("LO", "HI", "VALUE"), action=_AddOperation, make=FillOutside
    )
    edit.add_argument(
        "--fill-inside", nargs=3, type=float, metavar=("LO", "HI", "VALUE"), action=_AddOperation, make=FillInside
    )
    edit.add_argument("--binarize", nargs=2, type=float, metavar=("LO", "HI"), action=_AddOperation, make=Binarize)
    edit.add_argument("--invert", nargs=0, action=_AddOperation, make=Invert)
    edit.add_argument("--delete-frames", metavar="SPEC", action=_AddOperation, make=DeleteFrames)
    edit.add_argument("--keep-frames", metavar="SPEC", action=_AddOperation, make=KeepFrames)
    edit.add_argument("--syntax", choices=SYNTAX_CHOICES, default="keep")
    edit.add_argument("--recipe", metavar="FILE.json", help="operations recorded by the GUI")
    edit.add_argument("--report", action="store_true", help="print the tags that change and warnings")
    edit.add_argument("--force", action="store_true", help="replace a read-only output file")
    edit.add_argument(
        "--allow-damaged", action="store_true", help="save even if the input's pixel data is damaged (recorded)"
    )
    add_batch_options(edit)


def _edit_folder(args: argparse.Namespace, operations: list[Operation], out: TextIO, err: TextIO) -> int:
    """Edit every file (viewer.io.batch_engine); the summary goes to stdout, each failure
    as one line to stderr."""

    def report(text: str) -> None:
        if args.report:
            out.write(text + "\n")

    with progress_bar(err, "edit") as show:
        result = edit_folder(
            Path(args.path),
            Path(args.output),
            operations,
            args.syntax,
            show,
            report,
            args.force,
            args.allow_damaged,
            **engine_options(args),
        )
    return report_batch(result, out, err)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run `dicom-viewer edit`; raises ViewerError for the one-line error."""
    operations = list(args.operations)
    if args.recipe:
        operations += load_recipe(args.recipe)
    if Path(args.path).is_dir():
        return _edit_folder(args, operations, out, err)
    report = edit_file(Path(args.path), Path(args.output), operations, args.syntax, args.force, args.allow_damaged)
    if args.report:
        out.write(format_report(report) + "\n")
    return 0
