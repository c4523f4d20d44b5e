"""Per-frame view of a dataset: top level overlaid by shared and per-frame groups.

Enhanced IODs move attributes such as (0028,1052) *Rescale Intercept*, (0028,1050)
*Window Center* or (0020,0032) *Image Position (Patient)* into functional group
macros (PS3.3 C.7.6.16). Display and geometry code asks one question, "what is the
value of X for frame i", and this module answers it the same way for classic and
enhanced objects.
"""

from __future__ import annotations

from pydicom.dataset import Dataset


def _merge_groups(view: Dataset, groups: Dataset) -> None:
    """Copy the elements inside each one-item macro sequence of `groups` into `view`."""
    for macro in groups:
        if macro.VR != "SQ" or not macro.value:
            continue
        for element in macro.value[0]:
            view[element.tag] = element


def frame_view(ds: Dataset, index: int) -> Dataset:
    """Return a shallow dataset with the attributes in force for frame `index` (0-based).

    Per-frame groups win over shared groups, which win over the top level.
    """
    shared = ds.get("SharedFunctionalGroupsSequence")
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    if not shared and not per_frame:
        return ds
    view = Dataset()
    for element in ds:
        if element.tag not in (0x52009229, 0x52009230, 0x7FE00010):
            view[element.tag] = element
    if shared:
        _merge_groups(view, shared[0])
    if per_frame and 0 <= index < len(per_frame):
        _merge_groups(view, per_frame[index])
    return view
