"""A document is a read-only source plus, while edited, an edit session: what is shown
comes from the session, the source stays as read."""

from __future__ import annotations

import numpy as np

from tests.corpus import corpus_file
from viewer.edits.operations import Crop, Rotate
from viewer.edits.session import begin_edit
from viewer.model.document import open_document


def test_edits_change_what_is_shown_never_the_source() -> None:
    document = open_document(corpus_file("emri_small.dcm"))
    original = document.get_frame(3).copy()
    assert document.shown is document.source and not document.is_edited
    begin_edit(document).apply(Crop(2, 4, 20, 10))
    begin_edit(document).apply(Rotate(90))
    assert document.shown is document.edits
    assert document.pixels.rows == 20 and document.pixels.columns == 10 and document.quarter_turns == 1
    assert np.array_equal(document.get_frame(3), np.rot90(original[4:14, 2:22], -1))
    assert np.array_equal(document.source.frame(3), original)  # the source as read
    assert document.source.description.rows == 64
    assert document.frame_attributes(3) is document.source.attributes_for(3)
