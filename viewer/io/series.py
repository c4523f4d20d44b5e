"""Save an edited series that was opened from a folder: one file per remaining frame.

Each file is committed on its own header (its own position, UIDs and windows) with the
series' geometric edits, and all copies share one new Series Instance UID. Deleted
frames are simply not written.
"""

from __future__ import annotations

from pathlib import Path

from pydicom.uid import generate_uid

from viewer.edits.session import adopt_edits, working
from viewer.io.save import SaveReport, save
from viewer.model.document import Document, ProgressCallback, open_document
from viewer.model.errors import ViewerError
from viewer.model.progress import no_progress


def save_series(
    document: Document, folder: Path, syntax: str = "keep", progress: ProgressCallback = no_progress
) -> list[SaveReport]:
    """Write every frame of an edited series document to `folder` under its file's name."""
    paths = document.frame_paths
    work = working(document)
    if paths is None:
        raise ViewerError("only a series opened from a folder is saved as a folder")
    if work is None or not work.is_edited:
        raise ViewerError("the series has no edits to save")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise ViewerError(f"'{folder}' is not a folder")
    if any(folder.resolve() == p.parent.resolve() for p in paths):
        raise ViewerError("choose another folder: the copies would replace the source files")
    folder.mkdir(parents=True, exist_ok=True)
    operations = [op for op in work.operations if not op.selects_frames]  # one file, one frame
    series_uid = generate_uid()
    reports = []
    for i, source_index in enumerate(work.source_frames):
        progress(i, len(work.source_frames))
        single = open_document(paths[source_index])
        adopt_edits(single, work.pixels[i : i + 1], operations, work.modality_reset)
        reports.append(save(single, folder / paths[source_index].name, syntax, series_uid=series_uid))
    progress(len(work.source_frames), len(work.source_frames))
    return reports
