"""De-identification: no planted identifier survives anywhere in the bytes, UIDs map the
same way for the same key (references follow), dates as asked, pixels untouched."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence

from tests.hostile import image_dataset, write
from tests.reference import dciodvfy_errors
from viewer.cli.main import main

PLANTED = {
    "PatientName": "Secretname^Planted",
    "PatientID": "PID-77788",
    "PatientBirthDate": "19511123",
    "OtherPatientIDs": "OTHER-4455",
    "InstitutionName": "Secret General Hospital",
    "ReferringPhysicianName": "Doctor^Hidden",
    "AccessionNumber": "ACC-90210",
    "StudyID": "STUDY-3141",
    "StudyDate": "20200315",
    "ContentDate": "20200316",
    "StudyTime": "101500",
}
NESTED = {"RequestedProcedureID": "REQ-2718", "RequestingPhysician": "Requester^Secret"}
PRIVATE = "PrivateSecret-161803"
META_AE = "SECRETAE"


def _planted(path: Path, sop_uid: str, referenced: str | None = None, burned_in: bool = False) -> Path:
    ds = image_dataset(8, 8)
    for keyword, value in PLANTED.items():
        setattr(ds, keyword, value)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = sop_uid
    ds.StudyInstanceUID = "1.2.826.0.1.999.7"
    ds.FrameOfReferenceUID = "1.2.826.0.1.999.8"
    item = Dataset()
    for keyword, value in NESTED.items():
        setattr(item, keyword, value)
    item.StudyInstanceUID = ds.StudyInstanceUID
    ds.RequestAttributesSequence = Sequence([item])
    if referenced:
        ref = Dataset()
        ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID = ds.SOPClassUID, referenced
        ds.ReferencedImageSequence = Sequence([ref])
    ds.private_block(0x0011, "PLANTED CREATOR", create=True).add_new(0x01, "LO", PRIVATE)
    ds.file_meta.SourceApplicationEntityTitle = META_AE
    if burned_in:
        ds.BurnedInAnnotation = "YES"
    return write(ds, path)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    _planted(folder / "a.dcm", "1.2.826.0.1.999.1")
    _planted(folder / "b.dcm", "1.2.826.0.1.999.2", referenced="1.2.826.0.1.999.1")
    return folder


def test_no_planted_identifier_survives(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    assert main(["anonymize", str(folder), "-o", str(tmp_path / "out"), "--uid-key", "k"]) == 0
    secrets = [*PLANTED.values(), *NESTED.values(), PRIVATE, META_AE, "1.2.826.0.1.999"]
    for out in (tmp_path / "out").iterdir():
        data = out.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, (out.name, secret)
        ds = pydicom.dcmread(out)
        assert ds.PatientIdentityRemoved == "YES"
        assert [c.CodeValue for c in ds.DeidentificationMethodCodeSequence] == ["113100"]
        source = pydicom.dcmread(folder / out.name)
        assert ds.PixelData == source.PixelData  # bit-identical
        assert set(dciodvfy_errors(out)) <= set(dciodvfy_errors(folder / out.name))


def test_uids_are_keyed_and_references_follow(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    for run, key in (("one", "k"), ("two", "k"), ("three", "other")):
        assert main(["anonymize", str(folder), "-o", str(tmp_path / run), "--uid-key", key]) == 0
    a1, b1 = (pydicom.dcmread(tmp_path / "one" / n) for n in ("a.dcm", "b.dcm"))
    a2 = pydicom.dcmread(tmp_path / "two" / "a.dcm")
    a3 = pydicom.dcmread(tmp_path / "three" / "a.dcm")
    assert a1.SOPInstanceUID == a2.SOPInstanceUID != a3.SOPInstanceUID
    assert a1.file_meta.MediaStorageSOPInstanceUID == a1.SOPInstanceUID
    assert b1.ReferencedImageSequence[0].ReferencedSOPInstanceUID == a1.SOPInstanceUID
    assert a1.StudyInstanceUID == b1.StudyInstanceUID  # one study before, one study after
    assert a1.SOPClassUID == pydicom.dcmread(folder / "a.dcm").SOPClassUID  # class UIDs stay


def test_shifted_dates_keep_their_intervals(tmp_path: Path) -> None:
    path = _planted(tmp_path / "a.dcm", "1.2.826.0.1.999.1")
    assert main(["anonymize", str(path), "-o", str(tmp_path / "o.dcm"), "--shift-dates", "-10"]) == 0
    ds = pydicom.dcmread(tmp_path / "o.dcm")
    assert (ds.StudyDate, ds.ContentDate, ds.StudyTime) == ("20200305", "20200306", "101500")
    assert [c.CodeValue for c in ds.DeidentificationMethodCodeSequence] == ["113100", "113107"]


def test_burned_in_annotation_is_refused_unless_allowed(tmp_path: Path, capfd) -> None:
    path = _planted(tmp_path / "a.dcm", "1.2.826.0.1.999.1", burned_in=True)
    assert main(["anonymize", str(path), "-o", str(tmp_path / "o.dcm")]) == 1
    err = capfd.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Burned In Annotation YES" in err[0] and not (tmp_path / "o.dcm").exists()
    assert main(["anonymize", str(path), "-o", str(tmp_path / "o.dcm"), "--allow-burned-in"]) == 0


def test_retain_safe_private_keeps_only_listed_private_attributes(tmp_path: Path) -> None:
    """A Siemens b-value and a Philips scale slope stay (creator, element byte and VR match
    Table E.3.10-1); the same element byte under another creator, a wrong VR, and the
    planted private text go."""
    ds = pydicom.dcmread(_planted(tmp_path / "a.dcm", "1.2.826.0.1.999.1"))
    siemens = ds.private_block(0x0019, "SIEMENS MR HEADER", create=True)
    siemens.add_new(0x0C, "IS", "1000")  # B value
    siemens.add_new(0x0E, "FD", [0.0, 0.6, 0.8])  # gradient direction
    siemens.add_new(0x0D, "LO", "DIRECTIONAL")  # listed as CS: a LO here is not the listed attribute
    ds.private_block(0x2005, "Philips MR Imaging DD 001", create=True).add_new(0x0E, "FL", 2.5)
    ds.private_block(0x0021, "SIEMENS MR HEADER", create=True).add_new(0x0C, "IS", "7")  # wrong group
    write(ds, tmp_path / "a.dcm")
    plain, kept = tmp_path / "plain.dcm", tmp_path / "kept.dcm"
    assert main(["anonymize", str(tmp_path / "a.dcm"), "-o", str(plain)]) == 0
    assert main(["anonymize", str(tmp_path / "a.dcm"), "-o", str(kept), "--retain-safe-private"]) == 0
    assert not [e for e in pydicom.dcmread(plain) if e.tag.is_private]
    out = pydicom.dcmread(kept)
    private = {(e.tag.group, e.tag.element & 0xFF, e.VR): e.value for e in out if e.tag.is_private}
    assert private == {
        (0x0019, 0x10, "LO"): "SIEMENS MR HEADER",
        (0x0019, 0x0C, "IS"): 1000,
        (0x0019, 0x0E, "FD"): [0.0, 0.6, 0.8],
        (0x2005, 0x10, "LO"): "Philips MR Imaging DD 001",
        (0x2005, 0x0E, "FL"): 2.5,
    }
    assert PRIVATE.encode() not in kept.read_bytes()
    assert [c.CodeValue for c in out.DeidentificationMethodCodeSequence] == ["113100", "113111"]


@pytest.mark.parametrize("name", ["CT_small.dcm", "MR_small.dcm"])
def test_real_files_stay_valid(name: str, tmp_path: Path) -> None:
    from tests.corpus import corpus_file

    path = corpus_file(name)
    assert main(["anonymize", str(path), "-o", str(tmp_path / "o.dcm")]) == 0
    assert set(dciodvfy_errors(tmp_path / "o.dcm")) <= set(dciodvfy_errors(path))
    assert pydicom.dcmread(tmp_path / "o.dcm").PixelData == pydicom.dcmread(path).PixelData
