"""Progress and cancellation for long operations (folder scans, saves, batch edits).

The worker calls ``progress(done, total)``; that both reports and, if the person asked
to cancel, raises :class:`Cancelled` at a point where nothing is half-written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from viewer.model.errors import ViewerError


class Cancelled(ViewerError):
    """The person cancelled the operation."""


@dataclass
class Progress:
    """A progress sink with a cancel flag; safe to call from any thread."""

    report: Callable[[int, int], None] | None = None
    cancel_event: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    total: int = 0

    def cancel(self) -> None:
        self.cancel_event.set()

    def check(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled("cancelled")

    def __call__(self, done: int, total: int) -> None:
        self.check()
        self.done, self.total = done, total
        if self.report is not None:
            self.report(done, total)


def no_progress(done: int, total: int) -> None:
    """A progress callback that ignores reports."""
