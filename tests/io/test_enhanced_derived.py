"""Marking an Enhanced MR image DERIVED removes only what the validator forbids on a
derived image, and keeps every other attribute."""

from __future__ import annotations

from pathlib import Path

import pydicom

from tests.corpus import corpus_file
from tests.reference import dciodvfy_errors
from viewer.edits.operations import Invert
from viewer.edits.session import begin_edit
from viewer.io.save import save
from viewer.model.document import open_document

#: Removed or rewritten by any edit for other reasons (new identity, stale derived values).
_EXPECTED_CHANGES = {"SOPInstanceUID", "ImageType", "DerivationDescription", "LargestImagePixelValue"}


def test_only_attributes_dciodvfy_forbids_are_removed(tmp_path: Path) -> None:
    path = corpus_file("emri_small.dcm")
    document = open_document(path)
    begin_edit(document).apply(Invert())
    save(document, tmp_path / "out.dcm")
    before, after = pydicom.dcmread(path), pydicom.dcmread(tmp_path / "out.dcm")
    removed = {e.keyword for e in before if e.tag not in after}
    assert removed, "the fixture has acquisition attributes a derived image may not keep"
    # Everything else is kept
    assert {e.keyword for e in before} - removed - _EXPECTED_CHANGES <= {e.keyword for e in after}
    # ... and each removed attribute is one dciodvfy reports when it is put back
    for element in before:
        if element.keyword in removed:
            after.add(element)
    after.save_as(tmp_path / "kept.dcm")
    errors = " ".join(dciodvfy_errors(tmp_path / "kept.dcm"))
    not_flagged = [k for k in removed if f"<{k}>" not in errors]
    assert not not_flagged, f"removed although the validator accepts them: {not_flagged}"
