"""Encode frames for a compressed transfer syntax, using every core for big saves.

The compiled encoders (pylibjpeg-rle, pyjpegls, openjpeg) keep the GIL: two threads
encode no faster than one (RLE 85 vs 82 MB/s, JPEG-LS 62 vs 61 MB/s here), so big
saves encode chunks of frames in worker processes and small ones stay in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import numpy as np
import numpy.typing as npt

from viewer.model.codecs import encoder_plugin
from viewer.model.errors import ViewerError
from viewer.model.parallel import process_context, worker_pool

#: Below this many pixel bytes the start-up of worker processes costs more than it saves.
PARALLEL_MIN_BYTES = 32 * 2**20
CHUNK_FRAMES = 8


#: Lossless syntaxes imagecodecs can encode when pydicom's plug-ins refuse an image:
#: openjpeg as pylibjpeg-openjpeg drives it always asks for 6 resolution levels, so any
#: side under 32 pixels fails; CharLS there refuses a 1 x 1 image.
_SMALL_IMAGE_FALLBACK = {"1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.80"}


def _encode_small(syntax: str, frame: npt.NDArray[Any], options: dict[str, Any]) -> bytes:
    """One frame through imagecodecs with parameters that fit its size (lossless)."""
    import imagecodecs

    if syntax == "1.2.840.10008.1.2.4.80":
        return bytes(imagecodecs.jpegls_encode(frame, level=0))  # unsigned only: signed 1 x 1 is refused
    resolutions = max(1, min(6, int(np.log2(max(1, min(frame.shape[:2])))) + 1))
    return bytes(
        imagecodecs.jpeg2k_encode(
            frame,
            level=0,
            codecformat="J2K",
            reversible=True,
            resolutions=resolutions,
            bitspersample=int(options["bits_stored"]),
            mct=False,
        )
    )


def _encode_chunk(syntax: str, options: dict[str, Any], frames: npt.NDArray[Any]) -> list[bytes]:
    from pydicom.pixels import get_encoder
    from pydicom.uid import UID

    encoder = get_encoder(UID(syntax))
    plugin = encoder_plugin(syntax)
    if plugin and plugin not in encoder.available_plugins:
        plugin = ""
    kwargs = dict(options, number_of_frames=1)
    out = []
    for frame in frames:
        try:
            out.append(encoder.encode(frame, encoding_plugin=plugin, **kwargs))
        except Exception:
            small = min(frame.shape[:2]) < 32
            if syntax not in _SMALL_IMAGE_FALLBACK or not small or options["samples_per_pixel"] != 1:
                raise
            out.append(_encode_small(syntax, frame, options))  # verified on read-back like any frame
    return out


def _pool_workers(total_bytes: int) -> int:
    """Encoder processes for `total_bytes` of frames: none (1) for small saves and inside a
    batch worker (local pool or Dask: the batch already uses the cores)."""
    workers = min(os.cpu_count() or 1, 4)
    if multiprocessing.parent_process() is not None or total_bytes < PARALLEL_MIN_BYTES:
        return 1
    return workers


def cannot_encode(options: dict[str, Any], syntax_name: str) -> ViewerError:
    """The one-line refusal when a codec fails on frames described by `options`."""
    shape = f"{options['columns']} x {options['rows']}, {options['bits_stored']} bits"
    return ViewerError(f"cannot encode this image ({shape}) as {syntax_name} here; try --syntax explicit")


def encode_frames(pixels: npt.NDArray[Any], syntax: str, options: dict[str, Any]) -> list[bytes]:
    """One encoded bytes object per frame of `pixels` (frames, rows, columns[, samples]).

    `options` are pydicom's encoding keywords (rows, columns, samples_per_pixel,
    bits_allocated, bits_stored, pixel_representation, photometric_interpretation).
    """
    workers = _pool_workers(pixels.nbytes)
    if workers < 2 or len(pixels) < 2 * CHUNK_FRAMES:
        return _encode_chunk(syntax, options, pixels)
    chunks = [np.ascontiguousarray(pixels[i : i + CHUNK_FRAMES]) for i in range(0, len(pixels), CHUNK_FRAMES)]
    with worker_pool(workers, process_context()) as pool:
        results = pool.map(_encode_chunk, [syntax] * len(chunks), [options] * len(chunks), chunks)
        return [frame for chunk in results for frame in chunk]


def encode_stream(
    frames: Iterator[npt.NDArray[Any]], syntax: str, options: dict[str, Any], total_bytes: int
) -> Iterator[bytes]:
    """One encoded bytes object per frame of `frames` (`total_bytes` in all), in order,
    holding only a few chunks of frames at a time: in this process, or on worker processes
    (chunks of CHUNK_FRAMES, at most two per worker in flight) when big enough to pay."""
    workers = _pool_workers(total_bytes)
    if workers < 2:
        for frame in frames:
            yield from _encode_chunk(syntax, options, frame[np.newaxis])
        return
    with worker_pool(workers, process_context()) as pool:
        pending: deque[Future[list[bytes]]] = deque()
        chunk: list[npt.NDArray[Any]] = []
        for frame in frames:
            chunk.append(frame)
            if len(chunk) == CHUNK_FRAMES:
                pending.append(pool.submit(_encode_chunk, syntax, options, np.stack(chunk)))
                chunk = []
                while len(pending) >= 2 * workers:
                    yield from pending.popleft().result()
        if chunk:
            pending.append(pool.submit(_encode_chunk, syntax, options, np.stack(chunk)))
        while pending:
            yield from pending.popleft().result()
