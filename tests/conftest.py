"""Shared fixtures: an output folder for artefacts a person can look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


@pytest.fixture(autouse=True)
def _closing_never_waits_for_a_person():
    """Windows that tests leave with unsaved edits are closed (by pytest-qt, after the
    test's own fixtures) without a modal Save / Discard / Cancel question."""
    from viewer.ui.dialogs import set_answer

    set_answer("save_discard", "discard")
    yield
    set_answer("save_discard", "discard")


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """test-output/ at the repository root: screenshots, tables, rendered PNGs."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
