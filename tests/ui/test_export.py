"""Exports: the image equals `render` for the same window; a movie has one frame per frame."""

from __future__ import annotations

from pathlib import Path

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest

from tests.corpus import corpus_file
from viewer.cli.main import main
from viewer.model.display import Window


def test_exported_image_equals_render_with_the_same_window(window, tmp_path: Path) -> None:
    path = corpus_file("CT_small.dcm")
    panel = window.open_paths([path])[0]
    panel.view.load_current()
    panel.view.set_window(Window(40, 400))
    window.export.export_image(panel, tmp_path / "gui.png")
    assert main(["render", str(path), "-o", str(tmp_path / "cli.png"), "--window", "40", "400"]) == 0
    np.testing.assert_array_equal(iio.imread(tmp_path / "gui.png"), iio.imread(tmp_path / "cli.png"))


def test_view_export_and_copy_hold_the_annotations(window, qtbot, tmp_path: Path) -> None:
    from PySide6.QtGui import QGuiApplication

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    qtbot.wait(20)
    image = window.export.view_image(panel)
    assert image.width() == panel.image_view.graphics.width() * image.devicePixelRatio()
    window.export.copy_action.trigger()
    assert QGuiApplication.clipboard().image().size() == image.size()


@pytest.mark.parametrize("suffix", [".mp4", ".gif", ".png"])
def test_cine_has_one_frame_per_image_frame(window, suffix: str, tmp_path: Path) -> None:
    panel = window.open_paths([corpus_file("emri_small.dcm")])[0]
    panel.view.load_current()
    out = tmp_path / f"cine{suffix}"
    assert window.export.export_cine(panel, out) == 10
    if suffix == ".mp4":
        reader = imageio_ffmpeg.read_frames(str(out))
        next(reader)  # the metadata
        assert sum(1 for _ in reader) == 10
    else:
        assert iio.improps(out).shape[0] == 10
    assert not list(tmp_path.glob("*dvtmp*"))  # no temporary file left


def test_save_anonymised_copy_from_the_window(window, tmp_path: Path) -> None:
    import pydicom

    from tests.io.test_anonymize import PLANTED, _planted
    from viewer.edits.operations import Flip
    from viewer.model.errors import ViewerError

    source = _planted(tmp_path / "a.dcm", "1.2.826.0.1.999.1")
    panel = window.open_paths([source])[0]
    window.export.save_anonymised(panel, tmp_path / "anon.dcm")
    data = (tmp_path / "anon.dcm").read_bytes()
    assert not any(value.encode() in data for value in PLANTED.values())
    assert pydicom.dcmread(tmp_path / "anon.dcm").PixelData == pydicom.dcmread(source).PixelData
    window.edits.apply_operation(Flip("h"))
    with pytest.raises(ViewerError, match="save it first"):
        window.export.save_anonymised(panel, tmp_path / "again.dcm")


def test_anonymise_folder_from_the_window(window, tmp_path: Path) -> None:
    """The batch action: every file of a folder, one mapping (a series stays one series)."""
    import pydicom

    from tests.io.test_anonymize import PLANTED, _folder

    source = _folder(tmp_path)
    result = window.export.anonymise_folder(source, tmp_path / "out")
    assert result is not None and (result.saved, result.failures) == (2, [])
    a, b = (pydicom.dcmread(tmp_path / "out" / name) for name in ("a.dcm", "b.dcm"))
    assert a.StudyInstanceUID == b.StudyInstanceUID != pydicom.dcmread(source / "a.dcm").StudyInstanceUID
    assert b.ReferencedImageSequence[0].ReferencedSOPInstanceUID == a.SOPInstanceUID
    for path in (tmp_path / "out").iterdir():
        assert not any(value.encode() in path.read_bytes() for value in PLANTED.values())
    assert window.export.anonymise_folder(source, source / "inside") is None  # refused: output inside input
    assert "inside" in window.errors[-1][1]
