"""File > PACS > Query / Retrieve: search an archive, retrieve studies, open them.

Every network call runs off the GUI thread (run_with_progress: progress and Cancel);
failures are one line in a dialog and in the window's status line. Nodes and our AE
title are remembered (Settings); retrieved studies go to one folder per study UID.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.io import pacs
from viewer.model.errors import ViewerError
from viewer.model.progress import Cancelled, Progress
from viewer.ui.annotations import format_date
from viewer.ui.background import run_with_progress
from viewer.ui.dialogs import show_error
from viewer.ui.settings import Settings

if TYPE_CHECKING:
    from viewer.ui.main_window import MainWindow

#: (header, match field) of the study table; the Study Instance UID rides on the first cell.
COLUMNS = (
    ("Patient ID", "PatientID"),
    ("Patient name", "PatientName"),
    ("Date", "StudyDate"),
    ("Description", "StudyDescription"),
    ("Modalities", "ModalitiesInStudy"),
    ("Series", "NumberOfStudyRelatedSeries"),
    ("Images", "NumberOfStudyRelatedInstances"),
)
STUDY_UID_ROLE = Qt.ItemDataRole.UserRole
T = TypeVar("T")


class NodePicker(QWidget):
    """Which node (typed, or one used before) and our AE title; remembered when used."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.addItems(settings.pacs_nodes())
        self.combo.setPlaceholderText("AET@HOST:PORT or http(s)://host/dicom-web")
        self.combo.setMinimumWidth(320)
        self.calling = QLineEdit(settings.calling_aet())
        self.calling.setMaxLength(16)
        self.calling.setToolTip("Our AE title (DIMSE); the node may need to know it")
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow("Node:", self.combo)
        layout.addRow("Calling AE title:", self.calling)

    def node(self) -> pacs.Node:
        """The node as typed (PacsError if it is not a node); remembered with our AE title."""
        node = pacs.parse_node(self.combo.currentText())
        aet = pacs.check_aet(self.calling.text(), "calling AE title")
        self._settings.add_pacs_node(str(node))
        self._settings.set_calling_aet(aet)
        return node

    @property
    def calling_aet(self) -> str:
        return self.calling.text()


class PacsWindow(QDialog):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.setWindowTitle("PACS: Query / Retrieve")
        self.picker = NodePicker(window.settings)
        self.echo_button = QPushButton("Echo")
        self.echo_button.clicked.connect(self.echo)
        self.patient_id, self.patient_name, self.modality = QLineEdit(), QLineEdit(), QLineEdit()
        self.patient_name.setPlaceholderText("wildcards * and ?")
        self.modality.setPlaceholderText("e.g. CT")
        self.search_button = QPushButton("Search")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([header for header, _ in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.table.doubleClicked.connect(lambda _index: self.retrieve_selected())
        self.retrieve_button = QPushButton("Retrieve and Open")
        self.retrieve_button.clicked.connect(self.retrieve_selected)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self._build_layout()
        self.resize(860, 480)

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.picker, 1)
        top.addWidget(self.echo_button, 0, Qt.AlignmentFlag.AlignTop)
        query = QHBoxLayout()
        for label, field in (("Patient ID", self.patient_id), ("Name", self.patient_name), ("Modality", self.modality)):
            query.addWidget(QLabel(label + ":"))
            query.addWidget(field)
        query.addWidget(self.search_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.retrieve_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(query)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def echo(self) -> float | None:
        result = self._run("Echo", lambda node, progress: pacs.echo(node, self.picker.calling_aet))
        if result is not None:
            self._say(f"{self.picker.combo.currentText()} answered in {result * 1000:.0f} ms")
        return result

    def search(self) -> list[pacs.Match] | None:
        query = pacs.Query(self.patient_id.text().strip(), self.patient_name.text().strip(), "", self.modality.text())
        matches = self._run("Search", lambda node, progress: pacs.find(node, query, self.picker.calling_aet))
        if matches is None:
            return None
        self.table.setRowCount(len(matches))
        for row, match in enumerate(matches):
            for column, (_header, field) in enumerate(COLUMNS):
                text = match.get(field, "")
                item = QTableWidgetItem(format_date(text) if field == "StudyDate" else text)
                item.setData(STUDY_UID_ROLE, match.get("StudyInstanceUID", ""))
                self.table.setItem(row, column, item)
        limited = " (the first ones; narrow the query)" if len(matches) >= pacs.FIND_LIMIT else ""
        self._say(f"{len(matches)} stud{'y' if len(matches) == 1 else 'ies'} found{limited}")
        return matches

    def selected_studies(self) -> list[str]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [uid for row in rows if (item := self.table.item(row, 0)) and (uid := item.data(STUDY_UID_ROLE))]

    def retrieve_selected(self) -> list[Path]:
        """Retrieve each selected study into its own folder, then open the folders."""
        folders: list[Path] = []
        for uid in self.selected_studies():
            folder = self._window.settings.retrieve_folder() / pacs.uid_file_name(uid)
            result = self._run("Retrieve", partial(self._get, uid=uid, folder=folder))
            if result is None:
                break
            failures = "; ".join(reason for _name, reason in result.failed[:3])
            self._say(f"received {len(result.done)} instance(s) into {folder}" + (f"; {failures}" if failures else ""))
            if result.done:
                folders.append(folder)
        if folders:
            self._window.open_paths(list(folders))
        return folders

    def _get(self, node: pacs.Node, progress: Progress, uid: str, folder: Path) -> pacs.Transfer:
        return pacs.get(node, folder, uid, "", self.picker.calling_aet, progress)

    def _run(self, what: str, call: Callable[[pacs.Node, Progress], T]) -> T | None:
        """`call(node, progress)` off the GUI thread; None (and one line shown) on failure or Cancel."""
        try:
            node = self.picker.node()
            return run_with_progress(self, f"{what}: {node}…", lambda progress: call(node, progress))
        except Cancelled:
            self._say(f"{what} cancelled")
        except ViewerError as exc:
            self._say(str(exc))
            show_error(self, f"PACS {what.lower()}", str(exc))
        return None

    def _say(self, text: str) -> None:
        self.status.setText(text)
