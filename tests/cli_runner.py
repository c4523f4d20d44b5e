"""Commands run in the test's own process, as `dicom-viewer ARGS` would run them: exit
status, stdout and stderr (file descriptors 1 and 2, so native decoder noise counts too).
A process costs ~1 s of imports; tests of signals, kills and a real process's stderr
start their own. A module opts in with `pytestmark = pytest.mark.usefixtures("command_output")`.
"""

from __future__ import annotations

import subprocess

import pytest

_capture: list[pytest.CaptureFixture[str]] = []


@pytest.fixture
def command_output(capfd: pytest.CaptureFixture[str]):
    _capture.append(capfd)
    yield
    _capture.pop()


def run_in_process(*args: object) -> subprocess.CompletedProcess[str]:
    from viewer.cli.main import COMMANDS, main, run_command

    argv = list(map(str, args))
    capfd = _capture[-1]
    capfd.readouterr()
    status = run_command(argv) if argv[0] in COMMANDS else main(argv)
    out, err = capfd.readouterr()
    return subprocess.CompletedProcess(argv, status, out, err)
