"""`dicom-viewer render PATH -o OUT.png`: one frame through the display pipeline."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from viewer.cli.usage import UsageError


def add_parser(sub: Any) -> None:
    render = sub.add_parser("render", help="render one frame to an 8-bit PNG")
    render.add_argument("path")
    render.add_argument("-o", "--output", required=True, metavar="OUT.png")
    render.add_argument("--frame", type=int, default=1, metavar="N", help="1-based frame number")
    render.add_argument("--window", type=float, nargs=2, metavar=("CENTER", "WIDTH"))
    render.add_argument("--plane", choices=("axial", "coronal", "sagittal"), help="reslice a series as a volume")
    render.add_argument("--index", type=int, metavar="N", help="0-based voxel along the plane's normal (with --plane)")
    render.add_argument(
        "--no-overlays", action="store_true", help="leave overlay planes (60xx) out; shown by default, as dcm2pnm does"
    )


def _window_option(args: argparse.Namespace) -> Any:
    """The `--window C W` given, or None (a width of 0 or less is a usage error)."""
    from viewer.model.display import Window

    if args.window is None:
        return None
    try:
        return Window(args.window[0], args.window[1])
    except ValueError as exc:
        raise UsageError(f"--window: {exc}") from None


def _write(target: Path, image: Any, like: Path, output: str) -> None:
    from viewer.io.png import write_png
    from viewer.model.errors import ViewerError

    try:
        write_png(target, image, like=like)
    except OSError as exc:
        raise ViewerError(f"cannot write '{output}': {exc.strerror or exc}") from None


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.io.targets import resolve_output
    from viewer.model.document import open_document
    from viewer.model.errors import ViewerError
    from viewer.model.rendering import render_frame

    target = resolve_output(Path(args.output), [Path(args.path)])
    if args.plane is not None or args.index is not None:
        return _render_plane(args, target)
    document = open_document(args.path)
    if not 1 <= args.frame <= document.frame_count:
        raise ViewerError(f"--frame {args.frame} is out of range 1..{document.frame_count}")
    window = _window_option(args)
    image = render_frame(document, args.frame - 1, window, overlays=not args.no_overlays)
    if document.source.damage:
        missing = "" if document.transfer_syntax.is_compressed else "; missing pixels are drawn as 0"
        err.write(f"dicom-viewer: warning: {document.source.damage}{missing}\n")
    fallback = document.source.decoded_by(args.frame - 1) if document.edits is None else None
    if fallback is not None:
        err.write(
            f"dicom-viewer: note: frame {args.frame} was decoded by {fallback}; the preferred decoder refused it\n"
        )
    _write(target, image, document.path, args.output)
    return 0


def _render_plane(args: argparse.Namespace, target: Path) -> int:
    """`render --plane P --index N`: a series (folder) or multi-frame file as a volume."""
    import numpy as np

    from viewer.model.display import apply_window, get_windows, minmax_window
    from viewer.model.document import open_document
    from viewer.model.errors import ViewerError
    from viewer.model.folder import open_entry, scan_folder
    from viewer.model.volume import build_volume, plane

    if args.plane is None or args.index is None:
        raise UsageError("--plane and --index go together")
    path = Path(args.path)
    if path.is_dir():
        series = scan_folder(path).series
        if len(series) != 1:
            raise ViewerError(f"'{path.name}' holds {len(series)} series; give the folder of one series")
        document = open_entry(series[0])
    else:
        document = open_document(path)
    values = plane(build_volume(document), args.plane, args.index)
    window = _window_option(args)
    if window is None:
        stored = get_windows(document.frame_attributes(0))
        window = stored[0] if stored else minmax_window(values)
    image = np.clip(np.rint(apply_window(values, window)), 0, 255).astype(np.uint8)
    if document.pixels.photometric_interpretation == "MONOCHROME1":
        image = 255 - image
    _write(target, image, document.path, args.output)
    return 0
