"""File > PACS against the real Orthanc: search, retrieve and open, send (anonymised)."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest

from tests.corpus import corpus_file
from viewer.io import pacs
from viewer.model.errors import ViewerError

NAMES = ("CT_small.dcm", "MR_small.dcm", "JPEG2000.dcm")


def test_search_retrieve_and_open(window, orthanc, tmp_path: Path, output_dir: Path) -> None:
    files = [corpus_file(name) for name in NAMES]
    pacs.send(pacs.parse_node(orthanc.dimse), files)
    window.settings.set_retrieve_folder(tmp_path / "retrieved")
    query = window.pacs.show_query_window()
    query.picker.combo.setEditText(orthanc.dimse)
    assert query.echo() is not None and "answered in" in query.status.text()

    matches = query.search()
    assert matches is not None and query.table.rowCount() == 3
    shown = {query.table.item(row, 0).text() for row in range(3)}
    assert shown == {"1CT1", "4MR1", "8NM1"}
    assert window.settings.pacs_nodes()[0] == orthanc.dimse  # remembered for next time
    folder = output_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    assert query.grab().save(str(folder / "pacs_query.png"))

    ct_row = next(row for row in range(3) if query.table.item(row, 0).text() == "1CT1")
    query.table.selectRow(ct_row)
    before = window.tabs.count()
    (retrieved,) = query.retrieve_selected()
    (path,) = retrieved.iterdir()
    assert pydicom.dcmread(path).PixelData == pydicom.dcmread(files[0]).PixelData
    assert window.tabs.count() == before + 1  # the retrieved study is open
    assert window.current_panel().document.dataset.PatientID == "1CT1"
    assert window.errors == []


def test_unreachable_node_is_one_line_in_the_window(window, orthanc) -> None:
    query = window.pacs.show_query_window()
    query.picker.combo.setEditText("ORTHANC@127.0.0.1:4299")
    assert query.search() is None
    assert query.status.text() == "cannot reach ORTHANC@127.0.0.1:4299: Connection refused"
    assert [e[1] for e in window.errors] == [query.status.text()]
    query.picker.combo.setEditText("not a node")
    assert query.echo() is None and "expected AET@HOST:PORT" in query.status.text()


def test_send_anonymised_copy_of_the_open_file(window, orthanc, tmp_path: Path) -> None:
    window.open_paths([corpus_file("CT_small.dcm")])
    panel = window.current_panel()
    files = window.pacs.files_to_send(panel)
    node = pacs.parse_node(orthanc.web)
    result = window.pacs.send(files, node, "DICOMVIEWER", anonymise=True)
    assert len(result.done) == 1 and result.failed == []
    (study,) = pacs.find(node, pacs.Query())
    assert study["PatientID"] != "1CT1" and "CompressedSamples" not in study["PatientName"]
    (got,) = pacs.get(node, tmp_path, study["StudyInstanceUID"]).done
    assert pydicom.dcmread(got).PixelData == pydicom.dcmread(files[0]).PixelData

    window.edits.threshold_action.trigger()
    window.threshold_dock.low.setValue(300)
    window.threshold_dock.fill_outside_button.click()
    assert panel.document.is_edited
    with pytest.raises(ViewerError, match="unsaved edits: save it first"):
        window.pacs.files_to_send(panel)


def test_send_dialog_sends_the_saved_file(window, orthanc) -> None:
    """File > PACS > Send to PACS, the form filled in as a person would: node, anonymise."""
    from viewer.ui.dialogs import set_answer

    window.open_paths([corpus_file("MR_small.dcm")])

    def fill(dialog) -> None:
        dialog.picker.combo.setEditText(orthanc.dimse)
        dialog.anonymise.setChecked(True)

    set_answer("send_to_pacs", fill)
    try:
        window.pacs.send_action.trigger()
    finally:
        set_answer("send_to_pacs", None)
    assert window.statusBar().currentMessage() == f"Sent 1 of 1 file(s) to {orthanc.dimse}"
    (study,) = pacs.find(pacs.parse_node(orthanc.dimse), pacs.Query())
    assert study["PatientID"] != "4MR1" and window.errors == []
