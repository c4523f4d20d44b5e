"""The central area: 1x1, 1x2, 2x1 or 2x2 viewports, each a tab group of open documents.

One viewport is active (outlined when there are several): menus, docks and tools act on
its current document, and documents opened go into it. Changing the layout keeps every
document open: a larger layout gives each new viewport a document from the viewports
holding several; a smaller one moves the documents of removed viewports into the last
one kept. Series dropped on a viewport (from the series browser or as files) open there.
"""

from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QGridLayout, QTabWidget, QWidget

from viewer.ui.document_panel import DocumentPanel

#: Layout name -> (rows, columns).
LAYOUTS: dict[str, tuple[int, int]] = {"1x1": (1, 1), "1x2": (1, 2), "2x1": (2, 1), "2x2": (2, 2)}
#: Mime type of a series dragged from the series browser (its index there, as text).
SERIES_MIME = "application/x-dicom-viewer-series"


class Viewport(QTabWidget):
    """One viewport: a tab group of documents, showing a hint when it holds none."""

    dropped = Signal(object, object)  # this viewport, the QMimeData dropped on it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabsClosable(True)
        self.setDocumentMode(True)
        self.setAcceptDrops(True)
        self.active = False

    def panels(self) -> list[DocumentPanel]:
        return [w for i in range(self.count()) if isinstance(w := self.widget(i), DocumentPanel)]

    def set_active(self, active: bool, outlined: bool) -> None:
        self.active = active
        self.setStyleSheet("Viewport::pane { border: 2px solid #3d8bfd; }" if active and outlined else "")
        self.update()

    def paintEvent(self, event):  # noqa: N802 (Qt naming)
        super().paintEvent(event)
        if self.count() == 0:
            painter = QPainter(self)
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "Drop a series or file here")

    def dragEnterEvent(self, event):  # noqa: N802 (Qt naming)
        if event.mimeData().hasUrls() or event.mimeData().hasFormat(SERIES_MIME):
            event.acceptProposedAction()

    def dropEvent(self, event):  # noqa: N802 (Qt naming)
        event.acceptProposedAction()
        self.dropped.emit(self, event.mimeData())


class Workspace(QWidget):
    """Viewports in a grid; which one is active; moving documents between them."""

    current_changed = Signal()  # the active viewport or its current document changed
    close_requested = Signal(object)  # a DocumentPanel whose tab's close button was pressed
    dropped = Signal(object)  # QMimeData dropped on the (now active) viewport

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(2)
        self.layout_name = "1x1"
        self.viewports: list[Viewport] = []
        self._active: Viewport = self._add_viewport()
        self._place()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    # -- viewports ------------------------------------------------------------------
    @property
    def active(self) -> Viewport:
        return self._active

    def set_active(self, viewport: Viewport) -> None:
        if viewport is self._active or viewport not in self.viewports:
            return
        self._active = viewport
        self._outline()
        self.current_changed.emit()

    def _outline(self) -> None:
        for v in self.viewports:
            v.set_active(v is self._active, outlined=len(self.viewports) > 1)

    def _add_viewport(self) -> Viewport:
        viewport = Viewport(self)
        viewport.currentChanged.connect(lambda _i, v=viewport: self._on_tab_changed(v))
        viewport.tabCloseRequested.connect(lambda i, v=viewport: self._on_close_requested(v, i))
        viewport.tabBarClicked.connect(lambda _i, v=viewport: self.set_active(v))
        viewport.dropped.connect(self._on_dropped)
        self.viewports.append(viewport)
        return viewport

    def _on_tab_changed(self, viewport: Viewport) -> None:
        if viewport is self._active:
            self.current_changed.emit()

    def _on_close_requested(self, viewport: Viewport, index: int) -> None:
        self.set_active(viewport)
        panel = viewport.widget(index)
        if isinstance(panel, DocumentPanel):
            self.close_requested.emit(panel)

    def _on_dropped(self, viewport: Viewport, mime: QMimeData) -> None:
        self.set_active(viewport)
        self.dropped.emit(mime)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        """A click or a key focus inside a viewport makes it the active one."""
        widget = new
        while widget is not None and not isinstance(widget, Viewport):
            widget = widget.parentWidget()
        if widget is not None:
            self.set_active(widget)

    def viewport_of(self, panel: DocumentPanel) -> Viewport | None:
        return next((v for v in self.viewports if v.indexOf(panel) >= 0), None)

    # -- documents ------------------------------------------------------------------
    def panels(self) -> list[DocumentPanel]:
        """Every open document, viewport by viewport in tab order."""
        return [p for v in self.viewports for p in v.panels()]

    def shown_panels(self) -> list[DocumentPanel]:
        """The document each viewport shows (its current tab), active viewport first."""
        ordered = [self._active] + [v for v in self.viewports if v is not self._active]
        return [w for v in ordered if isinstance(w := v.currentWidget(), DocumentPanel)]

    def current_panel(self) -> DocumentPanel | None:
        widget = self._active.currentWidget()
        return widget if isinstance(widget, DocumentPanel) else None

    def add(self, panel: DocumentPanel, title: str, tooltip: str, current: bool = True) -> None:
        """Add `panel` to the active viewport, as its current document unless told not to."""
        index = self._active.addTab(panel, title)
        self._active.setTabToolTip(index, tooltip)
        if current:
            self._active.setCurrentIndex(index)

    def show_panel(self, panel: DocumentPanel) -> None:
        """Make `panel` current in its viewport and that viewport active."""
        viewport = self.viewport_of(panel)
        if viewport is not None:
            viewport.setCurrentWidget(panel)
            self.set_active(viewport)

    def remove(self, panel: DocumentPanel) -> None:
        viewport = self.viewport_of(panel)
        if viewport is not None:
            viewport.removeTab(viewport.indexOf(panel))

    def set_title(self, panel: DocumentPanel, title: str, tooltip: str) -> None:
        viewport = self.viewport_of(panel)
        if viewport is not None:
            index = viewport.indexOf(panel)
            viewport.setTabText(index, title)
            viewport.setTabToolTip(index, tooltip)

    # -- layouts --------------------------------------------------------------------
    def set_layout(self, name: str) -> None:
        """Switch to layout `name` (a key of LAYOUTS), keeping every document open."""
        rows, columns = LAYOUTS[name]
        wanted = rows * columns
        current = self.current_panel()
        while len(self.viewports) > wanted:  # the removed viewports' documents move to the last kept
            removed = self.viewports.pop()
            keeper = self.viewports[-1]
            for panel in removed.panels():
                self._move(panel, removed, keeper)
            self.grid.removeWidget(removed)
            removed.hide()
            removed.deleteLater()
        while len(self.viewports) < wanted:  # a new viewport takes a document from a crowded one
            viewport = self._add_viewport()
            crowded = max(self.viewports[:-1], key=lambda v: v.count())
            if crowded.count() > 1:
                spare = next(p for p in reversed(crowded.panels()) if p is not crowded.currentWidget())
                self._move(spare, crowded, viewport)
        self.layout_name = name
        self._place()
        holder = self.viewport_of(current) if current is not None else None
        self._active = holder or (self._active if self._active in self.viewports else self.viewports[0])
        self._outline()
        self.current_changed.emit()

    def _move(self, panel: DocumentPanel, source: Viewport, target: Viewport) -> None:
        index = source.indexOf(panel)
        title, tooltip = source.tabText(index), source.tabToolTip(index)
        source.removeTab(index)
        new = target.addTab(panel, title)
        target.setTabToolTip(new, tooltip)

    def _place(self) -> None:
        rows, columns = LAYOUTS[self.layout_name]
        for i, viewport in enumerate(self.viewports):
            self.grid.addWidget(viewport, i // columns, i % columns)
            viewport.show()
        for r in range(2):
            self.grid.setRowStretch(r, 1 if r < rows else 0)
        for c in range(2):
            self.grid.setColumnStretch(c, 1 if c < columns else 0)
