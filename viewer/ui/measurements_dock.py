"""The measurements dock: every shape of the current document with its numbers.

Selecting a row shows its frame and highlights it, with a profile plot (a line) or a
histogram of the values inside (a region); Delete removes it; Export CSV writes the
table; Save as SR writes a TID 1500 Measurement Report (viewer.io.sr).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.model.errors import ViewerError
from viewer.model.measurements import Measurement, measure, region_values
from viewer.model.shapes import Angle, Line
from viewer.ui.document_panel import DocumentPanel

COLUMNS = ("#", "Frame", "Shape", "Result")


class MeasurementsDock(QDockWidget):
    error_raised = Signal(str)
    save_requested = Signal()  # the main window asks where, then calls save_sr

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Measurements", parent)
        self.setObjectName("MeasurementsDock")
        self.panel: DocumentPanel | None = None
        self.rows: list[tuple[int, Measurement | None]] = []  # (shape index, numbers)
        body = QWidget()
        layout = QVBoxLayout(body)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 2)
        buttons = QHBoxLayout()
        self.delete_button = QPushButton("Delete")
        self.csv_button = QPushButton("Export CSV…")
        self.sr_button = QPushButton("Save as SR…")
        for button in (self.delete_button, self.csv_button, self.sr_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        # The plot is made when a first measurement is selected: a PlotWidget is ~30 ms of
        # building the main window, which should appear quickly (and most sessions measure nothing).
        self._plot_widget: pg.PlotWidget | None = None
        self._plot_slot = QWidget()
        self._plot_slot.setMinimumHeight(140)
        self._plot_layout = QVBoxLayout(self._plot_slot)
        self._plot_layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._plot_slot, 1)
        self.setWidget(body)
        self.delete_button.clicked.connect(self.delete_selected)
        self.sr_button.clicked.connect(self.save_requested)

    # -- contents -------------------------------------------------------------------
    def set_panel(self, panel: DocumentPanel | None) -> None:
        self.panel = panel
        self.refresh()

    def refresh(self) -> None:
        """Re-measure every shape of the document as it is now and list them."""
        self.rows = []
        self.table.setRowCount(0)
        self._clear_plot()
        if self.panel is None:
            return
        document = self.panel.document
        for index, frame, shape in document.shapes():
            try:
                result: Measurement | None = measure(document, frame, shape)
                text = result.label() if result is not None else ""
            except ViewerError as exc:
                result, text = None, str(exc)
            self.rows.append((index, result))
            row = self.table.rowCount()
            self.table.insertRow(row)
            for column, value in enumerate((str(index + 1), str(frame + 1), shape.kind, text)):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def measurements(self) -> list[Measurement]:
        return [m for _, m in self.rows if m is not None]

    # -- selection, plots -----------------------------------------------------------
    @property
    def plot(self) -> pg.PlotWidget:
        """The profile / histogram plot (made on first use)."""
        if self._plot_widget is None:
            self._plot_widget = pg.PlotWidget(background="w")
            self._plot_layout.addWidget(self._plot_widget)
        return self._plot_widget

    def _clear_plot(self) -> None:
        if self._plot_widget is not None:
            self._plot_widget.clear()

    def _selected(self) -> None:
        self._clear_plot()
        if self.panel is None:
            return
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self.panel.image_view.shapes.selected = None
            self.panel.image_view.shapes.refresh()
            return
        index, result = self.rows[rows[0].row()]
        self.panel.image_view.shapes.selected = index
        if result is not None:
            if result.frame != self.panel.view.frame:
                self.panel.view.set_frame(result.frame)
            self._show_plot(result)
        self.panel.image_view.shapes.refresh()

    def _show_plot(self, result: Measurement) -> None:
        units = result.units or "value"
        if isinstance(result.shape, Line):
            profile = np.array([np.nan if v is None else v for v in result.values["profile"]], dtype=float)
            self.plot.plot(np.arange(len(profile)), profile, pen=pg.mkPen((20, 90, 200), width=2))
            self.plot.setLabel("bottom", "distance (pixels)")
            self.plot.setLabel("left", units)
            return
        document = self.panel.document if self.panel is not None else None
        if document is None or isinstance(result.shape, Angle):  # an angle has nothing to plot
            return
        inside = region_values(document, result.frame, result.shape)
        counts, edges = np.histogram(inside, bins=min(64, max(1, len(np.unique(inside)))))
        self.plot.plot(edges, counts, stepMode="center", fillLevel=0, brush=(20, 90, 200, 120))
        self.plot.setLabel("bottom", units)
        self.plot.setLabel("left", "pixels")

    def delete_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if self.panel is None or not rows:
            return
        index, _ = self.rows[rows[0].row()]
        self.panel.document.measurements.remove(index)
        self.panel.image_view.shapes.selected = None
        self.panel.image_view.shapes.refresh()
        self.refresh()

    # -- export ---------------------------------------------------------------------
    def export_csv(self, path: Path) -> None:
        """One row per shape: the keys of `measure --json` (profiles as ';'-joined values)."""
        rows = [m.as_json() for m in self.measurements()]
        keys = ["shape", "frame", "pixels", "mean", "std", "min", "max", "area_mm2", "length_px", "length_mm"]
        keys += ["units", "spacing_source", "points"]
        with path.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                row["points"] = ";".join(f"{x:g} {y:g}" for x, y in row["points"])
                writer.writerow(row)

    def save_sr(self, path: Path) -> None:
        from viewer.io.sr import write_measurement_report

        if self.panel is None:
            raise ViewerError("no document is open")
        if self.panel.document.is_edited:
            raise ViewerError("the image is edited: save it first, so the report refers to the saved image")
        write_measurement_report(path, self.panel.document.dataset, self.measurements())
