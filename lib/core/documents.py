"""The source documents by title: values are stored citing a document's file name (data/documents.csv lists each
file's title, publisher and date, from ../shared/context/README.md), and people read the title."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from lib.core.config import DATA_DIR

DOCUMENTS_FILE = DATA_DIR / "documents.csv"


@dataclass(frozen=True)
class Document:
    """One source document."""

    file: str
    title: str
    publisher: str
    published: str
    covers: str


@cache
def documents() -> dict[str, Document]:
    """Every source document by file name."""
    with DOCUMENTS_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["file"]: Document(**row) for row in csv.DictReader(handle)}


def cite(source: str) -> str:
    """A source as people cite it: every document file name in it becomes 'Safer Leeds Executive Annual Report
    2021/22 (Safer Leeds / Leeds City Council, Feb 2023)'; anything else (a data set, a return's file name, a
    section) is kept as stored."""
    for document in documents().values():
        if document.file in source:
            source = source.replace(document.file, f"{document.title} ({document.publisher}, {document.published})")
    return source
