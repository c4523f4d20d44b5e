"""Measuring in the window: drawn shapes give the CLI's numbers, follow edits, move by
their handles, and come back from a saved SR."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from tests.corpus import corpus_file
from tests.ui.helpers import drag, viewport_point
from viewer.cli.main import main
from viewer.model.shapes import Ellipse, Line, Rect


def _draw(window, qtbot, panel, mode: str, start: tuple[int, int], end: tuple[int, int]) -> None:
    window.measure.set_tool(mode)
    qtbot.wait(30)  # the docks appearing re-lay out the view before we aim
    viewport = panel.image_view.graphics.viewport()
    drag(viewport, viewport_point(panel, *start), viewport_point(panel, *end), Qt.MouseButton.LeftButton, steps=12)


def _cli(path: Path, *shape: str, capfd) -> dict:
    capfd.readouterr()
    assert main(["measure", str(path), *shape, "--json"]) == 0
    return json.loads(capfd.readouterr().out)["measurements"][0]


@pytest.mark.parametrize(
    ("mode", "kind"), [("measure-rect", "rect"), ("measure-ellipse", "ellipse"), ("measure-line", "line")]
)
def test_drawn_shape_has_the_numbers_the_cli_gives(window, qtbot, capfd, mode: str, kind: str) -> None:
    path = corpus_file("CT_small.dcm")
    panel = window.open_paths([path])[0]
    _draw(window, qtbot, panel, mode, (20, 30), (50, 70))  # (row, column)
    [(index, frame, shape)] = panel.document.shapes()
    assert shape.kind == kind and frame == 0
    assert all(
        abs(a - b) <= 0.6 for p, q in zip(shape.points, _expected(kind), strict=True) for a, b in zip(p, q, strict=True)
    )
    args = {"rect": "--rect", "ellipse": "--ellipse", "line": "--line"}[kind]
    numbers = {
        "rect": lambda s: [s.x, s.y, s.width, s.height],
        "ellipse": lambda s: [s.cx, s.cy, s.rx, s.ry],
        "line": lambda s: [s.x1, s.y1, s.x2, s.y2],
    }[kind](shape)
    cli = _cli(path, args, *map(str, numbers), capfd=capfd)
    dock = window.measure.dock
    assert dock.table.rowCount() == 1
    [gui] = [m.as_json() for m in dock.measurements()]
    for key in ("pixels", "mean", "std", "min", "max", "area_mm2", "length_mm"):
        if key in cli:
            assert gui[key] == pytest.approx(cli[key]), key
    assert panel.image_view.shapes.items  # drawn, with its label


def _expected(kind: str) -> list[tuple[float, float]]:
    return {
        "rect": Rect(30, 20, 40, 30).points,
        "ellipse": Ellipse(50, 35, 20, 15).points,
        "line": Line(30, 20, 70, 50).points,
    }[kind]


def test_profile_plot_delete_and_follow_a_crop(window, qtbot) -> None:
    from viewer.edits.operations import Crop

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    panel.document.add_shape(Line(10, 10, 40, 10), 0)
    panel.document.add_shape(Rect(20, 20, 10, 10), 0)
    window.measure.dock.set_panel(panel)
    panel.image_view.shapes.refresh()
    dock = window.measure.dock
    dock.table.selectRow(0)
    [curve] = dock.plot.getPlotItem().listDataItems()
    assert len(curve.getData()[1]) == 31  # one value per pixel step
    window.edits.apply_operation(Crop(5, 5, 60, 60))
    panel.view.load_current()
    assert [s for _, _, s in panel.document.shapes()][1] == Rect(15, 15, 10, 10)
    assert dock.table.item(1, 3).text() == dock.measurements()[1].label()
    dock.table.selectRow(1)
    [bars] = dock.plot.getPlotItem().listDataItems()  # the region's histogram
    assert sum(bars.getData()[1]) == dock.measurements()[1].values["pixels"]
    dock.delete_selected()
    assert len(panel.document.shapes()) == 1 and dock.table.rowCount() == 1


def test_moving_a_handle_replaces_the_shape(window, qtbot) -> None:
    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    panel.document.add_shape(Rect(20, 20, 10, 10), 0)
    panel.image_view.shapes.refresh()
    [(_, roi, _label)] = panel.image_view.shapes.items
    roi.setPos(panel.image_view.shapes.to_view(30, 25) - QPointF(0, 0), finish=True)
    [(_, _, moved)] = panel.document.shapes()
    assert moved.x == pytest.approx(30) and moved.y == pytest.approx(25) and moved.width == pytest.approx(10)


def test_saved_report_brings_the_shapes_back(window, qtbot, tmp_path: Path) -> None:
    from viewer.ui.dialogs import set_answer

    path = corpus_file("CT_small.dcm")
    panel = window.open_paths([path])[0]
    shapes = [Rect(20, 20, 10, 10), Ellipse(60, 50, 8, 4), Line(5, 5, 45, 35)]
    for shape in shapes:
        panel.document.add_shape(shape, 0)
    window.measure.dock.set_panel(panel)
    set_answer("save_path", str(tmp_path / "sr.dcm"))
    window.measure.save_report_dialog()
    assert (tmp_path / "sr.dcm").exists()
    window.close_tab(window.tabs.indexOf(panel))
    [again] = window.open_paths([path, tmp_path / "sr.dcm"])
    assert [s for _, _, s in again.document.shapes()] == shapes
    csv = tmp_path / "m.csv"
    window.measure.dock.export_csv(csv)
    assert csv.read_text().count("\n") == 4  # a header and three shapes


def test_angle_tool_takes_two_drags(window, qtbot) -> None:
    from viewer.model.shapes import Angle

    panel = window.open_paths([corpus_file("CT_small.dcm")])[0]
    _draw(window, qtbot, panel, "measure-angle", (40, 40), (40, 80))  # vertex, then along the row
    assert panel.document.shapes() == []  # one arm is not an angle yet
    viewport = panel.image_view.graphics.viewport()
    drag(viewport, viewport_point(panel, 60, 60), viewport_point(panel, 80, 40), Qt.MouseButton.LeftButton, steps=8)
    [(_, _, angle)] = panel.document.shapes()
    assert isinstance(angle, Angle)
    assert window.measure.dock.measurements()[0].values["angle_deg"] == pytest.approx(90, abs=2)
