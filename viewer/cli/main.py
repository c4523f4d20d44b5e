"""`dicom-viewer`: subcommands run in their own modules; anything else opens the GUI.

Exit status: 0 success; 1 bad input or failed operation (one line
``dicom-viewer: error: ...`` on stderr, never a traceback); 2 usage error; 130 after
SIGINT and 143 after SIGTERM (temporary files and workers are cleaned up first).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TextIO

from viewer.cli.usage import UsageError

PROG = "dicom-viewer"
#: Subcommand names; each is the module viewer.cli.<name> (``add_parser(sub)`` and
#: ``run(args, out, err)``), imported only when needed: opening the GUI on a file needs
#: none of them (their imports are ~100 ms of a start-up that should paint within 0.8 s).
COMMANDS = ("info", "render", "edit", "measure", "segment", "anonymize", "pacs", "codecs")


def command(name: str) -> ModuleType:
    """The module of subcommand `name`."""
    return importlib.import_module(f"viewer.cli.{name}")


class Terminated(SystemExit):
    """SIGTERM arrived: unwind (temporary files and workers are cleaned up) and exit 143.
    A SystemExit, so that code handling every error (codec panics) lets it through."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated(143)


def _remove_own_temporaries() -> None:
    """An interrupted save may have named its temporary file and not yet kept the name
    (viewer.io.atomic.remove_own_temporaries); nothing to do if nothing was saved."""
    atomic = sys.modules.get("viewer.io.atomic")
    if atomic is not None:
        atomic.remove_own_temporaries()


def _build_parser(names: Sequence[str] = COMMANDS) -> argparse.ArgumentParser:
    """The parser of the `names` subcommands (running one needs only its own module)."""
    parser = argparse.ArgumentParser(prog=PROG, description="DICOM viewer and pixel editor.")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in names:
        command(name).add_parser(sub)
    return parser


@contextmanager
def _quiet_native_stderr() -> Iterator[TextIO]:
    """Send fd 2 to /dev/null (native decoders write there) and yield the real stderr."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:
        yield sys.stderr
        return
    real = os.fdopen(saved, "w", buffering=1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield real
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        real.close()


def run_command(argv: Sequence[str]) -> int:
    """Run one non-GUI command and return its exit status."""
    from viewer.model.errors import InvalidOperationError, ViewerError
    from viewer.model.errors import one_line as _one_line

    parser = _build_parser([argv[0]] if argv and argv[0] in COMMANDS else COMMANDS)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    warnings.simplefilter("ignore")
    logging.getLogger("pydicom").setLevel(logging.CRITICAL)
    with _quiet_native_stderr() as err:
        try:
            return int(command(args.command).run(args, sys.stdout, err))
        except (UsageError, InvalidOperationError) as exc:
            err.write(f"{PROG}: error: {_one_line(exc)}\n")
            return 2
        except ViewerError as exc:
            err.write(f"{PROG}: error: {_one_line(exc)}\n")
            return 1
        except KeyboardInterrupt:
            _remove_own_temporaries()
            err.write(f"{PROG}: error: interrupted\n")
            return 130
        except Terminated:
            _remove_own_temporaries()
            err.write(f"{PROG}: error: terminated\n")
            return 143
        except MemoryError:
            err.write(f"{PROG}: error: not enough memory\n")
            return 1
        except Exception as exc:  # the one place that turns surprises into one line
            err.write(f"{PROG}: error: unexpected {type(exc).__name__}: {_one_line(exc)}\n")
            return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: a command name runs that command, paths open the GUI, anything else is
    a usage error (a script calling a command we do not have must not wait on a window)."""
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _on_sigterm)
        argv = list(sys.argv[1:] if argv is None else argv)
        if argv and argv[0] in COMMANDS:
            return run_command(argv)
        if argv and argv[0] in ("-h", "--help"):
            _build_parser().print_help()
            return 0
        if argv and not argv[0].startswith("-") and not Path(argv[0]).exists():
            sys.stderr.write(
                f"{PROG}: error: '{argv[0]}' is neither a command ({', '.join(COMMANDS)}) nor an existing path\n"
            )
            _build_parser().print_usage(sys.stderr)
            return 2
        from viewer.ui.app import run_gui

        return run_gui(argv)
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: error: interrupted\n")
        return 130
    except Terminated:
        sys.stderr.write(f"{PROG}: error: terminated\n")
        return 143
