"""A value that cannot be read as its VR is kept byte for byte (as UN) and listed; never
dropped silently and never the end of a save."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pydicom
import pytest

from tests.hostile import wrong_length_value
from tests.reference import require
from viewer.cli.main import main
from viewer.model.document import open_document

CASES = [
    ("plain save", []),
    ("plain save, new syntax", ["--syntax", "rle"]),
    ("flip", ["--flip", "h"]),
]


@pytest.mark.parametrize(("name", "args"), CASES, ids=[c[0] for c in CASES])
def test_unreadable_value_is_kept_and_listed(name: str, args: list[str], tmp_path: Path, capfd) -> None:
    path = wrong_length_value(tmp_path / "in.dcm")
    out = tmp_path / "out.dcm"
    assert main(["edit", str(path), *args, "-o", str(out), "--report"]) == 0
    report = capfd.readouterr().out
    assert "(0054,0081): 3 bytes, not a whole number of US values -> kept as raw bytes (UN)" in report
    raw = pydicom.dcmread(out).get_item(0x00540081)  # as written, before pydicom reinterprets UN
    assert raw.VR == "UN" and raw.value == b"\x01\x02\x03\x00"  # the bytes, padded to even length
    dump = subprocess.run([require("dcmdump"), str(out)], capture_output=True, text=True)
    assert dump.returncode == 0 and "W:" not in dump.stderr + dump.stdout, dump.stderr


def test_open_notes_the_value_in_one_line(tmp_path: Path) -> None:
    document = open_document(wrong_length_value(tmp_path / "in.dcm"))
    assert "(0054,0081): 3 bytes are not a whole number of US values; shown and kept as raw bytes" in document.notes
