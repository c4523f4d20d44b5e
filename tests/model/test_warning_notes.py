"""Warnings become notes of the thread that raised them (viewer.model.warning_notes), and
threads collecting at once leave the process's warnings as they were."""

from __future__ import annotations

import threading
import time
import warnings

import pytest

from viewer.model.warning_notes import collect_warnings


def test_threads_collecting_at_once_keep_their_own_notes_and_leave_warnings_as_they_were() -> None:
    """Three threads, 2,000 collections each: with catch_warnings per block the process's
    warnings ended up in a list no one read and one thread's warning in another's notes."""
    filters, show = list(warnings.filters), warnings.showwarning
    foreign: list[str] = []
    start = threading.Barrier(3)

    def work(name: str) -> None:
        start.wait()
        for i in range(2000):
            notes: list[str] = []
            with collect_warnings(notes):
                time.sleep(0.0001)  # another thread runs inside its block meanwhile
                warnings.warn(f"{name} {i}", stacklevel=1)
            if notes != [f"{name} {i}"]:
                foreign.append(f"{name} {i}: {notes}")

    threads = [threading.Thread(target=work, args=(name,)) for name in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert foreign == []
    assert warnings.showwarning is show and list(warnings.filters) == filters


def test_a_thread_that_does_not_collect_meets_the_filters_of_before(monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(warnings, "showwarning", lambda message, *rest: shown.append(str(message)))
    inside, leave = threading.Event(), threading.Event()
    notes: list[str] = []

    def collector() -> None:
        with collect_warnings(notes):
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=collector)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message="quiet")
        thread.start()
        inside.wait(10)
        warnings.warn("quiet please", stacklevel=1)  # ignored before: ignored now
        warnings.warn("loud", stacklevel=1)  # shown before: shown now
        leave.set()
        thread.join()
    assert shown == ["loud"] and notes == []


def test_nested_blocks_keep_their_own_notes() -> None:
    outer: list[str] = []
    inner: list[str] = []
    with collect_warnings(outer):
        warnings.warn("before", stacklevel=1)
        with collect_warnings(inner):
            warnings.warn("inside", stacklevel=1)
        warnings.warn("after   the\nbreak", stacklevel=1)
        warnings.warn("before", stacklevel=1)
    assert inner == ["inside"] and outer == ["before", "after the break"]


def test_a_block_ended_by_an_exception_adds_no_notes_and_puts_warnings_back() -> None:
    filters, show = list(warnings.filters), warnings.showwarning
    notes: list[str] = []
    with pytest.raises(ValueError), collect_warnings(notes):
        warnings.warn("half way", stacklevel=1)
        raise ValueError("stop")
    assert notes == [] and warnings.showwarning is show and list(warnings.filters) == filters
