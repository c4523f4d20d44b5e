"""The `dicom-viewer` command: the GUI, and one module per subcommand (see main).

Ctrl+C while the command is still importing its libraries ends it with one line, not a
traceback: nothing has been written yet, so there is nothing to clean up. `main`
restores Python's own handler, under which commands unwind and clean up.
"""

import os
import signal
import sys


def _interrupted_while_starting(signum: int, frame: object) -> None:
    os.write(2, b"dicom-viewer: error: interrupted\n")
    os._exit(130)


if os.path.basename(sys.argv[0]) in ("dicom-viewer", "-m", "__main__.py"):
    signal.signal(signal.SIGINT, _interrupted_while_starting)

from viewer.cli.main import main  # noqa: E402  (after the handler: imports take a while)

__all__ = ["main"]
