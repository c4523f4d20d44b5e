"""View > Volume Planes: a series' axial, coronal and sagittal planes side by side, linked by
a crosshair (a click in one plane moves the other two there; the wheel steps through a
plane), drawn through the document's window as it changes, orientation letters on each
edge and a scale bar in mm. The planes come from viewer.model.volume (square pixels,
display orientation as DESIGN.md states); thin, or thick-slab MIP / MinIP / average.

The original is the document in the main window: moving the crosshair shows the acquired
slice it is in there, and scrolling the document moves the crosshair. While the threshold
dock is open on the series, its range is previewed in every plane. Edits to the document
rebuild the volume (never a stale plane). Crop Box draws a box in the planes; Crop to Box
crops the document to it (a crop of each slice and the slices it spans). Shift+wheel turns
a plane's crosshair: the other two planes turn with its lines (oblique, sampled linearly,
viewer.model.oblique; slabs stay on unturned planes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QMainWindow, QToolBar

from viewer.model.display import Window, apply_window, minmax_window
from viewer.model.oblique import ObliqueView, markers, oblique_plane, trace_angle
from viewer.model.volume import PLANE_AXES, PLANES, Volume, plane
from viewer.ui.document_view import DocumentView
from viewer.ui.mpr_original import OriginalView
from viewer.ui.mpr_plane_view import PlaneView
from viewer.ui.tools.threshold_tool import OVERLAY_RGBA

#: The slab choices of the toolbar: (label, mode; None for a thin plane).
SLABS = (("Thin plane", None), ("MIP", "mip"), ("MinIP", "minip"), ("Average", "mean"))


class MprWindow(QMainWindow):
    """Three linked planes of one volume."""

    closed = Signal()
    point_moved = Signal(object)  # the crosshair's voxel [x, y, z]
    crop_requested = Signal(object)  # a box: ((x0, x1), (y0, y1), (z0, z1)) voxels, inclusive

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        self.closed.emit()
        super().closeEvent(event)

    def __init__(self, volume: Volume, window: Window | None, title: str, original: DocumentView | None = None) -> None:
        super().__init__()
        self.setWindowTitle(f"{title} — volume planes")
        self.volume = volume
        self.stale = ""  # why the edited series is no longer a volume ("" while it is one)
        self.voi = window or minmax_window(volume.values[::4, ::4, ::4])
        x, y, z = volume.values.shape
        self.point = [x // 2, y // 2, z // 2]  # voxel (x, y, z) the crosshair points at
        self.threshold: tuple[float, float] | None = None  # modality range previewed in red
        self.slab_mode: str | None = None  # None: thin planes; else a mode of SLAB_MODES
        self.turned: str | None = None  # the plane whose crosshair is rotated (None: none)
        self.degrees = 0.0
        self._oblique: dict[str, ObliqueView] = {}  # the planes drawn turned, as last drawn
        self.box = [[0, n - 1] for n in volume.values.shape]  # the crop box, voxels (inclusive)
        self.masks: list[tuple[tuple[int, int, int], Volume]] = []  # segments drawn: colour, voxels
        self.target = {name: self._target(name) for name in PLANES}
        layout = pg.GraphicsLayoutWidget()
        self.views = {name: PlaneView(self, name) for name in PLANES}
        self.original = None if original is None else OriginalView(self, original)
        cells: list[tuple[str, Any]] = [(name.capitalize(), self.views[name]) for name in PLANES]
        if self.original is not None:  # 2 x 2: the original, then the three planes
            cells.insert(0, ("Original", self.original))
        columns = 2 if self.original is not None else 3
        for i, (label, item) in enumerate(cells):
            layout.addLabel(label, row=2 * (i // columns), col=i % columns)
            layout.addItem(item, row=2 * (i // columns) + 1, col=i % columns)
        self.setCentralWidget(layout)
        self._build_toolbar()
        self.redraw()
        if self.original is not None:
            self.original.aspect = self._original_aspect()
            self.original.refresh()

    def _build_toolbar(self) -> None:
        bar = QToolBar("Slab", self)
        bar.setObjectName("MprSlab")
        self.slab_choice = QComboBox()
        for label, mode in SLABS:
            self.slab_choice.addItem(label, mode)
        self.slab_mm = QDoubleSpinBox(minimum=0.1, maximum=500.0, value=10.0, decimals=1, suffix=" mm")
        self.slab_mm.setEnabled(False)
        self.slab_choice.currentIndexChanged.connect(lambda _i: self.set_slab(self.slab_choice.currentData()))
        self.slab_mm.valueChanged.connect(lambda _v: self.redraw())
        bar.addWidget(QLabel("Slab "))
        bar.addWidget(self.slab_choice)
        bar.addWidget(self.slab_mm)
        bar.addSeparator()
        self.box_action = bar.addAction("Crop Box")
        self.box_action.setCheckable(True)
        self.box_action.setToolTip("Draw a box in the planes (each shows two of its sides)")
        self.box_action.toggled.connect(self.show_box)
        self.crop_action = bar.addAction("Crop to Box")
        self.crop_action.setToolTip("Crop every slice to the box and keep only the slices it spans (undoable)")
        self.crop_action.setEnabled(False)
        self.crop_action.triggered.connect(lambda: self.crop_requested.emit(tuple(map(tuple, self.box))))
        self.addToolBar(bar)

    # -- the crop box ----------------------------------------------------------------------
    def show_box(self, on: bool) -> None:
        for view in self.views.values():
            view.box.setVisible(on)
        self.crop_action.setEnabled(on)
        self._place_box()

    def _span(self, name: str, axis: int) -> tuple[float, float]:
        """Display extent of the box's range along voxel `axis` in plane `name`."""
        step = self.volume.spacing[axis] / self.target[name]
        ends = [self._to_display(name, axis, v) for v in self.box[axis]]
        return min(ends), max(ends) + step

    def _place_box(self) -> None:
        for name, view in self.views.items():
            _, row_axis, column_axis = PLANE_AXES[name]
            (top, bottom), (left, right) = self._span(name, row_axis), self._span(name, column_axis)
            view.box.blockSignals(True)
            view.box.setPos((left, top))
            view.box.setSize((right - left, bottom - top))
            view.box.blockSignals(False)

    def box_drawn(self, name: str) -> None:
        """The box was moved or resized in plane `name`: its two sides there change."""
        roi = self.views[name].box
        (left, top), (width, height) = roi.pos(), roi.size()
        _, row_axis, column_axis = PLANE_AXES[name]
        for axis, low, high in ((row_axis, top, top + height), (column_axis, left, left + width)):
            step = self.volume.spacing[axis] / self.target[name]
            ends = sorted((self._to_voxel(name, axis, low), self._to_voxel(name, axis, high - step)))
            self.box[axis] = ends
        self._place_box()

    def set_slab(self, mode: str | None, thickness_mm: float | None = None) -> None:
        """Thin planes (None) or a thick-slab projection (mip, minip, mean) of `thickness_mm`."""
        self.slab_mode = mode
        if thickness_mm is not None:
            self.slab_mm.setValue(thickness_mm)
        self.slab_choice.setCurrentIndex(next(i for i, (_l, m) in enumerate(SLABS) if m == mode))
        self.slab_mm.setEnabled(mode is not None)
        self.redraw()

    def set_volume(self, volume: Volume | None, reason: str = "") -> None:
        """A rebuilt volume (after an edit); None with the reason when the edited series no
        longer forms one: the planes are cleared rather than left showing old pixels."""
        if volume is None:
            for view in self.views.values():
                view.image.clear()
                view.preview.clear()
            self.stale = reason
            self.statusBar().showMessage(f"The edited series is not a volume any more: {reason}")
            return
        self.volume, self.stale = volume, ""
        if self.original is not None:
            self.original.aspect = self._original_aspect()
        self.target = {name: self._target(name) for name in PLANES}
        self.box = [[0, n - 1] for n in volume.values.shape]
        self._place_box()
        self.statusBar().clearMessage()
        self.set_point(*self.point)

    # -- display pixels <-> voxels (planes are resampled to square pixels) --------------
    def _target(self, name: str) -> float:
        """The square pixel of plane `name` in mm (the smaller of its two spacings)."""
        return min(self.volume.plane_spacing(name))

    def _to_display(self, name: str, axis: int, voxel: float) -> float:
        step = self.volume.spacing[axis] / self.target[name]
        if axis == 2 and name != "axial":  # rows run head -> feet: z counted from the top
            voxel = self.volume.values.shape[2] - 1 - voxel
        return voxel * step

    def _to_voxel(self, name: str, axis: int, display: float) -> int:
        voxel = display * self.target[name] / self.volume.spacing[axis]
        if axis == 2 and name != "axial":
            voxel = self.volume.values.shape[2] - 1 - voxel
        return int(np.clip(round(voxel), 0, self.volume.values.shape[axis] - 1))

    # -- gestures ------------------------------------------------------------------------
    def _voxel_at(self, name: str, row: float, column: float, along_normal: float = 0.0) -> list[float]:
        """Voxel (x, y, z) at display (row, column) of oblique plane `name`, moved
        `along_normal` mm off the plane."""
        view = self._oblique[name]
        point = view.point_of(row - 0.5, column - 0.5)
        point = point + along_normal * np.cross(view.column_direction, view.row_direction)
        return list(point / np.array(self.volume.spacing))

    def click(self, name: str, row: float, column: float) -> None:
        """Move the crosshair to (row, column) of plane `name`; the other planes follow."""
        if name in self._oblique:
            self.set_point(*(round(v) for v in self._voxel_at(name, row, column)))
            return
        _, row_axis, column_axis = PLANE_AXES[name]
        point = list(self.point)
        point[row_axis] = self._to_voxel(name, row_axis, row)
        point[column_axis] = self._to_voxel(name, column_axis, column)
        self.set_point(*point)

    def step(self, name: str, delta: int) -> None:
        """Move plane `name` by `delta` voxels along its normal (an oblique plane by
        `delta` times the largest spacing)."""
        if name in self._oblique:
            row, column = self._oblique[name].pixel_of(np.array(self.point) * np.array(self.volume.spacing))
            mm = delta * max(self.volume.spacing)
            self.set_point(*(round(v) for v in self._voxel_at(name, row + 0.5, column + 0.5, mm)))
            return
        point = list(self.point)
        normal = PLANE_AXES[name][0]
        point[normal] += delta
        self.set_point(*point)

    def set_point(self, x: int, y: int, z: int) -> None:
        if self.stale:
            return
        shape = self.volume.values.shape
        point = [int(np.clip(v, 0, shape[i] - 1)) for i, v in enumerate((x, y, z))]
        moved = point != self.point
        self.point = point
        self.redraw()
        if moved:
            self.point_moved.emit(list(point))

    def show_frame(self, frame: int) -> None:
        """The document scrolled to `frame`: the crosshair goes to that acquired slice."""
        index = None if self.stale else self.volume.index_of_frame(frame)
        if index is not None and index != self.point[self.volume.slice_axis]:
            point = list(self.point)
            point[self.volume.slice_axis] = index
            self.set_point(*point)

    def rotate(self, name: str, degrees: float) -> None:
        """Turn plane `name`'s crosshair by `degrees` (Shift+wheel): the other two planes
        become oblique, turned about its normal. Turning another plane starts again there."""
        if self.turned != name:
            self.turned, self.degrees = name, 0.0
        self.degrees = (self.degrees + degrees + 180.0) % 360.0 - 180.0
        if abs(self.degrees) < 1e-9:
            self.turned = None
        self.redraw()

    # -- the original ---------------------------------------------------------------------
    def _original_aspect(self) -> float:
        (_, _), (row_axis, _), (column_axis, _) = self.volume.acquired_axes
        return self.volume.spacing[row_axis] / self.volume.spacing[column_axis]

    def _acquired(self, axis_sign: tuple[int, int], index: float) -> int:
        """A voxel index along a patient axis <-> a row or column of the acquired frame."""
        size = self.volume.values.shape[axis_sign[0]]
        return self.volume.acquired_index(axis_sign, int(np.clip(int(index), 0, size - 1)))

    def place_original_crosshair(self) -> None:
        """The crosshair in the original: the point's row and column of the acquired frame."""
        if self.original is not None and not self.stale:
            _, rows, columns = self.volume.acquired_axes
            self.original.set_crosshair(
                self._acquired(rows, self.point[rows[0]]), self._acquired(columns, self.point[columns[0]])
            )

    def click_original(self, row: float, column: float) -> None:
        """A click at (row, column) of the acquired frame moves the crosshair there."""
        if self.stale:
            return
        _, rows, columns = self.volume.acquired_axes
        point = list(self.point)
        point[rows[0]] = self._acquired(rows, row)
        point[columns[0]] = self._acquired(columns, column)
        self.set_point(*point)

    def step_original(self, delta: int) -> None:
        """The wheel over the original: to the next or previous acquired slice."""
        if not self.stale:
            point = list(self.point)
            point[self.volume.slice_axis] += delta
            self.set_point(*point)

    def set_window(self, window: Window | None) -> None:
        """Draw through `window` (the document's, as it changes)."""
        if window is not None and window != self.voi:
            self.voi = window
            self.redraw()

    def set_masks(self, masks: list[tuple[tuple[int, int, int], Volume]]) -> None:
        """The document's drawn segments (colour, voxels laid out as the volume) to show."""
        self.masks = masks
        self.redraw()

    def _segments_rgba(self, name: str, shape: tuple[int, ...]) -> np.ndarray | None:
        """The segments cut by plane `name` (thin, or turned), in their colours."""
        if not self.masks:
            return None
        rgba = np.zeros((*shape[:2], 4), dtype=np.uint8)
        for colour, mask in self.masks:
            if name in self._oblique:
                cut = oblique_plane(mask, name, self.turned or name, self.degrees, self.point).values
            else:
                cut = plane(mask, name, self.point[PLANE_AXES[name][0]], np.float32)
            rgba[cut > 0.5] = (*colour, 110)
        return rgba

    def set_threshold(self, threshold: tuple[float, float] | None) -> None:
        """Preview the modality range [low, high] in every plane (None: no preview)."""
        if threshold != self.threshold:
            self.threshold = threshold
            self.redraw()
            if self.original is not None:
                self.original.refresh()

    # -- drawing -------------------------------------------------------------------------
    def values(self, name: str) -> np.ndarray:
        """Modality values of plane `name` through the crosshair (square pixels), or of the
        slab around it."""
        index = self.point[PLANE_AXES[name][0]]
        slab = self.slab_mm.value() if self.slab_mode is not None else 0.0
        return plane(self.volume, name, index, np.float32, slab, self.slab_mode or "mip")

    def redraw(self) -> None:
        """Every plane through the crosshair: 8-bit gray through the window, the previewed
        range over it, the crosshair lines."""
        if self.stale:
            return
        self._oblique = {}
        for name, view in self.views.items():
            values: Any
            if self.turned is not None and name != self.turned:  # turned with the crosshair
                self._oblique[name] = oblique_plane(self.volume, name, self.turned, self.degrees, self.point)
                values = self._oblique[name].values
            else:
                values = self.values(name)
            shown = apply_window(values, self.voi)
            if name in self._oblique:
                shown = np.nan_to_num(shown, nan=0.0)  # outside the volume: black
            gray = np.clip(np.rint(shown), 0, 255).astype(np.uint8)
            view.image.setImage(gray, autoLevels=False, levels=(0, 255))
            rows, columns = gray.shape
            view.place_markers(rows, columns, markers(self._oblique[name]) if name in self._oblique else None)
            view.place_scale(rows, columns, self.target[name])
            view.box.setVisible(self.box_action.isChecked() and name not in self._oblique)
            segments = self._segments_rgba(name, gray.shape)
            if segments is None:
                view.segments.clear()
            else:
                view.segments.setImage(segments, autoLevels=False)
            if self.threshold is None:
                view.preview.clear()
            else:
                rgba = np.zeros((*values.shape, 4), dtype=np.uint8)
                rgba[(values >= self.threshold[0]) & (values <= self.threshold[1])] = OVERLAY_RGBA
                view.preview.setImage(rgba, autoLevels=False)
            self._place_crosshair(name)
        self.place_original_crosshair()
        if self.turned is not None and self.slab_mode is not None:
            self.statusBar().showMessage("Slabs show on the plane that is not turned", 4000)

    def _place_crosshair(self, name: str) -> None:
        """The crosshair lines of plane `name`: turned with it, or where the point is."""
        view = self.views[name]
        if name in self._oblique:
            row, column = self._oblique[name].pixel_of(np.array(self.point) * np.array(self.volume.spacing))
            view.horizontal.setPos(QPointF(0, row + 0.5))
            view.vertical.setPos(QPointF(column + 0.5, 0))
            view.horizontal.setAngle(0)
            view.vertical.setAngle(90)
            return
        _, row_axis, column_axis = PLANE_AXES[name]
        centre = QPointF(
            self._to_display(name, column_axis, self.point[column_axis]) + 0.5,
            self._to_display(name, row_axis, self.point[row_axis]) + 0.5,
        )
        across = next(p for p in PLANES if PLANE_AXES[p][0] == row_axis)  # drawn horizontal unturned
        other = next(p for p in PLANES if p not in (name, across))
        turned = name == self.turned
        view.horizontal.setAngle(trace_angle(name, self.degrees, across) if turned else 0)
        view.vertical.setAngle(trace_angle(name, self.degrees, other) if turned else 90)
        view.horizontal.setPos(centre)
        view.vertical.setPos(centre)

    def crosshair(self, name: str) -> QPointF:
        """Where the crosshair is drawn in plane `name` (column, row), for tests."""
        view = self.views[name]
        return QPointF(view.vertical.value(), view.horizontal.value())
