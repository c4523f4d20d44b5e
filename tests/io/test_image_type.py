"""An edited copy's Image Type uses only the values its IOD allows (dciodvfy as the judge)."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

from tests.hostile import image_dataset, write
from tests.reference import dciodvfy_errors
from viewer.cli.main import main

# (IOD, SOP Class UID, Modality, Image Type of the input, value 2 expected after an edit)
CASES = [
    ("PET", "1.2.840.10008.5.1.4.1.1.128", "PT", ["ORIGINAL", "PRIMARY", "STATIC", "IMAGE"], "PRIMARY"),
    ("NM", "1.2.840.10008.5.1.4.1.1.20", "NM", ["ORIGINAL", "PRIMARY", "STATIC", "EMISSION"], "PRIMARY"),
    ("WSI", "1.2.840.10008.5.1.4.1.1.77.1.6", "SM", ["ORIGINAL", "PRIMARY", "VOLUME", "NONE"], "PRIMARY"),
    ("IVOCT", "1.2.840.10008.5.1.4.1.1.14.1", "IVOCT", ["ORIGINAL", "PRIMARY"], "PRIMARY"),
    ("SEG", "1.2.840.10008.5.1.4.1.1.66.4", "SEG", ["DERIVED", "PRIMARY"], "PRIMARY"),
    ("CT", "1.2.840.10008.5.1.4.1.1.2", "CT", ["ORIGINAL", "PRIMARY", "AXIAL"], "SECONDARY"),
    ("DX", "1.2.840.10008.5.1.4.1.1.1.1", "DX", ["ORIGINAL", "PRIMARY"], "SECONDARY"),
    ("XA", "1.2.840.10008.5.1.4.1.1.12.1", "XA", ["ORIGINAL", "PRIMARY", "SINGLE PLANE"], "SECONDARY"),
]


@pytest.mark.parametrize(("iod", "uid", "modality", "image_type", "value_2"), CASES, ids=[c[0] for c in CASES])
def test_image_type_value_2_follows_the_iod(iod, uid, modality, image_type, value_2, tmp_path: Path) -> None:
    ds = image_dataset(16, 16)
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = uid
    ds.Modality, ds.ImageType = modality, image_type
    path = write(ds, tmp_path / "in.dcm")
    assert main(["edit", str(path), "--invert", "-o", str(tmp_path / "out.dcm")]) == 0
    out = pydicom.dcmread(tmp_path / "out.dcm")
    assert list(out.ImageType)[:2] == ["DERIVED", value_2]
    new = set(dciodvfy_errors(tmp_path / "out.dcm")) - set(dciodvfy_errors(path))
    assert not [e for e in new if "Image Type" in e or "ImageType" in e], new
