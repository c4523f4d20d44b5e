"""A Modality or VOI LUT Sequence item with an empty LUT Descriptor ended every command in
"unexpected TypeError": it is ignored with a note, as dcmtk does, and the image shows as if
the item were absent."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pydicom.dataset import Dataset

from tests import hostile
from viewer.edits.operations import Flip
from viewer.edits.session import begin_edit
from viewer.io.save import save
from viewer.model.document import open_document
from viewer.model.rendering import render_frame


def _with_empty_lut(tmp_path: Path, keyword: str) -> tuple[Path, Path]:
    """(a file whose `keyword` item has an empty descriptor and data, the same file without it)."""
    plain = hostile.image_dataset(16, 16)
    plain.WindowCenter, plain.WindowWidth = "600", "1200"
    hostile.write(plain, tmp_path / "plain.dcm")
    item = Dataset()
    item.add_new(0x00283002, "US", None)  # LUT Descriptor, empty
    item.add_new(0x00283006, "OW", None)  # LUT Data, empty
    if keyword == "ModalityLUTSequence":
        item.ModalityLUTType = "HU"
    setattr(plain, keyword, [item])
    return hostile.write(plain, tmp_path / "lut.dcm"), tmp_path / "plain.dcm"


@pytest.mark.parametrize("keyword", ["ModalityLUTSequence", "VOILUTSequence"])
def test_empty_lut_descriptor_is_ignored_with_a_note(tmp_path: Path, keyword: str) -> None:
    path, plain = _with_empty_lut(tmp_path, keyword)
    document = open_document(path)
    assert any("is ignored: its LUT Descriptor is empty" in note for note in document.notes)
    assert np.array_equal(render_frame(document, 0), render_frame(open_document(plain), 0))
    begin_edit(document).apply(Flip("h"))
    save(document, tmp_path / "out.dcm")
