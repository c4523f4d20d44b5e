"""`dicom-viewer edit`: parser and runner (filled in by the editing work)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO


def add_edit_parser(sub: Any) -> None:
    edit = sub.add_parser("edit", help="edit pixels and save a new DICOM file")
    edit.add_argument("path")
    edit.add_argument("-o", "--output", required=True)


def run_edit(args: argparse.Namespace, out: TextIO) -> int:
    from viewer.model.errors import ViewerError

    raise ViewerError("edit is not available yet")
