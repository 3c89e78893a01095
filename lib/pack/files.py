"""Writing a board pack to a file: PowerPoint or PDF by the file's extension, written whole to a temporary file beside
the target and renamed into place, so a failure never leaves half a pack."""

from __future__ import annotations

import glob
import os
import tempfile
import time
from datetime import date
from pathlib import Path

from lib.pack import content, document, slides

FORMATS = {".pptx": slides.write, ".pdf": document.write}
MEDIA_TYPES = {
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pdf": "application/pdf",
}


def check_suffix(suffix: str) -> None:
    """ValueError unless the extension is .pptx or .pdf."""
    if suffix.lower() not in FORMATS:
        shown = repr(suffix) if suffix else "a file with no extension"
        raise ValueError(f"the board pack is written as .pptx (PowerPoint) or .pdf, not {shown}")


def render(pack: content.Pack, suffix: str) -> content.Rendered:
    """The pack as a .pptx or .pdf file (its bytes and notes for the reader); ValueError for any other kind."""
    check_suffix(suffix)
    return FORMATS[suffix.lower()](pack)


STALE_PART_SECONDS = 3600  # a temporary part older than this is left from a run that was killed


def _umask() -> int:
    """The process's umask, read without changing it (Linux's /proc); else by setting and restoring it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


def _file_mode(path: Path) -> int:
    """The mode a pack gets: the file's own when it is replaced, else what the umask gives a new file."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _remove_stale_parts(folder: Path, name: str) -> None:
    """Remove what killed runs left beside the target (.name.XXXX.part older than STALE_PART_SECONDS); a part
    being written by a run still going is younger and kept."""
    now = time.time()
    for part in folder.glob(f".{glob.escape(name)}.*.part"):
        try:
            if now - part.stat().st_mtime > STALE_PART_SECONDS:
                part.unlink()
        except OSError:
            continue


def write(
    url: str, meeting_date: date, path: Path, progress: content.Progress | None = None
) -> tuple[Path, tuple[str, ...]]:
    """Build the pack for a meeting and write it to path (.pptx or .pdf), all or nothing; returns the path and the
    notes for the reader. ValueError (one line) for an unknown meeting, another extension or a folder that cannot be
    written."""
    check_suffix(path.suffix)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValueError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValueError(f"cannot write {path}: permission denied")
    pack = content.build(url, meeting_date, progress)
    if progress:
        progress(0.9, f"Writing {path.suffix.lstrip('.').upper()}")
    rendered = render(pack, path.suffix)
    _remove_stale_parts(folder, path.name)
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as error:  # a folder that takes no new files (/proc, a read-only mount, a full disk)
        raise ValueError(
            f"cannot write {path}: the folder {folder} takes no new files ({error.strerror or error})"
        ) from error
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(rendered.data)
        os.chmod(temporary, _file_mode(path))  # mkstemp's 0600 would survive the rename
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ValueError(f"cannot write {path}: {error.strerror or error}") from error
    if progress:
        progress(1.0, "Done")
    return path, rendered.notes
