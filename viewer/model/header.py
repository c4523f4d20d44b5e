"""Reading DICOM headers robustly: force for headerless files, every element parsed,
pydicom's warnings turned into notes for the person."""

from __future__ import annotations

from pathlib import Path

from pydicom import config as _pydicom_config
from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID, ExplicitVRBigEndian, ExplicitVRLittleEndian, ImplicitVRLittleEndian

from viewer.model.errors import NotDicomError, one_line
from viewer.model.prescan import prescan
from viewer.model.warning_notes import collect_warnings

# A binary value whose length is not a whole number of values (a US of 3 bytes) is kept
# as raw bytes with VR UN instead of failing the whole read: shown as bytes, saved byte
# for byte and listed in the save report (see :func:`unreadable_values`).
_pydicom_config.convert_wrong_length_to_UN = True


def read_header(path: Path, notes: list[str]) -> tuple[Dataset, bool]:
    """Read everything before the pixel data; fall back to ``force`` for files without meta.

    The file is first checked by :func:`prescan` (regular file, bounded nesting, item
    count and inflation) so that pydicom never gets a file that would exhaust memory.
    """
    prescan(path)
    try:
        with collect_warnings(notes):
            return dcmread(path, stop_before_pixels=True), False
    except InvalidDicomError:
        pass
    except (OSError, MemoryError):
        raise
    except RecursionError:
        raise NotDicomError(f"cannot parse '{path.name}': sequences are nested too deeply") from None
    except Exception as exc:  # pydicom raises many types on malformed headers
        raise NotDicomError(f"cannot parse '{path.name}' as DICOM: {one_line(exc)}") from None
    try:
        with collect_warnings(notes):
            ds = dcmread(path, stop_before_pixels=True, force=True)
    except Exception as exc:
        raise NotDicomError(f"'{path.name}' is not a DICOM file: {one_line(exc)}") from None
    if len(ds) == 0 or not any(e.tag.group in (0x0008, 0x0010, 0x0020, 0x0028) for e in ds):
        raise NotDicomError(f"'{path.name}' is not a DICOM file (no DICOM preamble or elements)")
    notes.append("file has no DICOM preamble/meta header; read with force")
    return ds, True


def parse_all(ds: Dataset, notes: list[str], depth: int = 0) -> None:
    """Convert every raw element now; drop (with a note) those that cannot be read.

    pydicom converts elements lazily, so a corrupt value would otherwise surface as an
    exception wherever it is first touched (summary, tag browser, save).
    """
    for tag in list(ds.keys()):
        try:
            with collect_warnings([]):  # wrong lengths are noted below, in fewer words
                element = ds[tag]
            if element.VR == "SQ" and depth < 16:
                for item in element.value:
                    parse_all(item, notes, depth + 1)
        except Exception as exc:
            del ds[tag]
            notes.append(f"element ({tag >> 16:04X},{tag & 0xFFFF:04X}) cannot be read and is ignored: {one_line(exc)}")
    if depth == 0:
        for where, vr, size in keep_unreadable_as_bytes(ds):
            notes.append(f"{where}: {size} bytes are not a whole number of {vr} values; shown and kept as raw bytes")


#: VRs whose values are binary numbers: a length that is not a multiple of the size fails.
_BINARY_NUMBER_VRS = ("US", "SS", "UL", "SL", "FL", "FD", "AT", "SV", "UV")


def keep_unreadable_as_bytes(ds: Dataset, where: str = "") -> list[tuple[str, str, int]]:
    """Give VR UN to every element whose value could not be read as its VR (pydicom leaves
    the raw bytes under the old VR, which cannot be written), so that a save writes the
    bytes as they are; return (path, VR, byte count) of each for notes and save reports."""
    found = []
    with collect_warnings([]):  # pydicom's long words for the same finding
        elements = list(ds)
    for element in elements:
        path = f"{where}{element.tag}"
        if element.VR in _BINARY_NUMBER_VRS and isinstance(element.value, (bytes, bytearray)):
            found.append((path, element.VR, len(element.value)))
            element.VR = "UN"
            if len(element.value) % 2:  # DICOM values have even length: one pad byte, as for OB
                element.value = bytes(element.value) + b"\x00"
        elif element.VR == "SQ":
            for number, item in enumerate(element.value, 1):
                found += keep_unreadable_as_bytes(item, f"{path}[{number}].")
    return found


def drop_stray_elements(ds: Dataset) -> list[tuple[str, str]]:
    """Remove what may not stand in a stored dataset and return (tag, what it was): item
    and delimitation tags (FFFE,xxxx) outside a sequence, command elements (group 0000)."""
    dropped = []
    for tag in [t for t in ds.keys() if t.group in (0x0000, 0xFFFE)]:
        del ds[tag]
        kind = "stray item tag" if tag.group == 0xFFFE else "command element"
        dropped.append((f"({tag.group:04X},{tag.element:04X})", kind))
    return dropped


def shallow_copy(ds: Dataset) -> Dataset:
    """A dataset with its own element dict (and meta) sharing the elements: replacing an
    element in it leaves `ds` as it is. (``Dataset(ds)`` would share the dict itself.)"""
    copy = Dataset(dict(ds.items()))
    copy.file_meta = FileMetaDataset(dict(ds.file_meta.items()))
    return copy


def infer_transfer_syntax(ds: Dataset) -> UID:
    implicit, little = ds.original_encoding
    if implicit:
        return ImplicitVRLittleEndian
    return ExplicitVRLittleEndian if little else ExplicitVRBigEndian


def read_full(path: Path, forced: bool, notes: list[str]) -> Dataset:
    """Read the whole object, pixel data included (after the same :func:`prescan`)."""
    prescan(path)
    try:
        with collect_warnings(notes):
            ds = dcmread(path, force=forced)
    except Exception as exc:
        raise NotDicomError(f"cannot read '{path.name}': {one_line(exc)}") from None
    ensure_transfer_syntax(ds, notes)
    return ds


def ensure_transfer_syntax(ds: Dataset, notes: list[str]) -> None:
    if getattr(ds, "file_meta", None) is None:
        ds.file_meta = FileMetaDataset()
    if "TransferSyntaxUID" not in ds.file_meta:
        uid = infer_transfer_syntax(ds)
        ds.file_meta.TransferSyntaxUID = uid
        notes.append(f"no Transfer Syntax UID in the file meta; read as {uid.name}")


def sop_class_name(ds: Dataset) -> str:
    uid = ds.get("SOPClassUID")
    return UID(uid).name if uid else "unknown"
