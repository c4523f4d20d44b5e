"""Exports of what is shown: one frame as PNG, and every frame as a movie.

Both go through the one rendering policy (``rendering.render_view``), so an exported
frame equals `dicom-viewer render` with the same window. Movies: MP4 (H.264 through
imageio-ffmpeg; sides padded to even with black, as the codec needs), animated GIF or
PNG (Pillow); one movie frame per image frame, at the cine rate. Files are complete or
absent: a movie is written to a temporary name beside the target and renamed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.io.png import write_png
from viewer.io.targets import resolve_output
from viewer.model.errors import ViewerError, one_line
from viewer.model.progress import no_progress
from viewer.model.rendering import ViewState, render_view
from viewer.model.source import ProgressCallback

MOVIE_SUFFIXES = (".mp4", ".gif", ".png")


def export_frame(document: Any, state: ViewState, target: Path) -> None:
    """The frame of `state` as an 8-bit PNG, as shown (overlays and shutter included)."""
    write_png(resolve_output(target, [document.path]), render_view(document, state), like=document.path)


def _even(image: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """RGB with even sides (black padding at the right and bottom), as H.264 needs."""
    rgb = np.repeat(image[..., None], 3, axis=2) if image.ndim == 2 else image
    rows, columns = rgb.shape[:2]
    return np.pad(rgb, ((0, rows % 2), (0, columns % 2), (0, 0)))


def export_movie(
    document: Any, state: ViewState, target: Path, fps: float = 10.0, progress: ProgressCallback = no_progress
) -> int:
    """Every frame through `state`'s window into a movie at `target`; returns frames written.
    `progress` may raise Cancelled: nothing is left behind."""
    suffix = target.suffix.lower()
    if suffix not in MOVIE_SUFFIXES:
        raise ViewerError(f"a movie is written as {', '.join(MOVIE_SUFFIXES)}, not '{suffix or target.name}'")
    if not fps > 0:
        raise ViewerError(f"frame rate {fps:g} must be above 0")
    real = resolve_output(target, [document.path])
    temporary = real.with_name(f".{real.name}.dvtmp-{os.getpid()}{suffix}")
    count = document.frame_count

    def rendered() -> Iterator[npt.NDArray[np.uint8]]:
        for index in range(count):
            progress(index, count)
            yield render_view(document, replace(state, frame=index))

    try:
        if suffix == ".mp4":  # streamed: one rendered frame in memory at a time
            _write_mp4(temporary, rendered(), fps)
        else:  # Pillow writes an animation from all its frames at once
            _write_animation(temporary, list(rendered()), fps)
        os.replace(temporary, real)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count


def _write_mp4(path: Path, frames: Iterator[npt.NDArray[np.uint8]], fps: float) -> None:
    import imageio_ffmpeg

    first = _even(next(frames))
    size = (first.shape[1], first.shape[0])
    try:
        writer = imageio_ffmpeg.write_frames(
            str(path), size, fps=fps, codec="libx264", pix_fmt_out="yuv420p", macro_block_size=1, quality=8
        )
        writer.send(None)
        try:
            writer.send(np.ascontiguousarray(first))
            for frame in frames:  # a Cancelled from the progress callback stops here; ffmpeg is closed
                writer.send(np.ascontiguousarray(_even(frame)))
        finally:
            writer.close()
    except (OSError, RuntimeError) as exc:
        raise ViewerError(f"cannot write the movie: {one_line(exc)}") from None


def _write_animation(path: Path, frames: list[npt.NDArray[np.uint8]], fps: float) -> None:
    from PIL import Image

    images = [Image.fromarray(frame) for frame in frames]
    duration = max(1, round(1000 / fps))
    kind = "GIF" if path.suffix.lower() == ".gif" else "PNG"
    images[0].save(path, format=kind, save_all=True, append_images=images[1:], duration=duration, loop=0)
