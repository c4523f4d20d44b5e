"""Shared fixtures: an output folder for artefacts a person can look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cli_runner import command_output  # noqa: F401 (a fixture for every test module)

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


@pytest.fixture(scope="session")
def orthanc_server():
    """One real Orthanc per test worker (tests/orthanc.py); skipped where it cannot run,
    except under CI, where a missing Orthanc is a failure."""
    from tests import orthanc

    reason = orthanc.why_not_available()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PACS tests: {reason}")
        pytest.skip(reason)
    server = orthanc.start()
    yield server
    orthanc.stop(server)


@pytest.fixture
def orthanc(orthanc_server):
    """The test runs inside Orthanc's network namespace, against an empty archive."""
    from tests.orthanc import clear, inside

    with inside(orthanc_server):
        clear(orthanc_server)
        yield orthanc_server
