"""The `dicom-viewer` command: the GUI, and `info`, `render`, `edit`, `codecs`.

Exit status: 0 success; 1 bad input or failed operation (one line
``dicom-viewer: error: ...`` on stderr, never a traceback); 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

PROG = "dicom-viewer"
COMMANDS = ("info", "render", "edit", "codecs")


class UsageError(Exception):
    """A command-line mistake: exit status 2."""


class Terminated(SystemExit):
    """SIGTERM arrived: unwind (temporary files and workers are cleaned up) and exit 143.
    A SystemExit, so that code handling every error (codec panics) lets it through."""


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated(143)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="DICOM viewer and pixel editor.")
    sub = parser.add_subparsers(dest="command", required=True)

    info = sub.add_parser("info", help="print a summary of a DICOM file")
    info.add_argument("path")
    info.add_argument("--json", action="store_true", help="print one JSON object")

    render = sub.add_parser("render", help="render one frame to an 8-bit PNG")
    render.add_argument("path")
    render.add_argument("-o", "--output", required=True, metavar="OUT.png")
    render.add_argument("--frame", type=int, default=1, metavar="N", help="1-based frame number")
    render.add_argument("--window", type=float, nargs=2, metavar=("CENTER", "WIDTH"))

    sub.add_parser("codecs", help="list the transfer syntaxes that can be read / written")

    from viewer.edit_cli import add_edit_parser

    add_edit_parser(sub)
    return parser


def _cmd_info(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.model.document import open_document
    from viewer.model.summary import format_summary, summarize

    info = summarize(open_document(args.path))
    out.write((json.dumps(info) if args.json else format_summary(info)) + "\n")
    return 0


def _cmd_render(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.io.png import write_png
    from viewer.io.targets import resolve_output
    from viewer.model.display import Window, render_frame
    from viewer.model.document import open_document
    from viewer.model.errors import ViewerError

    target = resolve_output(Path(args.output), [Path(args.path)])
    document = open_document(args.path)
    if not 1 <= args.frame <= document.frame_count:
        raise ViewerError(f"--frame {args.frame} is out of range 1..{document.frame_count}")
    window = None
    if args.window is not None:
        try:
            window = Window(args.window[0], args.window[1])
        except ValueError as exc:
            raise UsageError(f"--window: {exc}") from None
    image = render_frame(document, args.frame - 1, window)
    try:
        write_png(target, image, like=document.path)
    except OSError as exc:
        raise ViewerError(f"cannot write '{args.output}': {exc.strerror or exc}") from None
    return 0


def _cmd_codecs(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.model.codecs import supported

    rows = supported()
    width = max(len(r.name) for r in rows)
    out.write(f"{'transfer syntax':<{width}}  read  write  uid\n")
    for r in rows:
        mark = lambda ok: "yes" if ok else "no"  # noqa: E731
        lossy = "  (lossy)" if r.lossy else ""
        out.write(f"{r.name:<{width}}  {mark(r.decode):<4}  {mark(r.encode):<5}  {r.uid}{lossy}\n")
    return 0


def _cmd_edit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.edit_cli import run_edit

    return run_edit(args, out, err)


_COMMANDS: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
    "info": _cmd_info,
    "render": _cmd_render,
    "codecs": _cmd_codecs,
    "edit": _cmd_edit,
}


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

    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    warnings.simplefilter("ignore")
    logging.getLogger("pydicom").setLevel(logging.CRITICAL)
    with _quiet_native_stderr() as err:
        try:
            return _COMMANDS[args.command](args, sys.stdout, err)
        except (UsageError, InvalidOperationError) as exc:
            err.write(f"{PROG}: error: {_one_line(exc)}\n")
            return 2
        except ViewerError as exc:
            err.write(f"{PROG}: error: {_one_line(exc)}\n")
            return 1
        except KeyboardInterrupt:
            err.write(f"{PROG}: error: interrupted\n")
            return 130
        except Terminated:
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


if __name__ == "__main__":
    sys.exit(main())
