"""The status bar readout of the pixel under the pointer: where it is (image and patient),
what the file stores, its modality value and what the screen shows."""

from __future__ import annotations

from viewer.model.orientation import patient_position
from viewer.ui.document_panel import DocumentPanel


def readout_text(panel: DocumentPanel, position: tuple[int, int] | None) -> str:
    """'row, column: stored value, modality value with units, displayed value'."""
    if position is None:
        return ""
    view = panel.view
    stored = view.stored_frame()
    if stored is None:
        return ""
    row, column = position
    value = stored[row, column]
    shown = view.display_value_at(row, column)
    if view.is_color:
        return f"row {row}, col {column}   RGB {tuple(int(v) for v in shown)}"
    modality = view.modality()
    modality_value = float(modality.apply(value.reshape(1))[0])
    units = f" {modality.units}" if modality.units else ""
    display = int(shown)
    text = f"row {row}, col {column}   stored {value}   value {modality_value:g}{units}   display {display}"
    where = patient_position(view.document, view.frame, row, column)
    if where is not None:
        text += "   x {:.1f} y {:.1f} z {:.1f} mm".format(*where)
    return text
