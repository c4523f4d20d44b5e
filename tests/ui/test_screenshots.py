"""Screenshots of the real window, saved for a person to look at (test-output/screenshots/)
and checked for what they must show: an image (not a blank area), colour where the file is
colour, the threshold overlay in red, icons on the toolbar."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from tests.corpus import corpus_file

SHOTS = [
    ("ct", "CT_small.dcm", False),
    ("monochrome1", "RG3_UNCI.dcm", False),
    ("colour", "US1_UNCR.dcm", True),
    ("multiframe", "emri_small_RLE.dcm", False),
]


def _rgb(widget) -> np.ndarray:
    """What `widget` shows, as a (rows, columns, 3) uint8 array."""
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return data.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


def _save(window, output_dir: Path, name: str) -> None:
    folder = output_dir / "screenshots"
    folder.mkdir(exist_ok=True)
    assert window.grab().save(str(folder / name))


@pytest.mark.parametrize("label,name,colour", SHOTS)
def test_window_screenshot(window, qtbot, output_dir: Path, label: str, name: str, colour: bool) -> None:
    """The image area shows the image: many gray levels (or colours), not a blank field."""
    panel = window.open_paths([corpus_file(name)])[0]
    if panel.view.frame_count > 1:
        panel.view.set_frame(panel.view.frame_count // 2)
        qtbot.waitUntil(lambda: panel.view.stored_frame() is not None and panel.document.is_cached(panel.view.frame))
    qtbot.wait(50)
    _save(window, output_dir, f"window-{label}.png")
    shown = _rgb(panel.image_view.graphics.viewport())
    gray = shown.mean(axis=2)
    assert len(np.unique(gray.astype(np.uint8))) > 32 and gray.std() > 10
    chromatic = (np.abs(shown[..., 0].astype(int) - shown[..., 1]) > 20).mean()
    assert (chromatic > 0.01) == colour


def test_threshold_overlay_screenshot(window, qtbot, output_dir: Path) -> None:
    """CT_small with the threshold tool on [150, 1200] HU (bone) shows the overlay in red."""
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    before = _rgb(panel.image_view.graphics.viewport())
    window.edits.threshold_action.trigger()
    qtbot.wait(20)
    window.threshold_dock.set_range(150, 1200)
    qtbot.wait(50)
    _save(window, output_dir, "threshold-overlay-ct.png")
    overlay = panel.image_view.overlay_item.image
    assert overlay is not None and (overlay[..., 3] > 0).any()
    after = _rgb(panel.image_view.graphics.viewport()).astype(int)

    def red(rgb: np.ndarray) -> float:
        return float((rgb[..., 0].astype(int) - rgb[..., 1] > 30).mean())

    assert red(before) == 0 and red(after) > 0.005  # bone pixels turned red


def test_toolbar_shows_icons_with_tooltips(window) -> None:
    """Every toolbar action has an icon and a tooltip naming it (and its shortcut)."""
    actions = [a for a in window.toolbar.actions() if not a.isSeparator()]
    assert len(actions) >= 12
    for action in actions:
        assert not action.icon().isNull(), action.text()
        assert action.toolTip() and "&" not in action.toolTip()
    assert "(Ctrl+Z)" in window.edits.undo_action.toolTip()
    buttons = window.toolbar.grab().toImage()
    assert not buttons.isNull()
    for mode, button in ((b.objectName(), b) for b in window.tools_dock.buttons.buttons()):
        assert not button.icon().isNull(), mode
    shortcuts = {b.objectName(): b.toolTip() for b in window.tools_dock.buttons.buttons()}
    assert shortcuts["brush"] == "Brush  (B)" and shortcuts["measure-angle"] == "Measure Angle  (Shift+A)"


def test_every_menu_action_has_an_icon_and_a_tooltip_with_its_shortcut(window) -> None:
    """Every entry of every menu (but the lists built as they open: recent files, window
    presets of the image) shows an icon from resources/ and names its shortcut."""
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QMenu

    from viewer.ui.icons import ACTION_ICONS, ICON_FOLDER

    assert all((ICON_FOLDER / f"{name}.svg").is_file() for name in ACTION_ICONS.values())
    entries = [
        action
        for menu in window.menuBar().findChildren(QMenu)
        if menu not in (window.recent_menu, window.window_menu)
        for action in menu.actions()
        if not action.isSeparator() and action.menu() is None
    ]
    assert len(entries) >= 80
    for action in entries:
        assert not action.icon().isNull(), action.text()
        shortcut = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert action.toolTip().startswith(action.text().replace("&", "").rstrip("…")), action.text()
        assert not shortcut or action.toolTip().endswith(f"({shortcut})"), action.text()
    icons = {action.icon().cacheKey() for action in entries}
    assert len(icons) >= 55  # distinct pictures, not one icon everywhere


def _dose_map(path: Path) -> Path:
    """A 128 x 128 RT Dose in Gy: a smooth peak of 2 Gy, Dose Grid Scaling 1e-4."""
    from tests import hostile

    ds = hostile.image_dataset(128, 128)
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.2"
    ds.Modality, ds.DoseUnits, ds.DoseType, ds.DoseSummationType = "RTDOSE", "GY", "PHYSICAL", "PLAN"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 32, 32, 31
    ds.DoseGridScaling = "0.0001"
    r, c = np.mgrid[0:128, 0:128]
    dose = 2.0 * np.exp(-((r - 60) ** 2 + (c - 70) ** 2) / (2 * 30.0**2))
    ds.PixelData = np.rint(dose / 1e-4).astype(np.uint32).tobytes()
    return hostile.write(ds, path)


def test_issue_screenshots(window, qtbot, output_dir: Path, tmp_path: Path) -> None:
    """The overlay file with its overlay drawn white, a truncated file with its banner and
    the missing pixels in magenta, and a dose map in a 0.2 Gy window (a thin isodose ring)."""
    from tests.test_damaged import truncated
    from viewer.model.display import Window

    panel = window.open_paths([corpus_file("MR-SIEMENS-DICOM-WithOverlays.dcm")])[0]
    qtbot.wait(50)
    _save(window, output_dir, "overlay-siemens.png")
    shown = _rgb(panel.image_view.graphics.viewport())
    assert ((shown == 255).all(axis=2)).sum() > 100  # the outline and labels, white

    panel = window.open_paths([truncated(tmp_path, missing=1500)])[0]
    qtbot.wait(50)
    _save(window, output_dir, "damaged-truncated.png")
    shown = _rgb(panel.image_view.graphics.viewport()).astype(int)
    magenta = (shown[..., 0] > 100) & (shown[..., 2] > 100) & (shown[..., 1] < 60)
    assert magenta.sum() > 100 and not panel.damage_banner.isHidden()

    panel = window.open_paths([_dose_map(tmp_path / "dose.dcm")])[0]
    panel.view.set_window(Window(1.0, 0.2))
    qtbot.wait(50)
    _save(window, output_dir, "rtdose-0.2gy.png")
    gray = _rgb(panel.image_view.graphics.viewport()).mean(axis=2)
    image = gray[gray.shape[0] // 4 : -gray.shape[0] // 4, gray.shape[1] // 4 : -gray.shape[1] // 4]
    assert (image > 250).mean() > 0.05 and (image < 5).mean() > 0.05  # inside white, outside black
    assert ((image > 30) & (image < 225)).mean() > 0.01  # and the 0.9..1.1 Gy band in grays


def test_measurements_screenshot(window, qtbot, output_dir: Path) -> None:
    """A line and an ellipse with their labels, the measurements dock and the line's profile."""
    from viewer.model.shapes import Ellipse, Line

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    panel.document.add_shape(Line(10, 64, 118, 64), 0)
    panel.document.add_shape(Ellipse(80, 45, 12, 8), 0)
    window.measure.dock.show()
    window.measure.dock.set_panel(panel)
    window.measure.dock.table.selectRow(0)
    qtbot.wait(50)
    _save(window, output_dir, "measurements.png")
    assert len(panel.image_view.shapes.items) == 2
    labels = [label.toPlainText() for _, _, label in panel.image_view.shapes.items]
    assert labels[0].endswith("mm") and "±" in labels[1] and "HU" in labels[1]
    assert window.measure.dock.plot.getPlotItem().listDataItems()
