"""Which transfer syntaxes this installation can decode and encode.

pydicom discovers its codec plug-ins lazily; this module turns that into a table a
person can read (``dicom-viewer codecs``) and into errors that name the package
that would add a missing codec.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from pydicom.uid import UID

from viewer.model.errors import CodecUnavailableError


@dataclass(frozen=True)
class _Syntax:
    """What this program knows of one compressed transfer syntax: the one table of it."""

    package: str  # the pip package that adds its codec
    lossy_method: str = ""  # (0028,2114) Lossy Image Compression Method; "" when lossless
    decoder: str = ""  # the fastest decoder plug-in here ("" lets pydicom choose)
    encoder: str = ""  # the encoder plug-in to ask for ("" lets pydicom choose)


#: Decoder choices measured on 512x512 16-bit frames here: JPEG-LS pyjpegls 6.5 ms vs
#: pylibjpeg 19.7 ms; RLE pylibjpeg-rle 1.1 ms vs pydicom 4.6 ms. python-gdcm is never the
#: first choice (pydicom would otherwise try it first): it is the lenient fallback that
#: decodes what libjpeg refuses (readers.FileFrameReader._decode).
_SYNTAXES: dict[str, _Syntax] = {
    "1.2.840.10008.1.2.4.50": _Syntax("pylibjpeg-libjpeg", "ISO_10918_1", decoder="pylibjpeg"),
    "1.2.840.10008.1.2.4.51": _Syntax("pylibjpeg-libjpeg", "ISO_10918_1", decoder="pylibjpeg"),
    "1.2.840.10008.1.2.4.57": _Syntax("pylibjpeg-libjpeg", decoder="pylibjpeg"),
    "1.2.840.10008.1.2.4.70": _Syntax("pylibjpeg-libjpeg", decoder="pylibjpeg"),
    "1.2.840.10008.1.2.4.80": _Syntax("pyjpegls", decoder="pyjpegls", encoder="pyjpegls"),
    "1.2.840.10008.1.2.4.81": _Syntax("pyjpegls", "ISO_14495_1", decoder="pyjpegls"),
    "1.2.840.10008.1.2.4.90": _Syntax("pylibjpeg-openjpeg", decoder="pylibjpeg"),
    "1.2.840.10008.1.2.4.91": _Syntax("pylibjpeg-openjpeg", "ISO_15444_1", decoder="pylibjpeg"),
    "1.2.840.10008.1.2.4.201": _Syntax("pylibjpeg-openjpeg", decoder="pylibjpeg"),
    "1.2.840.10008.1.2.4.202": _Syntax("pylibjpeg-openjpeg", decoder="pylibjpeg"),
    "1.2.840.10008.1.2.4.203": _Syntax("pylibjpeg-openjpeg", "ISO_15444_15", decoder="pylibjpeg"),
    "1.2.840.10008.1.2.5": _Syntax("pylibjpeg-rle", decoder="pylibjpeg", encoder="pylibjpeg"),
}
_NONE = _Syntax("")


@dataclass(frozen=True)
class CodecSupport:
    """Whether one transfer syntax can be read and written here."""

    uid: str
    name: str
    decode: bool
    encode: bool
    lossy: bool


def _all_syntaxes() -> list[UID]:
    from pydicom.pixels.decoders.base import _PIXEL_DATA_DECODERS

    return [UID(uid) for uid in _PIXEL_DATA_DECODERS]


def plugin_package(transfer_syntax: str) -> str:
    """Return the pip package that adds a codec for `transfer_syntax`, or ``""``."""
    return _SYNTAXES.get(str(transfer_syntax), _NONE).package


def is_lossy(transfer_syntax: str) -> bool:
    """Return True when `transfer_syntax` is a lossy compression."""
    return bool(lossy_method(transfer_syntax))


def lossy_method(transfer_syntax: str) -> str:
    """(0028,2114) Lossy Image Compression Method of a lossy syntax; "" for lossless ones."""
    return _SYNTAXES.get(str(transfer_syntax), _NONE).lossy_method


def encoder_plugin(transfer_syntax: str) -> str:
    """The encoder plug-in to ask pydicom for, or "" to let it choose."""
    return _SYNTAXES.get(str(transfer_syntax), _NONE).encoder


@functools.cache
def can_decode(transfer_syntax: str) -> bool:
    """Return True if pixel data in `transfer_syntax` can be decoded here (asked before
    every frame is read; pydicom's answer takes ~0.04 ms, a native frame's read ~0.1 ms)."""
    from pydicom.pixels import get_decoder

    try:
        return bool(get_decoder(UID(transfer_syntax)).is_available)
    except NotImplementedError:
        return False


def can_encode(transfer_syntax: str) -> bool:
    """Return True if pixel data can be written in `transfer_syntax` here."""
    uid = UID(transfer_syntax)
    if not uid.is_compressed:
        return uid.is_transfer_syntax
    from pydicom.pixels import get_encoder

    try:
        return bool(get_encoder(uid).is_available)
    except NotImplementedError:
        return False


def supported() -> list[CodecSupport]:
    """Return decode/encode support for every transfer syntax pydicom knows."""
    return [
        CodecSupport(str(uid), uid.name, can_decode(uid), can_encode(uid), is_lossy(uid)) for uid in _all_syntaxes()
    ]


def require_decoder(transfer_syntax: str) -> None:
    """Raise :class:`CodecUnavailableError` naming the missing package, if any."""
    if can_decode(transfer_syntax):
        return
    uid = UID(transfer_syntax)
    name = uid.name if uid.is_transfer_syntax else f"unknown transfer syntax '{uid}'"
    package = plugin_package(uid)
    hint = f"; install '{package}' to add it" if package else ""
    raise CodecUnavailableError(f"cannot decode pixel data in {name}{hint}")


def preferred_decoder_plugin(transfer_syntax: str) -> str:
    """The plug-in to ask pydicom for, or "" to let it choose."""
    from pydicom.pixels import get_decoder

    plugin = _SYNTAXES.get(str(transfer_syntax), _NONE).decoder
    if not plugin:
        return ""
    try:
        return plugin if plugin in get_decoder(UID(transfer_syntax)).available_plugins else ""
    except NotImplementedError:
        return ""
