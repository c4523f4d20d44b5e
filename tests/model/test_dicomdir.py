"""A DICOMDIR opens the series its records list, as the folder would."""

from __future__ import annotations

from pathlib import Path

from tests.corpus import corpus_file
from viewer.model.folder import dicomdir_files, is_dicomdir, scan_folder


def _dicomdir() -> Path:
    return corpus_file("CT_small.dcm").parent / "dicomdirtests" / "DICOMDIR"


def test_dicomdir_lists_the_same_series_as_its_folder() -> None:
    path = _dicomdir()
    assert is_dicomdir(path) and not is_dicomdir(corpus_file("CT_small.dcm")) and not is_dicomdir(path.parent)
    assert len(dicomdir_files(path)) == 31
    from_dicomdir = scan_folder(path)
    from_folder = scan_folder(path.parent)
    listed = sorted(entry.description for entry in from_dicomdir.series)
    found = sorted(entry.description for entry in from_folder.series)
    assert listed and listed == found
