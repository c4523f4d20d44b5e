"""The Retain Safe Private Option of PS3.15 (E.3.10): private attributes known to be safe.

The table is the part of PS3.15 Table E.3.10-1 whose values are acquisition numbers and
codes (diffusion b-values and directions, scale factors, pitch, SUV factors, ...). The
table's UIDs, free text (LT), opaque blobs (OB) and sequences are not retained: they
would need cleaning of their own. An element is kept only when its private creator,
group, element byte and VR all match a row; everything else private is removed as before.
"""

from __future__ import annotations

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset

#: (private creator, group, element byte) -> VR, from PS3.15 Table E.3.10-1.
SAFE_PRIVATE: dict[tuple[str, int, int], str] = {
    ("Philips PET Private Group", 0x7053, 0x00): "DS",  # SUV factor
    ("Philips PET Private Group", 0x7053, 0x09): "DS",  # activity concentration factor
    ("ELSCINT1", 0x00E1, 0x21): "DS",  # DLP
    ("ELSCINT1", 0x00E1, 0x50): "DS",  # acquisition duration
    ("ELSCINT1", 0x01E1, 0x26): "CS",  # phantom type
    ("ELSCINT1", 0x01F1, 0x01): "CS",  # acquisition type
    ("ELSCINT1", 0x01F1, 0x07): "DS",  # table velocity
    ("ELSCINT1", 0x01F1, 0x26): "DS",  # pitch
    ("ELSCINT1", 0x01F1, 0x27): "DS",  # rotation time
    ("GEMS_ACQU_01", 0x0019, 0x23): "DS",  # table speed
    ("GEMS_ACQU_01", 0x0019, 0x24): "DS",  # mid scan time
    ("GEMS_ACQU_01", 0x0019, 0x27): "DS",  # rotation speed
    ("GEMS_PARM_01", 0x0043, 0x27): "SH",  # scan pitch ratio
    ("GEMS_PARM_01", 0x0043, 0x39): "IS",  # first value is the b-value
    ("GEMS_PARM_01", 0x0043, 0x6F): "DS",  # table entry, gradient coil
    ("GEMS_HELIOS_01", 0x0045, 0x01): "SS",  # macro rows in detector
    ("GEMS_HELIOS_01", 0x0045, 0x02): "FL",  # macro width at iso centre
    ("GEMS_SERS_01", 0x0025, 0x07): "SL",  # images in series
    ("Philips Imaging DD 001", 0x2001, 0x03): "FL",  # diffusion b-factor
    ("Philips Imaging DD 001", 0x2001, 0x04): "CS",  # diffusion direction
    ("Philips MR Imaging DD 001", 0x2005, 0x0D): "FL",  # scale intercept
    ("Philips MR Imaging DD 001", 0x2005, 0x0E): "FL",  # scale slope
    ("SIEMENS MR HEADER", 0x0019, 0x0C): "IS",  # b-value
    ("SIEMENS MR HEADER", 0x0019, 0x0D): "CS",  # diffusion directionality
    ("SIEMENS MR HEADER", 0x0019, 0x0E): "FD",  # diffusion gradient direction
    ("SIEMENS MR HEADER", 0x0019, 0x27): "FD",  # B matrix
}


def safe_private_elements(ds: Dataset) -> list[DataElement]:
    """The safe private elements of `ds` (this level only), each with its private creator."""
    kept: dict[int, DataElement] = {}
    for element in ds:
        tag = element.tag
        if not tag.is_private or tag.is_private_creator or tag.element < 0x1000:
            continue
        creator_tag = (tag.group << 16) | (tag.element >> 8)
        creator = ds.get(creator_tag)
        if creator is None or not isinstance(creator.value, str):
            continue
        expected = SAFE_PRIVATE.get((creator.value.strip(), tag.group, tag.element & 0xFF))
        if expected is not None and element.VR == expected:
            kept[creator_tag] = creator
            kept[int(tag)] = element
    return [kept[tag] for tag in sorted(kept)]


def restore(ds: Dataset, elements: list[DataElement]) -> None:
    """Put back what safe_private_elements found (after the profile removed all private data)."""
    for element in elements:
        ds[element.tag] = element
