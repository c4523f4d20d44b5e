"""Real DICOM files for tests: pydicom's test files and the pydicom-data package.

Listed by globbing their folders; pydicom's ``get_testdata_files`` would try to
download what pydicom-data lacks and hang without network.
"""

from __future__ import annotations

from pathlib import Path

import pydicom


def _folders() -> list[Path]:
    folders = [Path(pydicom.__file__).parent / "data" / "test_files"]
    try:
        import data_store  # the pydicom-data package

        folders.append(Path(data_store.__file__).parent / "data")
    except ImportError:
        pass
    return [f for f in folders if f.is_dir()]


def corpus_files() -> list[Path]:
    """Every .dcm file of both collections, sorted by name."""
    return sorted((p for folder in _folders() for p in folder.glob("*.dcm")), key=lambda p: p.name)


def corpus_file(name: str) -> Path:
    """Path of a named corpus file."""
    for folder in _folders():
        path = folder / name
        if path.is_file():
            return path
    raise FileNotFoundError(name)
