"""Masks kept as a DICOM Segmentation (binary), written with highdicom.

One segment per mask, referencing the source image and its frames; highdicom places
each frame by the source's geometry. The mask is in the source's own frames and pixel
grid (unedited pixels): a segmentation describes the image it references.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.uid import generate_uid

from viewer.io.atomic import atomic_write
from viewer.model.errors import ViewerError, one_line
from viewer.model.header import shallow_copy
from viewer.model.progress import no_progress
from viewer.model.segments import Colour
from viewer.model.source import ProgressCallback

if TYPE_CHECKING:
    from viewer.io.batch import BatchResult

Mask = npt.NDArray[np.bool_]


def write_segmentation(
    path: Path,
    source: Dataset,
    masks: list[tuple[str, Mask]],
    description: str = "",
    series_number: int = 0,
    colours: list[Colour] | None = None,
    properties: list[tuple[str, str]] | None = None,
) -> int:
    """Write `masks` ((label, (frames, rows, columns) bool)) of `source` as a binary SEG,
    with their display `colours` and (category, type) SNOMED CT keywords when given
    (default Tissue, Tissue); returns the number of frames written. Raises ViewerError."""
    import highdicom as hd

    if not masks:
        raise ViewerError("there is no mask to save")
    for label, mask in masks:
        if not mask.any():
            raise ViewerError(f"segment '{label}' is empty: the range selects no pixel; nothing written")
    stacked = np.stack([mask for _, mask in masks], axis=-1).astype(np.uint8)  # (frames, rows, columns, segments)
    segments = [
        hd.seg.SegmentDescription(
            segment_number=number,
            segment_label=label[:64],
            segmented_property_category=getattr(codes.SCT, properties[number - 1][0] if properties else "Tissue"),
            segmented_property_type=getattr(codes.SCT, properties[number - 1][1] if properties else "Tissue"),
            algorithm_type=hd.seg.SegmentAlgorithmTypeValues.SEMIAUTOMATIC,
            algorithm_identification=hd.AlgorithmIdentificationSequence(
                name="dicom-viewer threshold", version="1", family=codes.cid7162.ArtificialIntelligence
            ),
            display_color=hd.color.CIELabColor.from_rgb(*colours[number - 1]) if colours else None,
        )
        for number, (label, _) in enumerate(masks, 1)
    ]
    try:
        seg = hd.seg.Segmentation(
            source_images=[_with_type2_patient_study(source)],
            pixel_array=stacked,
            segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
            segment_descriptions=segments,
            series_instance_uid=generate_uid(),
            series_number=series_number or int(source.get("SeriesNumber", 0) or 0) + 2000,
            sop_instance_uid=generate_uid(),
            instance_number=1,
            manufacturer="dicom-viewer",
            manufacturer_model_name="dicom-viewer",
            software_versions="1",
            device_serial_number="0",
            content_description=description[:64] or None,
            omit_empty_frames=True,
        )
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        raise ViewerError(f"cannot make a segmentation of this image: {one_line(exc)}") from None
    if "FrameOfReferenceUID" not in source and "PatientOrientation" not in seg:
        seg.PatientOrientation = source.get("PatientOrientation", "")  # Type 2C without a frame of reference
    with atomic_write(path) as f:
        seg.save_as(f, enforce_file_format=True)
    return int(seg.get("NumberOfFrames", 1) or 1)


#: Type 2 attributes a segmentation copies from its source: absent in the source means
#: unknown, which the copy says with an empty value (highdicom needs them present).
_TYPE2_COPIED = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
    "StudyID",
    "AccessionNumber",
)


def _with_type2_patient_study(source: Dataset) -> Dataset:
    copy = shallow_copy(source)  # the document's header stays as read
    for keyword in _TYPE2_COPIED:
        if keyword not in copy:
            setattr(copy, keyword, "")
    return copy


def drawn_segments(document: Any) -> tuple[list[tuple[str, Mask]], dict[str, Any]]:
    """The document's drawn segments as (label, mask over every frame), and their colours
    and properties as write_segmentation's keyword arguments. Refused when the pixels are
    edited: a SEG references the file as it is on disk."""
    if document.is_edited:
        raise ViewerError(
            "the pixels are edited: a segmentation refers to the file as it is on disk; "
            "save the segmentation before editing pixels, or save the edited image and open that"
        )
    segments = document.drawn_segments().segments
    if not segments:
        raise ViewerError("there is no segment to save: add one and draw into it")
    masks = [(s.label, s.volume()) for s in segments]
    return masks, {"colours": [s.colour for s in segments], "properties": [(s.category, s.kind) for s in segments]}


def threshold_mask(document: Any, low: float, high: float, frames: list[int]) -> Mask:
    """True where frame i (in `frames`, 0-based) holds modality values in [low, high]; the
    other frames stay empty. The source's own pixels (a SEG references the file)."""
    if document.source_pixels.is_color:
        raise ViewerError("a segmentation by value needs a grayscale image; this one is colour")
    p = document.source_pixels
    mask = np.zeros((p.frames, p.rows, p.columns), dtype=bool)
    for index in frames:
        values = document.source.modality_for(index).apply(document.source_frame(index))
        mask[index] = (values >= low) & (values <= high)
    return mask


def segment_file(
    source: Path,
    target: Path,
    threshold: tuple[float, float] | None = None,
    recipe: list[Any] | None = None,
    frames: str | None = None,
    label: str = "Threshold",
) -> str:
    """Write the SEG of one file: the `threshold` range over every frame (or the 1-based
    `frames` spec), or the segments drawn by a `recipe`'s mask steps. Returns its report."""
    from viewer.edits.frames import parse_frame_spec
    from viewer.io.targets import resolve_output
    from viewer.model.document import open_document

    target = resolve_output(Path(target), [Path(source)])
    document = open_document(source)
    if recipe is not None:
        from viewer.edits.session import begin_edit

        work = begin_edit(document)
        for operation in recipe:
            work.apply(operation)
        masks, described = drawn_segments(document)
        written = write_segmentation(target, document.dataset, masks, "dicom-viewer segments", **described)
        pixels = sum(int(mask.sum()) for _, mask in masks)
        return f"saved {target} ({len(masks)} segment(s), {pixels} pixels in {written} frame(s))"
    assert threshold is not None
    low, high = threshold
    indices = parse_frame_spec(frames, document.frame_count) if frames else list(range(document.frame_count))
    mask = threshold_mask(document, low, high, indices)
    written = write_segmentation(target, document.dataset, [(label, mask)], f"{low:g} <= value <= {high:g}")
    return f"saved {target} ({int(mask.sum())} pixels in {written} frame(s))"


def segment_folder(
    source: Path,
    output: Path,
    progress: ProgressCallback = no_progress,
    workers: int | None = 1,
    scheduler: str | None = None,
    resume: bool = False,
    **options: Any,
) -> BatchResult:
    """`segment_file` (with `options`) for every file below `source`, each SEG at the same
    relative path below `output`, run as viewer.io.batch_engine runs folders."""
    from functools import partial

    from viewer.io.batch_engine import run_folder

    return run_folder(source, output, partial(segment_file, **options), workers, scheduler, resume, progress)
