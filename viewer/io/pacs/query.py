"""What a search asks a PACS and what each match holds, the same for DIMSE and DICOMweb.

A match is a flat ``{keyword: text}`` of the level's fields, so the command line prints
it as a table or JSON and the GUI shows it as a row without knowing the protocol.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from viewer.io.pacs.node import PacsError

LEVELS = ("PATIENT", "STUDY", "SERIES")

#: The fields a match at each level returns (return keys of the C-FIND / QIDO includefield).
FIELDS: dict[str, tuple[str, ...]] = {
    "PATIENT": ("PatientID", "PatientName", "PatientBirthDate", "PatientSex", "NumberOfPatientRelatedStudies"),
    "STUDY": (
        "PatientID",
        "PatientName",
        "StudyDate",
        "StudyDescription",
        "AccessionNumber",
        "ModalitiesInStudy",
        "NumberOfStudyRelatedSeries",
        "NumberOfStudyRelatedInstances",
        "StudyInstanceUID",
    ),
    "SERIES": (
        "SeriesNumber",
        "Modality",
        "SeriesDescription",
        "NumberOfSeriesRelatedInstances",
        "StudyInstanceUID",
        "SeriesInstanceUID",
    ),
}

Match = dict[str, str]


@dataclass(frozen=True)
class Query:
    """Matching values (empty: any). `level` defaults to SERIES inside a study, else STUDY."""

    patient_id: str = ""
    patient_name: str = ""
    study_uid: str = ""
    modality: str = ""
    level: str = ""

    @property
    def resolved_level(self) -> str:
        level = (self.level or ("SERIES" if self.study_uid else "STUDY")).upper()
        if level not in LEVELS:
            raise PacsError(f"query level '{self.level}': expected one of {', '.join(LEVELS)}")
        if level == "SERIES" and not self.study_uid:
            raise PacsError("a series query needs --study-uid")
        return level

    def filters(self) -> dict[str, str]:
        """The matching keys that are set, named as the level's attributes."""
        level = self.resolved_level
        modality_key = "Modality" if level == "SERIES" else "ModalitiesInStudy"
        wanted = {
            "PatientID": self.patient_id,
            "PatientName": self.patient_name,
            "StudyInstanceUID": self.study_uid,
            modality_key: self.modality if level != "PATIENT" else "",
        }
        return {key: value for key, value in wanted.items() if value}

    def identifier(self) -> Dataset:
        """The C-FIND identifier: the level, its return keys empty, the filters set."""
        level = self.resolved_level
        ds = Dataset()
        ds.QueryRetrieveLevel = level
        for keyword in FIELDS[level]:
            setattr(ds, keyword, "")
        for keyword, value in self.filters().items():
            setattr(ds, keyword, value)
        return ds


def match_from(ds: Dataset, level: str) -> Match:
    """The level's fields of a C-FIND response or a QIDO result, as text ('' when absent)."""
    match: Match = {}
    for keyword in FIELDS[level]:
        value = ds.get(keyword, "")
        if value is None:
            value = ""
        elif isinstance(value, MultiValue):
            value = "\\".join(str(v) for v in value)
        match[keyword] = str(value)
    return match
