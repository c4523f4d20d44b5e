"""Threshold tool: a modality-value range shown live as a coloured overlay, then applied.

The range is edited with two spin boxes or a region dragged on the histogram; the
overlay and the inside count follow live on the current frame. Fill inside, fill
outside (with a value) or binarize apply to this frame or all frames. "Set every pixel
below 300 to 0" is: low 300, Fill outside. Otsu, triangle and 1-99 % fill the range from
the frames an apply would touch; Save as Segmentation writes the range as a DICOM SEG.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from viewer.edits.operations import Binarize, FillInside, FillOutside, Operation
from viewer.edits.threshold import count_inside, modality_extremes, threshold_mask
from viewer.model.errors import ViewerError
from viewer.model.masks import otsu, percentile_range, triangle
from viewer.ui.document_panel import DocumentPanel
from viewer.ui.tools.base import apply_reporting

OVERLAY_RGBA = (255, 40, 40, 110)
AUTO = {"otsu": "Otsu", "triangle": "Triangle", "percentile": "1–99 %"}
_LIMIT = 1e12


def _spin(decimals: int = 2) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(-_LIMIT, _LIMIT)
    spin.setDecimals(decimals)
    spin.setKeyboardTracking(True)  # the preview follows while typing
    return spin


class ThresholdDock(QDockWidget):
    """Dock with the range, the live count and the apply buttons."""

    error_raised = Signal(str)
    range_shown = Signal(object)  # (low, high) while the preview is on, None when it goes

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Threshold", parent)
        self.setObjectName("ThresholdDock")
        self.panel: DocumentPanel | None = None
        self.region: pg.LinearRegionItem | None = None
        self._range_pending = False
        self._integer_values: bool | None = None  # the attached document's values are whole numbers
        self._default_range: tuple[float, float] | None = None
        self.low, self.high, self.value = _spin(), _spin(), _spin()
        self.scope = QComboBox()
        self.scope.addItems(["This frame", "All frames"])
        self.count_label = QLabel("")
        self.fill_inside_button = QPushButton("Fill inside")
        self.fill_outside_button = QPushButton("Fill outside")
        self.binarize_button = QPushButton("Binarize")
        self.auto_buttons = {name: QPushButton(text) for name, text in AUTO.items()}
        self.segment_button = QPushButton("Save as Segmentation…")
        self.segment_button.setToolTip("A DICOM SEG of the range over the frames chosen in 'Apply to'")
        body = QWidget()
        form = QFormLayout()
        form.addRow("Low", self.low)
        form.addRow("High", self.high)
        form.addRow("Inside", self.count_label)
        form.addRow("Fill value", self.value)
        form.addRow("Apply to", self.scope)
        buttons = QHBoxLayout()
        for button in (self.fill_inside_button, self.fill_outside_button, self.binarize_button):
            buttons.addWidget(button)
        automatic = QHBoxLayout()
        automatic.addWidget(QLabel("Auto:"))
        for button in self.auto_buttons.values():
            automatic.addWidget(button)
        layout = QVBoxLayout(body)
        layout.addLayout(automatic)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.segment_button)
        layout.addStretch(1)
        self.setWidget(body)
        for spin in (self.low, self.high):
            spin.valueChanged.connect(lambda _v: self._range_edited(count_all=False))  # each keystroke
            spin.editingFinished.connect(self._range_edited)  # then the count over every frame
        self.fill_inside_button.clicked.connect(lambda: self._apply(FillInside))
        self.fill_outside_button.clicked.connect(lambda: self._apply(FillOutside))
        self.binarize_button.clicked.connect(lambda: self._apply(Binarize))
        self.segment_button.clicked.connect(self._segment_dialog)
        for name, button in self.auto_buttons.items():
            button.clicked.connect(lambda _c=False, n=name: self.auto_range(n))
        self.scope.currentIndexChanged.connect(lambda _i: self._scope_changed())
        self.visibilityChanged.connect(lambda visible: self._show_overlay() if visible else self._hide_overlay())

    # -- binding to a document panel --------------------------------------------------
    def attach(self, panel: DocumentPanel | None) -> None:
        """Follow `panel` (the current tab); None detaches."""
        if self.panel is panel:
            return
        self._hide_overlay()
        if self.panel is not None and self.region is not None:  # a region means it was followed
            self.panel.view.image_changed.disconnect(self._show_overlay)
            self.panel.histogram.remove_range_item(self.region)
        self.panel = panel
        self.region = None
        enabled = panel is not None and not panel.view.is_color
        self.widget().setEnabled(enabled)
        if panel is None or not enabled:
            self.count_label.setText("grayscale images only" if panel is not None else "")
            return
        self.region = pg.LinearRegionItem(values=(0.0, 1.0), orientation="horizontal", brush=(255, 40, 40, 50))
        self.region.setZValue(2000)  # above the window levels of HistogramLUTItem (1000)
        panel.histogram.add_range_item(self.region)
        self.region.sigRegionChanged.connect(self._region_dragged)
        self.region.sigRegionChangeFinished.connect(lambda _r: self._show_overlay())
        panel.view.image_changed.connect(self._show_overlay)
        self._integer_values = None
        self._range_pending = True
        self._show_overlay()

    def _target_frames(self) -> list[int]:
        """0-based frames an apply would touch: the current one, or all of them."""
        if self.panel is None:
            return []
        if self.scope.currentIndex() == 1:
            return list(range(self.panel.view.frame_count))
        return [self.panel.view.frame]

    def _initial_range(self) -> None:
        """Start from the full range of the frames a fill would touch, once their pixels are
        there (for all frames, the brightest pixel of any frame, not of the one shown)."""
        if self.panel is None or self.panel.view.stored_frame() is None:
            return
        self._range_pending = False
        try:
            self._default_range = modality_extremes(self.panel.document, self._target_frames())
        except ViewerError as exc:
            self.error_raised.emit(str(exc))
            return
        self.set_range(*self._default_range)

    def _scope_changed(self) -> None:
        """A range still at its default follows the new scope; one the person set stays."""
        default = self._default_range
        if self.panel is not None and default is not None and np.allclose(self.range(), default, atol=0.01):
            self._range_pending = True
        self._show_overlay()

    def set_range(self, low: float, high: float, count_all: bool = True) -> None:
        """Set the range (modality units) in every control and refresh the overlay."""
        for spin, value in ((self.low, low), (self.high, high)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        if self.region is not None:
            self.region.blockSignals(True)
            self.region.setRegion((low, high))
            self.region.blockSignals(False)
        self._show_overlay(count_all=count_all)

    def range(self) -> tuple[float, float]:
        return self.low.value(), self.high.value()

    def _range_edited(self, count_all: bool = True) -> None:
        self.set_range(*self.range(), count_all=count_all)

    def _region_dragged(self) -> None:
        if self.region is None:
            return
        low, high = self.region.getRegion()
        if self._integer_values is None and self.panel is not None:
            self._integer_values = self.panel.view.integer_values()  # once the frame is there
        if self._integer_values:  # whole numbers on integer data (HU), as typed
            low, high = float(round(low)), float(round(high))
        for spin, value in ((self.low, low), (self.high, high)):
            spin.blockSignals(True)
            spin.setValue(float(value))
            spin.blockSignals(False)
        self._show_overlay(count_all=False)

    # -- overlay ----------------------------------------------------------------------
    def inside_mask(self) -> np.ndarray | None:
        """Pixels of the current frame whose modality value is inside the range."""
        if self.panel is None or self.panel.view.is_color:
            return None
        stored = self.panel.view.stored_frame()
        if stored is None:
            return None
        low, high = self.range()
        return threshold_mask(stored, low, high, self.panel.view.modality())

    def _show_overlay(self, count_all: bool = True) -> None:
        """The overlay on the shown frame, and the inside count over the frames a fill will
        touch (while the region is being dragged, only the shown frame's: decoding every
        frame on every mouse move would stall the drag; the full count follows on release)."""
        if self.panel is not None and self._range_pending:
            self._initial_range()
        if self.region is not None:
            self.region.setVisible(self.isVisible())  # the range shows in the histogram only while open
        if self.panel is None or not self.isVisible():
            return
        mask = self.inside_mask()
        if mask is None:
            return
        overlay = np.zeros((*mask.shape, 4), dtype=np.uint8)
        overlay[mask] = OVERLAY_RGBA
        self.panel.image_view.set_overlay(overlay)
        self.range_shown.emit(self.range())  # e.g. the volume planes preview it too
        frames = self._target_frames()
        if len(frames) > 1 and count_all:  # the count covers what the fill will touch
            inside, total = count_inside(self.panel.document, frames, *self.range())
            where = f" in {len(frames)} frames"
        else:
            inside, total = int(mask.sum()), mask.size
            where = " in this frame (all frames on release)" if len(frames) > 1 else ""
        self.count_label.setText(f"{inside} pixels ({100.0 * inside / max(total, 1):.1f}%){where}")

    def _hide_overlay(self) -> None:
        if self.region is not None:
            self.region.setVisible(False)
        if self.panel is not None:
            self.panel.image_view.set_overlay(None)
        self.range_shown.emit(None)

    # -- automatic ranges and segmentations -----------------------------------------
    def target_values(self) -> np.ndarray:
        """Modality values of every frame an apply would touch (what an automatic range sees)."""
        if self.panel is None:
            return np.zeros(0)
        document = self.panel.document
        return np.concatenate(
            [document.modality(i).apply(document.get_frame(i)).ravel() for i in self._target_frames()]
        )

    def auto_range(self, name: str) -> None:
        """Fill Low/High from Otsu, triangle (the part above the threshold) or the 1-99 %
        percentiles of the frames an apply would touch; the person still confirms."""
        try:
            values = self.target_values()
            if name == "percentile":
                self.set_range(*percentile_range(values, 1, 99))
                return
            level = otsu(values) if name == "otsu" else triangle(values)
            self.set_range(float(np.nextafter(level, np.inf)), float(values.max()))  # above the threshold
        except ViewerError as exc:
            self.error_raised.emit(str(exc))

    def save_segmentation(self, path: Path, label: str = "Threshold") -> int:
        """Write the range over the frames of 'Apply to' as a DICOM SEG; frames written."""
        from viewer.io.seg import threshold_mask as mask_of
        from viewer.io.seg import write_segmentation

        if self.panel is None:
            raise ViewerError("no document is open")
        if self.panel.document.is_edited:
            raise ViewerError("the pixels are edited: a segmentation refers to the file; save the edits first")
        low, high = self.range()
        mask = mask_of(self.panel.document, low, high, self._target_frames())
        return write_segmentation(path, self.panel.document.dataset, [(label, mask)], f"{low:g} <= value <= {high:g}")

    def _segment_dialog(self) -> None:
        from viewer.ui.dialogs import ask_save_beside

        if self.panel is None:
            return
        path = ask_save_beside(self, self.panel.document.path, "_seg.dcm", "DICOM SEG (*.dcm)")
        if path is None:
            return
        try:
            frames = self.save_segmentation(path)
        except ViewerError as exc:
            self.error_raised.emit(str(exc))
            return
        self.count_label.setText(f"saved {path.name} ({frames} frame(s))")

    # -- applying ---------------------------------------------------------------------
    def _apply(self, kind: type[Operation]) -> None:
        if self.panel is None:
            return
        low, high = self.range()
        frame = None if self.scope.currentIndex() == 1 else self.panel.view.frame + 1
        if kind is Binarize:
            operation: Operation = Binarize(low, high, frame=frame)
        else:
            operation = kind(low, high, self.value.value(), frame=frame)  # type: ignore[call-arg]  # every kind here has a frame field
        if apply_reporting(self.panel, operation, self.error_raised.emit):
            self._show_overlay()
