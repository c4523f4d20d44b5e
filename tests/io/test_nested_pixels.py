"""Encapsulated data nested in a private sequence never reaches a file whose syntax cannot
carry it: removed and listed when the syntax changes, kept when it does not."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pydicom
import pytest

from tests.hostile import nested_encapsulated
from tests.reference import dciodvfy_errors, require
from viewer.edits.operations import Flip
from viewer.edits.session import begin_edit
from viewer.io.save import save
from viewer.model.document import open_document


def _nested(ds: pydicom.Dataset):
    return ds[0x00091010].value[0]


@pytest.mark.parametrize("edited", [False, True], ids=["plain save", "flipped"])
@pytest.mark.parametrize("syntax", ["explicit", "rle"])
def test_syntax_change_removes_nested_encapsulated_data(edited: bool, syntax: str, tmp_path: Path) -> None:
    path = nested_encapsulated(tmp_path / "in.dcm")
    document = open_document(path)
    if edited:
        begin_edit(document).apply(Flip(direction="h"))
    report = save(document, tmp_path / "out.dcm", syntax)
    removed = [c for c in report.changes if c.path == "(0009,1010)[1].(7FE0,0010)"]
    assert len(removed) == 1 and "removed" in removed[0].new
    out = pydicom.dcmread(tmp_path / "out.dcm")
    assert "PixelData" not in _nested(out) and _nested(out).Rows == 8  # the rest of the item stays
    dump = subprocess.run([require("dcmdump"), str(tmp_path / "out.dcm")], capture_output=True, text=True)
    assert dump.returncode == 0, dump.stderr
    assert set(dciodvfy_errors(tmp_path / "out.dcm")) <= set(dciodvfy_errors(path))
    assert "PixelData" in _nested(pydicom.dcmread(path))  # the input is untouched


def test_same_compressed_syntax_keeps_nested_data(tmp_path: Path) -> None:
    path = nested_encapsulated(tmp_path / "in.dcm")
    report = save(open_document(path), tmp_path / "out.dcm")
    assert not any("7FE0" in c.path for c in report.changes)
    assert _nested(pydicom.dcmread(tmp_path / "out.dcm")).PixelData == _nested(pydicom.dcmread(path)).PixelData


def test_preview_lists_the_removal_for_the_chosen_syntax(tmp_path: Path) -> None:
    from viewer.io.commit import commit
    from viewer.io.save import syntax_changes

    document = open_document(nested_encapsulated(tmp_path / "in.dcm"))
    preview = commit(document)
    assert [c.path for c in syntax_changes(document, preview, "keep")] == []
    paths = [c.path for c in syntax_changes(document, preview, "explicit")]
    assert paths == ["TransferSyntaxUID", "(0009,1010)[1].(7FE0,0010)"]
    assert "PixelData" in _nested(preview.dataset)  # the preview's commit is not changed
