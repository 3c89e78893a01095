"""What a police.uk import works with: the file layout, the record's columns, the thresholds its checks use, and the
results it gives (a source to read, a checked file's summary, each file's result)."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO

from sqlalchemy import Table

from lib.core.vocabulary import ImportStatus
from lib.ingest.files import Problem
from lib.store.models import CrimeRecord

KIND = "policeuk"
HEADER = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
STREET_FILE = re.compile(r"-street\.csv$", re.IGNORECASE)
OTHER_FILE = re.compile(r"-(outcomes|stop-and-search)\.csv$", re.IGNORECASE)
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_PROBLEMS = 50
# The order of a parsed record: CrimeRecord columns (import_batch_id is added when written).
RECORD_COLUMNS = (
    "record_key",
    "crime_id",
    "month",
    "reported_by",
    "falls_within",
    "longitude",
    "latitude",
    "location",
    "lsoa_code",
    "lsoa_name",
    "crime_type",
    "last_outcome",
    "context",
    "ward_code",
)
KEY, MONTH_ISO, CRIME_TYPE, OUTCOME, CONTEXT = 0, 2, 10, 11, 12
CHUNK = 5_000  # records per insert statement
CHUNK_ROWS = 10_000  # rows read, checked and written at a time: what memory holds of a file, whatever its size
ID_SAMPLE = 2_000  # Crime IDs kept per file and month to tell a part of a month from another copy of it
# When a file is implausible for one force's month, and must be confirmed:
MANY_TIMES = 3  # more of the area's rows for a month than this many times the largest month stored
FEW_TIMES = 3  # fewer than the usual month (the median stored) divided by this
IDENTICAL_SHARE = 0.5  # more than this share of rows identical to another row of the file
# police.uk repeats some Crime IDs within a month, with the same or another location (34 of 8,215 in Nottinghamshire's
# January 2024 file; up to 2.9% in North Yorkshire's): each row is kept, a repeat keyed "<Crime ID>#2". More repeats
# than this share of a file's Crime IDs is a file joined to a copy of itself (every ID twice), and is refused.
REPEATED_ID_SHARE = 0.10
RECORD_TABLE: Table = CrimeRecord.__table__  # type: ignore[attr-defined] # SQLModel sets it when the class is made
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError)  # what reading a damaged archive member raises

Progress = Callable[[float, str], None]
Sink = Callable[[list[tuple]], None]


@dataclass(frozen=True)
class Source:
    """One CSV to import: its name as the user knows it and how to read it (its bytes, or an opener for a file on
    disk or an archive member, read as a stream) and its uncompressed size."""

    name: str
    data: bytes | None = None
    opener: Callable[[], IO[bytes]] | None = field(default=None, compare=False, repr=False)
    size: int | None = None

    def open(self) -> IO[bytes]:
        """A fresh binary stream of the file."""
        if self.data is not None:
            return io.BytesIO(self.data)
        assert self.opener is not None  # a Source has its bytes or an opener
        return self.opener()

    @property
    def byte_size(self) -> int:
        """Uncompressed size in bytes."""
        return len(self.data) if self.data is not None else self.size or 0


@dataclass
class ParsedFile:
    """A checked file: what it holds (its records only when asked for) and what was left out, and why."""

    source: Source
    sha256: str
    rows_read: int = 0
    records: list[tuple] = field(default_factory=list)  # in RECORD_COLUMNS order; empty unless parse(keep=True)
    held: bool = False  # records holds what the write would build (lib/ingest/policeuk/holding.py): not read again
    outside: int = 0
    without_lsoa: int = 0  # of the rows not kept, those with no LSOA code (no location: in no district)
    month_rows: Counter = field(default_factory=Counter)  # "YYYY-MM-01" -> the area's rows
    identical: int = 0  # rows identical to an earlier row of the same month in this file
    id_sample: dict[str, set[str]] = field(default_factory=dict)  # month -> some of its Crime IDs
    id_count: dict[int, int] = field(default_factory=dict)  # Crime ID's hash -> rows so far (repeats are numbered)
    fresh_months: set[str] = field(default_factory=set)  # months this file holds another copy of (counted afresh)
    unusual: list[str] = field(default_factory=list)  # why it needs confirming before it is imported
    forces: Counter = field(default_factory=Counter)  # "Falls within" -> rows (whose force's file this is)
    # Peers: the rows outside the area, counted (never stored) as ("YYYY-MM-01", district, force, crime type) -> rows,
    # when the write has the national lookup; `unplaced` counts those whose LSOA is in no district it knows
    district_counts: Counter = field(default_factory=Counter)
    unplaced: int = 0
    # "YYYY-MM-01" -> (the SHA-256 of the month's rows, rows), when parsed with fingerprint (the write)
    fingerprints: dict[str, tuple[str, int]] = field(default_factory=dict)
    text_fingerprint: str = ""  # of the file's bytes, as lib/ingest/policeuk/fingerprint.of_text takes it

    @property
    def area_rows(self) -> int:
        """Rows kept: those in the area."""
        return sum(self.month_rows.values())


DistrictOf = Callable[[str, str], "str | None"]  # (LSOA code, LSOA name) -> district code today, or None


@dataclass
class FileResult:
    """What happened to one file."""

    name: str
    status: str  # an ImportStatus
    rows_read: int = 0
    rows_imported: int = 0
    rows_updated: int = 0
    rows_outside: int = 0
    rows_rejected: int = 0
    months: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    batch_id: int | None = None
    sha256: str = ""


@dataclass
class ImportResult:
    """Every file's result plus notes on files skipped (outcomes, stop and search, other names)."""

    files: list[FileResult]
    notes: list[str]

    @property
    def ok(self) -> bool:
        """True when every file went in (or was already in)."""
        return all(f.status in (ImportStatus.SUCCESS, ImportStatus.UNCHANGED) for f in self.files)
