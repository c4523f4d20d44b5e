"""Measurements kept as a DICOM SR: a TID 1500 Measurement Report written with highdicom.

Each shape is one planar ROI group (TID 1410) whose region is an SCOORD on the measured
image (and frame): regions carry mean, standard deviation, minimum, maximum and area;
lines their length, angles (an open polyline of three points) their angle. SCOORD puts
(0, 0) at the top-left corner of the top-left pixel, so our pixel-centre coordinates
move by half a pixel there, and back on reading
(:func:`read_measurements`, used to show the shapes again with their image).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pydicom import dcmread
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from viewer.io.atomic import atomic_write
from viewer.model.errors import ViewerError, one_line
from viewer.model.measurements import Measurement
from viewer.model.shapes import Angle, Ellipse, Line, Polygon, Rect, Shape

#: UCUM units of modality values, by the words the modality transform uses.
_UNITS = {
    "HU": ("[hnsf'U]", "Hounsfield unit"),
    "GY": ("Gy", "Gray"),
    "RELATIVE": ("1", "no units"),
}


def _concept(code: str, meaning: str) -> Any:
    import highdicom as hd

    return hd.sr.CodedConcept(value=code, scheme_designator="UCUM", meaning=meaning)


def _graphic(shape: Shape) -> tuple[str, np.ndarray]:
    """(SCOORD graphic type, (column, row) points in SCOORD pixel coordinates)."""
    points = np.array(shape.points, dtype=np.float64) + 0.5
    if isinstance(shape, (Line, Angle)):  # open polylines of 2 and 3 points
        return "POLYLINE", points
    if isinstance(shape, Ellipse):
        if shape.ry > shape.rx:  # the major axis comes first
            points = points[[2, 3, 0, 1]]
        return "ELLIPSE", points
    return "POLYLINE", np.vstack([points, points[:1]])  # closed: ends where it starts


def _group(index: int, measurement: Measurement, source: Dataset) -> Any:
    import highdicom as hd

    graphic_type, data = _graphic(measurement.shape)
    frames = [measurement.frame + 1] if int(source.get("NumberOfFrames", 1) or 1) > 1 else None
    region = hd.sr.ImageRegion(
        graphic_type=graphic_type,
        graphic_data=data,
        source_image=hd.sr.SourceImageForRegion(source.SOPClassUID, source.SOPInstanceUID, frames),
    )
    v = measurement.values
    if isinstance(measurement.shape, Angle):
        items = [hd.sr.Measurement(name=codes.SCT.Angle, value=v["angle_deg"], unit=codes.UCUM.Degree)]
    elif isinstance(measurement.shape, Line):
        length, unit = (v["length_mm"], _concept("mm", "millimeter"))
        if length is None:
            length, unit = v["length_px"], _concept("{pixels}", "pixels")
        items = [hd.sr.Measurement(name=codes.SCT.Length, value=length, unit=unit)]
    else:
        code, meaning = _UNITS.get(measurement.units.upper(), ("1", "no units"))
        unit = _concept(code, meaning)
        items = [
            hd.sr.Measurement(name=codes.SCT.Mean, value=v["mean"], unit=unit),
            hd.sr.Measurement(name=codes.SCT.StandardDeviation, value=v["std"], unit=unit),
            hd.sr.Measurement(name=codes.SCT.Minimum, value=v["min"], unit=unit),
            hd.sr.Measurement(name=codes.SCT.Maximum, value=v["max"], unit=unit),
        ]
        if v["area_mm2"] is not None:
            items.append(hd.sr.Measurement(name=codes.SCT.Area, value=v["area_mm2"], unit=_concept("mm2", "mm2")))
    return hd.sr.PlanarROIMeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(
            uid=generate_uid(), identifier=f"{measurement.shape.kind} {index}"
        ),
        referenced_region=region,
        measurements=items,
    )


def write_measurement_report(path: Path, source: Dataset, measurements: list[Measurement]) -> None:
    """Write `measurements` of the image `source` (its header) as a TID 1500 SR to `path`."""
    import highdicom as hd

    if not measurements:
        raise ViewerError("there are no measurements to save")
    try:
        report = hd.sr.MeasurementReport(
            observation_context=hd.sr.ObservationContext(
                observer_device_context=hd.sr.ObserverContext(
                    observer_type=codes.DCM.Device,
                    observer_identifying_attributes=hd.sr.DeviceObserverIdentifyingAttributes(
                        uid=generate_uid(), name="dicom-viewer"
                    ),
                )
            ),
            procedure_reported=codes.SCT.ImagingProcedure,
            imaging_measurements=[_group(i + 1, m, source) for i, m in enumerate(measurements)],
        )
        sr = hd.sr.Comprehensive3DSR(
            evidence=[source],
            content=report,
            series_instance_uid=generate_uid(),
            series_number=int(source.get("SeriesNumber", 0) or 0) + 1000,
            sop_instance_uid=generate_uid(),
            instance_number=1,
            manufacturer="dicom-viewer",
            is_complete=True,
        )
    except (ValueError, TypeError, AttributeError) as exc:
        raise ViewerError(f"cannot build the measurement report: {one_line(exc)}") from None
    with atomic_write(path) as f:
        sr.save_as(f, enforce_file_format=True)


def read_measurements(path: Path, source: Dataset) -> list[tuple[int, Shape]]:
    """(0-based frame, shape) of every planar ROI in the SR at `path` that refers to `source`."""
    import highdicom as hd

    try:
        content: Any = hd.sr.Comprehensive3DSR.from_dataset(dcmread(path)).content  # a MeasurementReport
        groups = content.get_planar_roi_measurement_groups(referenced_sop_instance_uid=source.SOPInstanceUID)
    except Exception as exc:
        raise ViewerError(f"cannot read measurements from '{path.name}': {one_line(exc)}") from None
    shapes: list[tuple[int, Shape]] = []
    for group in groups:
        region = group.roi
        if region is None:
            continue
        points = np.asarray(region.value) - 0.5
        shapes.append((_frame_of(region), _shape(str(region.graphic_type.value), points)))
    return shapes


def _frame_of(region: Any) -> int:
    """The 0-based frame an SCOORD refers to (its IMAGE item's Referenced Frame Number)."""
    try:
        number = region.ContentSequence[0].ReferencedSOPSequence[0].get("ReferencedFrameNumber")
        if number is None or number == "":
            return 0
        return int(list(number)[0] if isinstance(number, MultiValue) else number) - 1
    except (AttributeError, IndexError, TypeError, ValueError):
        return 0


def _shape(graphic_type: str, points: np.ndarray) -> Shape:
    if graphic_type == "POLYLINE" and len(points) == 2:
        (x1, y1), (x2, y2) = points.tolist()
        return Line(x1, y1, x2, y2)
    if graphic_type == "POLYLINE" and len(points) == 3 and not np.allclose(points[0], points[-1]):
        (x1, y1), (x2, y2), (x3, y3) = points.tolist()
        return Angle(x1, y1, x2, y2, x3, y3)
    if graphic_type == "ELLIPSE":
        a, b = points[:2], points[2:]
        centre = a.mean(axis=0)
        ra, rb = np.linalg.norm(a[1] - a[0]) / 2, np.linalg.norm(b[1] - b[0]) / 2
        horizontal = abs(a[1][0] - a[0][0]) >= abs(a[1][1] - a[0][1])
        rx, ry = (ra, rb) if horizontal else (rb, ra)
        return Ellipse(float(centre[0]), float(centre[1]), float(rx), float(ry))
    if len(points) > 1 and np.allclose(points[0], points[-1]):
        points = points[:-1]
    if len(points) == 4:
        xs, ys = points[:, 0], points[:, 1]
        if len(set(np.round(xs, 6))) == 2 and len(set(np.round(ys, 6))) == 2:
            return Rect(float(xs.min()), float(ys.min()), float(xs.max() - xs.min()), float(ys.max() - ys.min()))
    return Polygon(tuple((float(x), float(y)) for x, y in points))
