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


#: What pydicom imports only to download its own test files (pydicom.data.download), which
#: this program never does: ~100 ms of a start-up that should paint within 0.8 s.
DOWNLOAD_ONLY = ("requests", "tqdm")


def _import_pydicom_without_downloads() -> None:
    """Import pydicom while DOWNLOAD_ONLY cannot be imported. Imported later, by what needs
    them (DICOMweb, the batch progress bar), they load as usual."""
    if "pydicom" in sys.modules or any(name in sys.modules for name in DOWNLOAD_ONLY):
        return
    for name in DOWNLOAD_ONLY:
        sys.modules[name] = None  # type: ignore[assignment]  # makes `import name` fail
    try:
        import pydicom  # noqa: F401
    finally:
        for name in DOWNLOAD_ONLY:
            del sys.modules[name]


if os.path.basename(sys.argv[0]) in ("dicom-viewer", "-m", "__main__.py"):
    signal.signal(signal.SIGINT, _interrupted_while_starting)

_import_pydicom_without_downloads()
from viewer.cli.main import main  # noqa: E402  (after the handler: imports take a while)

__all__ = ["main"]
