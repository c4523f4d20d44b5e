"""Frame readers: decode one frame at a time straight from a file, from a dataset, or
from the files of a series; read what a truncated file holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy.typing as npt
from pydicom.dataset import Dataset
from pydicom.uid import UID

from viewer.model import codecs
from viewer.model.codestream import check_frame, ends_with_eoi
from viewer.model.errors import NoPixelDataError, PixelDataError, ViewerError, one_line, reraise_if_fatal
from viewer.model.fast_decode import FastDecoder
from viewer.model.fragments import FrameSpans, walk_fragments
from viewer.model.header import read_full, sop_class_name
from viewer.model.native_layout import NativeLayout
from viewer.model.pixels import PIXEL_DATA_TAGS
from viewer.model.prescan import truncated_in
from viewer.model.warning_notes import collect_warnings

FrameArray = npt.NDArray[Any]


def _looks_like(fragment: bytes) -> str:
    """The compression a fragment's first bytes suggest, in words (for the error message)."""
    if fragment.startswith(b"\xff\xd8"):
        return "JPEG-LS" if b"\xff\xf7" in fragment else "JPEG"
    if fragment.startswith(b"\xff\x4f\xff\x51") or fragment[4:8] == b"jP  ":
        return "JPEG 2000"
    if len(fragment) >= 64 and 1 <= int.from_bytes(fragment[:4], "little") <= 15:
        return "RLE"
    return "an unknown compression"


def _refuse_encapsulated(path: Path, offset: int, syntax: UID) -> None:
    """Pixel Data of undefined length under a native transfer syntax is encapsulated
    (compressed) data with wrong meta information: shown as native it would be noise,
    and saved it would become a new, wrong image. Refuse, naming what it looks like."""
    with path.open("rb") as f:
        f.seek(max(0, offset - 4))
        length = f.read(4)
    if length == b"\xff\xff\xff\xff":
        raise_encapsulated_in_native(path.name, syntax, _first_fragment(path, offset) or b"")


def raise_encapsulated_in_native(name: str, syntax: UID, fragment: bytes) -> None:
    raise PixelDataError(
        f"'{name}': Pixel Data is encapsulated (undefined length) but the transfer syntax "
        f"{syntax.name} is native; the file's meta information is wrong (the data looks like "
        f"{_looks_like(fragment)}); refusing to show it as native pixels"
    )


def _first_fragment(path: Path, offset: int) -> bytes | None:
    """The first 64 bytes of the first fragment after the Basic Offset Table, if readable."""
    with path.open("rb") as f:
        f.seek(offset)
        head = f.read(8)
        if len(head) < 8:
            return None
        bot_length = int.from_bytes(head[4:8], "little")
        f.seek(offset + 8 + bot_length)
        item = f.read(8 + 64)
    return item[8:] if len(item) > 8 else None


def decode_leniently(
    decode: Any, preferred: str, available: tuple[str, ...], notes: list[str]
) -> tuple[FrameArray, str]:
    """`decode(plugin)` with the preferred plug-in, else with each other available one
    (decoders differ in leniency); returns the array and the fallback used ("" if none),
    with a note saying which decoder did it. Raises the preferred one's error if all fail."""
    try:
        return decode(preferred), ""
    except BaseException as exc:
        reraise_if_fatal(exc)
        if not preferred:
            raise
        failure = exc
    for other in [p for p in available if p != preferred]:
        try:
            arr = decode(other)
        except BaseException as exc:
            reraise_if_fatal(exc)
            continue
        note = f"decoded by {other} where {preferred} refused the data ({one_line(failure)})"
        if note not in notes:
            notes.append(note)
        return arr, other
    raise failure


class FileFrameReader:
    """Decode single frames straight from the file: seek to the pixel data, decode one."""

    def __init__(self, path: Path, transfer_syntax: UID, notes: list[str]) -> None:
        from pydicom.pixels import get_decoder
        from pydicom.pixels.utils import _DEFAULT_TAGS, _array_common

        self.path = path
        self.syntax = transfer_syntax
        self.notes = notes
        self.decoded_by: dict[int, str] = {}  # frame -> plug-in, where the preferred one failed
        with path.open("rb") as f, collect_warnings(notes):
            _, self.options = _array_common(f, list(_DEFAULT_TAGS), transfer_syntax_uid=transfer_syntax)
            self.offset = f.tell()
        if not transfer_syntax.is_compressed:
            _refuse_encapsulated(path, self.offset, transfer_syntax)
        self.decoder = get_decoder(transfer_syntax)
        self.plugin = codecs.preferred_decoder_plugin(transfer_syntax)
        self.fast = FastDecoder(str(transfer_syntax), self.options)
        self.native = NativeLayout.from_options(self.options, transfer_syntax)
        self.encapsulated_damage, self.whole_fragments = "", -1
        self.spans: FrameSpans | None = None  # where each frame is, when each is one fragment
        if self.native is not None:
            self.native.check_length(path.stat().st_size - self.offset, path.name, notes)
        elif transfer_syntax.is_compressed:
            walk = walk_fragments(path, self.offset, self.options)
            self.encapsulated_damage, self.whole_fragments, self.spans = walk.damage, walk.whole, walk.spans
            if self.encapsulated_damage:
                notes.append(self.encapsulated_damage)

    @property
    def damage(self) -> str:
        """What is missing from the pixel data, in words ("" when it is whole)."""
        return self.native.damage if self.native is not None else self.encapsulated_damage

    @property
    def reads_directly(self) -> bool:
        """Plain little-endian Pixel Data whose bytes are the values: read without pydicom's
        decoder (big endian OW of 8-bit samples swaps byte pairs; YBR becomes RGB)."""
        options = self.options
        photometric = str(options.get("photometric_interpretation", ""))
        return (
            options.get("pixel_keyword") == "PixelData"
            and self.syntax.is_little_endian
            and not photometric.startswith("YBR")
        )

    def _frame_bytes(self, f: Any, index: int) -> bytes | None:
        """The encapsulated frame `index` (None if pydicom cannot find it; it then reports)."""
        from pydicom.encaps import get_frame

        f.seek(self.offset)
        try:
            with collect_warnings([]):
                return bytes(get_frame(f, index, number_of_frames=int(self.options.get("number_of_frames", 1) or 1)))
        except Exception:
            return None
        finally:
            f.seek(self.offset)

    def _plugin_for(self, frame: bytes) -> str:
        """The decoder plug-in for `frame`. CharLS (pyjpegls) can hang on a codestream cut
        short (seen in fuzzing, inside native code where no timeout reaches), so frames
        without their end-of-image marker go to libjpeg, which reports them instead."""
        if self.plugin != "pyjpegls":
            return self.plugin
        return self.plugin if ends_with_eoi(frame) else "pylibjpeg"

    def read(self, index: int) -> FrameArray:
        if self.native is not None and (self.native.truncated or self.reads_directly):
            return self.native.read(self.path, self.offset, index)
        if self.encapsulated_damage and index >= self.whole_fragments:  # fragments at least cover frames
            raise PixelDataError(f"frame {index + 1} is not in the file ({self.encapsulated_damage})")
        frame = self.spans.read(self.path, index) if self.spans is not None else None
        if frame is None:
            with self.path.open("rb") as f:
                frame = self._frame_bytes(f, index) if self.syntax.is_compressed else None
                if frame is None:  # native data, or a frame pydicom must find itself (it then reports)
                    f.seek(self.offset)
                    plugin = "pylibjpeg" if self.syntax.is_compressed and self.plugin == "pyjpegls" else self.plugin
                    return self._decode(f, index, plugin, self.options)
        # The frame is in hand: check its own header, then decode these bytes (reading them
        # again through the file would walk the fragments a second time).
        check_frame(frame, int(self.options["rows"]), int(self.options["columns"]), index, self.syntax.name)
        fast = self.fast.decode(frame)
        if fast is not None:
            return fast
        from pydicom.encaps import encapsulate

        options = dict(self.options, number_of_frames=1)
        options.pop("extended_offsets", None)
        arr = self._decode(encapsulate([frame]), 0, self._plugin_for(frame), options, frame_number=index)
        self.fast.compare(frame, arr)
        return arr

    def _decode(
        self, src: Any, index: int, plugin: str, options: dict[str, Any], frame_number: int | None = None
    ) -> FrameArray:
        """Decode frame `index` of `src` (a file or an encapsulated value) with `plugin`.

        Decoders differ in leniency (libjpeg refuses slightly wrong SOS parameters that
        gdcm and dcmtk accept with a warning), so when the preferred plug-in fails every
        other available one is tried before refusing; the one that decoded is recorded
        (:attr:`decoded_by`, by `frame_number`, default `index`) and said in a note."""
        start = src.tell() if hasattr(src, "tell") else 0

        def decode(name: str) -> FrameArray:
            if hasattr(src, "seek"):
                src.seek(start)
            arr, _ = self.decoder.as_array(src, index=index, validate=True, decoding_plugin=name, **options)
            return arr

        arr, used = decode_leniently(decode, plugin, self.decoder.available_plugins, self.notes)
        if used:
            self.decoded_by[index if frame_number is None else frame_number] = used
        return arr


class DatasetFrameReader:
    """Decode frames from a fully read dataset (deflated or headerless files)."""

    def __init__(self, ds: Dataset, notes: list[str] | None = None) -> None:
        self.ds = ds
        self.notes = [] if notes is None else notes
        self.decoded_by: dict[int, str] = {}  # frame -> plug-in, where the preferred one failed
        syntax = UID(ds.file_meta.TransferSyntaxUID)
        element = ds.get("PixelData")
        if element is not None and not syntax.is_compressed and ds["PixelData"].is_undefined_length:
            from pydicom.encaps import generate_fragments

            first = next(iter(generate_fragments(element)), b"")
            raise_encapsulated_in_native(Path(str(getattr(ds, "filename", "") or "the file")).name, syntax, first[:64])

    def read(self, index: int) -> FrameArray:
        from pydicom.encaps import get_frame
        from pydicom.pixels import pixel_array

        syntax = UID(self.ds.file_meta.TransferSyntaxUID)
        if syntax.is_compressed and "PixelData" in self.ds:
            frames = int(self.ds.get("NumberOfFrames", 1) or 1)
            with collect_warnings([]):
                frame = get_frame(self.ds.PixelData, index, number_of_frames=frames)
            check_frame(bytes(frame), int(self.ds.Rows), int(self.ds.Columns), index, syntax.name)
        if not syntax.is_compressed:
            return pixel_array(self.ds, index=index)
        from pydicom.pixels import get_decoder

        def decode(name: str) -> FrameArray:
            return pixel_array(self.ds, index=index, decoding_plugin=name)

        preferred = codecs.preferred_decoder_plugin(syntax)
        arr, used = decode_leniently(decode, preferred, get_decoder(syntax).available_plugins, self.notes)
        if used:
            self.decoded_by[index] = used
        return arr


class SeriesFrameReader:
    """Frame i of a series is frame 1 of file i; each file's reader is made on first use."""

    def __init__(self, paths: list[Path], headers: list[Dataset]) -> None:
        self.paths = paths
        self.headers = headers
        self._readers: dict[int, FileFrameReader | DatasetFrameReader] = {}

    def read(self, index: int) -> FrameArray:
        reader = self._readers.get(index)
        if reader is None:
            header = self.headers[index]
            reader = make_reader(self.paths[index], header, False, [])
            self._readers[index] = reader
        return reader.read(0)


def _no_pixel_data(path: Path, ds: Dataset) -> ViewerError:
    """No Pixel Data: say "truncated" when the file ends inside its dataset."""
    cut = truncated_in(path)
    if cut is not None:
        return PixelDataError(f"'{path.name}' is truncated: the file ends inside {cut}, before any Pixel Data")
    return NoPixelDataError(f"'{path.name}' has no Pixel Data (SOP Class: {sop_class_name(ds)})")


def make_reader(path: Path, ds: Dataset, forced: bool, notes: list[str]) -> FileFrameReader | DatasetFrameReader:
    syntax = UID(ds.file_meta.TransferSyntaxUID)
    if not syntax.is_deflated:
        try:
            return FileFrameReader(path, syntax, notes)
        except AttributeError as exc:
            if "no pixel data" in str(exc).lower():
                raise _no_pixel_data(path, ds) from None
        except (OSError, MemoryError, ViewerError):
            raise
        except Exception:
            pass  # a header the fast path cannot walk: read it the slow way below
    full = read_full(path, forced, notes)
    if not any(tag in full for tag in PIXEL_DATA_TAGS):
        raise _no_pixel_data(path, ds)
    return DatasetFrameReader(full, notes)


FrameReader = FileFrameReader | DatasetFrameReader | SeriesFrameReader
