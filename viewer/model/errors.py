"""Errors the core raises; front ends show ``str(error)`` as one line."""


class ViewerError(Exception):
    """A problem with the input or an operation, explained in one line."""


class NotDicomError(ViewerError):
    """The file cannot be parsed as DICOM at all."""


class NoPixelDataError(ViewerError):
    """The dataset has no (7FE0,0010) *Pixel Data* to show or edit."""


class CodecUnavailableError(ViewerError):
    """The transfer syntax cannot be decoded (or encoded) by this installation."""


class PixelDataError(ViewerError):
    """The pixel data is present but inconsistent with its description."""
