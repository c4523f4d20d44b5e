"""A bounded look at a file before pydicom parses it, so hostile files cost seconds, not gigabytes.

pydicom reads every sequence item into a Dataset (about 1.3 KB each), recurses once per
nesting level and inflates a deflated file whole. This walker reads only tags and
lengths (no objects) and refuses, with one line, what would exhaust time or memory:

- a non-regular file (FIFO, device: reading would hang or never end);
- a file without preamble that starts with zero bytes (not DICOM; pydicom's ``force``
  would crawl through it 8 bytes at a time);
- sequences nested deeper than :data:`MAX_DEPTH` levels;
- more sequence items than :func:`item_limit` allows for the declared frame count;
- a deflated dataset that inflates beyond :func:`inflate_limit` of its declared image.

It never refuses what it does not understand: on anything malformed it stops looking
and leaves the file to pydicom and its own error messages.
"""

from __future__ import annotations

import mmap
import os
import stat
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from viewer.model.errors import NotDicomError, ViewerError

MAX_DEPTH = 64
BASE_ITEMS = 10_000
ITEMS_PER_FRAME = 16
MAX_COUNTED_FRAMES = 100_000
INFLATE_FLOOR = 64 * 2**20
_PREFIX = 2**20
_UNDEFINED = 0xFFFFFFFF
_LONG_VRS = {b"OB", b"OD", b"OF", b"OL", b"OV", b"OW", b"SQ", b"UC", b"UN", b"UR", b"UT", b"SV", b"UV"}
_IMPLICIT_LE = "1.2.840.10008.1.2"
_EXPLICIT_BE = "1.2.840.10008.1.2.2"
_DEFLATED = ("1.2.840.10008.1.2.1.99", "1.2.840.10008.1.2.8.1")
#: Top-level attributes the limits are computed from: (0028,0002/0008/0010/0011/0100).
_SIZE_TAGS = {
    0x00280002: "samples",
    0x00280008: "frames",
    0x00280010: "rows",
    0x00280011: "columns",
    0x00280100: "bits",
}


class HostileFileError(NotDicomError):
    """A file that would take unbounded time or memory to read."""


def require_regular_file(path: Path) -> None:
    """Inputs are regular files: a FIFO or /dev/zero would hang or never end."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ViewerError(f"'{path}' does not exist") from None
    except PermissionError:
        raise ViewerError(f"no permission to read '{path}'") from None
    except OSError as exc:
        raise ViewerError(f"cannot read '{path}': {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise ViewerError(f"'{path}' is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise ViewerError(f"'{path}' is not a regular file (a device, FIFO or socket)")


@dataclass
class _Sizes:
    """What the top level of the dataset declares about its image."""

    values: dict[str, int] = field(default_factory=dict)

    def get(self, name: str, default: int) -> int:
        return self.values.get(name, default)

    @property
    def frames(self) -> int:
        return max(1, min(self.get("frames", 1), MAX_COUNTED_FRAMES))

    @property
    def pixel_bytes(self) -> int:
        rows, columns = min(self.get("rows", 0), 65535), min(self.get("columns", 0), 65535)
        samples, bits = min(self.get("samples", 1), 4), min(max(self.get("bits", 16), 8), 64)
        return rows * columns * samples * bits // 8 * self.frames


def item_limit(sizes: _Sizes) -> int:
    """Sequence items allowed: enough for per-frame functional groups of every frame."""
    return BASE_ITEMS + ITEMS_PER_FRAME * sizes.frames


def inflate_limit(sizes: _Sizes) -> int:
    """Bytes a deflated dataset may inflate to: twice its declared pixels plus a floor."""
    return INFLATE_FLOOR + 2 * sizes.pixel_bytes


class _Walker:
    """Tags and lengths only; raises HostileFileError, returns quietly on anything odd."""

    def __init__(self, data: bytes | mmap.mmap, name: str) -> None:
        self.data = data
        self.name = name
        self.items = 0
        self.sizes = _Sizes()
        self.cut_in: int | None = None  # top-level tag whose value runs past the end of the file

    def _u16(self, p: int, little: bool) -> int:
        return int(struct.unpack_from("<H" if little else ">H", self.data, p)[0])

    def _u32(self, p: int, little: bool) -> int:
        return int(struct.unpack_from("<I" if little else ">I", self.data, p)[0])

    def elements(self, p: int, end: int, depth: int, explicit: bool, little: bool, in_item: bool) -> int:
        """Walk elements from `p` to `end` (or an item delimiter); return where it stopped."""
        while p + 8 <= end:
            group, element = self._u16(p, little), self._u16(p + 2, little)
            tag = group << 16 | element
            if group == 0xFFFE:
                length = self._u32(p + 4, little)
                if element == 0xE00D and in_item:
                    return p + 8
                p += 8 if length == _UNDEFINED or element != 0xE000 else 8 + length
                continue  # stray item tags at dataset level: pydicom reads past them
            if explicit:
                vr = bytes(self.data[p + 4 : p + 6])
                if not vr.isalpha():
                    return end  # not what we expect: leave it to pydicom
                if vr in _LONG_VRS:
                    if p + 12 > end:
                        return end
                    length, header = self._u32(p + 8, little), 12
                else:
                    length, header = self._u16(p + 6, little), 8
            else:
                vr, length, header = b"", self._u32(p + 4, little), 8
            if tag == 0x7FE00010 and depth == 0:
                return end
            if depth == 0 and tag in _SIZE_TAGS and length != _UNDEFINED and length <= 16:
                self._remember(tag, p + header, length, little)
            start = p + header
            if depth == 0 and length != _UNDEFINED and start + length > len(self.data):
                self.cut_in = tag
            if vr == b"SQ" or (length == _UNDEFINED and vr in (b"UN", b"")) or (not explicit and _is_sequence(tag)):
                inner_explicit = explicit and vr == b"SQ"
                p = self.sequence(start, length, depth + 1, inner_explicit, little, tag)
            elif length == _UNDEFINED:
                p = self.fragments(start, end, little)  # encapsulated pixel data inside a sequence
            else:
                p = start + length
        return p

    def sequence(self, p: int, length: int, depth: int, explicit: bool, little: bool, tag: int) -> int:
        if depth > MAX_DEPTH:
            raise HostileFileError(
                f"'{self.name}': sequence {_tag_text(tag)} is nested more than {MAX_DEPTH} levels deep"
            )
        end = len(self.data) if length == _UNDEFINED else min(len(self.data), p + length)
        while p + 8 <= end:
            group, element = self._u16(p, little), self._u16(p + 2, little)
            item_length = self._u32(p + 4, little)
            if group != 0xFFFE:
                return end
            if element == 0xE0DD:
                return p + 8
            if element != 0xE000:
                p += 8
                continue
            self.items += 1
            limit = item_limit(self.sizes)
            if self.items > limit:
                raise HostileFileError(
                    f"'{self.name}' holds more than {limit} sequence items (in {_tag_text(tag)}); refusing to read it"
                )
            if item_length == _UNDEFINED:
                p = self.elements(p + 8, end, depth, explicit, little, in_item=True)
            else:
                item_end = min(end, p + 8 + item_length)
                self.elements(p + 8, item_end, depth, explicit, little, in_item=False)
                p = p + 8 + item_length
        return end if length != _UNDEFINED else p

    def fragments(self, p: int, end: int, little: bool) -> int:
        """Skip the items of encapsulated data up to its sequence delimiter."""
        while p + 8 <= end:
            element, length = self._u16(p + 2, little), self._u32(p + 4, little)
            if self._u16(p, little) != 0xFFFE or length == _UNDEFINED:
                return end
            p += 8 + (0 if element == 0xE0DD else length)
            if element == 0xE0DD:
                return p
        return end

    def _remember(self, tag: int, p: int, length: int, little: bool) -> None:
        """Keep the value of a top-level size attribute (IS text, or US) at `p`."""
        try:
            if tag == 0x00280008:  # Number of Frames, IS: text
                value = int(bytes(self.data[p : p + length]).decode("ascii").strip("\x00 ") or 1)
            elif length >= 2:
                value = self._u16(p, little)
            else:
                return
        except (ValueError, UnicodeDecodeError):
            return
        self.sizes.values[_SIZE_TAGS[tag]] = max(0, value)


def _is_sequence(tag: int) -> bool:
    """Implicit VR: a defined-length element is a sequence when the dictionary says SQ."""
    from pydicom.datadict import dictionary_VR

    try:
        return bool(dictionary_VR(tag) == "SQ")
    except KeyError:
        return False


def _tag_text(tag: int) -> str:
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X})"


def _meta(data: bytes | mmap.mmap) -> tuple[int, str] | None:
    """(offset of the dataset, transfer syntax UID) after a file meta group, if there is one."""
    p = 132 if bytes(data[128:132]) == b"DICM" else 0
    if bytes(data[p : p + 2]) != b"\x02\x00":
        return (p, "") if p else None
    syntax = ""
    while p + 8 <= len(data) and bytes(data[p : p + 2]) == b"\x02\x00":
        element = struct.unpack_from("<H", data, p + 2)[0]
        vr = bytes(data[p + 4 : p + 6])
        if vr in _LONG_VRS:
            length, header = struct.unpack_from("<I", data, p + 8)[0], 12
        else:
            length, header = struct.unpack_from("<H", data, p + 6)[0], 8
        if element == 0x0010:
            syntax = bytes(data[p + header : p + header + length]).decode("ascii", "replace").strip("\x00 ")
        p += header + length
    return p, syntax


def _check_inflation(data: bytes | mmap.mmap, offset: int, name: str) -> None:
    """Inflate with a cap derived from the image the dataset declares."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    prefix = inflater.decompress(bytes(data[offset : offset + _PREFIX]), _PREFIX)
    walker = _Walker(prefix, name)
    try:
        walker.elements(0, len(prefix), 0, True, True, in_item=False)
    except HostileFileError:
        raise
    except (struct.error, IndexError):
        pass
    limit = inflate_limit(walker.sizes)
    total = len(prefix)
    pending = inflater.unconsumed_tail
    position = offset + _PREFIX
    chunk = 4 * 2**20
    while total <= limit:
        if not pending:
            if position >= len(data):
                break
            pending = bytes(data[position : position + chunk])
            position += chunk
        try:
            out = inflater.decompress(pending, chunk)
        except zlib.error:
            return  # corrupt stream: pydicom reports it
        total += len(out)
        pending = inflater.unconsumed_tail
        if inflater.eof:
            break
    if total > limit:
        raise HostileFileError(
            f"'{name}' is deflated and inflates beyond {limit // 2**20} MiB, more than its declared image "
            "can need; refusing to inflate it"
        )


def prescan(path: Path) -> None:
    """Refuse files that would exhaust time or memory in pydicom; see the module text."""
    require_regular_file(path)
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size == 0:
            return
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            _scan(data, path.name)


def truncated_in(path: Path) -> str | None:
    """Where the file ends inside its dataset ("element (0018,0050)"), or None when the
    dataset is whole up to its end or cannot be judged: only files with a meta header are
    walked (without one, byte order and VR encoding are guesses)."""
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size < 132:
            return None
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if bytes(data[128:132]) != b"DICM":
                return None
            try:
                meta = _meta(data)
            except (struct.error, IndexError):
                return "the file meta information"
            if meta is not None and meta[0] > len(data):
                return "the file meta information"
            walker = _scan(data, path.name)
            if walker is None or walker.cut_in is None:
                return None
            return "an element header" if walker.cut_in == 0 else f"element {_tag_text(walker.cut_in)}"


def _scan(data: mmap.mmap, name: str) -> _Walker | None:
    try:
        meta = _meta(data)
    except (struct.error, IndexError):
        return None
    if meta is None:  # no preamble, no meta: pydicom would read with force
        if bytes(data[:8]) == bytes(8):
            raise HostileFileError(f"'{name}' is not a DICOM file (it starts with zero bytes and has no preamble)")
        first = bytes(data[4:6])
        explicit, offset, syntax = first.isalpha() and first.isupper(), 0, ""
    else:
        offset, syntax = meta
        explicit = syntax != _IMPLICIT_LE
    if syntax in _DEFLATED:
        _check_inflation(data, offset, name)
        return None
    walker = _Walker(data, name)
    try:
        stop = walker.elements(offset, len(data), 0, explicit, syntax != _EXPLICIT_BE, in_item=False)
        if stop < len(data):  # a few bytes left: an element header cut short
            walker.cut_in = walker.cut_in or 0
    except (struct.error, IndexError):
        walker.cut_in = walker.cut_in or 0
    return walker
