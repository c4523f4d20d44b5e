"""Tag browser dock: the dataset as a tree, searchable, following the current frame.

Sequence items are filled in when expanded, so a 1000-item Per-Frame Functional
Groups Sequence costs nothing until someone opens it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.model.pixels import PIXEL_DATA_TAGS

MAX_VALUE_CHARS = 200
MAX_SEARCH_RESULTS = 2000
_PLACEHOLDER = "…"


def _tag_text(element: DataElement) -> str:
    return f"({element.tag.group:04X},{element.tag.element:04X})"


def _value_text(element: DataElement) -> str:
    if element.VR == "SQ":
        return f"{len(element.value)} item(s)"
    if element.tag in PIXEL_DATA_TAGS:
        return "<pixel data>"  # never read into the browser
    try:
        value = element.value
    except Exception as exc:  # a deferred or malformed value must not break the browser
        return f"<unreadable: {exc}>"
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def _element_item(element: DataElement) -> QTreeWidgetItem:
    item = QTreeWidgetItem([_tag_text(element), element.name, element.VR, _value_text(element)])
    if element.VR == "SQ" and element.value:
        item.setData(0, Qt.ItemDataRole.UserRole, element)
        item.addChild(QTreeWidgetItem([_PLACEHOLDER]))
    return item


def _walk(ds: Dataset, path: str = "") -> Iterator[tuple[str, DataElement]]:
    for element in ds:
        yield path, element
        if element.VR == "SQ":
            for i, child in enumerate(element.value):
                yield from _walk(child, f"{path}{element.keyword or _tag_text(element)}[{i + 1}] > ")


def matches(element: DataElement, query: str) -> bool:
    """True if `query` appears in the element's keyword, name or tag (any spelling)."""
    q = query.strip().lower().replace(" ", "")
    if not q:
        return True
    tag = f"{element.tag.group:04x}{element.tag.element:04x}"
    candidates = (element.keyword.lower(), element.name.lower().replace(" ", ""), tag)
    return any(q.replace("(", "").replace(")", "").replace(",", "") in c for c in candidates)


class TagBrowserDock(QDockWidget):
    """A dock listing every element; a search box filters by keyword or tag. Hidden (as it
    starts), it lists nothing and builds its list when shown: switching tabs and moving
    through frames do not pay for a list no one sees."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Tags", parent)
        self.setObjectName("TagBrowserDock")
        body = QWidget()
        self.search = QLineEdit(placeholderText="Search keyword or tag, e.g. Rows or 0028,0010")
        self.search.setClearButtonEnabled(True)
        self.pending = QCheckBox("As a save would write them (edits applied, changes in bold)")
        self.pending.toggled.connect(lambda _on: self.refresh_pending())
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Tag", "Name", "VR", "Value"])
        self.tree.setColumnWidth(0, 100)
        self.tree.setColumnWidth(1, 200)
        self.tree.setColumnWidth(2, 40)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.search)
        layout.addWidget(self.pending)
        layout.addWidget(self.tree)
        self.setWidget(body)
        self.dataset: Dataset | None = None
        self.document: Any = None  # the current tab's document (for the pending view)
        self.changed: dict[str, str] = {}  # top-level keyword -> "old -> new" of a pending save
        self.frame = 0
        self._stale = False  # what it shows changed while it was hidden
        self.search.textChanged.connect(lambda _t: self.rebuild())
        self.tree.itemExpanded.connect(self._fill_sequence)

    def show_dataset(self, dataset: Dataset | None, frame: int = 0) -> None:
        self.dataset = dataset
        self.frame = frame
        self.rebuild()

    def show_document(self, document: Any, frame: int = 0) -> None:
        """The current tab's document: its header, or what a save of it would write."""
        self.document = document
        self.frame = frame
        self.refresh_pending()

    def refresh_pending(self) -> None:
        """Show the file's header, or with 'As a save would write them' on and the pixels
        edited, the dataset a save would write (viewer.io.commit, off the GUI thread), its
        changed attributes in bold with old -> new in their tooltips."""
        if self.isHidden():
            self._stale = True
            return
        document = self.document
        if document is None or not self.pending.isChecked() or not document.is_edited:
            header = None if document is None else document.dataset
            if header is not self.dataset or self.changed:  # not rebuilt on every edit
                self.changed = {}
                self.show_dataset(header, self.frame)
            return
        self.changed = {}
        from viewer.io.commit import commit
        from viewer.model.errors import ViewerError
        from viewer.ui.background import run_with_progress

        try:
            result = run_with_progress(self, "Preparing the save preview…", lambda _p: commit(document))
        except ViewerError as exc:
            self.show_dataset(document.dataset, self.frame)
            self.tree.insertTopLevelItem(0, QTreeWidgetItem(["", f"(no preview: {exc})"]))
            return
        for change in result.changes:
            keyword = change.path.split("[")[0].split(" ")[0]
            self.changed[keyword] = str(change)
        self.show_dataset(result.dataset, self.frame)

    def set_frame(self, frame: int) -> None:
        if frame != self.frame:
            self.frame = frame
            if self.isHidden():
                self._stale = True
            else:
                self._refresh_frame_group()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt naming)
        super().showEvent(event)
        if self._stale:  # what changed while hidden, from scratch
            self._stale = False
            self.tree.clear()
            self.dataset, self.changed = None, {}
            self.refresh_pending()

    def rebuild(self) -> None:
        self.tree.clear()
        self._stale = self.isHidden()
        if self.dataset is None or self._stale:
            return
        query = self.search.text()
        if query.strip():
            self._show_search(query)
            return
        self._refresh_frame_group()
        for element in self.dataset:
            item = _element_item(element)
            if element.keyword in self.changed:  # what a save changes
                font = item.font(1)
                font.setBold(True)
                for column in range(4):
                    item.setFont(column, font)
                    item.setToolTip(column, self.changed[element.keyword])
            self.tree.addTopLevelItem(item)
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Tag, name and VR as wide as their content (a tag is never cut to '(0028,105...')."""
        for column in (0, 1, 2):
            self.tree.resizeColumnToContents(column)

    def _show_search(self, query: str) -> None:
        count = 0
        for path, element in _walk(self.dataset) if self.dataset is not None else []:
            if matches(element, query):
                item = _element_item(element)
                if path:
                    item.setText(1, f"{path}{element.name}")
                self.tree.addTopLevelItem(item)
                count += 1
                if count >= MAX_SEARCH_RESULTS:
                    self.tree.addTopLevelItem(QTreeWidgetItem(["", f"(first {count} matches)"]))
                    break
        self._fit_columns()

    def _refresh_frame_group(self) -> None:
        """Top item showing the current frame's Per-Frame Functional Groups item."""
        if self.dataset is None or self.search.text().strip():
            return
        per_frame = self.dataset.get("PerFrameFunctionalGroupsSequence")
        existing = self.tree.topLevelItem(0)
        if existing is not None and existing.data(1, Qt.ItemDataRole.UserRole) == "frame-group":
            self.tree.takeTopLevelItem(0)
        if not per_frame or self.frame >= len(per_frame):
            return
        group = QTreeWidgetItem(["", f"Functional groups of frame {self.frame + 1}", "", ""])
        group.setData(1, Qt.ItemDataRole.UserRole, "frame-group")
        for element in per_frame[self.frame]:
            group.addChild(_element_item(element))
        self.tree.insertTopLevelItem(0, group)
        group.setExpanded(True)

    def _fill_sequence(self, item: QTreeWidgetItem) -> None:
        element = item.data(0, Qt.ItemDataRole.UserRole)
        if not isinstance(element, DataElement):
            return
        child = item.child(0) if item.childCount() == 1 else None
        if child is None or child.text(0) != _PLACEHOLDER:
            return
        item.takeChild(0)
        for i, child in enumerate(element.value):
            node = QTreeWidgetItem(["", f"Item {i + 1}", "", f"{len(child)} element(s)"])
            for sub in child:
                node.addChild(_element_item(sub))
            item.addChild(node)
