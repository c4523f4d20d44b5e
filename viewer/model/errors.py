"""Errors the core raises; front ends show ``str(error)`` as one line."""


class ViewerError(Exception):
    """A problem with the input or an operation, explained in one line.

    Messages quote values from files (UIDs, names), which may hold line breaks or control
    bytes; ``str()`` always gives one printable line.
    """

    def __str__(self) -> str:
        return _printable(super().__str__())


class InvalidOperationError(ViewerError):
    """An operation or recipe field of the wrong type or range: a usage error (exit 2)."""


class NotDicomError(ViewerError):
    """The file cannot be parsed as DICOM at all."""


class NoPixelDataError(ViewerError):
    """The dataset has no (7FE0,0010) *Pixel Data* to show or edit."""


class CodecUnavailableError(ViewerError):
    """The transfer syntax cannot be decoded (or encoded) by this installation."""


class PixelDataError(ViewerError):
    """The pixel data is present but inconsistent with its description."""


def describe_attribute(keyword: str) -> str:
    """'(0028,0008) Number of Frames' for 'NumberOfFrames', as error messages name attributes."""
    from pydicom.datadict import dictionary_description, tag_for_keyword

    tag = tag_for_keyword(keyword)
    if tag is None:
        return keyword
    return f"({tag >> 16:04X},{tag & 0xFFFF:04X}) {dictionary_description(tag)}"


def reraise_if_fatal(exc: BaseException) -> None:
    """Re-raise interpreter-level exits; everything else (codec panics included) is handled.

    Native codecs built with pyo3 raise ``PanicException``, which derives from
    BaseException, so decoding code catches BaseException and calls this first.
    """
    if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
        raise exc


def _printable(text: str) -> str:
    """Whitespace runs as one space; other control characters as escapes."""
    text = " ".join(text.split())
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def root_cause(exc: BaseException) -> BaseException:
    """The exception that started a chain: pydicom re-raises errors met while writing an
    element with the tag and a whole traceback in the message; the cause is the real one."""
    seen = {id(exc)}
    while exc.__cause__ is not None and id(exc.__cause__) not in seen:
        exc = exc.__cause__
        seen.add(id(exc))
    return exc


def one_line(exc: BaseException) -> str:
    """`exc` as one line of at most 300 characters, for dialogs and `dicom-viewer: error:`."""
    exc = root_cause(exc)
    if isinstance(exc, OSError) and exc.errno and exc.strerror:
        return _printable(exc.strerror)
    text = _printable(str(exc)) or type(exc).__name__
    return text if len(text) <= 300 else text[:297] + "..."
