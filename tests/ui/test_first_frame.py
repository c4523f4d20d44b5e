"""The first frame painted before the main window is built (viewer.ui.first_frame): the
picture is the rendering policy's frame, drawn with the pixel aspect, and anything but
one openable file gets no early window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.corpus import corpus_file
from tests.hostile import image_dataset, write
from viewer.model.document import open_document
from viewer.model.rendering import render_frame
from viewer.ui.first_frame import show_first_frame


def _picture(window) -> np.ndarray:
    """The window's pixels as (rows, columns, RGB)."""
    from PySide6.QtGui import QImage

    image = window.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    bits = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return bits[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).copy()  # image is freed


def _drawn_box(picture: np.ndarray) -> tuple[int, int, int, int]:
    """Rows r0:r1 and columns c0:c1 of what is not black."""
    rows, columns = np.nonzero(picture.max(axis=2) > 0)
    return int(rows.min()), int(rows.max()) + 1, int(columns.min()), int(columns.max()) + 1


def test_the_first_frame_is_the_rendered_frame_fitted_in_the_window(qtbot) -> None:
    path = corpus_file("CT_small.dcm")
    window = show_first_frame([str(path)], None)
    assert window is not None
    qtbot.addWidget(window)
    assert window.windowTitle() == "CT_small.dcm"
    expected = render_frame(open_document(path), 0)  # 128 x 128, the policy's window
    picture = _picture(window)
    scale = min(window.width(), window.height()) / 128
    top, left = (window.height() - 128 * scale) / 2, (window.width() - 128 * scale) / 2
    for row, column in ((20, 30), (64, 64), (100, 90), (127, 0)):
        y, x = int(top + (row + 0.5) * scale), int(left + (column + 0.5) * scale)
        assert abs(int(picture[y, x, 0]) - int(expected[row, column])) <= 1, (row, column)
    assert picture[:, : int(left) - 1].max() == 0  # black beside the fitted square


def test_pixel_spacing_sets_the_drawn_shape(qtbot, tmp_path: Path) -> None:
    """Rows twice as far apart as columns: the image is drawn twice as high as wide."""
    ds = image_dataset(40, 80)
    ds.PixelSpacing = [2.0, 1.0]
    ds.WindowCenter, ds.WindowWidth = 2048, 4096  # the ramp shows as gray, never black
    ds.PixelData = (np.full((40, 80), 3000, np.uint16)).tobytes()
    window = show_first_frame([str(write(ds, tmp_path / "tall.dcm"))], None)
    assert window is not None
    qtbot.addWidget(window)
    r0, r1, c0, c1 = _drawn_box(_picture(window))
    assert (r1 - r0) / (c1 - c0) == pytest.approx(1.0, abs=0.03)  # 40 rows x 2 = 80 columns x 1


@pytest.mark.parametrize("case", ["folder", "two files", "not dicom", "missing"])
def test_no_early_window_but_for_one_file_that_opens(qtbot, tmp_path: Path, case: str) -> None:
    one = write(image_dataset(), tmp_path / "one.dcm")
    argv = {
        "folder": [str(tmp_path)],
        "two files": [str(one), str(write(image_dataset(), tmp_path / "two.dcm"))],
        "not dicom": [str(tmp_path / "notes.txt")],
        "missing": [str(tmp_path / "gone.dcm")],
    }[case]
    (tmp_path / "notes.txt").write_text("not an image")
    assert show_first_frame(argv, None) is None


def test_the_main_window_takes_over_the_opened_document(window, qtbot, monkeypatch) -> None:
    """The file is opened once: the main window shows the first-frame window's document
    (its first frame already decoded) instead of opening the file again."""
    from viewer.ui import main_window

    path = corpus_file("emri_small_jpeg_ls_lossless.dcm")
    first = show_first_frame([str(path)], None)
    assert first is not None
    qtbot.addWidget(first)

    def refuse(_path):
        raise AssertionError("opened again")

    monkeypatch.setattr(main_window, "open_document", refuse)
    panel = window.open_paths([str(path)], already_open=[first.document])[0]
    assert panel.document is first.document and panel.view.stored_frame() is first.document.get_frame(0)
