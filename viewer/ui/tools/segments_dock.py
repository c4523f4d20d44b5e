"""Segments dock: masks drawn beside the pixels, then saved as a DICOM SEG.

With "Draw into the segment" on, the brush, erase, flood fill (region growing) and the
keep-region tool change the selected segment instead of the pixels; the threshold
dock's range can be added to or removed from it. Every change is a mask step in the
document's one edit history (undo/redo, recipes). Connected-region clean-ups and the
fill of the pixels inside or outside a segment act on the frames the threshold dock's
"Apply to" names.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from viewer.edits.operations import (
    FillHoles,
    FillMask,
    ImportSegments,
    MaskThreshold,
    NewSegment,
    Operation,
    RemoveIslands,
)
from viewer.model.errors import ViewerError
from viewer.model.overlays import SEGMENT_ALPHA
from viewer.ui.document_panel import DocumentPanel
from viewer.ui.tools.base import apply_reporting
from viewer.ui.tools.threshold_tool import ThresholdDock

MaskTarget = tuple[int, bool]  # (1-based segment number, 3D)
#: The types offered for new segments: (category, type) keywords of pydicom's codes.SCT.
SEGMENT_TYPES = {
    "Segment": ("Tissue", "Tissue"),
    "Bone": ("Tissue", "Bone"),
    "Fat": ("Tissue", "AdiposeTissue"),
    "Muscle": ("Tissue", "Muscle"),
    "Organ": ("AnatomicalStructure", "Organ"),
    "Blood vessel": ("AnatomicalStructure", "BloodVessel"),
    "Lesion": ("MorphologicallyAbnormalStructure", "Lesion"),
    "Neoplasm": ("MorphologicallyAbnormalStructure", "Neoplasm"),
    "Cyst": ("MorphologicallyAbnormalStructure", "Cyst"),
}


class SegmentsDock(QDockWidget):
    error_raised = Signal(str)

    def __init__(self, threshold: ThresholdDock, parent: QWidget | None = None) -> None:
        super().__init__("Segments", parent)
        self.setObjectName("SegmentsDock")
        self.threshold = threshold
        self.panel: DocumentPanel | None = None
        self.draw_into = QCheckBox("Draw into the segment (brush, erase, flood fill, keep region)")
        self.three_d = QCheckBox("Connect across frames (3D)")
        self.list = QListWidget()
        self.add_button = QPushButton("New segment")
        self.kind = QComboBox()
        self.kind.addItems(list(SEGMENT_TYPES))
        self.kind.setToolTip("What the next new segment is (its SNOMED CT category and type in the SEG)")
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(round(100 * SEGMENT_ALPHA / 255))
        self.add_range_button = QPushButton("Add threshold range")
        self.remove_range_button = QPushButton("Remove threshold range")
        self.island_size = QSpinBox(minimum=1, maximum=10**9, value=50)
        self.islands_button = QPushButton("Remove islands smaller than")
        self.holes_button = QPushButton("Fill holes")
        self.fill_value = QDoubleSpinBox(minimum=-1e9, maximum=1e9, value=0, decimals=2)
        self.fill_inside_button = QPushButton("Fill pixels inside")
        self.fill_outside_button = QPushButton("Fill pixels outside")
        self.save_button = QPushButton("Save Segments as DICOM SEG…")
        self.import_button = QPushButton("Edit the opened SEG's segments")
        self.import_button.setToolTip("A SEG opened over this image becomes segments to draw in, clean or fill")
        self._build()
        self.add_button.clicked.connect(lambda: self.new_segment())
        self.opacity.valueChanged.connect(self._opacity_changed)
        self.add_range_button.clicked.connect(lambda: self._range("add"))
        self.remove_range_button.clicked.connect(lambda: self._range("remove"))
        self.islands_button.clicked.connect(
            lambda: self._step(RemoveIslands(self.island_size.value(), self.number(), self._frame(), self.is_3d()))
        )
        self.holes_button.clicked.connect(lambda: self._step(FillHoles(self.number(), self._frame())))
        self.fill_inside_button.clicked.connect(lambda: self._fill(inside=True))
        self.fill_outside_button.clicked.connect(lambda: self._fill(inside=False))
        self.save_button.clicked.connect(self._save_dialog)
        self.import_button.clicked.connect(lambda: self.import_opened())

    def _build(self) -> None:
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.draw_into)
        layout.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.kind)
        layout.addLayout(row)
        form = QFormLayout()
        form.addRow("Opacity", self.opacity)
        layout.addLayout(form)
        grid = QGridLayout()
        grid.addWidget(self.add_range_button, 0, 0)
        grid.addWidget(self.remove_range_button, 0, 1)
        grid.addWidget(self.islands_button, 1, 0)
        grid.addWidget(self.island_size, 1, 1)
        grid.addWidget(self.holes_button, 2, 0)
        grid.addWidget(self.three_d, 2, 1)
        grid.addWidget(self.fill_inside_button, 3, 0)
        grid.addWidget(self.fill_outside_button, 3, 1)
        grid.addWidget(QLabel("Fill value"), 4, 0)
        grid.addWidget(self.fill_value, 4, 1)
        layout.addLayout(grid)
        layout.addWidget(self.import_button)
        layout.addWidget(self.save_button)
        self.setWidget(body)

    # -- the document ------------------------------------------------------------------
    def attach(self, panel: DocumentPanel | None) -> None:
        if self.panel is panel:
            return
        if self.panel is not None:
            self.panel.view.edits_changed.disconnect(self.refresh)
        self.panel = panel
        if panel is not None:
            panel.view.edits_changed.connect(self.refresh)
            panel.image_view.set_segment_opacity(self.opacity.value() / 100)
        self.widget().setEnabled(panel is not None and not panel.view.is_color)
        self.refresh()

    def refresh(self) -> None:
        """The list of segments, with their colours and sizes, the selection kept."""
        row = max(self.list.currentRow(), 0)
        self.list.clear()
        self.import_button.setVisible(self.panel is not None and bool(self.panel.document.segment_files))
        if self.panel is None:
            return
        for number, segment in enumerate(self.panel.document.drawn_segments().segments, 1):
            swatch = QPixmap(14, 14)
            swatch.fill(QColor(*segment.colour))
            item = QListWidgetItem(QIcon(swatch), f"{number}  {segment.label}  ({segment.count} px)")
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(min(row, self.list.count() - 1))

    def number(self) -> int:
        """The selected segment (1-based); a first one is made when there is none."""
        if self.panel is not None and not len(self.panel.document.drawn_segments()):
            self.new_segment()
        return max(self.list.currentRow(), 0) + 1

    def is_3d(self) -> bool:
        return self.three_d.isChecked()

    def mask_target(self) -> MaskTarget | None:
        """What the drawing tools write into: None (the pixels) unless drawing into a segment."""
        if not self.draw_into.isChecked() or self.panel is None:
            return None
        return self.number(), self.is_3d()

    def new_segment(self, label: str = "") -> bool:
        """A new segment of the type chosen beside the button (labelled by it unless given)."""
        count = len(self.panel.document.drawn_segments()) if self.panel is not None else 0
        name = self.kind.currentText()
        category, kind = SEGMENT_TYPES[name]
        if not self._step(NewSegment(label or f"{name} {count + 1}", category, kind)):
            return False
        self.list.setCurrentRow(self.list.count() - 1)
        return True

    def import_opened(self) -> bool:
        """The segments of the SEGs opened over this image become segments being drawn
        (one undoable step each); their read-only display is then dropped."""
        if self.panel is None:
            return False
        document = self.panel.document
        for path in list(document.segment_files):
            if not self._step(ImportSegments(str(path))):
                return False
            document.segment_files.remove(path)
        document.segments = []
        self.panel.image_view.refresh()
        self.refresh()
        return True

    # -- steps -------------------------------------------------------------------------
    def _frame(self) -> int | None:
        """1-based frame of "This frame" in the threshold dock, None for all frames."""
        if self.panel is None or self.threshold.scope.currentIndex() == 1:
            return None
        return self.panel.view.frame + 1

    def _range(self, mode: str) -> bool:
        low, high = self.threshold.range()
        return self._step(MaskThreshold(low, high, self.number(), self._frame(), mode))

    def _fill(self, inside: bool) -> bool:
        return self._step(FillMask(self.fill_value.value(), self.number(), inside, self._frame()))

    def _step(self, operation: Operation) -> bool:
        return apply_reporting(self.panel, operation, self.error_raised.emit)

    def _opacity_changed(self, value: int) -> None:
        if self.panel is not None:
            self.panel.image_view.set_segment_opacity(value / 100)

    # -- saving ------------------------------------------------------------------------
    def save_segmentation(self, path: Path) -> int:
        """Every segment as one binary DICOM SEG referencing the file; frames written."""
        from viewer.io.seg import drawn_segments, write_segmentation

        if self.panel is None:
            raise ViewerError("no document is open")
        masks, described = drawn_segments(self.panel.document)
        written = write_segmentation(path, self.panel.document.dataset, masks, "dicom-viewer segments", **described)
        self.panel.mark_segments_saved()
        return written

    def _save_dialog(self) -> None:
        from viewer.ui.dialogs import ask_save_beside

        if self.panel is None:
            return
        path = ask_save_beside(self, self.panel.document.path, "_seg.dcm", "DICOM SEG (*.dcm)")
        if path is None:
            return
        try:
            self.save_segmentation(path)
        except ViewerError as exc:
            self.error_raised.emit(str(exc))
