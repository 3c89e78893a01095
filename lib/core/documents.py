"""The source documents by title: values are stored citing a document's file name (the area folder's documents.csv
lists each file's title, publisher and date), and people read the title."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lib.core import config

DOCUMENTS_FILE = "documents.csv"


@dataclass(frozen=True)
class Document:
    """One source document."""

    file: str
    title: str
    publisher: str
    published: str
    covers: str


def documents() -> dict[str, Document]:
    """Every source document of the partnership's catalogue, by file name (none when it lists none)."""
    return _documents(config.area_dir() / DOCUMENTS_FILE)


@cache
def _documents(path: Path) -> dict[str, Document]:
    """The documents one file lists, read once."""
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["file"]: Document(**row) for row in csv.DictReader(handle)}


def cite(source: str) -> str:
    """A source as people cite it: every document file name in it becomes its title, publisher
    and date ('... Annual Report 2021/22 (... City Council, Feb 2023)'); anything else (a data set, a return's file
    name, a section) is kept as stored."""
    for document in documents().values():
        if document.file in source:
            source = source.replace(document.file, f"{document.title} ({document.publisher}, {document.published})")
    return source
