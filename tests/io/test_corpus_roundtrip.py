"""Every real file: open, summary, render first and last frame, save unedited, re-read.

Each outcome (ok, or the stage and its one-line refusal) must equal the checked-in table
tests/data/corpus-expected.tsv: a file that used to save and now fails cleanly fails the
test. What happened goes to test-output/corpus-table.tsv (with notes) for a person.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from tests.corpus import corpus_files
from viewer.io.save import save
from viewer.model.document import open_document
from viewer.model.errors import ViewerError
from viewer.model.rendering import render_frame
from viewer.model.summary import summarize

FILES = corpus_files()
EXPECTED_TABLE = Path(__file__).resolve().parents[1] / "data" / "corpus-expected.tsv"


def _expected() -> dict[str, tuple[str, str]]:
    rows = [line.split("\t") for line in EXPECTED_TABLE.read_text().splitlines() if line and line[0] != "#"]
    return {name: (stage, outcome) for name, stage, outcome in rows}


EXPECTED = _expected()


@pytest.fixture(scope="module")
def table(output_dir: Path):
    rows: list[str] = []
    yield rows
    (output_dir / "corpus-table.tsv").write_text("file\tstage\toutcome\n" + "\n".join(sorted(rows)) + "\n")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_file_is_handled(path: Path, tmp_path: Path, table: list[str]) -> None:
    """Success, or a one-line ViewerError naming the stage; the input bytes never change."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    stage = "open"
    try:
        document = open_document(path)
        stage = "summary"
        summarize(document)
        stage = "render first"
        render_frame(document, 0)
        stage = "render last"
        render_frame(document, document.frame_count - 1)
        stage = "save"
        out = tmp_path / "copy.dcm"
        save(document, out)
        stage = "re-read"
        back = open_document(out)
        assert (back.pixels.rows, back.pixels.columns, back.frame_count) == (
            document.pixels.rows,
            document.pixels.columns,
            document.frame_count,
        )
        assert np.array_equal(back.get_frame(0), document.get_frame(0))
        outcome = "ok" + (f" (note: {document.notes[0]})" if document.notes else "")
    except ViewerError as exc:
        message = str(exc)
        assert message and "\n" not in message
        outcome = message
    table.append(f"{path.name}\t{stage}\t{outcome}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert path.name in EXPECTED, f"{path.name} is not in {EXPECTED_TABLE.name}: add its outcome"
    expected_stage, expected_outcome = EXPECTED[path.name]
    actual = "ok" if outcome.startswith("ok") else outcome
    if expected_outcome.endswith("..."):
        assert (stage, actual[: len(expected_outcome) - 3]) == (expected_stage, expected_outcome[:-3])
    else:
        assert (stage, actual) == (expected_stage, expected_outcome)


def test_expected_table_names_only_present_files() -> None:
    """The table and the installed corpus agree (pydicom-data is pinned for this)."""
    assert set(EXPECTED) == {p.name for p in FILES}
