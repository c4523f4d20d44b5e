"""The PACS client against a real Orthanc (tests/orthanc.py): DIMSE and DICOMweb, both ways.

Three instances of three patients go in (CT and MR uncompressed, an NM in JPEG 2000) and
come back with every Pixel Data byte identical and in the syntax they were sent in.
"""

from __future__ import annotations

import json
from pathlib import Path

import pydicom
import pytest

from tests.corpus import corpus_file
from viewer.cli.main import run_command
from viewer.io import pacs
from viewer.model.progress import Cancelled

NAMES = ("CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm")


@pytest.fixture
def files() -> list[Path]:
    return [corpus_file(name) for name in NAMES]


def _study_uids(files: list[Path]) -> dict[str, str]:
    return {str(pydicom.dcmread(f, stop_before_pixels=True).StudyInstanceUID): f.name for f in files}


def _assert_identical(received: list[Path], sent: list[Path]) -> None:
    by_uid = {str(pydicom.dcmread(f).SOPInstanceUID): pydicom.dcmread(f) for f in sent}
    assert received
    for path in received:
        got = pydicom.dcmread(path)
        original = by_uid[str(got.SOPInstanceUID)]
        assert path.name == f"{got.SOPInstanceUID}.dcm"
        assert got.file_meta.TransferSyntaxUID == original.file_meta.TransferSyntaxUID
        assert got.PixelData == original.PixelData


@pytest.mark.parametrize("protocol", ["dimse", "web"])
def test_echo(orthanc, protocol):
    assert pacs.echo(pacs.parse_node(getattr(orthanc, protocol))) < 15


@pytest.mark.parametrize("protocol", ["dimse", "web"])
def test_send_find_get_round_trip(orthanc, files, tmp_path, protocol):
    node = pacs.parse_node(getattr(orthanc, protocol))
    reports: list[tuple[int, int]] = []
    sent = pacs.send(node, files, progress=lambda done, total: reports.append((done, total)))
    assert (sorted(sent.done), sent.failed) == (sorted(files), [])
    assert reports[-1] == (3, 3)

    studies = pacs.find(node, pacs.Query())
    assert {m["StudyInstanceUID"] for m in studies} == set(_study_uids(files))
    assert {m["PatientID"] for m in pacs.find(node, pacs.Query(level="PATIENT"))} == {"1CT1", "4MR1", "8NM1"}
    ct_study = next(uid for uid, name in _study_uids(files).items() if name == "CT_small.dcm")
    assert [m["StudyInstanceUID"] for m in pacs.find(node, pacs.Query(patient_id="1CT1"))] == [ct_study]
    assert [m["StudyInstanceUID"] for m in pacs.find(node, pacs.Query(modality="MR"))] == [
        uid for uid, name in _study_uids(files).items() if name == "MR_small.dcm"
    ]
    series = pacs.find(node, pacs.Query(study_uid=ct_study))
    assert [(s["Modality"], s["NumberOfSeriesRelatedInstances"]) for s in series] == [("CT", "1")]

    received: list[Path] = []
    for study in _study_uids(files):
        result = pacs.get(node, tmp_path / "in", study)
        assert result.failed == []
        received += result.done
    assert len(received) == 3
    _assert_identical(received, files)
    one_series = pacs.get(node, tmp_path / "series", ct_study, series[0]["SeriesInstanceUID"])
    _assert_identical(one_series.done, files[:1])


def test_c_move_to_our_storage_scp(orthanc, files, tmp_path, capfd):
    """For nodes without C-GET: the node sends to DICOMVIEWER at 127.0.0.1:11112 (its
    configuration, tests/orthanc.py) and our storage SCP listens there for the retrieve."""
    node = pacs.parse_node(orthanc.dimse)
    pacs.send(node, files)
    for study in _study_uids(files):
        result = pacs.get(node, tmp_path, study, move_port=11112, listen_address="127.0.0.1")
        assert result.failed == [] and len(result.done) == 1
    _assert_identical(sorted(tmp_path.iterdir()), files)
    study = next(iter(_study_uids(files)))
    args = ["pacs", "get", orthanc.dimse, "--study-uid", study, "-o", str(tmp_path / "x"), "--move-port", "11112"]
    assert run_command([*args[:2], orthanc.dimse, *args[3:], "--calling-aet", "NOBODY"]) == 1
    assert "refused C-MOVE: status 0xC000 (Unable to Process)" in capfd.readouterr().err  # Orthanc: unknown AET


def test_dicomweb_reads_what_dimse_stored(orthanc, files, tmp_path):
    """One archive, two doors: C-STORE in, QIDO-RS finds it, WADO-RS brings the same bytes."""
    pacs.send(pacs.parse_node(orthanc.dimse), files)
    web = pacs.parse_node(orthanc.web)
    for study in _study_uids(files):
        _assert_identical(pacs.get(web, tmp_path, study).done, files)


def test_cancelled_retrieve_keeps_only_complete_files(orthanc, files, tmp_path):
    node = pacs.parse_node(orthanc.dimse)
    pacs.send(node, files)

    def cancel(done: int, total: int) -> None:
        raise Cancelled("cancelled")

    study = next(iter(_study_uids(files)))
    with pytest.raises(Cancelled):
        pacs.get(node, tmp_path, study, progress=cancel)
    for path in tmp_path.iterdir():  # what arrived before the cancel is whole
        assert pydicom.dcmread(path).PixelData


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ("WRONG@127.0.0.1:4242", "WRONG@127.0.0.1:4242 rejected the association: Called AE title not recognised"),
        ("ORTHANC@127.0.0.1:4299", "cannot reach ORTHANC@127.0.0.1:4299: Connection refused"),
        ("http://127.0.0.1:8099/dicom-web", "cannot reach http://127.0.0.1:8099/dicom-web: Connection refused"),
        ("http://127.0.0.1:8042/no-such-root", "QIDO-RS failed: HTTP 404 Not Found"),
    ],
)
def test_unreachable_and_refusing_nodes_give_one_line(orthanc, capfd, node, expected):
    from tests.orthanc import answers_echo

    for attempt in range(2):
        answers_echo(orthanc)  # the server is up and free: a refusal below is its answer, not a stall
        capfd.readouterr()
        assert run_command(["pacs", "echo", node]) == 1
        err = capfd.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        # Under the whole suite's load Orthanc has, a few times in many runs, left a refused
        # association unanswered; our answer is then the (one-line) timeout. Once more:
        if "did not answer the association request" not in err or attempt:
            break
    assert err.startswith("dicom-viewer: error: ") and expected in err, orthanc.log()[-1500:]


def test_cli_find_json_get_and_a_file_that_is_not_dicom(orthanc, files, tmp_path, capfd):
    junk = tmp_path / "notes.txt"
    junk.write_text("not DICOM")
    assert run_command(["pacs", "send", orthanc.dimse, *map(str, files), str(junk)]) == 1
    out, err = capfd.readouterr()
    assert "sent 3 of 4 file(s)" in out
    assert f"{junk}: not a DICOM file" in err

    assert run_command(["pacs", "find", orthanc.web, "--patient-id", "4MR1", "--json"]) == 0
    (study,) = json.loads(capfd.readouterr().out)
    assert study["PatientName"] == "CompressedSamples^MR1" and study["ModalitiesInStudy"] == "MR"

    folder = tmp_path / "got"
    assert run_command(["pacs", "get", orthanc.dimse, "--study-uid", study["StudyInstanceUID"], "-o", str(folder)]) == 0
    assert "received 1 instance(s)" in capfd.readouterr().out
    _assert_identical(sorted(folder.iterdir()), files)

    assert run_command(["pacs", "get", orthanc.dimse, "--study-uid", "1.2.3", "-o", str(folder)]) == 1
    assert "refused C-GET: status 0xC000 (Unable to Process)" in capfd.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ORTHANC@127.0.0.1:4242", pacs.Node(aet="ORTHANC", host="127.0.0.1", port=4242)),
        ("PACS@[::1]:104", pacs.Node(aet="PACS", host="::1", port=104)),
        ("https://pacs.example.org/dicom-web/", pacs.Node(url="https://pacs.example.org/dicom-web")),
        ("127.0.0.1:4242", "expected AET@HOST:PORT"),
        ("ORTHANC@host:0", "port 0 is not between 1 and 65535"),
        ("AN_AE_TITLE_TOO_LONG@host:104", "1 to 16 printable ASCII characters"),
        ("A\\B@host:104", "no backslash"),
    ],
)
def test_node_names(text, expected):
    if isinstance(expected, pacs.Node):
        assert pacs.parse_node(text) == expected
    else:
        with pytest.raises(pacs.PacsError, match=expected.replace("\\", "\\\\")):
            pacs.parse_node(text)


def test_a_received_uid_never_becomes_a_path(tmp_path):
    from viewer.io.pacs.transfer import instance_path

    assert instance_path(tmp_path, "1.2.3").name == "1.2.3.dcm"
    for hostile in ("../../etc/passwd", "1.2/../3", "", "1.2.3\0"):
        path = instance_path(tmp_path, hostile)
        assert path.parent == tmp_path and "/" not in path.name
