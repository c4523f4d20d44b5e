"""The series browser: every patient / study / series of the folders and DICOMDIRs opened,
with a thumbnail, modality, description and image count; double-click a series, or drag
it onto a viewport, to open it.

A series is listed as soon as the folder scan reads its first file (`begin_scan`,
`report_found`) and completed when the scan ends (`show_scan`). Thumbnails are rendered
off the GUI thread (a small pool) by the one rendering policy and arrive one by one —
first from the file found, then from the series' middle file — so a folder of thousands
of files never blocks the window.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PySide6.QtCore import QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QPixmap
from PySide6.QtWidgets import QDockWidget, QTreeWidget, QTreeWidgetItem, QWidget

from viewer.model.folder import FolderScan, SeriesEntry
from viewer.ui.workspace import SERIES_MIME

THUMBNAIL = 64  # pixels, the longer side


def thumbnail_path(entry: SeriesEntry) -> Path:
    """The file a series' thumbnail shows: its middle one (the first, while a scan has
    found only that)."""
    return entry.paths[len(entry.paths) // 2]


def thumbnail(entry: SeriesEntry) -> np.ndarray:
    """The middle image of a series as shown (8-bit), downsampled to THUMBNAIL pixels."""
    from viewer.model.document import open_document
    from viewer.model.rendering import render_frame

    document = open_document(thumbnail_path(entry))
    image = render_frame(document, document.frame_count // 2)
    step = max(1, int(np.ceil(max(image.shape[:2]) / THUMBNAIL)))
    return np.ascontiguousarray(image[::step, ::step])


class _Deliver(QObject):
    ready = Signal(int, object)  # entry number, 8-bit image (from a worker thread)
    found = Signal(object)  # a SeriesEntry of one file, found by the scanning thread


class _SeriesTree(QTreeWidget):
    """The tree; a series row drags as its entry number (dropped on a viewport, it opens there)."""

    def mimeTypes(self) -> list[str]:  # noqa: N802 (Qt naming)
        return [SERIES_MIME]

    def mimeData(self, items) -> QMimeData:  # noqa: N802 (Qt naming)
        mime = QMimeData()
        numbers = [item.data(0, Qt.ItemDataRole.UserRole) for item in items]
        numbers = [n for n in numbers if n is not None]
        if numbers:
            mime.setData(SERIES_MIME, str(numbers[0]).encode())
        return mime


class SeriesBrowserDock(QDockWidget):
    open_requested = Signal(object)  # a SeriesEntry

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Series", parent)
        self.setObjectName("SeriesBrowserDock")
        self.tree = _SeriesTree()
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QTreeWidget.DragDropMode.DragOnly)
        self.tree.setHeaderLabels(["Series", "Modality", "Images"])
        self.tree.setIconSize(QPixmap(THUMBNAIL, THUMBNAIL).size())
        self.tree.itemDoubleClicked.connect(self._double_clicked)
        self.setWidget(self.tree)
        self.entries: list[SeriesEntry] = []
        self._items: list[QTreeWidgetItem | None] = []  # None: the row went with a cancelled scan
        self._root: QTreeWidgetItem | None = None  # the source being listed
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="thumbnails")
        self._pending: list[Future[None]] = []
        self._deliver = _Deliver()
        self._deliver.ready.connect(self._set_thumbnail)
        self._deliver.found.connect(self._add_found)

    # -- listing ----------------------------------------------------------------------
    def begin_scan(self, source: Path) -> None:
        """A folder or DICOMDIR `source` is being read: its series will be listed as found."""
        self._root = QTreeWidgetItem([source.name, "", "…"])
        self.tree.addTopLevelItem(self._root)
        self._parents: dict[tuple[str, ...], QTreeWidgetItem] = {}
        self._found: dict[Path, int] = {}  # first file of a series found -> its entry number
        self.show()

    def report_found(self, entry: SeriesEntry) -> None:
        """From the scanning thread: a series seen for the first time (one file of it)."""
        self._deliver.found.emit(entry)

    def _add_found(self, entry: SeriesEntry) -> None:
        if self._root is not None:
            self._found[entry.paths[0]] = self._add_row(entry, "…")

    def discard_scan(self) -> None:
        """The scan was cancelled or found nothing: its rows go."""
        if self._root is not None:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(self._root))
            for number in self._found.values():
                self._items[number] = None
        self._root = None

    def show_scan(self, scan: FolderScan, source: Path) -> None:
        """List every series of `scan` (from a folder or DICOMDIR `source`) with its image
        count; a series listed while scanning keeps its row and its thumbnail."""
        if self._root is None:
            self.begin_scan(source)
        assert self._root is not None
        for entry in scan.series:
            number = next((self._found.pop(p) for p in entry.paths if p in self._found), None)
            if number is None:
                self._add_row(entry, str(len(entry.paths)))
                continue
            found = self.entries[number]
            self.entries[number] = entry
            item = self._items[number]
            if item is not None:
                item.setText(2, str(len(entry.paths)))
            if thumbnail_path(entry) != thumbnail_path(found):  # the middle image says more than the first
                self._pending.append(self._pool.submit(self._render, number, entry))
        self._root.setText(2, str(sum(len(e.paths) for e in scan.series)))
        for column in range(3):
            self.tree.resizeColumnToContents(column)
        self._root = None

    def _add_row(self, entry: SeriesEntry, count: str) -> int:
        """A row under patient and study, its thumbnail rendered off the GUI thread."""
        assert self._root is not None
        patient_key, study_key = (entry.patient,), (entry.patient, entry.study)
        if patient_key not in self._parents:
            self._parents[patient_key] = QTreeWidgetItem(self._root, [entry.patient])
        if study_key not in self._parents:
            self._parents[study_key] = QTreeWidgetItem(self._parents[patient_key], [entry.study])
        item = QTreeWidgetItem(self._parents[study_key], [entry.description, entry.modality, count])
        number = len(self.entries)
        item.setData(0, Qt.ItemDataRole.UserRole, number)
        self.entries.append(entry)
        self._items.append(item)
        self._pending.append(self._pool.submit(self._render, number, entry))
        self.tree.expandItem(self._root)
        self.tree.expandItem(self._parents[patient_key])
        self.tree.expandItem(self._parents[study_key])
        return number

    def _render(self, number: int, entry: SeriesEntry) -> None:
        try:
            image = thumbnail(entry)
        except Exception:  # a damaged file keeps its row, without a picture
            return
        self._deliver.ready.emit(number, image)

    def _set_thumbnail(self, number: int, image: np.ndarray) -> None:
        rows, columns = image.shape[:2]
        if image.ndim == 2:
            qimage = QImage(image.data, columns, rows, image.strides[0], QImage.Format.Format_Grayscale8)
        else:
            qimage = QImage(image.data, columns, rows, image.strides[0], QImage.Format.Format_RGB888)
        item = self._items[number]
        if item is not None:
            item.setIcon(0, QIcon(QPixmap.fromImage(qimage.copy())))

    def thumbnails_done(self) -> bool:
        return all(f.done() for f in self._pending)

    def _double_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        number = item.data(0, Qt.ItemDataRole.UserRole)
        if number is not None:
            self.open_requested.emit(self.entries[int(number)])

    def entry_of(self, number: str) -> SeriesEntry | None:
        """The series a drag carried (its entry number as text), or None."""
        try:
            return self.entries[int(number)]
        except (ValueError, IndexError):
            return None

    def close_pool(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
