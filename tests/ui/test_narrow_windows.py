"""Windows narrower than one modality unit (a dose map in Gy, an ADC map): any width > 0
works, from the command line and by dragging; integer data keeps dcmtk's windows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests import hostile
from viewer.model.display import Window, apply_window
from viewer.model.document import open_document
from viewer.model.rendering import render_frame

ROOT = Path(__file__).resolve().parents[2]


def dose_map(tmp_path: Path) -> Path:
    """An RT Dose-like image: stored 0..1000 with Dose Grid Scaling 0.001, so 0..1 Gy."""
    ds = hostile.image_dataset(10, 100)
    ds.Modality = "RTDOSE"
    ds.DoseGridScaling = "0.001"
    ds.DoseUnits = "GY"
    ds.BitsStored, ds.HighBit = 16, 15
    ds.PixelData = (np.arange(1000, dtype=np.uint16).reshape(10, 100)).tobytes()
    return hostile.write(ds, tmp_path / "dose.dcm")


def test_a_window_of_a_third_of_a_gray() -> None:
    window = Window(0.5, 0.37)
    assert (window.low, window.high) == pytest.approx((0.315, 0.685))
    out = apply_window(np.array([0.2, 0.315, 0.5, 0.685, 0.8]), window)
    assert out.tolist() == pytest.approx([0.0, 0.0, 127.5, 255.0, 255.0])
    with pytest.raises(ValueError, match="must be > 0"):
        Window(0.5, 0.0)


def test_integer_windows_keep_the_dicom_formula() -> None:
    """Width >= 1: PS3.3 LINEAR with its half-unit offsets, as dcmtk."""
    assert (Window(40, 400).low, Window(40, 400).high) == (-160.0, 239.0)
    assert (Window(0.5, 1).low, Window(0.5, 1).high) == (0.0, 0.0)


def test_render_a_dose_map_windowed_to_a_fraction_of_a_gray(tmp_path: Path) -> None:
    path = dose_map(tmp_path)
    out = tmp_path / "dose.png"
    result = subprocess.run(
        [sys.executable, "-m", "viewer.cli", "render", str(path), "-o", str(out), "--window", "0.5", "0.2"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    image = render_frame(open_document(path), 0, Window(0.5, 0.2))
    gray = image.reshape(-1)  # stored value i is i mGy
    assert gray[399] == 0 and gray[601] == 255 and 120 <= gray[500] <= 135
    assert len(np.unique(gray[400:600])) > 150  # a ramp inside the window, not two levels


def test_min_max_of_fractional_values_is_exact(tmp_path: Path) -> None:
    """0..0.999 Gy without a stored window: black at 0, white at 0.999 (not a 1.999 Gy window)."""
    image = render_frame(open_document(dose_map(tmp_path)), 0).reshape(-1)
    assert image[0] == 0 and image[-1] == 255 and 120 <= image[500] <= 135


def test_dragging_narrows_a_dose_window_below_one_gray(window, tmp_path: Path) -> None:
    panel = window.open_paths([dose_map(tmp_path)])[0]
    panel.view.load_current()
    panel.view.set_window(Window(0.5, 0.5))
    panel.image_view._on_window_drag(-40, 0, finished=False)
    panel.image_view._on_window_drag(-40, 0, finished=True)
    assert 0 < panel.view.window.width < 0.5
