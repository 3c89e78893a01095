"""Finding the files of an import: police.uk street CSVs on disk, in folders, in zip archives or uploaded, as streams
whose size is checked before they are read."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from lib.ingest import files
from lib.ingest.files import ImportRejectedError, Problem, check_size, sha256
from lib.ingest.policeuk.model import DAMAGED, OTHER_FILE, STREET_FILE, Source


def _member_opener(archive_path: Path | None, data: bytes | None, member: str) -> Callable[[], IO[bytes]]:
    """Opens one archive member as a decompressing stream (the archive is opened afresh each time)."""

    def opener() -> IO[bytes]:
        """The member's stream."""
        archive = zipfile.ZipFile(io.BytesIO(data) if data is not None else archive_path)  # type: ignore[arg-type]
        return archive.open(member)

    return opener


def _from_zip(path: Path, name: str, data: bytes | None = None) -> tuple[list[Source], list[str]]:
    """The street CSVs inside a police.uk archive, as streams; other members are noted. What opening it may cost is
    checked from its directory before any member is read."""
    sources, notes = [], []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if data is not None else path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportRejectedError(name, [Problem("this is not a readable zip archive")]) from error
    with archive:
        files.check_archive(name, archive)
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            member = f"{name}:{info.filename}"
            if info.is_dir():
                continue
            if OTHER_FILE.search(info.filename):
                notes.append(f"{member}: skipped (outcomes and stop-and-search files are not imported)")
            elif STREET_FILE.search(info.filename):
                check_size(member, info.file_size)
                opener = _member_opener(None if data is not None else path, data, info.filename)
                sources.append(Source(member, opener=opener, size=info.file_size))
            else:
                notes.append(f"{member}: skipped (not a police.uk *-street.csv file)")
    return sources, notes


def _from_file(path: Path) -> Source:
    """A CSV on disk, read as a stream when it is checked and again when it is written."""
    size = path.stat().st_size
    check_size(path.name, size)
    return Source(path.name, opener=lambda: path.open("rb"), size=size)


def collect(paths: Iterable[Path]) -> tuple[list[Source], list[str]]:
    """Sources from files, folders (every *-street.csv inside, recursively) and zip archives, plus notes; the import's
    total size is checked before any file is read."""
    sources, notes = [], []
    for path in paths:
        if path.is_dir():
            for inner in sorted(path.rglob("*")):
                if inner.is_file() and (STREET_FILE.search(inner.name) or inner.suffix.lower() == ".zip"):
                    found, more = collect([inner])
                    sources += found
                    notes += more
                elif inner.is_file() and OTHER_FILE.search(inner.name):
                    notes.append(f"{inner}: skipped (outcomes and stop-and-search files are not imported)")
        elif not path.is_file():
            raise ImportRejectedError(str(path), [Problem("no such file or folder")])
        elif path.suffix.lower() == ".zip":
            found, more = _from_zip(path, path.name)
            sources += found
            notes += more
        elif OTHER_FILE.search(path.name):
            notes.append(f"{path.name}: skipped (outcomes and stop-and-search files are not imported)")
        else:
            sources.append(_from_file(path))
    files.check_total(", ".join(map(str, paths)) or "(nothing)", (s.byte_size for s in sources))
    return sources, notes


def uploaded(name: str, data: bytes) -> tuple[list[Source], list[str]]:
    """Sources from one uploaded file (a CSV or a zip archive), for the app."""
    if name.lower().endswith(".zip"):
        return _from_zip(Path(name), name, data)
    check_size(name, len(data))
    return [Source(name, data)], []


def source_sha256(source: Source) -> str:
    """The SHA-256 of a source's content, read as a stream (a damaged archive member is refused plainly)."""
    if source.data is not None:
        return sha256(source.data)
    try:
        with source.open() as stream:
            return files.stream_sha256(stream)
    except DAMAGED as error:
        raise files.damaged_archive(source.name, error) from error
