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
