"""De-identification: the PS3.15 Basic Application Level Confidentiality Profile.

The profile's actions per attribute come from dicom-anonymizer (a maintained table of
the standard's D/Z/X/U actions), applied to the dataset and to every sequence item at
every depth, private attributes removed at every level. Around it, three rules of ours:

- UIDs: every instance UID (anything that is not a registered class, syntax or coding
  UID) becomes ``2.25.<HMAC-SHA256(key, uid)>`` before the profile runs, everywhere it
  occurs (file meta, references inside sequences), so the same input UID always maps to
  the same output UID for one key, within a run and across runs.
- Dates: the library's 0001-01-01 is rejected by validators; dates it replaced become
  1900-01-01, or with ``shift_days`` the original date moved by that many days (Retain
  Longitudinal Temporal Information with Modified Dates), times kept.
- Burned In Annotation YES is refused unless allowed. Pixel Data is never touched.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.sr.codedict import codes
from pydicom.uid import UID_dictionary

from viewer.model.errors import ViewerError
from viewer.model.progress import no_progress
from viewer.model.source import ProgressCallback

if TYPE_CHECKING:
    from viewer.io.batch import BatchResult

DUMMY_DATE = "19000101"
_LIBRARY_DATE, _LIBRARY_DATETIME, _LIBRARY_TIME = "00010101", "00010101010101.000000+0000", "000000.00"


def keyed_uid(uid: str, key: str) -> str:
    """The replacement of `uid` under `key`: a 2.25 UID from HMAC-SHA256 (128 bits)."""
    digest = hmac.new(key.encode(), uid.strip().encode(), hashlib.sha256).digest()
    return "2.25." + str(int.from_bytes(digest[:16], "big"))


def _items(ds: Dataset) -> list[Dataset]:
    """`ds` and every sequence item inside it, deepest first."""
    found: list[Dataset] = []
    for element in list(ds):
        if element.VR == "SQ":
            for item in element.value:
                found += _items(item)
    return [*found, ds]


#: File meta elements that name the sending or receiving systems: removed.
_META_IDENTIFYING = (0x00020016, 0x00020017, 0x00020018, 0x00020100, 0x00020102)
#: UIDs that name software, not data: never replaced.
_NOT_INSTANCE = (0x00020012,)  # Implementation Class UID


def _replace_uids(ds: Dataset, key: str) -> None:
    for element in list(ds):
        if element.VR != "UI" or element.value in (None, "") or int(element.tag) in _NOT_INSTANCE:
            continue
        values = [element.value] if isinstance(element.value, str) else list(element.value)
        new = [v if str(v) in UID_dictionary else keyed_uid(str(v), key) for v in values]
        element.value = new if len(new) > 1 else new[0]


def _dates(ds: Dataset) -> dict[int, str]:
    return {int(e.tag): str(e.value) for e in ds if e.VR in ("DA", "DT", "TM") and e.value not in (None, "")}


def _shifted(value: str, vr: str, days: int) -> str:
    try:
        day = datetime.datetime.strptime(value[:8], "%Y%m%d") + datetime.timedelta(days=days)
    except ValueError:
        return DUMMY_DATE if vr == "DA" else DUMMY_DATE + "000000"
    return day.strftime("%Y%m%d") + (value[8:] if vr == "DT" else "")


def _fix_dates(ds: Dataset, before: dict[int, str], shift_days: int | None, emptied: set[int]) -> None:
    """Dates and times the library replaced with its year-1 dummies: ours instead (empty
    where the profile says Z, a dummy where it says D; moved originals with shift_days)."""
    for element in ds:
        original = before.get(int(element.tag))
        if element.VR in ("DA", "DT", "TM") and shift_days is None and int(element.tag) in emptied:
            if element.value in (_LIBRARY_DATE, _LIBRARY_DATETIME, _LIBRARY_TIME):
                element.value = ""
                continue
        if element.VR == "DA" and element.value == _LIBRARY_DATE:
            element.value = _shifted(original, "DA", shift_days) if shift_days is not None and original else DUMMY_DATE
        elif element.VR == "DT" and element.value == _LIBRARY_DATETIME:
            keep = shift_days is not None and original
            element.value = _shifted(original, "DT", shift_days) if keep else DUMMY_DATE + "000000"  # type: ignore[arg-type]
        elif element.VR == "TM" and element.value == _LIBRARY_TIME:
            element.value = original if shift_days is not None and original else "000000"


def _code(code: Any) -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = code.value, code.scheme_designator, code.meaning
    return item


def anonymize(
    ds: Dataset,
    key: str,
    shift_days: int | None = None,
    allow_burned_in: bool = False,
    retain_safe_private: bool = False,
) -> None:
    """De-identify `ds` (with its file meta) in place; see the module docstring."""
    from dicomanonymizer import anonymize_dataset

    from viewer.io.safe_private import restore, safe_private_elements

    if str(ds.get("BurnedInAnnotation", "")).strip().upper() == "YES" and not allow_burned_in:
        raise ViewerError(
            "the image says Burned In Annotation YES: its pixels may show identity; refusing "
            "(--allow-burned-in anonymises the attributes anyway)"
        )
    file_meta = getattr(ds, "file_meta", None)
    if file_meta is not None:
        _replace_uids(file_meta, key)
        for tag in _META_IDENTIFYING:
            if tag in file_meta:
                del file_meta[tag]
    keep, emptied = _uid_actions_kept(), _emptied_tags()
    for item in _items(ds):
        _replace_uids(item, key)
        before = _dates(item)
        safe = safe_private_elements(item) if retain_safe_private else []
        anonymize_dataset(item, extra_anonymization_rules=keep, delete_private_tags=True)
        restore(item, safe)
        _fix_dates(item, before, shift_days, emptied)
    ds.PatientIdentityRemoved = "YES"
    methods = [codes.DCM.BasicApplicationConfidentialityProfile]
    words = "PS3.15 Basic Application Confidentiality Profile (dicom-viewer)"
    if shift_days is not None:
        methods.append(codes.DCM.RetainLongitudinalTemporalInformationModifiedDatesOption)
        words += "; dates shifted"
    if retain_safe_private:
        methods.append(codes.DCM.RetainSafePrivateOption)
        words += "; safe private attributes kept"
    ds.DeidentificationMethod = words
    ds.DeidentificationMethodCodeSequence = Sequence([_code(code) for code in methods])
    if file_meta is not None and "SOPInstanceUID" in ds:
        file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID


def _keep(dataset: Dataset, tag: Any) -> None:
    """For U and X/Z/U* attributes: their UIDs are already ours (keyed, consistent), and
    the items of such sequences are de-identified one by one, so nothing is left to do."""


def _emptied_tags() -> set[int]:
    """Tags the profile empties (Z, X/Z): their dates become empty, not a dummy."""
    from dicomanonymizer.simpledicomanonymizer import delete_or_empty, empty, initialize_actions

    return {
        tag[0] << 16 | tag[1]
        for tag, action in initialize_actions().items()
        if len(tag) == 2 and action in (empty, delete_or_empty)
    }


def _uid_actions_kept() -> dict[Any, Any]:
    """The profile's U and X/Z/U* attributes, mapped to `_keep` (the rest stays the library's)."""
    from dicomanonymizer.simpledicomanonymizer import (
        delete_or_empty_or_replace_UID,
        initialize_actions,
        replace_UID,
    )

    return {
        tag: _keep
        for tag, action in initialize_actions().items()
        if action in (replace_UID, delete_or_empty_or_replace_UID)
    }


def anonymize_file(
    source: Path,
    target: Path,
    key: str,
    shift_days: int | None = None,
    allow_burned_in: bool = False,
    retain_safe_private: bool = False,
) -> None:
    """Read `source` whole, de-identify it, write it atomically to `target` (never `source`)."""
    from pydicom import dcmread

    from viewer.io.atomic import atomic_write
    from viewer.io.targets import resolve_output
    from viewer.model.errors import one_line
    from viewer.model.prescan import prescan
    from viewer.model.warning_notes import collect_warnings

    real = resolve_output(target, [source])
    prescan(source)
    try:
        with collect_warnings([]):
            ds = dcmread(source)
    except Exception as exc:
        raise ViewerError(f"cannot read '{source.name}': {one_line(exc)}") from None
    anonymize(ds, key, shift_days, allow_burned_in, retain_safe_private)
    with atomic_write(real, like=source) as f:
        ds.save_as(f, enforce_file_format=True)


def anonymize_folder(
    source: Path,
    output: Path,
    key: str,
    shift_days: int | None = None,
    allow_burned_in: bool = False,
    retain_safe_private: bool = False,
    progress: ProgressCallback = no_progress,
    workers: int | None = 1,
    scheduler: str | None = None,
    resume: bool = False,
) -> BatchResult:
    """Every file below `source` to the same relative path below `output`, one UID mapping
    for the whole folder (a series stays one series: the keyed UIDs are the same on any
    worker); a file that fails is listed, not fatal. Runs as viewer.io.batch_engine does."""
    from functools import partial

    from viewer.io.batch_engine import run_folder

    task = partial(
        anonymize_file,
        key=key,
        shift_days=shift_days,
        allow_burned_in=allow_burned_in,
        retain_safe_private=retain_safe_private,
    )
    return run_folder(source, output, task, workers, scheduler, resume, progress)
