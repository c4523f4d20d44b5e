"""Metadata summary of a document: what `dicom-viewer info` prints."""

from __future__ import annotations

from typing import Any

from viewer.model.display import get_modality_transform, get_voi_luts, get_windows
from viewer.model.document import Document
from viewer.model.errors import ViewerError


def summarize(document: Document) -> dict[str, Any]:
    """Return a JSON-ready dictionary describing `document` (keys from DESIGN.md, and more)."""
    ds = document.dataset
    pixels = document.pixels
    first = document.frame_attributes(0)
    try:
        modality = get_modality_transform(first, pixels)
        slope, intercept = modality.slope, modality.intercept
        has_modality_lut = modality.lut is not None
        units = modality.units
    except ViewerError:
        slope, intercept, has_modality_lut, units = 1.0, 0.0, False, ""
    return {
        "path": str(document.path),
        "sop_class_uid": str(ds.get("SOPClassUID", "")),
        "sop_class_name": _uid_name(ds.get("SOPClassUID", "")),
        "sop_instance_uid": str(ds.get("SOPInstanceUID", "")),
        "transfer_syntax_uid": str(document.transfer_syntax),
        "transfer_syntax_name": document.transfer_syntax.name,
        "modality": str(ds.get("Modality", "")),
        "rows": pixels.rows,
        "columns": pixels.columns,
        "frames": pixels.frames,
        "samples_per_pixel": pixels.samples_per_pixel,
        "photometric_interpretation": pixels.photometric_interpretation,
        "bits_allocated": pixels.bits_allocated,
        "bits_stored": pixels.bits_stored,
        "pixel_representation": pixels.pixel_representation,
        "rescale_slope": slope,
        "rescale_intercept": intercept,
        "modality_lut": has_modality_lut,
        "units": units,
        "windows": [[w.center, w.width] for w in get_windows(first)],
        "voi_luts": len(get_voi_luts(first)),
        "pixel_spacing": _floats(first.get("PixelSpacing")),
        "lossy": document.is_lossy,
        "decodable": document.decodable,
        "forced": document.forced,
        "notes": list(document.notes),
    }


def _uid_name(uid: Any) -> str:
    from pydicom.uid import UID

    return UID(str(uid)).name if uid else ""


def _floats(value: Any) -> list[float] | None:
    try:
        return [float(v) for v in value] if value else None
    except (TypeError, ValueError):
        return None


def format_summary(info: dict[str, Any]) -> str:
    """Human-readable lines for `info` without --json."""
    windows = ", ".join(f"{c:g}/{w:g}" for c, w in info["windows"]) or "none"
    lines = [
        f"File:            {info['path']}",
        f"SOP Class:       {info['sop_class_name']} ({info['sop_class_uid']})",
        f"SOP Instance:    {info['sop_instance_uid']}",
        f"Transfer syntax: {info['transfer_syntax_name']} ({info['transfer_syntax_uid']})"
        + ("" if info["decodable"] else "  [cannot be decoded here]"),
        f"Modality:        {info['modality'] or '-'}",
        f"Size:            {info['columns']} x {info['rows']}, {info['frames']} frame(s), "
        f"{info['samples_per_pixel']} sample(s) per pixel",
        f"Photometric:     {info['photometric_interpretation']}",
        f"Bits:            allocated {info['bits_allocated']}, stored {info['bits_stored']}, "
        f"{'signed' if info['pixel_representation'] else 'unsigned'}",
        f"Rescale:         slope {info['rescale_slope']:g}, intercept {info['rescale_intercept']:g}"
        + (" (Modality LUT)" if info["modality_lut"] else "")
        + (f" [{info['units']}]" if info["units"] else ""),
        f"Windows (C/W):   {windows}" + (f"; {info['voi_luts']} VOI LUT(s)" if info["voi_luts"] else ""),
        f"Lossy:           {'yes' if info['lossy'] else 'no'}",
    ]
    lines += [f"Note:            {note}" for note in info["notes"]]
    return "\n".join(lines)
