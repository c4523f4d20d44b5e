"""Marking an edited object as derived: Image and Frame Type, Derivation Description,
Source Image Sequence, new SOP Instance UID, Lossy Image Compression never reset, and the
attributes an IOD allows only on ORIGINAL images removed."""

from __future__ import annotations

from pydicom.dataset import Dataset
from pydicom.uid import UID, generate_uid

from viewer.edits.session import edit_state
from viewer.io.tag_changes import TagRecorder
from viewer.model import codecs
from viewer.model.document import Document

DERIVATION_PREFIX = "Edited with dicom-viewer: "
#: Attributes of Enhanced MR (PS3.3 C.8.13.4 MR Pulse Sequence, C.7.6.18.2 Bulk Motion
#: Synchronization) that dciodvfy allows only while Image Type value 1 is ORIGINAL or MIXED.
#: PS3.3 says "may be present otherwise", and newer dicom3tools releases agree (mbpo), but
#: the dicom3tools our users and CI install (Debian, 2022) reports each one kept on a
#: DERIVED image as an error; tests/io/test_enhanced_derived.py checks that every removal
#: is one that validator demands. Revisit when it is updated.
_ORIGINAL_ONLY_MR = (
    "PulseSequenceName",
    "MRAcquisitionType",
    "EchoPulseSequence",
    "MultipleSpinEcho",
    "MultiPlanarExcitation",
    "PhaseContrast",
    "VelocityEncodingAcquisitionSequence",
    "TimeOfFlightContrast",
    "ArterialSpinLabelingContrast",
    "SteadyStatePulseSequence",
    "EchoPlanarPulseSequence",
    "SaturationRecovery",
    "SpectrallySelectedSuppression",
    "OversamplingPhase",
    "GeometryOfKSpaceTraversal",
    "RectilinearPhaseEncodeReordering",
    "SegmentedKSpaceTraversal",
    "CoverageOfKSpace",
    "NumberOfKSpaceTrajectories",
    "BulkMotionCompensationTechnique",
    "BulkMotionSignalSource",
)
_ORIGINAL_ONLY = {
    "1.2.840.10008.5.1.4.1.1.4.1": _ORIGINAL_ONLY_MR,  # Enhanced MR Image
    "1.2.840.10008.5.1.4.1.1.4.3": _ORIGINAL_ONLY_MR,  # Enhanced MR Color Image
}


#: IODs whose Image Type value 2 is enumerated as PRIMARY only (dciodvfy rejects SECONDARY):
#: an edited copy stays PRIMARY there. Enhanced and Legacy Converted IODs are recognised
#: by name (their Image Type and Frame Type value 2 are PRIMARY-only too).
_PRIMARY_ONLY = {
    "1.2.840.10008.5.1.4.1.1.128",  # PET Image
    "1.2.840.10008.5.1.4.1.1.20",  # Nuclear Medicine Image
    "1.2.840.10008.5.1.4.1.1.77.1.6",  # VL Whole Slide Microscopy Image
    "1.2.840.10008.5.1.4.1.1.77.1.5.1",  # Ophthalmic Photography 8 Bit Image
    "1.2.840.10008.5.1.4.1.1.77.1.5.2",  # Ophthalmic Photography 16 Bit Image
    "1.2.840.10008.5.1.4.1.1.14.1",  # Intravascular OCT Image - For Presentation
    "1.2.840.10008.5.1.4.1.1.14.2",  # Intravascular OCT Image - For Processing
    "1.2.840.10008.5.1.4.1.1.66.4",  # Segmentation
}


def secondary_allowed(ds: Dataset) -> bool:
    """True when the IOD lets Image Type value 2 say SECONDARY (see `_PRIMARY_ONLY`)."""
    sop_class = UID(str(ds.get("SOPClassUID", "")))
    enhanced = "PerFrameFunctionalGroupsSequence" in ds or any(
        word in sop_class.name for word in ("Enhanced", "Legacy Converted")
    )
    return not enhanced and str(sop_class) not in _PRIMARY_ONLY


def mark_derived(
    rec: TagRecorder, ds: Dataset, document: Document, damage: str = "", instance_uid: str | None = None
) -> None:
    work = edit_state(document)
    image_type = list(ds.get("ImageType", []) or [])
    if image_type:
        image_type[0] = "DERIVED"
        if len(image_type) > 1 and secondary_allowed(ds):
            image_type[1] = "SECONDARY"
        rec.set(ds, "ImageType", image_type)
    for keyword in _ORIGINAL_ONLY.get(str(ds.get("SOPClassUID", "")), ()):
        rec.delete(ds, keyword)
    for seq_keyword in ("SharedFunctionalGroupsSequence", "PerFrameFunctionalGroupsSequence"):
        for i, groups in enumerate(ds.get(seq_keyword, []) or []):
            for macro in groups:
                if macro.VR == "SQ" and macro.value and "FrameType" in macro.value[0]:
                    frame_type = list(macro.value[0].FrameType)
                    frame_type[0] = "DERIVED"
                    rec.set(macro.value[0], "FrameType", frame_type, f"{seq_keyword}[{i + 1}] > {macro.keyword} > ")
    description = DERIVATION_PREFIX + "; ".join(
        [op.describe() for op in work.operations if op.changes_pixels] + ([damage] if damage else [])
    )
    rec.set(ds, "DerivationDescription", description[:1024])
    original_class = ds.get("SOPClassUID")
    original_instance = ds.get("SOPInstanceUID")
    if original_class and original_instance and "PerFrameFunctionalGroupsSequence" not in ds:
        reference = Dataset()
        reference.ReferencedSOPClassUID = original_class
        reference.ReferencedSOPInstanceUID = original_instance
        sources = list(ds.get("SourceImageSequence", []) or [])
        rec.set(ds, "SourceImageSequence", [*sources, reference])
    new_uid = UID(instance_uid) if instance_uid else generate_uid()
    rec.set(ds, "SOPInstanceUID", new_uid)
    ds.file_meta.MediaStorageSOPInstanceUID = new_uid
    if document.is_lossy and str(ds.get("LossyImageCompression", "")).strip() != "01":
        rec.set(ds, "LossyImageCompression", "01")
        method = codecs.lossy_method(document.transfer_syntax)
        if method and "LossyImageCompressionMethod" not in ds:
            rec.set(ds, "LossyImageCompressionMethod", method)
