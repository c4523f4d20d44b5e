"""A PACS node as the command line names it: ``AET@HOST:PORT`` (DIMSE) or a DICOMweb URL."""

from __future__ import annotations

import re
from dataclasses import dataclass

from viewer.model.errors import ViewerError

DEFAULT_CALLING_AET = "DICOMVIEWER"
_AET = re.compile(r"^[\x20-\x7e]{1,16}$")


class PacsError(ViewerError):
    """A node could not be reached, refused us, or answered with an error (one line)."""


@dataclass(frozen=True)
class Node:
    """Where a PACS listens. Exactly one of `url` (DICOMweb) or `aet`/`host`/`port` (DIMSE)."""

    aet: str = ""
    host: str = ""
    port: int = 0
    url: str = ""

    @property
    def is_web(self) -> bool:
        return bool(self.url)

    def __str__(self) -> str:
        return self.url or f"{self.aet}@{self.host}:{self.port}"


def parse_node(text: str) -> Node:
    """``ORTHANC@127.0.0.1:4242`` or ``http(s)://host:port/dicom-web``; anything else is refused."""
    text = text.strip()
    if text.startswith(("http://", "https://")):
        return Node(url=text.rstrip("/"))
    match = re.fullmatch(r"(?P<aet>[^@]+)@(?P<host>\[[0-9a-fA-F:]+\]|[^:@\s]+):(?P<port>\d{1,5})", text)
    if match is None:
        raise PacsError(f"node '{text}': expected AET@HOST:PORT or an http(s):// DICOMweb URL")
    aet, port = match["aet"].strip(), int(match["port"])
    check_aet(aet, "called AE title")
    if not 0 < port < 65536:
        raise PacsError(f"node '{text}': port {port} is not between 1 and 65535")
    return Node(aet=aet, host=match["host"].strip("[]"), port=port)


def check_aet(aet: str, what: str = "AE title") -> str:
    """An AE title is 1-16 printable ASCII characters, not only spaces, no backslash."""
    if not _AET.match(aet) or not aet.strip() or "\\" in aet:
        raise PacsError(f"{what} '{aet}': 1 to 16 printable ASCII characters, not only spaces, no backslash")
    return aet
