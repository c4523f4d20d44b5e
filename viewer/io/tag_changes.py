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
        self._written: list[tuple[Dataset, str, str]] = []  # (dataset, keyword, where) set here

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

    def set(self, ds: Dataset, keyword: str, value: Any, where: str = "", vr: str | None = None) -> None:
        old = self.text(ds.get(keyword)) if keyword in ds else ""
        if vr is not None:
            if keyword in ds and ds[keyword].VR != vr:
                del ds[keyword]
            from pydicom.datadict import tag_for_keyword

            tag = tag_for_keyword(keyword)
            assert tag is not None, keyword  # keywords here are dictionary names
            ds.add_new(tag, vr, value)
        else:
            setattr(ds, keyword, value)
        new = self.text(ds.get(keyword))
        if old != new:
            self.changes.append(TagChange(f"{where}{keyword}", old, new))
            self._written.append((ds, keyword, where))

    def delete(self, ds: Dataset, keyword: str, where: str = "") -> None:
        if keyword in ds:
            text = self.text(ds[keyword].value)
            del ds[keyword]
            self.changes.append(TagChange(f"{where}{keyword}", text, ""))

    def note(self, path: str, old: str, new: str) -> None:
        self.changes.append(TagChange(path, old, new))

    def check(self) -> None:
        """Validate every value set here against its VR (pydicom's validators, strictly),
        before anything is written: a bad value is named now, not found by other tools."""
        from pydicom import config
        from pydicom.valuerep import validate_value

        for ds, keyword, where in self._written:
            element = ds[keyword]
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
                        f"the save would write an invalid {where}{describe_attribute(keyword)}: {one_line(exc)}"
                    ) from None
