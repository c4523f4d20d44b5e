"""Viewer speed (issues 4 and 19): W/L drag rate, scrubbing rate, start-up to first paint.

Issue 4's targets: W/L >= 200 / 60 / 30 updates/s for 512, 2048, 4096 square 16-bit
frames in a 1024x768 view (time from a level change to a repainted view, offscreen);
scrubbing 100-frame 512x512 files >= 60 frames/s (uncompressed, RLE, JPEG-LS), >= 30
(JPEG 2000); <= 1.0 s from `dicom-viewer FILE` to the first painted image.
Issue 19 states them as ratios to pyqtgraph alone, measured in the same run: W/L drag
against ImageItem.setLevels + repaint of the same frame (>= 1.5x at 512 and 2048, >= 4x
at 4096, fitted and at 1:1), scrubbing against the stock ImageView over the same frames
in memory (>= 1.5x uncompressed and RLE, 1.0x JPEG-LS, 0.5x JPEG 2000); hover <= 2 ms;
start-up <= 0.8 s. The targets are for the first pass through a freshly opened file; the
second ("again") shows frames decoded on the first, as cine's next loop does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from tests.bench.synthetic import make_dataset, phantom_frames, write_compressed, write_uncompressed
from tests.hostile import HTJ2K_LOSSLESS

REPEATS = 3  # rates are the best of this many runs, ours and the anchors alike, alternating
SETTLE_S = 0.2  # events processed after a window is shown, before scrubbing is timed


def _square_file(work: Path, size: int) -> Path:
    path = work / f"square_{size}.dcm"
    if not path.exists():
        frame = phantom_frames(1, 512, 512)[0]
        big = np.kron(frame, np.ones((size // 512, size // 512), dtype=np.uint16)) if size > 512 else frame
        make_dataset(big[np.newaxis]).save_as(path, enforce_file_format=True)
    return path


def _window(app, path: Path):
    from PySide6.QtCore import QSettings

    from viewer.ui.dialogs import set_answer
    from viewer.ui.main_window import MainWindow
    from viewer.ui.settings import Settings

    set_answer("yes_no", True)
    settings = Settings(QSettings(str(path.parent / "bench-settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings)
    window.resize(1024 + 200, 768 + 120)
    window.show()
    panel = window.open_paths([path])[0]
    app.processEvents()
    return window, panel


def _bare_drag_rate(app, frame: np.ndarray, one_to_one: bool, n: int = 60) -> float:
    """The anchor: pyqtgraph alone, ImageItem.setLevels + repaint of the same frame in a
    1024x768 view (fitted, or one image pixel per screen pixel)."""
    import pyqtgraph as pg

    widget = pg.GraphicsLayoutWidget()
    widget.resize(1024, 768)
    viewbox = widget.addViewBox(lockAspect=True, invertY=True)
    item = pg.ImageItem(frame.T, levels=(0, 4095))
    viewbox.addItem(item)
    widget.show()
    app.processEvents()
    if one_to_one:
        viewbox.setRange(pg.QtCore.QRectF(0, 0, 1024, 768), padding=0)
    else:
        viewbox.autoRange(padding=0)
    app.processEvents()
    viewport = widget.viewport()
    t0 = time.perf_counter()
    for i in range(n):
        item.setLevels((500 + (i % 40), 2500 + (i % 25)))
        viewport.repaint()
    rate = n / (time.perf_counter() - t0)
    widget.close()
    return rate


def _stock_scrub_rate(app, frames: np.ndarray) -> float:
    """The anchor: pyqtgraph's stock ImageView over the same frames held in memory."""
    import pyqtgraph as pg

    view = pg.ImageView()
    view.resize(1024 + 200, 768 + 120)
    view.setImage(frames.transpose(0, 2, 1), autoLevels=False, levels=(0, 4095))
    view.show()
    app.processEvents()
    viewport = view.ui.graphicsView.viewport()
    t0 = time.perf_counter()
    for i in range(1, len(frames)):
        view.setCurrentIndex(i)
        viewport.repaint()
    rate = (len(frames) - 1) / (time.perf_counter() - t0)
    view.close()
    return rate


def _hover_ms(panel, size: int, n: int = 1000) -> tuple[float, float, float]:
    """(mean, 99th percentile, worst) milliseconds of the status-bar readout for one
    hovered pixel (this VM's worst case includes time the host takes away)."""
    from viewer.ui.readout import readout_text

    rng = np.random.default_rng(1)
    times = []
    for row, column in rng.integers(0, size, size=(n, 2)):
        t0 = time.perf_counter()
        readout_text(panel, (int(row), int(column)))
        times.append(time.perf_counter() - t0)
    return 1000 * float(np.mean(times)), 1000 * float(np.percentile(times, 99)), 1000 * float(np.max(times))


def _alternating(ours: Callable[[], float], anchor: Callable[[], float]) -> tuple[float, float]:
    """The best of REPEATS runs of each, ours and the anchor alternating: this machine's
    speed drifts over seconds (the same anchor read 623 to 1389 events/s within an hour),
    and measuring all of one, then all of the other, let a drift favour either."""
    rates = [(ours(), anchor()) for _ in range(REPEATS)]
    return max(r[0] for r in rates), max(r[1] for r in rates)


def wl_rates(app, work: Path) -> None:
    from viewer.model.display import Window

    print(
        f"{'frame':>10s} {'drag/s (bare pg, ratio)':>26s} {'release (full) /s':>18s} {'target':>7s}"
        f" {'drag at 1:1 (bare pg, ratio)':>30s}"
    )
    for size, target in ((512, 200), (2048, 60), (4096, 30)):
        window, panel = _window(app, _square_file(work, size))
        view, image_view = panel.view, panel.image_view
        viewport = image_view.graphics.viewport()
        n = 60

        def drag(n: int = n, image_view=image_view, viewport=viewport) -> float:
            t0 = time.perf_counter()
            for i in range(n):
                image_view._on_window_drag(float(i % 40), float(i % 25), False)  # the real drag path
                viewport.repaint()
            rate = n / (time.perf_counter() - t0)
            image_view._on_window_drag(0.0, 0.0, True)
            return rate

        frame = view.stored_frame()
        drag_rate, bare_fit = _alternating(drag, lambda frame=frame: _bare_drag_rate(app, frame, False))
        t0 = time.perf_counter()
        for i in range(20):
            view.set_window(Window(1000 + i, 2000 + i))
            viewport.repaint()
        full_rate = 20 / (time.perf_counter() - t0)
        image_view.actual_size()  # zoomed in: the visible part is a fraction of the frame
        zoomed_rate, bare_one = _alternating(drag, lambda frame=frame: _bare_drag_rate(app, frame, True))
        hover = _hover_ms(panel, size)
        window.close()
        fitted = f"{drag_rate:.0f} ({bare_fit:.0f}, {drag_rate / bare_fit:.2f}x)"
        one = f"{zoomed_rate:.0f} ({bare_one:.0f}, {zoomed_rate / bare_one:.2f}x)"
        print(f"{size:>5d}x{size:<4d} {fitted:>26s} {full_rate:18.0f} {target:>7d} {one:>30s}")
        print(
            f"{'':10s} hover readout: mean {hover[0]:.2f} ms, 99% {hover[1]:.2f} ms, worst {hover[2]:.2f} ms"
            " per event (target <= 2 ms)"
        )


def scrub_rates(app, work: Path) -> None:
    print(f"{'file (100 frames 512x512)':28s} {'frames/s':>9s} {'target':>7s}   anchor")
    files = {"uncompressed": write_uncompressed(work / "unc_100.dcm", 100)}
    for name, uid in (
        ("RLE", "1.2.840.10008.1.2.5"),
        ("JPEG-LS", "1.2.840.10008.1.2.4.80"),
        ("JPEG 2000", "1.2.840.10008.1.2.4.90"),
        ("HTJ2K", HTJ2K_LOSSLESS),
    ):
        files[name] = write_compressed(work / f"{name.replace(' ', '')}_100.dcm", 100, uid)
    for name, path in files.items():
        window, panel = _window(app, path)
        view = panel.view
        target = {"JPEG 2000": "30", "HTJ2K": "-"}.get(name, "60")  # issue 4's; none for HTJ2K
        frames = np.stack([view.document.get_frame(i) for i in range(view.frame_count)])
        decoder = _decode_ms(view.document)
        window.close()
        passes: list[tuple[float, float]] = []  # each on a freshly opened file

        def first_pass(path: Path = path, passes: list[tuple[float, float]] = passes) -> float:
            passes.append(_scrub_rate(app, path))
            return passes[-1][0]

        rate, stock = _alternating(first_pass, lambda frames=frames: _stock_scrub_rate(app, frames))
        again = max(p[1] for p in passes)
        print(
            f"{name:28s} {rate:9.0f} {target:>7s}   stock ImageView {stock:5.0f}/s, ratio {rate / stock:.2f}x"
            f"   (decoder alone: {decoder:.1f} ms a frame on one thread)"
        )
        print(f"{'':28s} {again:9.0f}           again (cine's next loop), ratio {again / stock:.2f}x")


def _scrub_rate(app, path: Path) -> tuple[float, float]:
    """Frames per second through a freshly opened file, and through it again (cine's next
    loop: decoded frames are kept): what cine does (next frame, decode ahead; preloading
    starts with the first step), each frame painted once it is decoded. A frame not
    decoded yet is waited for as the application's event loop waits, asleep until an
    event (the decoder's signal) comes; a loop spinning processEvents took a core from the
    decoders on this 2-core machine (35,000 calls while a JPEG-LS file was scrubbed; JPEG
    2000 ran at 36/s so, 51/s waiting asleep). A 20 ms timer bounds each wait.

    The window settles first (SETTLE_S asleep in an event loop, as the application waits),
    as the stock ImageView is built whole before its timing starts: what the window does
    shortly after it is shown (building the histogram 30 ms later, ~25 ms) ran at the
    first wait for a frame, and took a third of an RLE file's scrubbing time (155-163
    frames/s without settling, 246-291/s with, in one period)."""
    from PySide6.QtCore import QEventLoop, QTimer

    window, panel = _window(app, path)
    view, viewport = panel.view, panel.image_view.graphics.viewport()
    settle = QEventLoop()  # asleep between events, as the application waits (not spinning)
    QTimer.singleShot(int(SETTLE_S * 1000), settle.quit)
    settle.exec()

    def shown(i: int) -> bool:
        return view.document.is_cached(i) and view.stored_frame() is view.document.get_frame(i)

    def rate(frames: range) -> float:
        t0 = time.perf_counter()
        for i in frames:
            view.set_frame(i)
            view.prefetch()
            while not shown(i):
                app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
            viewport.repaint()
        return len(frames) / (time.perf_counter() - t0)

    wake = QTimer()
    wake.start(20)
    first = rate(range(1, view.frame_count))
    again = rate(range(view.frame_count))  # cine's next loop
    wake.stop()
    window.close()
    return first, again


def _decode_ms(document, n: int = 10) -> float:
    """The file's own decoder on one thread: milliseconds per frame (best of REPEATS)."""
    reader = document.source._reader
    best = float("inf")
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        for i in range(n):
            reader.read(i)
        best = min(best, (time.perf_counter() - t0) / n * 1000)
    return best


def startup(work: Path) -> None:
    path = write_uncompressed(work / "unc_10.dcm", 10)
    for probe, what in (("1", "first painted image"), ("window", "main window painted")):
        env = dict(os.environ, DICOM_VIEWER_EXIT_AFTER_FIRST_PAINT=probe)
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "viewer.cli", str(path)], env=env, check=True, capture_output=True)
            best = min(best, time.perf_counter() - t0)
        print(f"`dicom-viewer FILE` to {what}: {best:.2f} s (target for the image <= 0.8 s; with interpreter start)")


def run(work: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from viewer.ui.app import collect_garbage_in_gui_thread

    app = QApplication.instance() or QApplication([])
    collector = collect_garbage_in_gui_thread()  # as the application runs: no automatic collections
    print("\n== W/L drag rate in a 1024x768 view (issue 4) ==")
    wl_rates(app, work)
    print("\n== Scrubbing (issue 4) ==")
    scrub_rates(app, work)
    print("\n== Start-up (issue 4) ==")
    startup(work)
    collector.timer.stop()
