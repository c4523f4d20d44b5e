"""Apply operations to one file or to every file of a folder (batch editing).

One bad file never stops a batch; the result lists it with its reason. Progress goes to
a callback that may raise Cancelled between files (nothing is then half-written).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from viewer.edits.operations import Operation
from viewer.edits.session import begin_edit
from viewer.io.commit import refuse_damaged
from viewer.io.save import SaveReport, save
from viewer.io.targets import check_folders, file_identity, resolve_output
from viewer.model.document import open_document
from viewer.model.errors import ViewerError, reraise_if_fatal
from viewer.model.progress import Cancelled, no_progress


def edit_file(
    source: Path,
    target: Path,
    operations: list[Operation],
    syntax: str,
    force: bool = False,
    allow_damaged: bool = False,
) -> SaveReport:
    """Open `source`, apply `operations`, save to `target` (never over `source`)."""
    resolve_output(target, [source], force)  # refuse before the work, not after
    document = open_document(source)
    refuse_damaged(document, allow_damaged)  # before every frame is decoded for the edit
    if operations:
        work = begin_edit(document)
        for op in operations:
            work.apply(op)
    return save(document, target, syntax, force=force, allow_damaged=allow_damaged)


@dataclass
class BatchResult:
    """What a folder edit did."""

    files: int = 0
    saved: int = 0
    failures: list[tuple[Path, str]] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.saved} saved, {len(self.failures)} failed, {self.files} files"


def dicom_files(folder: Path) -> list[Path]:
    """Regular files below `folder` (not hidden; FIFOs and devices are not files to read)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def edit_folder(
    source: Path,
    target: Path,
    operations: list[Operation],
    syntax: str = "keep",
    progress: Callable[[int, int], None] = no_progress,
    on_saved: Callable[[SaveReport], None] | None = None,
    force: bool = False,
    allow_damaged: bool = False,
) -> BatchResult:
    """Edit every file below `source` into the same relative path below `target`.

    Refused when either folder lies inside the other; no output ever replaces a file
    that is also an input (a symlink or hard link inside the input folder included).
    """
    if not source.is_dir():
        raise ViewerError(f"'{source}' is not a folder")
    check_folders(source, target)
    files = dicom_files(source)
    inputs = {identity for identity in map(file_identity, files) if identity is not None}
    result = BatchResult(files=len(files))
    for n, path in enumerate(files):
        progress(n, len(files))  # may raise Cancelled between files
        relative = path.relative_to(source)
        try:
            if file_identity(target / relative) in inputs:
                raise ViewerError("the output would replace one of the input files")
            (target / relative).parent.mkdir(parents=True, exist_ok=True)
            report = edit_file(path, target / relative, operations, syntax, force, allow_damaged)
            result.saved += 1
            if on_saved is not None:
                on_saved(report)
        except Cancelled:
            raise
        except ViewerError as exc:
            result.failures.append((relative, str(exc)))
        except BaseException as exc:  # one bad file never stops the batch
            reraise_if_fatal(exc)
            result.failures.append((relative, f"unexpected {type(exc).__name__}: {exc}"))
    progress(len(files), len(files))
    return result
