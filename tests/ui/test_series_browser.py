"""The series browser lists every series of an opened folder, with thumbnails."""

from __future__ import annotations

from pathlib import Path

from pydicom.uid import generate_uid
from PySide6.QtCore import Qt

from tests.corpus import corpus_file
from tests.hostile import image_dataset, write


def _folder_of_three_series(folder: Path) -> Path:
    folder.mkdir()
    for series in range(3):
        uid = generate_uid()
        for instance in range(2 + series):
            ds = image_dataset(16, 16)
            ds.SeriesInstanceUID, ds.SeriesDescription, ds.InstanceNumber = uid, f"Series {series + 1}", instance + 1
            write(ds, folder / f"s{series}_{instance}.dcm")
    return folder


def _series_items(dock):
    items = []
    stack = [dock.tree.topLevelItem(i) for i in range(dock.tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        if item.data(0, Qt.ItemDataRole.UserRole) is not None:
            items.append(item)
        stack += [item.child(i) for i in range(item.childCount())]
    return sorted(items, key=lambda item: item.text(0))


def test_folder_of_three_series_shows_three_entries_with_thumbnails(window, qtbot, tmp_path: Path) -> None:
    folder = _folder_of_three_series(tmp_path / "study")
    window.open_paths([folder])
    dock = window.series_browser
    items = _series_items(dock)
    assert [(i.text(0), i.text(2)) for i in items] == [("Series 1", "2"), ("Series 2", "3"), ("Series 3", "4")]
    qtbot.waitUntil(dock.thumbnails_done, timeout=10000)
    qtbot.waitUntil(lambda: all(not i.icon(0).isNull() for i in items), timeout=5000)
    before = window.tabs.count()
    dock.tree.itemDoubleClicked.emit(items[1], 0)
    assert window.tabs.count() == before + 1 and window.current_panel().document.frame_count == 3
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Series 2 (3 files)"  # not its first file's name


def test_dicomdir_shows_its_patients_and_studies(window, qtbot, output_dir: Path) -> None:
    dicomdir = corpus_file("CT_small.dcm").parent / "dicomdirtests" / "DICOMDIR"
    window.open_paths([dicomdir])
    dock = window.series_browser
    root = dock.tree.topLevelItem(dock.tree.topLevelItemCount() - 1)
    assert root.text(0) == "DICOMDIR" and root.childCount() == 2  # two patients, each once
    studies = [root.child(i).child(j).text(0) for i in range(2) for j in range(root.child(i).childCount())]
    assert len(studies) == len(set(studies))  # each study once
    assert len(_series_items(dock)) == 13
    qtbot.waitUntil(dock.thumbnails_done, timeout=20000)
    qtbot.wait(100)
    (output_dir / "screenshots").mkdir(exist_ok=True)
    assert window.grab().save(str(output_dir / "screenshots" / "series-browser.png"))


def test_series_are_listed_with_thumbnails_while_the_folder_is_read(window, qtbot, tmp_path: Path) -> None:
    """The scan reports each series at its first file; the rows (and their thumbnails)
    appear before the scan ends, and the finished scan fills in the counts in the same
    rows — no second row, no second thumbnail."""
    import threading

    from viewer.model.folder import scan_folder

    folder = _folder_of_three_series(tmp_path / "study")
    dock = window.series_browser
    seen_during_scan: list[int] = []
    release = threading.Event()

    def found(entry) -> None:
        dock.report_found(entry)
        if len(entry.paths) == 1 and entry.description == "Series 3":
            release.wait(10)  # hold the scan until the GUI has listed what was found

    dock.begin_scan(folder)
    result: list = []
    worker = threading.Thread(target=lambda: result.append(scan_folder(folder, found=found)))
    worker.start()
    qtbot.waitUntil(lambda: len(_series_items(dock)) == 3)
    seen_during_scan = [i.text(2) for i in _series_items(dock)]
    qtbot.waitUntil(lambda: all(not i.icon(0).isNull() for i in _series_items(dock)), timeout=10000)
    assert worker.is_alive()  # all three listed with thumbnails, and the scan still running
    release.set()
    worker.join(10)
    dock.show_scan(result[0], folder)
    items = _series_items(dock)
    assert seen_during_scan == ["…", "…", "…"]
    assert [(i.text(0), i.text(2)) for i in items] == [("Series 1", "2"), ("Series 2", "3"), ("Series 3", "4")]
    assert len(dock.entries) == 3 and [len(e.paths) for e in dock.entries] == [2, 3, 4]
    qtbot.waitUntil(dock.thumbnails_done, timeout=10000)
    # one thumbnail each while scanning; then again from the middle file where that is another
    assert len(dock._pending) == 3 + 3  # every series' middle file is its second or third


def test_a_cancelled_scan_leaves_no_rows(window, qtbot, tmp_path: Path) -> None:
    folder = _folder_of_three_series(tmp_path / "study")
    dock = window.series_browser
    dock.begin_scan(folder)
    for name in ("s0_0.dcm", "s1_0.dcm"):
        from viewer.model.folder import SeriesEntry

        dock.report_found(SeriesEntry("1.2", name, [folder / name]))
    qtbot.waitUntil(lambda: len(_series_items(dock)) == 2)
    dock.discard_scan()
    assert dock.tree.topLevelItemCount() == 0
    qtbot.waitUntil(dock.thumbnails_done, timeout=10000)  # late thumbnails land nowhere, without error
    qtbot.wait(50)
