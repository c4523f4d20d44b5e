"""Warnings raised by pydicom and the codecs, collected per thread as notes for the person.

warnings.catch_warnings swaps process-wide state (the filters and the function that shows
a warning) and puts it back when it ends; two threads inside it at once (the decoder
threads do this for every frame) put back each other's state in the wrong order. Seen
here after three threads collected 2,000 times each: every later warning of the process
went into a list no one read (notes lost, memory kept), the filters stayed "always", and
a warning raised on one thread could become a note of another thread's document.

So the state is swapped once while any thread collects (the first in swaps it, the last
out puts it back), and each warning goes to the list of the thread that raised it. A
warning of a thread that is not collecting meanwhile meets the filters in force before
(matched as warnings does, but for the module, taken from the file name), and is shown
unless they ignore it; the apps ignore warnings outside collections anyway.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

_lock = threading.Lock()
_local = threading.local()
_collecting = 0  # threads inside collect_warnings
_saved: tuple[list[Any], Callable[..., None]] | None = None  # filters and showwarning before


def _show(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """warnings.showwarning while any thread collects."""
    stack = getattr(_local, "stack", None)
    if stack:
        stack[-1].append(str(message))
        return
    saved = _saved
    if saved is None:  # the last collector has just left: the original is back
        if warnings.showwarning is not _show:
            warnings.showwarning(message, category, filename, lineno, file, line)
        return
    filters, show = saved
    if _action(filters, str(message), category, filename, lineno) != "ignore":
        show(message, category, filename, lineno, file, line)


def _action(filters: list[Any], text: str, category: type[Warning], filename: str, lineno: int) -> str:
    module = filename[:-3] if filename.lower().endswith(".py") else filename
    for action, message, kind, module_pattern, line in filters:
        if (
            (message is None or message.match(text))
            and issubclass(category, kind)
            and (module_pattern is None or module_pattern.match(module))
            and line in (0, lineno)
        ):
            return str(action)
    return str(getattr(warnings, "defaultaction", "default"))


def _filters_mutated() -> None:
    """Tell warnings its filters changed (what catch_warnings calls; private in 3.11)."""
    getattr(warnings, "_filters_mutated", lambda: None)()


def _begin() -> None:
    global _collecting, _saved
    with _lock:
        if _collecting == 0:
            _saved = (list(warnings.filters), warnings.showwarning)
            # a new list, as catch_warnings does: one kept by someone else stays as it was
            warnings.filters = [("always", None, Warning, None, 0), *_saved[0]]
            _filters_mutated()
            warnings.showwarning = _show
        _collecting += 1


def _end() -> None:
    global _collecting, _saved
    with _lock:
        _collecting -= 1
        if _collecting == 0 and _saved is not None:
            filters, show = _saved
            warnings.showwarning = show
            warnings.filters = filters
            _filters_mutated()
            _saved = None


@contextmanager
def collect_warnings(into: list[str]) -> Iterator[None]:
    """Turn the warnings raised on this thread inside the block into notes (`into`: each
    text once, on one line); nested blocks keep their own."""
    caught: list[str] = []
    stack = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    _begin()
    stack.append(caught)
    try:
        yield
    finally:
        stack.pop()
        _end()
    for message in caught:
        text = " ".join(message.split())
        if text and text not in into:
            into.append(text)
