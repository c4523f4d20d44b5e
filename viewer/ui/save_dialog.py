"""Save As confirmation: the tags that will change (old -> new), warnings, and the syntax."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from viewer.io.commit import CommitResult, TagChange
from viewer.io.save import SYNTAX_CHOICES
from viewer.model.errors import ViewerError

_SYNTAX_LABELS = {
    "keep": "Keep (if lossless here), else Explicit VR Little Endian",
    "explicit": "Explicit VR Little Endian (uncompressed)",
    "rle": "RLE Lossless",
    "jpegls": "JPEG-LS Lossless",
    "j2k": "JPEG 2000 Lossless",
}


class SaveDialog(QDialog):
    """Shows what a save will change before it happens."""

    def __init__(
        self,
        target: str,
        result: CommitResult,
        parent: QWidget | None = None,
        syntax_changes: Callable[[str], list[TagChange]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save As")
        self.resize(760, 480)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Save to: {target}"))
        self.changes = QTreeWidget()
        self.changes.setHeaderLabels(["Attribute", "Old", "New"])
        self.changes.setColumnWidth(0, 320)
        self.changes.setColumnWidth(1, 180)
        for change in result.changes:
            self.changes.addTopLevelItem(
                QTreeWidgetItem([change.path, change.old or "(absent)", change.new or "(removed)"])
            )
        if not result.changes:
            self.changes.addTopLevelItem(QTreeWidgetItem(["No pixel edits: pixels and UIDs stay as they are", "", ""]))
        layout.addWidget(self.changes, 1)
        self.warnings = QLabel("\n".join(f"⚠ {w}" for w in result.warnings) or "No warnings.")
        self.warnings.setWordWrap(True)
        layout.addWidget(self.warnings)
        form = QFormLayout()
        self.syntax = QComboBox()
        for key in SYNTAX_CHOICES:
            self.syntax.addItem(_SYNTAX_LABELS[key], key)
        form.addRow("Transfer syntax", self.syntax)
        layout.addLayout(form)
        # what the chosen syntax itself changes (nested encapsulated data, the syntax UID)
        self._syntax_changes = syntax_changes
        self._syntax_rows: list[QTreeWidgetItem] = []
        self.syntax.currentIndexChanged.connect(lambda _i: self._show_syntax_changes())
        self._show_syntax_changes()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen_syntax(self) -> str:
        return str(self.syntax.currentData())

    def _show_syntax_changes(self) -> None:
        for row in self._syntax_rows:
            self.changes.takeTopLevelItem(self.changes.indexOfTopLevelItem(row))
        self._syntax_rows = []
        if self._syntax_changes is None:
            return
        try:
            changes = self._syntax_changes(self.chosen_syntax())
        except ViewerError as exc:  # a syntax that cannot be written here
            changes = [TagChange("TransferSyntaxUID", "", f"cannot be written: {exc}")]
        for change in changes:
            row = QTreeWidgetItem([change.path, change.old or "(absent)", change.new or "(removed)"])
            self.changes.addTopLevelItem(row)
            self._syntax_rows.append(row)
