"""The Save As preview lists what the chosen transfer syntax itself changes."""

from __future__ import annotations

from pathlib import Path

from tests.hostile import nested_encapsulated
from viewer.io.commit import commit
from viewer.io.save import syntax_changes
from viewer.model.document import open_document
from viewer.ui.save_dialog import SaveDialog


def _rows(dialog: SaveDialog) -> list[str]:
    return [dialog.changes.topLevelItem(i).text(0) for i in range(dialog.changes.topLevelItemCount())]


def test_choosing_a_syntax_lists_its_changes(qtbot, tmp_path: Path) -> None:
    document = open_document(nested_encapsulated(tmp_path / "in.dcm"))
    preview = commit(document)
    dialog = SaveDialog("out.dcm", preview, None, lambda choice: syntax_changes(document, preview, choice))
    qtbot.addWidget(dialog)
    assert "(0009,1010)[1].(7FE0,0010)" not in _rows(dialog)  # keep: nothing more
    dialog.syntax.setCurrentIndex(dialog.syntax.findData("explicit"))
    assert "(0009,1010)[1].(7FE0,0010)" in _rows(dialog) and "TransferSyntaxUID" in _rows(dialog)
    dialog.syntax.setCurrentIndex(dialog.syntax.findData("keep"))
    assert "(0009,1010)[1].(7FE0,0010)" not in _rows(dialog)
