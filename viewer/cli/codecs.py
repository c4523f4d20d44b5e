"""`dicom-viewer codecs`: the transfer syntaxes this installation reads and writes."""

from __future__ import annotations

import argparse
from typing import Any, TextIO


def add_parser(sub: Any) -> None:
    sub.add_parser("codecs", help="list the transfer syntaxes that can be read / written")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.model.codecs import supported

    rows = supported()
    width = max(len(r.name) for r in rows)
    out.write(f"{'transfer syntax':<{width}}  read  write  uid\n")
    for r in rows:
        lossy = "  (lossy)" if r.lossy else ""
        read, write = ("yes" if r.decode else "no"), ("yes" if r.encode else "no")
        out.write(f"{r.name:<{width}}  {read:<4}  {write:<5}  {r.uid}{lossy}\n")
    return 0
