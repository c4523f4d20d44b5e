"""Encapsulated pixel data nested in sequences (private thumbnails, icons) across a syntax change.

Encapsulated (undefined-length) pixel data is legal only in the compressed transfer
syntax it was encoded in. A save that changes the syntax re-encodes the top-level Pixel
Data, but a copy of such a nested element would be illegal in the new file (dciodvfy
and other readers reject it). Each such element is removed from a copy of its sequence
(the commit's dataset is never changed) and listed, never dropped silently.
"""

from __future__ import annotations

import copy

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.uid import UID

from viewer.io.tag_changes import TagChange


def _is_encapsulated(element: DataElement) -> bool:
    return element.VR in ("OB", "OW", "UN") and bool(element.is_undefined_length)


def _nested_paths(item: Dataset, where: str) -> list[str]:
    """Paths of encapsulated elements inside the sequences of `item`."""
    found = []
    for element in item:
        if element.VR == "SQ":
            for number, child in enumerate(element.value, 1):
                inner = f"{where}{element.tag}[{number}]."
                found += [f"{inner}{e.tag}" for e in child if _is_encapsulated(e)]
                found += _nested_paths(child, inner)
    return found


def _remove(item: Dataset) -> None:
    for element in list(item):
        if element.VR == "SQ":
            for child in element.value:
                for tag in [e.tag for e in child if _is_encapsulated(e)]:
                    del child[tag]
                _remove(child)


def drop_nested_encapsulated(ds: Dataset, source: UID, target: UID) -> list[TagChange]:
    """Remove nested encapsulated data that `target` cannot carry (see the module docstring).

    `ds` must be a shallow copy: each affected top-level sequence is replaced by a deep copy."""
    if target == source and target.is_compressed:
        return []
    changes: list[TagChange] = []
    for element in list(ds):
        if element.VR != "SQ":
            continue
        paths = _nested_paths(Dataset({element.tag: element}), "")
        if not paths:
            continue
        fresh = copy.deepcopy(element)
        _remove(Dataset({fresh.tag: fresh}))
        ds[element.tag] = fresh
        why = f"encapsulated data cannot stand in {target.name}"
        changes += [TagChange(path, "encapsulated pixel data", f"(removed: {why})") for path in paths]
    return changes
