"""The changes a commit makes, recorded as they are made: path, old value, new value.

The save preview and `edit --report` list them; nothing changes a committed dataset
without going through a :class:`TagRecorder`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence


@dataclass(frozen=True)
class TagChange:
    """One attribute the save changes: where, old value, new value (as text)."""

    path: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.path}: {self.old or '(absent)'} -> {self.new or '(removed)'}"


class TagRecorder:
    """Sets and deletes attributes, remembering what changed."""

    def __init__(self) -> None:
        self.changes: list[TagChange] = []

    @staticmethod
    def _text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, Sequence):
            return f"{len(value)} item(s)"
        if isinstance(value, (list, tuple, MultiValue)):
            return "\\".join(str(v) for v in value)
        if isinstance(value, (bytes, bytearray)):
            return f"<{len(value)} bytes>"
        return str(value)

    def set(self, ds: Dataset, keyword: str, value: Any, where: str = "", vr: str | None = None) -> None:
        old = self._text(ds.get(keyword)) if keyword in ds else ""
        if vr is not None:
            if keyword in ds and ds[keyword].VR != vr:
                del ds[keyword]
            from pydicom.datadict import tag_for_keyword

            tag = tag_for_keyword(keyword)
            assert tag is not None, keyword  # keywords here are dictionary names
            ds.add_new(tag, vr, value)
        else:
            setattr(ds, keyword, value)
        new = self._text(ds.get(keyword))
        if old != new:
            self.changes.append(TagChange(f"{where}{keyword}", old, new))

    def delete(self, ds: Dataset, keyword: str, where: str = "") -> None:
        if keyword in ds:
            text = self._text(ds[keyword].value)
            del ds[keyword]
            self.changes.append(TagChange(f"{where}{keyword}", text, ""))

    def note(self, path: str, old: str, new: str) -> None:
        self.changes.append(TagChange(path, old, new))
