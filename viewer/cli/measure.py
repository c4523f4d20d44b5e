"""`dicom-viewer measure PATH [--frame N] SHAPE ... [--json] [--sr OUT.dcm]`.

The same measurement core as the GUI (viewer.model.measurements): shapes in pixel
coordinates (x = column, y = row, pixel centres at integers), values in modality units.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from viewer.cli.usage import UsageError


class _ShapeAction(argparse.Action):
    """Collect shapes in the order given, whatever their kind."""

    def __call__(self, parser: Any, namespace: argparse.Namespace, values: Any, option: str | None = None) -> None:
        shapes = list(getattr(namespace, "shapes", None) or [])
        shapes.append((self.dest, [float(v) for v in values]))
        namespace.shapes = shapes


def add_parser(sub: Any) -> None:
    measure = sub.add_parser("measure", help="region statistics, lengths and profiles in modality units")
    measure.add_argument("path")
    measure.add_argument("--frame", type=int, default=1, metavar="N", help="1-based frame number")
    measure.add_argument("--line", nargs=4, metavar=("X1", "Y1", "X2", "Y2"), action=_ShapeAction)
    measure.add_argument("--rect", nargs=4, metavar=("X", "Y", "W", "H"), action=_ShapeAction)
    measure.add_argument(
        "--angle",
        nargs=6,
        metavar=("X1", "Y1", "X2", "Y2", "X3", "Y3"),
        action=_ShapeAction,
        help="arms from the vertex (X2, Y2)",
    )
    measure.add_argument("--ellipse", nargs=4, metavar=("CX", "CY", "RX", "RY"), action=_ShapeAction)
    measure.add_argument("--polygon", nargs="+", metavar="X Y", action=_ShapeAction, help="three or more points")
    measure.add_argument("--json", action="store_true", help='print {"measurements": [...]}')
    measure.add_argument("--sr", metavar="OUT.dcm", help="also write a DICOM SR (TID 1500 Measurement Report)")
    measure.set_defaults(shapes=None)


def _shape(kind: str, numbers: list[float]) -> Any:
    from viewer.model.shapes import Angle, Ellipse, Line, Polygon, Rect

    if kind == "polygon":
        if len(numbers) % 2:
            raise UsageError(f"--polygon needs X Y pairs; {len(numbers)} numbers given")
        return Polygon(tuple((numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2)))
    return {"line": Line, "angle": Angle, "rect": Rect, "ellipse": Ellipse}[kind](*numbers)


def _text(m: Any) -> str:
    v, units = m.values, f" {m.units}" if m.units else ""
    where = f"{m.shape.kind} on frame {m.frame + 1}: "
    if "angle_deg" in v:
        return f"{where}{v['angle_deg']:.2f} degrees ({m.spacing_source})"
    if "length_px" in v:
        mm = f"{v['length_mm']:.2f} mm, " if v["length_mm"] is not None else ""
        return f"{where}{mm}{v['length_px']:.2f} px; profile of {len(v['profile'])} values ({m.spacing_source})"
    area = f", area {v['area_mm2']:.2f} mm2" if v["area_mm2"] is not None else ""
    return (
        f"{where}{v['pixels']} pixels, mean {v['mean']:.4g}{units}, std {v['std']:.4g}, "
        f"min {v['min']:.4g}, max {v['max']:.4g}{area} ({m.spacing_source})"
    )


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from viewer.io.sr import write_measurement_report
    from viewer.io.targets import resolve_output
    from viewer.model.document import open_document
    from viewer.model.measurements import measure

    if not args.shapes:
        raise UsageError("give at least one shape: --line, --angle, --rect, --ellipse or --polygon")
    shapes = [_shape(kind, numbers) for kind, numbers in args.shapes]
    target = resolve_output(Path(args.sr), [Path(args.path)]) if args.sr else None
    document = open_document(args.path)
    measurements = [measure(document, args.frame - 1, shape) for shape in shapes]
    if args.json:
        out.write(json.dumps({"measurements": [m.as_json() for m in measurements]}) + "\n")
    else:
        out.write("".join(_text(m) + "\n" for m in measurements))
    if target is not None:
        write_measurement_report(target, document.dataset, measurements)
    return 0
