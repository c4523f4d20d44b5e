"""One tab of the main window: image view, histogram and frame bar of a document."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from viewer.edits.operations import Operation
from viewer.edits.session import session
from viewer.model.document import Document
from viewer.ui.document_view import DocumentView
from viewer.ui.frame_bar import FrameBar
from viewer.ui.histogram_panel import HistogramPanel
from viewer.ui.image_view import ImageViewWidget


class DocumentPanel(QWidget):
    """Everything shown for one open document."""

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.view = DocumentView(document, self)
        self.image_view = ImageViewWidget(self.view)
        self.histogram = HistogramPanel(self.view)
        self.frame_bar = FrameBar(self.view)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.image_view, 1)
        top.addWidget(self.histogram)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        effect = (
            "Missing frames cannot be shown."
            if document.transfer_syntax.is_compressed
            else "Missing pixels are shown as 0, marked in magenta."
        )
        self.damage_banner = QLabel(f"Damaged input: {document.source.damage}. {effect}")
        self.damage_banner.setObjectName("DamageBanner")
        self.damage_banner.setWordWrap(True)
        self.damage_banner.setStyleSheet("background: #b3261e; color: white; padding: 4px; font-weight: bold;")
        self.damage_banner.setVisible(bool(document.source.damage))  # stays while the document is open
        layout.addWidget(self.damage_banner)
        layout.addLayout(top, 1)
        layout.addWidget(self.frame_bar)
        self.image_view.zoom_changed.connect(lambda _z: self.image_view.update_annotations())

    history_budget_bytes: int | None = None  # set by the main window from preferences
    _saved_generation = 0  # edits generation at the last save

    @property
    def is_dirty(self) -> bool:
        """True when there are edits not yet saved anywhere."""
        edits = session(self.document)
        return edits is not None and edits.is_edited and edits.generation != self._saved_generation

    _segments_saved_generation = 0  # edits generation when the segments were last saved

    @property
    def has_unsaved_segments(self) -> bool:
        """Segments were drawn and changed since they were last saved as a DICOM SEG."""
        edits = session(self.document)
        return edits is not None and edits.has_segment_work and edits.generation != self._segments_saved_generation

    def mark_segments_saved(self) -> None:
        edits = session(self.document)
        if edits is not None:
            self._segments_saved_generation = edits.generation

    def mark_saved(self) -> None:
        edits = session(self.document)
        if edits is not None:
            self._saved_generation = edits.generation

    def apply(self, operation: Operation) -> None:
        """Apply one edit to this document (raises ViewerError)."""
        self.view.apply(operation, self.history_budget_bytes)

    def start(self) -> None:
        """Decode and show the first frame (after the caller connected error_raised), and
        decode the next few in the background (decode-ahead's MIN_AHEAD), so that the
        first steps through a compressed file wait for nothing."""
        self.view.load_current()
        self.image_view.fit()
        self.view.prefetch(wrap=False)

    saved_as: Path | None = None  # where the edits were last saved (Save As), if anywhere

    @property
    def title(self) -> str:
        """The file the work now lives in: the last Save As target, else the opened file;
        a series opened from a folder by its description and file count (its first file's
        name says little, and several series share names like IM0001)."""
        paths = self.document.frame_paths
        if self.saved_as is None and paths is not None and len(paths) > 1:
            description = str(self.document.dataset.get("SeriesDescription", "") or "").strip()
            return f"{description or paths[0].parent.name} ({len(paths)} files)"
        return (self.saved_as or self.document.path).name

    def close_document(self) -> None:
        self.frame_bar.set_playing(False)
        self.view.close()
