"""What every interactive tool has: a name, a panel it acts on, press/drag handlers."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from viewer.edits.operations import Operation
from viewer.model.errors import ViewerError
from viewer.ui.document_panel import DocumentPanel


class Tool(QObject):
    """Base class: subclasses override press/drag; errors go out as `error_raised`."""

    name = ""
    error_raised = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel: DocumentPanel | None = None
        #: (segment, 3D) when gestures draw into a segment (the Segments dock sets it), else None
        self.mask_target: Callable[[], tuple[int, bool] | None] = lambda: None

    def attach(self, panel: DocumentPanel | None) -> None:
        self.panel = panel

    def detach(self) -> None:
        if self.panel is not None:
            self.panel.image_view.set_overlay(None)
        self.panel = None

    def press(self, row: float, column: float) -> None:
        """Left click at a (fractional) pixel position."""

    def drag(self, row: float, column: float, finished: bool) -> None:
        """Left drag through a (fractional) pixel position; `finished` on release."""

    def apply(self, operation: Operation) -> bool:
        """Apply an operation to the panel's document; report failures; True on success."""
        return apply_reporting(self.panel, operation, self.error_raised.emit)

    def frame_number(self) -> int:
        """The current frame, 1-based as recipes count."""
        return self.panel.view.frame + 1 if self.panel else 1


def apply_reporting(panel: DocumentPanel | None, operation: Operation, report: Callable[[str], object]) -> bool:
    """Apply `operation` to `panel`'s document (one undo step); a refusal goes to `report`
    as its one line. True when applied (the tools and docks share this)."""
    if panel is None:
        return False
    try:
        panel.apply(operation)
    except ViewerError as exc:
        report(str(exc))
        return False
    return True
