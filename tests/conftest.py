"""Shared fixtures: an output folder for artefacts a person can look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """test-output/ at the repository root: screenshots, tables, rendered PNGs."""
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
