"""The changes a commit makes: built on a fresh copy of the header, checked, then written.

Each change is recorded as path, old value, new value (the save preview and `edit
--report` list them); :meth:`TagRecorder.check` validates every new value against its VR
before the save writes anything, as pydicom's ``set_pixel_data`` validates before it
writes. The document itself is never touched: a failed check leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.sequence import Sequence

from viewer.model.errors import ViewerError, describe_attribute, one_line


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
        self._written: list[tuple[Dataset, str | int, str]] = []  # (dataset, keyword or tag, where) set here

    @staticmethod
    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, Sequence):
            return f"{len(value)} item(s)"
        if isinstance(value, (list, tuple, MultiValue)):
            return "\\".join(str(v) for v in value)
        if isinstance(value, (bytes, bytearray)):
            return f"<{len(value)} bytes>"
        return str(value)

    @staticmethod
    def _path(key: str | int) -> str:
        """A keyword as it is; a tag (repeating groups such as 60xx have no keyword) as '(gggg,eeee)'."""
        return key if isinstance(key, str) else f"({key >> 16:04X},{key & 0xFFFF:04X})"

    def set(self, ds: Dataset, key: str | int, value: Any, where: str = "", vr: str | None = None) -> None:
        """Set attribute `key` (a keyword, or a tag with its `vr`) and record the change."""
        old = self.text(ds[key].value) if key in ds else ""
        if vr is not None:
            if key in ds and ds[key].VR != vr:
                del ds[key]
            from pydicom.datadict import tag_for_keyword

            tag = tag_for_keyword(key) if isinstance(key, str) else key
            assert tag is not None, key  # keywords here are dictionary names
            ds.add_new(tag, vr, value)
        else:
            assert isinstance(key, str), "a tag is set with its VR"
            setattr(ds, key, value)
        new = self.text(ds[key].value)
        if old != new:
            self.changes.append(TagChange(f"{where}{self._path(key)}", old, new))
            self._written.append((ds, key, where))

    def delete(self, ds: Dataset, key: str | int, where: str = "") -> None:
        if key in ds:
            text = self.text(ds[key].value)
            del ds[key]
            self.changes.append(TagChange(f"{where}{self._path(key)}", text, ""))

    def note(self, path: str, old: str, new: str) -> None:
        self.changes.append(TagChange(path, old, new))

    def check(self) -> None:
        """Validate every value set here against its VR (pydicom's validators, strictly),
        before anything is written: a bad value is named now, not found by other tools."""
        from pydicom import config
        from pydicom.valuerep import validate_value

        for ds, key, where in self._written:
            element = ds[key]
            if element.VR == "SQ":
                continue
            values = element.value if isinstance(element.value, (list, tuple, MultiValue)) else [element.value]
            for value in values:
                if element.VR in ("DS", "IS") and not isinstance(value, str):
                    value = str(value)  # validated as written: the text of a DSfloat / IS
                try:
                    validate_value(element.VR, value, config.RAISE)
                except ValueError as exc:
                    raise ViewerError(
                        f"the save would write an invalid {where}{describe_attribute(self._path(key))}: {one_line(exc)}"
                    ) from None
