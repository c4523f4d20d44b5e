"""`dicom-viewer info PATH [--json]`: a summary of one file."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO


def add_parser(sub: Any) -> None:
    info = sub.add_parser("info", help="print a summary of a DICOM file")
    info.add_argument("path")
    info.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.model.document import open_document
    from viewer.model.summary import format_summary, summarize

    info = summarize(open_document(args.path))
    out.write((json.dumps(info) if args.json else format_summary(info)) + "\n")
    return 0
