"""Faults: unwritable targets, files that change or vanish, missing codecs, tool crashes,
and recovery of unsaved edits after a crash. Each ends in a clear message; nothing is lost."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.corpus import corpus_file
from viewer.edits.operations import Flip
from viewer.edits.session import begin_edit
from viewer.io import atomic
from viewer.io.recovery import RecoveryStore
from viewer.io.save import save
from viewer.model import codecs
from viewer.model.document import open_document
from viewer.model.errors import CodecUnavailableError, ViewerError


def _copy(name: str, folder: Path) -> Path:
    target = folder / name
    shutil.copy(corpus_file(name), target)
    return target


def test_read_only_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder that refuses new files gives 'no permission'; the old target stays."""
    target = tmp_path / "out.dcm"
    target.write_bytes(b"old")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic, "_open_temporary", refuse)
    document = open_document(corpus_file("CT_small.dcm"))
    begin_edit(document).apply(Flip("h"))
    with pytest.raises(ViewerError, match="no permission to write"):
        save(document, target)
    assert target.read_bytes() == b"old"


def test_file_deleted_while_open(tmp_path: Path) -> None:
    """Frames already shown stay; new ones give 'deleted or moved'."""
    path = _copy("emri_small.dcm", tmp_path)
    document = open_document(path)
    first = document.get_frame(0)
    path.unlink()
    assert np.array_equal(document.get_frame(0), first)
    with pytest.raises(ViewerError, match="deleted or moved"):
        document.get_frame(5)


def test_file_changed_while_open(tmp_path: Path) -> None:
    """A file rewritten on disk is not read as if it were the one opened."""
    path = _copy("emri_small.dcm", tmp_path)
    document = open_document(path)
    path.write_bytes(corpus_file("CT_small.dcm").read_bytes())
    with pytest.raises(ViewerError, match="changed on disk"):
        document.get_frame(2)


def test_codec_missing_at_run_time(monkeypatch: pytest.MonkeyPatch, capfd, tmp_path: Path) -> None:
    """Without a JPEG 2000 decoder the error names the package that adds it."""
    monkeypatch.setattr(codecs, "can_decode", lambda uid: False)
    document = open_document(corpus_file("JPEG2000.dcm"))
    with pytest.raises(CodecUnavailableError, match="install 'pylibjpeg-openjpeg'"):
        document.get_frame(0)
    from viewer.cli import main

    assert main(["render", str(corpus_file("JPEG2000.dcm")), "-o", str(tmp_path / "out.png")]) == 1
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and "pylibjpeg-openjpeg" in err


def test_input_never_modified_by_edits_and_saves(tmp_path: Path) -> None:
    """Editing and saving elsewhere leaves the input's bytes identical."""
    path = _copy("MR_small.dcm", tmp_path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    document = open_document(path)
    begin_edit(document).apply(Flip("v"))
    save(document, tmp_path / "out.dcm")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest


def test_recovery_store_round_trip(tmp_path: Path) -> None:
    """Recipes are autosaved per source and read back as operations."""
    store = RecoveryStore(tmp_path / "recovery")
    store.save(tmp_path / "a.dcm", [Flip("h")])
    pending = store.pending()
    assert len(pending) == 1 and pending[0].operations == [Flip("h")]
    store.discard(tmp_path / "a.dcm")
    assert store.pending() == []


def test_gui_recovers_edits_after_a_crash(qtbot, tmp_path: Path) -> None:
    """Edits autosaved by one window are offered and replayed by the next one."""
    from PySide6.QtCore import QSettings

    from viewer.ui.dialogs import set_answer, set_dialog_hook
    from viewer.ui.main_window import MainWindow
    from viewer.ui.settings import Settings

    set_dialog_hook(lambda *a: None)
    set_answer("yes_no", True)
    try:
        settings = Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
        store = RecoveryStore(tmp_path / "recovery")
        first = MainWindow(settings, recovery=store)
        qtbot.addWidget(first)
        panel = first.open_paths([corpus_file("MR_small.dcm")])[0]
        first.edits.image_op_actions[0].trigger()  # flip horizontal
        edited = panel.view.stored_frame().copy()
        assert len(store.pending()) == 1  # autosaved; now the process "crashes"
        second = MainWindow(settings, recovery=store)
        qtbot.addWidget(second)
        assert second.edits.recover_pending() == 1
        assert np.array_equal(second.current_panel().view.stored_frame(), edited)
        assert second.current_panel().is_dirty
    finally:
        set_dialog_hook(None)
        set_answer("yes_no", True)


def test_exception_inside_a_tool_shows_a_dialog(qtbot, tmp_path: Path) -> None:
    """An unexpected exception in a slot reaches the global hook: a dialog, not a crash."""
    from viewer.ui.app import install_exception_hook
    from viewer.ui.dialogs import set_dialog_hook

    seen: list[tuple[str, str, str]] = []
    set_dialog_hook(lambda *a: seen.append(a))
    previous = sys.excepthook
    try:
        install_exception_hook(lambda: None)
        try:
            raise RuntimeError("tool blew up")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
        assert seen and "RuntimeError: tool blew up" in seen[0][1] and "Traceback" in seen[0][2]
    finally:
        sys.excepthook = previous
        set_dialog_hook(None)


def test_cancelled_save_leaves_old_target_and_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cancelling half-way through writing pixels leaves the old target and the input intact."""
    from viewer.io import save as save_module
    from viewer.model.progress import Cancelled, Progress

    monkeypatch.setattr(save_module, "WRITE_CHUNK", 4096)  # many chunks even for a small file
    source = _copy("emri_small.dcm", tmp_path)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    target = tmp_path / "out.dcm"
    target.write_bytes(b"previous complete file")
    document = open_document(source)
    begin_edit(document).apply(Flip("h"))
    calls = []

    def cancel_mid_write(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 6:  # inside the pixel data
            progress.cancel()

    progress = Progress(report=cancel_mid_write)
    with pytest.raises(Cancelled):
        save(document, target, progress=progress)
    assert target.read_bytes() == b"previous complete file"
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["emri_small.dcm", "out.dcm"]


def test_cancelled_folder_scan(tmp_path: Path) -> None:
    """A folder scan stops at the first progress report after cancel."""
    from viewer.model.folder import scan_folder
    from viewer.model.progress import Cancelled, Progress

    for i in range(5):
        shutil.copy(corpus_file("CT_small.dcm"), tmp_path / f"{i}.dcm")
    progress = Progress()
    progress.cancel()
    with pytest.raises(Cancelled):
        scan_folder(tmp_path, progress)


def test_cancelled_batch_leaves_no_partial_files(tmp_path: Path) -> None:
    """Cancelling a folder edit after the first file: that file is complete, nothing else exists."""
    from viewer.io.batch import edit_folder
    from viewer.model.progress import Cancelled, Progress

    source = tmp_path / "in"
    source.mkdir()
    for name in ("CT_small.dcm", "MR_small.dcm", "emri_small.dcm"):
        shutil.copy(corpus_file(name), source / name)
    progress = Progress(report=lambda done, total: progress.cancel() if done == 0 else None)  # during file 1
    with pytest.raises(Cancelled):
        edit_folder(source, tmp_path / "out", [Flip("h")], progress=progress)
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["CT_small.dcm"]
    assert open_document(tmp_path / "out" / "CT_small.dcm").frame_count == 1


def test_frames_decoded_in_worker_processes_get_the_same_checks(tmp_path: Path) -> None:
    """JPEG 2000 frames decoded ahead in worker processes: a file changed on disk since it
    was opened is refused there too, not cached as if it were the file that was opened."""
    import numpy as np

    from viewer.model.parallel import shared_decoder

    path = _copy("JPEG2000.dcm", tmp_path)
    document = open_document(path)
    assert document.decodes_in_processes
    decoded = shared_decoder().submit(path, str(document.transfer_syntax), 0).result(timeout=60)
    assert np.array_equal(document.accept_decoded(0, decoded), open_document(path).get_frame(0))
    data = path.read_bytes()
    path.write_bytes(data[:-2] + b"\x00\x00")
    with pytest.raises(ViewerError, match="changed on disk"):
        document.accept_decoded(0, decoded)
