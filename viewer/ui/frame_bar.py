"""Frame slider (with the strip of decoded frames under it), `frame N / M` spin box and
cine play/pause with speed and loop."""

from __future__ import annotations

from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from viewer.model.cine import frame_rate
from viewer.ui.document_view import DocumentView
from viewer.ui.loaded_strip import LoadedStrip

#: While frames change faster than this (ms), the slider and the spin box follow at this
#: pace, and show the last frame when the changes stop: at 200 frames/s painting both
#: took ~0.6 ms of each frame's ~5 ms, and no one reads a frame number at that pace (the
#: image's own annotation shows every frame's).
FOLLOW_MS = 30


class FrameBar(QWidget):
    """Steps through frames of a :class:`DocumentView` (1-based for people)."""

    playing_changed = Signal(bool)

    def __init__(self, view: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        count = view.frame_count
        self.play_button = QToolButton()
        self.play_button.setText("▶")
        self.play_button.setToolTip("Play / pause cine (Space)")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(1, count)
        self.spin = QSpinBox()
        self.spin.setRange(1, count)
        self.spin.setSuffix(f" / {count}")
        self.spin.setPrefix("frame ")
        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.5, 120.0)
        self.fps.setSuffix(" fps")
        self.fps.setValue(frame_rate(view.document.dataset))
        self.loop = QCheckBox("loop")
        self.loop.setChecked(True)
        self.loaded = LoadedStrip(view, self)  # a child from the start: shown alone it was a window
        under = QVBoxLayout()  # the strip spans the frames' positions: the handle's centre range
        inset = self.slider.style().pixelMetric(QStyle.PixelMetric.PM_SliderLength, None, self.slider) // 2
        under.setContentsMargins(0, 0, 0, 0)
        under.setSpacing(0)
        under.addWidget(self.slider)
        strip = QHBoxLayout()
        strip.setContentsMargins(inset, 0, inset, 0)
        strip.addWidget(self.loaded)
        under.addLayout(strip)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.play_button)
        layout.addLayout(under, 1)
        for part in (self.spin, self.fps, self.loop):
            layout.addWidget(part)
        self._controls: tuple[QWidget, ...] = (self.play_button, self.slider, self.spin, self.fps, self.loop)
        if count == 1:
            for control in self._controls:
                control.setEnabled(False)
            layout.insertWidget(1, QLabel("single frame"))

        self.timer = QTimer(self)
        self.timer.timeout.connect(self._advance)
        self.slider.valueChanged.connect(lambda v: view.set_frame(v - 1))
        self.spin.valueChanged.connect(lambda v: view.set_frame(v - 1))
        self.play_button.clicked.connect(self.toggle_play)
        self.fps.valueChanged.connect(self._apply_rate)
        self._shown = QElapsedTimer()  # since the controls last followed a frame change
        self._follow = QTimer(self)
        self._follow.setSingleShot(True)
        self._follow.setTimerType(Qt.TimerType.PreciseTimer)
        self._follow.timeout.connect(lambda: self._frame_changed(self.view.frame))
        view.frame_changed.connect(self._frame_changed)
        view.geometry_changed.connect(self._update_count)
        self._show_frame(view.frame)

    def _update_count(self) -> None:
        """Follow a changed frame count (frames deleted or restored by undo)."""
        count = self.view.frame_count
        for widget in (self.slider, self.spin):
            widget.blockSignals(True)
            widget.setRange(1, count)
            widget.blockSignals(False)
        self.spin.setSuffix(f" / {count}")
        for control in self._controls:
            control.setEnabled(count > 1)
        if count < 2:
            self.set_playing(False)
        self._show_frame(self.view.frame)

    def _frame_changed(self, index: int) -> None:
        waited = self._shown.elapsed() if self._shown.isValid() else FOLLOW_MS
        if waited < FOLLOW_MS:
            if not self._follow.isActive():
                self._follow.start(FOLLOW_MS - waited)
            return
        self._follow.stop()
        self._shown.start()
        self._show_frame(index)

    def _show_frame(self, index: int) -> None:
        for widget in (self.slider, self.spin):
            widget.blockSignals(True)
            widget.setValue(index + 1)
            widget.blockSignals(False)

    @property
    def is_playing(self) -> bool:
        return self.timer.isActive()

    def toggle_play(self) -> None:
        self.set_playing(not self.is_playing)

    def set_playing(self, play: bool) -> None:
        if play == self.is_playing or self.view.frame_count < 2:
            return
        if play:
            self._apply_rate()
            self.timer.start()
            self.view.prefetch()
        else:
            self.timer.stop()
        self.play_button.setText("⏸" if play else "▶")
        self.playing_changed.emit(play)

    def _apply_rate(self) -> None:
        self.timer.setInterval(max(1, int(round(1000.0 / self.fps.value()))))

    def _advance(self) -> None:
        nxt = self.view.frame + 1
        if nxt >= self.view.frame_count:
            if not self.loop.isChecked():
                self.set_playing(False)
                return
            nxt = 0
        self.view.set_frame(nxt)
        self.view.prefetch()

    def step(self, delta: int) -> None:
        self.view.set_frame(self.view.frame + delta)
