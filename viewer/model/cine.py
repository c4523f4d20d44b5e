"""Cine speed from the dataset: (0018,1063) Frame Time, Frame Time Vector, Cine Rate."""

from __future__ import annotations

from pydicom.dataset import Dataset

DEFAULT_FPS = 10.0


def frame_rate(ds: Dataset) -> float:
    """Frames per second the acquisition suggests, else :data:`DEFAULT_FPS`."""
    candidates = []
    try:
        frame_time = float(ds.get("FrameTime", 0) or 0)  # milliseconds
        if frame_time > 0:
            candidates.append(1000.0 / frame_time)
    except (TypeError, ValueError):
        pass
    vector = ds.get("FrameTimeVector")
    if vector:
        try:
            times = [float(t) for t in list(vector)[1:] if float(t) > 0]
            if times:
                candidates.append(1000.0 / (sum(times) / len(times)))
        except (TypeError, ValueError):
            pass
    for keyword in ("CineRate", "RecommendedDisplayFrameRate"):
        try:
            rate = float(ds.get(keyword, 0) or 0)
            if rate > 0:
                candidates.append(rate)
        except (TypeError, ValueError):
            pass
    for rate in candidates:
        if 0.5 <= rate <= 120:
            return rate
    return DEFAULT_FPS
