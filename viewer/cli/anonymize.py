"""`dicom-viewer anonymize PATH -o OUT [--shift-dates DAYS] [--uid-key SECRET] [--retain-safe-private]
[--allow-burned-in]`.

PS3.15 Basic Application Level Confidentiality Profile (viewer.io.anonymize): a file to a
file, or a folder to a folder (one run, one UID mapping). Pixel data bit-identical.
"""

from __future__ import annotations

import argparse
import secrets
from pathlib import Path
from typing import Any, TextIO

from viewer.cli.batch_options import add_batch_options, engine_options, progress_bar, report_batch


def add_parser(sub: Any) -> None:
    anonymize = sub.add_parser("anonymize", help="de-identify (PS3.15 Basic Profile); pixels unchanged")
    anonymize.add_argument("path")
    anonymize.add_argument("-o", "--output", required=True, metavar="OUT")
    anonymize.add_argument("--shift-dates", type=int, metavar="DAYS", help="keep dates, moved by DAYS")
    anonymize.add_argument("--uid-key", metavar="SECRET", help="the same key gives the same new UIDs across runs")
    anonymize.add_argument(
        "--retain-safe-private",
        action="store_true",
        help="keep private attributes PS3.15 lists as safe",
    )
    anonymize.add_argument("--allow-burned-in", action="store_true", help="also files marked Burned In Annotation YES")
    add_batch_options(anonymize)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.io.anonymize import anonymize_file, anonymize_folder

    source, output = Path(args.path), Path(args.output)
    key = args.uid_key or secrets.token_hex(16)  # one mapping for the whole run
    options = (args.shift_dates, args.allow_burned_in, args.retain_safe_private)
    if not source.is_dir():
        anonymize_file(source, output, key, *options)
        out.write(f"saved {output}\n")
        return 0
    with progress_bar(err, "anonymize") as show:
        result = anonymize_folder(source, output, key, *options, progress=show, **engine_options(args))
    return report_batch(result, out, err)
