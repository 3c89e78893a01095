"""police.uk street-level crime: read monthly CSVs (a file, a folder or a custom-download zip), check every row,
assign wards through the LSOA lookup, and write new and updated records in one transaction.

Rules a user can rely on:
- a file is checked completely before anything is written; one bad file in an import means nothing is written;
- what an upload may cost is bounded before it is opened (lib/ingest/files.py: file and import size, archive members,
  compression ratio) and files are read as streams, a chunk of rows at a time, so memory stays flat whatever their
  size: the check reads each file once and keeps only its summary, and the write reads it again;
- the rows kept are those whose LSOA code is in the area's lookup (lib/area: its districts' LSOAs, both vintages);
  every other row is counted and not stored, and rows with no LSOA at all (no location) are counted apart. LSOA names
  are never matched: a whole-force file feeds any partnership of the force;
- crimes are identified by their Crime ID and anti-social behaviour incidents (which have none) by a hash of their
  fields plus their position among identical rows of the month, because police.uk publishes genuinely separate
  incidents with identical rows (127 in one district's March 2024 file). Positions run on across the files of one import
  that are parts of a month (no Crime ID in common), so a month split into parts and imported together gives the
  same rows as the whole file; a file that shares Crime IDs with another of the import is another copy of the month
  and counts afresh, so re-importing a file or an overlapping archive adds nothing;
- a file that looks implausible for one force's month (far more rows than any month stored, far fewer than usual,
  or mostly identical rows) is imported only when the person confirms it;
- a later file that changes a crime's outcome or type updates it and the earlier values go to crimerecordhistory;
- the month x ward x type aggregate is rebuilt for the affected months only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import statistics
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Table, bindparam, insert, update
from sqlmodel import col

from lib.area import current as current_area
from lib.core import failpoints, roles
from lib.core.vocabulary import ImportStatus
from lib.ingest import aggregates, batches, bulk, files, locking, lookups
from lib.ingest.files import ImportRejectedError, Problem, check_size, sha256
from lib.store import cache, db, queries, reads
from lib.store.models import CrimeRecord, CrimeRecordHistory

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
    outside: int = 0
    without_lsoa: int = 0  # of the rows not kept, those with no LSOA code (no location: in no district)
    month_rows: Counter = field(default_factory=Counter)  # "YYYY-MM-01" -> the area's rows
    identical: int = 0  # rows identical to an earlier row of the same month in this file
    id_sample: dict[str, set[str]] = field(default_factory=dict)  # month -> some of its Crime IDs
    id_count: dict[int, int] = field(default_factory=dict)  # Crime ID's hash -> rows so far (repeats are numbered)
    fresh_months: set[str] = field(default_factory=set)  # months this file holds another copy of (counted afresh)
    unusual: list[str] = field(default_factory=list)  # why it needs confirming before it is imported

    @property
    def area_rows(self) -> int:
        """Rows kept: those in the area."""
        return sum(self.month_rows.values())


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


# Reading files ---------------------------------------------------------------------------------------------------


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


# Checking rows ---------------------------------------------------------------------------------------------------


def _numbers(
    values: set[str], column: str, rows: list[list[str]], index: int, first: int
) -> tuple[dict, list[Problem]]:
    """Each distinct coordinate text as a float (blank = no location), and the rows holding one that is not a number.

    Coordinates repeat heavily (police.uk snaps crimes to map points), so each distinct text is parsed once;
    Excel's dropped trailing zeros ("-1.54") give the same float as "-1.540000".
    """
    numbers: dict[str, float | None] = {"": None}
    bad = set()
    for text in values - {""}:
        try:
            numbers[text] = float(text)
        except ValueError:
            bad.add(text)
    if not bad:
        return numbers, []
    problems = [
        Problem(f"{row[index]!r} is not a number", number, column)
        for number, row in enumerate(rows, start=first)
        if row[index] in bad
    ]
    return numbers, problems


def _check_header(name: str, header: list[str]) -> None:
    """The exact 12 police.uk columns, in order."""
    if tuple(h.strip() for h in header) == HEADER:
        return
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        message = (
            "the columns are not separated by commas (is it semicolon- or tab-separated?); police.uk CSVs use commas"
        )
    else:
        missing = [h for h in HEADER if h not in header]
        extra = [h for h in header if h not in HEADER]
        message = "this is not a police.uk street-level crime file: expected the 12 columns " + ", ".join(HEADER)
        message += "".join(
            [
                f"; missing {', '.join(missing)}" if missing else "",
                f"; unexpected {', '.join(extra[:5])}" if extra else "",
                "; same columns in a different order" if not missing and not extra else "",
            ]
        )
    raise ImportRejectedError(name, [Problem(message, row=1)])


def _asb_key(fields: tuple, occurrence: int) -> str:
    """A stable key for a row without a Crime ID: its normalised fields and which identical row it is."""
    text = "\x1f".join(map(str, fields)) + f"\x1f{occurrence}"
    return "h:" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def _row_problems(
    rows: list[list[str]],
    columns: list[tuple[str, ...]],
    first: int,
    seen_ids: dict[int, int],
    repeats: list[Problem],
) -> list[Problem]:
    """Everything wrong with a chunk of rows (the first numbered `first`), checked column by column over distinct
    values (fast on 100k+ rows); seen_ids carries the file's Crime IDs from chunk to chunk, and each repeated Crime
    ID goes on repeats (a problem only when there are many: REPEATED_ID_SHARE)."""
    if not columns:  # the chunk is ragged (parse transposes only aligned chunks)
        return [
            Problem(f"{len(row)} fields where police.uk rows have 12 (a truncated or damaged line?)", number)
            for number, row in enumerate(rows, start=first)
            if len(row) != len(HEADER)
        ]
    problems: list[Problem] = []
    bad_months = {m for m in set(columns[1]) if not MONTH.match(m)}
    problems += [
        Problem(f"{row[1]!r} is not a month in the form YYYY-MM", number, "Month")
        for number, row in enumerate(rows, start=first)
        if bad_months and row[1] in bad_months
    ]
    if "" in set(columns[9]):
        problems += [
            Problem("crime type is blank", number, "Crime type")
            for number, row in enumerate(rows, start=first)
            if not row[9]
        ]
    # Crime IDs are remembered by their hash (a third of the memory of the 64-character IDs over a large file; two
    # different IDs sharing a 64-bit hash in one file is about a one in a billion chance).
    ids = [hash(crime_id) for crime_id in columns[0] if crime_id]
    if len(set(ids)) != len(ids) or not seen_ids.keys().isdisjoint(ids):
        for number, crime_id in enumerate(columns[0], start=first):
            if crime_id and hash(crime_id) in seen_ids:
                repeats.append(
                    Problem(
                        f"Crime ID {crime_id[:16]}... also appears on row {seen_ids[hash(crime_id)]}: police.uk "
                        f"repeats a few Crime IDs, never {REPEATED_ID_SHARE:.0%} of a month's: this looks like a file "
                        "joined to a copy of itself",
                        number,
                        "Crime ID",
                    )
                )
            elif crime_id:
                seen_ids[hash(crime_id)] = number
    else:
        blank = hash("")
        seen_ids.update(zip(map(hash, columns[0]), range(first, first + len(rows)), strict=True))
        seen_ids.pop(blank, None)
    return problems


Occurrences = Callable[[str], Counter]  # month ("YYYY-MM-01") -> the counter of identical ASB rows to number from


def _records(
    columns: list[tuple[str, ...]],
    longitudes: dict,
    latitudes: dict,
    lookup: lookups.LsoaLookup,
    parsed: ParsedFile,
    occurrences: Occurrences,
    build: bool = True,
) -> list[tuple]:
    """The area's rows as records (RECORD_COLUMNS order), built column by column; counts rows left out on parsed.
    Without build (the check, which keeps only the file's summary) nothing is built: the counts are the same."""
    (
        ids,
        month_texts,
        reported_by,
        falls_within,
        lons,
        lats,
        locations,
        lsoas,
        lsoa_names,
        crime_types,
        outcomes,
        contexts,
    ) = columns
    ward_of = {lsoa: lookup.ward(lsoa) for lsoa in set(lsoas)}
    wards = [ward_of[lsoa] for lsoa in lsoas]
    month_of = {text: text + "-01" for text in set(month_texts)}
    months = [month_of[text] for text in month_texts]
    longitude = [longitudes[text] for text in lons]
    latitude = [latitudes[text] for text in lats]
    keys = list(ids)
    for i, crime_id in enumerate(ids):
        if crime_id:
            seen = parsed.id_count[hash(crime_id)] = parsed.id_count.get(hash(crime_id), 0) + 1
            if seen > 1:  # police.uk gave this crime again in the month: kept, as its n-th row
                keys[i] = f"{crime_id}#{seen}"
            sample = parsed.id_sample.setdefault(months[i], set())
            if len(sample) < ID_SAMPLE:
                sample.add(crime_id)
            continue
        fields = (  # ASB: no Crime ID
            months[i],
            reported_by[i],
            falls_within[i],
            longitude[i],
            latitude[i],
            locations[i],
            lsoas[i],
            crime_types[i],
            outcomes[i],
            contexts[i],
        )
        identical = occurrences(months[i])
        identical[fields] += 1
        if identical[fields] > 1:
            parsed.identical += 1
        if build:
            keys[i] = _asb_key(fields, identical[fields])
    keep = [ward is not None for ward in wards]
    left_out = [lsoas[i] for i, kept in enumerate(keep) if not kept]
    parsed.outside += len(left_out)
    parsed.without_lsoa += left_out.count("")
    if not build:
        parsed.month_rows.update(itertools.compress(months, keep))
        return []
    rows = zip(
        keys,
        [crime_id or None for crime_id in ids],
        months,
        reported_by,
        falls_within,
        longitude,
        latitude,
        locations,
        lsoas,
        lsoa_names,
        crime_types,
        outcomes,
        contexts,
        wards,
        strict=True,
    )
    records = list(itertools.compress(rows, keep))
    parsed.month_rows.update(r[MONTH_ISO] for r in records)
    return records


class _Hashing(io.RawIOBase):
    """A binary stream that adds what is read from it to a SHA-256 digest (so the write can tell that the file it
    reads is the one that was checked, without reading it a third time)."""

    def __init__(self, stream: IO[bytes], digest: hashlib._Hash) -> None:
        """Wrap stream, feeding digest."""
        super().__init__()
        self.stream, self.digest = stream, digest

    def readable(self) -> bool:
        """It is read, never written."""
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override] # io's buffer protocol type
        """Read into buffer and hash what was read."""
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.digest.update(data)
        return len(data)


def _csv_chunks(source: Source, digest: hashlib._Hash | None = None) -> Iterator[list[list[str]]]:
    """The CSV rows of a source, CHUNK_ROWS at a time (csv.reader sliced in C: no Python step per row), decoded as
    UTF-8 (a byte-order mark is fine); a file that is empty, binary, UTF-16 or not UTF-8 is refused with a plain
    message. With digest, what is read is hashed into it."""
    with source.open() as stream:
        head = stream.read(8192)
    if problem := files.text_problem(head):
        raise ImportRejectedError(source.name, [problem])
    with source.open() as stream:
        binary = io.BufferedReader(_Hashing(stream, digest)) if digest is not None else stream  # type: ignore[type-var]
        reader = csv.reader(io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline=""))
        try:
            while chunk := list(itertools.islice(reader, CHUNK_ROWS)):
                yield chunk
        except UnicodeDecodeError as error:
            raise ImportRejectedError(
                source.name,
                [Problem("the file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.", row=reader.line_num + 1)],
            ) from error
        except csv.Error as error:
            raise ImportRejectedError(source.name, [Problem(f"the file cannot be read as CSV ({error})")]) from error


def _rows_in_chunks(chunks: Iterator[list[list[str]]]) -> Iterator[list[list[str]]]:
    """The non-blank rows (a trailing blank line is not a row), CHUNK_ROWS at a time after the first."""
    for chunk in chunks:
        rows = [row for row in chunk if row] if [] in chunk else chunk
        if rows:
            yield rows


def parse(
    source: Source,
    lookup: lookups.LsoaLookup,
    sink: Sink | None = None,
    keep: bool = True,
    occurrences: Occurrences | None = None,
    sha: str | None = None,
    checked: bool = False,
) -> ParsedFile:
    """Check every row of a police.uk CSV, a chunk at a time, and build the area's records; raise ImportRejectedError
    (listing up to MAX_PROBLEMS problems) on any bad row.

    Each chunk's records go to `sink` (the writer, inside the caller's transaction, which a refusal rolls back) and,
    with keep, onto the result; otherwise only the summary is kept, so memory holds one chunk of rows at a time.
    `occurrences` numbers identical ASB rows (by default afresh for each month of this file). With checked (the
    write of a file check_sources passed, whose sha is given) the row checks are not repeated; the file is hashed as
    it is read and refused if it is not the file that was checked.
    """
    parsed = ParsedFile(source, sha or source_sha256(source))
    counters: dict[str, Counter] = {}
    occurrences = occurrences or (lambda month: counters.setdefault(month, Counter()))
    problems: list[Problem] = []
    seen_ids: dict[int, int] = {}
    repeats: list[Problem] = []
    digest = hashlib.sha256() if checked else None
    build = keep or sink is not None
    try:
        chunks = _rows_in_chunks(_csv_chunks(source, digest))
        first_chunk = next(chunks, None)
        if first_chunk is None:
            raise ImportRejectedError(source.name, [Problem("the file is empty")])
        header, first_rows = first_chunk[0], first_chunk[1:]
        _check_header(source.name, header)
        number = 1  # the header's row, as a spreadsheet numbers it
        for chunk in itertools.chain([first_rows] if first_rows else [], chunks):
            first, number = number + 1, number + len(chunk)
            parsed.rows_read += len(chunk)
            aligned = set(map(len, chunk)) == {len(HEADER)}
            columns = list(zip(*chunk, strict=True)) if aligned else []
            if checked and aligned:
                found = []  # checked before this write; the digest below proves it is the same file
            else:
                found = _row_problems(chunk, columns, first, seen_ids, repeats)
            if not found:
                longitudes, more = _numbers(set(columns[4]), "Longitude", chunk, 4, first)
                latitudes, most = _numbers(set(columns[5]), "Latitude", chunk, 5, first)
                found = more + most
            problems += found
            if len(problems) >= MAX_PROBLEMS:
                break  # enough to act on; reading on would only cost time
            if problems:
                continue  # keep checking, build nothing
            records = _records(columns, longitudes, latitudes, lookup, parsed, occurrences, build)
            if sink is not None:
                sink(records)
            if keep:
                parsed.records += records
    except DAMAGED as error:
        raise files.damaged_archive(source.name, error) from error
    if not problems and len(repeats) > REPEATED_ID_SHARE * max(len(seen_ids), 1):
        problems = repeats
    if problems:
        raise ImportRejectedError(source.name, sorted(problems, key=lambda p: p.row or 0)[:MAX_PROBLEMS])
    if parsed.rows_read == 0:
        raise ImportRejectedError(source.name, [Problem("the file has a header but no rows")])
    if digest is not None and digest.hexdigest() != parsed.sha256:
        raise ImportRejectedError(
            source.name, [Problem("the file changed after it was checked: nothing was written; import it again")]
        )
    return parsed


# Judging a checked import ----------------------------------------------------------------------------------------


def _mark_copies(parsed: list[ParsedFile]) -> None:
    """Per month, a file that shares a Crime ID with an earlier file of the import is another copy of that month: its
    identical ASB rows are numbered afresh (so a copy adds nothing); files with none in common are parts of the month
    and number on (so the parts give the same rows as the whole)."""
    seen: dict[str, set[str]] = {}
    for item in parsed:
        for month, sample in item.id_sample.items():
            earlier = seen.setdefault(month, set())
            if not earlier.isdisjoint(sample):
                item.fresh_months.add(month)
            earlier |= sample


def _judge(parsed: list[ParsedFile], sizes: dict[date, tuple[int, int]]) -> None:
    """Say on each file why it looks implausible for one force's month, if it does (it then needs confirming)."""
    for item in parsed:
        if item.rows_read >= 100 and item.identical > IDENTICAL_SHARE * item.rows_read:
            item.unusual.append(
                f"{item.identical:,} of its {item.rows_read:,} rows are identical to another row: a real month "
                "has a few identical anti-social behaviour rows, not mostly"
            )
        for month, rows in sorted(item.month_rows.items()):
            day = date.fromisoformat(month)
            others = [count for when, (count, _) in sizes.items() if when != day and count > 0]
            label, stored = f"{day:%B %Y}", sizes.get(day, (0, 0))[1]
            if others and rows > MANY_TIMES * max(others):
                item.unusual.append(
                    f"{rows:,} {current_area().name} rows for {label}: more than {MANY_TIMES} times the largest month "
                    f"stored ({max(others):,}); is it one force's single month?"
                )
            elif others and rows < statistics.median(others) / FEW_TIMES:
                item.unusual.append(
                    f"only {rows:,} {current_area().name} rows for {label}, far below the usual "
                    f"{statistics.median(others):,.0f} a month; {stored:,} rows of {label} are already stored. A "
                    "partial file adds to them; anti-social behaviour rows identical to stored ones are taken as the "
                    "same incidents"
                )


# Writing ---------------------------------------------------------------------------------------------------------


class _Writer:
    """Writes one file's records, a chunk at a time, inside the import's transaction, and logs its batch."""

    def __init__(self, connection: Connection, parsed: ParsedFile, batch_id: int, progress: Progress) -> None:
        """Write under the file's batch (logged as running beforehand)."""
        self.connection, self.parsed, self.progress, self.batch_id = connection, parsed, progress, batch_id
        self.stored: dict[str, tuple] = {}
        self.loaded: set[str] = set()
        self.new = self.changed = self.done = 0

    def add(self, records: list[tuple]) -> None:
        """Insert a chunk's new records and update its changed ones, keeping their earlier values."""
        months = {r[MONTH_ISO] for r in records} - self.loaded
        if months:  # what is stored for these months, including what this import wrote before this file
            self.stored.update(reads.crime_record_state(self.connection, [date.fromisoformat(m) for m in months]))
            self.loaded |= months
        new, changed = [], []
        for record in records:
            before = self.stored.get(record[KEY])
            if before is None:
                new.append(record)
            elif before != (record[CRIME_TYPE], record[OUTCOME], record[CONTEXT]):
                changed.append(record)
        for start in range(0, len(new), CHUNK):
            bulk.insert_rows(
                self.connection,
                RECORD_TABLE,
                (*RECORD_COLUMNS, "import_batch_id"),
                [(*r, self.batch_id) for r in new[start : start + CHUNK]],
            )
        if changed:
            self._update(changed)
        # Nothing is remembered of what was written: no later chunk of the file repeats a key (repeated Crime IDs are
        # refused, identical ASB rows numbered), and the next file reads what is stored afresh.
        self.new += len(new)
        self.changed += len(changed)
        self.done += len(records)
        failpoints.hit(failpoints.WRITING)
        total = max(self.parsed.area_rows, 1)
        self.progress(
            min(1.0, self.done / total),
            f"{self.parsed.source.name}: {self.done:,} of {total:,} {current_area().name} rows written",
        )

    def _update(self, changed: list[tuple]) -> None:
        """Move the stored type, outcome and context of changed records to their history, then update them."""
        now = datetime.now(UTC)
        self.connection.execute(
            insert(CrimeRecordHistory),
            [
                {
                    "record_key": r[KEY],
                    "month": date.fromisoformat(r[MONTH_ISO]),
                    "crime_type": self.stored[r[KEY]][0],
                    "last_outcome": self.stored[r[KEY]][1],
                    "context": self.stored[r[KEY]][2],
                    "replaced_at": now,
                    "replaced_by_batch_id": self.batch_id,
                }
                for r in changed
            ],
        )
        self.connection.execute(
            update(CrimeRecord)
            .where(col(CrimeRecord.month) == bindparam("in_month"), col(CrimeRecord.record_key) == bindparam("key"))
            .values(
                crime_type=bindparam("new_type"),
                last_outcome=bindparam("new_outcome"),
                context=bindparam("new_context"),
                import_batch_id=self.batch_id,
            ),
            [
                {
                    "in_month": date.fromisoformat(r[MONTH_ISO]),
                    "key": r[KEY],
                    "new_type": r[CRIME_TYPE],
                    "new_outcome": r[OUTCOME],
                    "new_context": r[CONTEXT],
                }
                for r in changed
            ],
        )

    def finish(self) -> FileResult:
        """Close the file's batch and say what it did."""
        parsed = self.parsed
        status = ImportStatus.SUCCESS if self.new or self.changed else ImportStatus.UNCHANGED
        result = FileResult(
            parsed.source.name,
            status,
            parsed.rows_read,
            self.new,
            self.changed,
            parsed.outside,
            0,
            [m[:7] for m in sorted(parsed.month_rows)],
            [],
            self.batch_id,
            parsed.sha256,
        )
        batches.finish(
            self.connection,
            self.batch_id,
            status,
            [],
            rows_read=parsed.rows_read,
            rows_imported=self.new + self.changed,
            rows_rejected=result.rows_rejected,
            rows_outside=parsed.outside,
        )
        return result


def refresh_aggregate(connection: Connection, months: list[date]) -> None:
    """Rebuild the real rows of the ward and city aggregates for these months from the stored records."""
    if not months:
        return
    aggregates.refresh_wards(connection, months)
    aggregates.refresh_city(connection, months, illustrative=False)


def default_lookup(url: str) -> lookups.LsoaLookup:
    """The area's LSOA lookups (its own folder, or the reference folder for an area that ships none), for the wards
    in this database."""
    wards = queries.wards(url)
    return lookups.load(
        current_area().reference_dir(), dict(zip(wards["wd19_code"], wards["code"], strict=True)), set(wards["code"])
    )


@dataclass
class CheckedImport:
    """Sources after their checks: the files ready to write (their summaries: write_checked reads them again), the
    results of the others, notes, and the lookup the check used.

    Made once by check_sources (which logs rejected files with their sha256) and handed to write_checked, so the
    app's preview and the import that follows judge each file the same way.
    """

    parsed: list[ParsedFile]
    results: list[FileResult]  # files needing no write: unchanged (logged when written), rejected, not imported
    notes: list[str]
    lookup: lookups.LsoaLookup | None = None

    @property
    def rejected(self) -> bool:
        """True when any file was rejected (then nothing is written: an import goes in whole or not at all)."""
        return any(r.status == ImportStatus.REJECTED for r in self.results)

    @property
    def ready(self) -> bool:
        """True when there is something to write and nothing was rejected."""
        return not self.rejected and bool(self.parsed)

    @property
    def unusual(self) -> dict[str, list[str]]:
        """File name -> why it looks implausible for one force's month (such files are written only on confirm)."""
        return {item.source.name: item.unusual for item in self.parsed if item.unusual}


NOT_IMPORTED_PROBLEM = Problem(
    "not imported: another file in the same import was rejected, and an import goes in whole or not at all"
)
ALREADY_IMPORTED = Problem("this exact file was imported before: nothing to add")
NOT_CONFIRMED = Problem(
    "not imported: it looks unusual for one force's month (see above); check it, then confirm the import "
    "(on the Data in page, or `saferleeds import policeuk --accept-unusual`)"
)


def _log_not_written(url: str, checked: CheckedImport, problem: Problem, user: str | None) -> list[FileResult]:
    """Log every checked file as not imported, with why; their results."""
    results = []
    for item in checked.parsed:
        problems = [Problem(reason) for reason in item.unusual] + [problem] if problem is NOT_CONFIRMED else [problem]
        batch = batches.record(
            url, KIND, item.source.name, item.sha256, ImportStatus.NOT_IMPORTED, problems, user,
            rows_read=item.rows_read,
        )  # fmt: skip
        results.append(
            FileResult(
                item.source.name,
                ImportStatus.NOT_IMPORTED,
                item.rows_read,
                problems=problems,
                batch_id=batch,
                sha256=item.sha256,
            )  # fmt: skip
        )
    return results


def check_sources(
    url: str,
    sources: list[Source],
    lookup: lookups.LsoaLookup | None = None,
    user: str | None = None,
    progress: Progress | None = None,
    notes: list[str] | None = None,
    actor: roles.Actor | None = None,
) -> CheckedImport:
    """Check every source, one at a time and keeping only summaries; writes nothing but the log rows of rejected
    files (and, then, of the files that passed but will not be imported). PermissionDeniedError first if the acting
    person (None: the local operator) may not import police.uk files."""
    _allowed(actor)
    progress = progress or (lambda _fraction, _text: None)
    lookup = lookup or default_lookup(url)
    locking.close_stale(url)
    checked = CheckedImport([], [], notes or [], lookup)
    rejected: list[tuple[Source, str, ImportRejectedError]] = []
    seen: dict[str, str] = {}
    for index, source in enumerate(sources):
        progress(index / max(len(sources), 1), f"Checking {source.name}")
        try:
            sha = source_sha256(source)
            if sha in seen:
                checked.results.append(
                    FileResult(
                        source.name,
                        ImportStatus.UNCHANGED,
                        problems=[Problem(f"the same file as {seen[sha]} in this import: read once")],
                        sha256=sha,
                    )
                )
                continue
            seen[sha] = source.name
            if reads.clean_batch_with_sha(url, KIND, sha):  # reading it again would add nothing
                checked.results.append(
                    FileResult(source.name, ImportStatus.UNCHANGED, problems=[ALREADY_IMPORTED], sha256=sha)
                )
                continue
            with bulk.paused_gc():
                checked.parsed.append(parse(source, lookup, keep=False, sha=sha))
        except ImportRejectedError as error:
            rejected.append((source, _sha_or_blank(source), error))
    if not rejected:
        _mark_copies(checked.parsed)
        _judge(checked.parsed, reads.month_sizes(url))
        return checked
    for source, sha, refusal in rejected:
        batch = batches.record(url, KIND, source.name, sha, ImportStatus.REJECTED, refusal.problems, user)
        checked.results.append(
            FileResult(source.name, ImportStatus.REJECTED, problems=refusal.problems, batch_id=batch, sha256=sha)
        )
    checked.results += _log_not_written(url, checked, NOT_IMPORTED_PROBLEM, user)
    checked.parsed = []
    return checked


def _sha_or_blank(source: Source) -> str:
    """A refused source's SHA-256 for the log, or "" when even that cannot be read (a damaged archive member)."""
    try:
        return source_sha256(source)
    except ImportRejectedError:
        return ""


def write_checked(
    url: str,
    checked: CheckedImport,
    user: str | None = None,
    progress: Progress | None = None,
    accept_unusual: bool = False,
    actor: roles.Actor | None = None,
) -> ImportResult:
    """Write the checked files in one transaction (none if any file was rejected, or looks unusual and the import
    was not confirmed), reading each again a chunk at a time, and log every file."""
    _allowed(actor)
    progress = progress or (lambda _fraction, _text: None)
    results = list(checked.results)
    for result in results:
        if result.status == ImportStatus.UNCHANGED and result.batch_id is None:
            result.batch_id = batches.record(
                url, KIND, result.name, result.sha256, ImportStatus.UNCHANGED, result.problems, user
            )
    if not checked.ready:
        return ImportResult(results, checked.notes)
    if checked.unusual and not accept_unusual:
        return ImportResult(results + _log_not_written(url, checked, NOT_CONFIRMED, user), checked.notes)
    lookup = checked.lookup or default_lookup(url)
    shared: dict[str, Counter] = {}
    # Logged as running first, in their own transaction: the log shows the import while it waits or writes, and
    # shows it failed if the process is killed (locking.close_stale).
    batch_ids = locking.start_all_running(url, KIND, [(item.source.name, item.sha256) for item in checked.parsed], user)
    failpoints.hit(failpoints.CHECKED)
    try:
        with db.get_engine(url).begin() as connection, bulk.paused_gc():
            locking.acquire(connection, url, set(batch_ids), progress)
            written = []
            for item, batch_id in zip(checked.parsed, batch_ids, strict=True):
                own: dict[str, Counter] = {}

                def occurrences(month: str, item: ParsedFile = item, own: dict[str, Counter] = own) -> Counter:
                    """Number this file's identical ASB rows on from the other parts of the month, or afresh."""
                    return (own if month in item.fresh_months else shared).setdefault(month, Counter())

                writer = _Writer(connection, item, batch_id, progress)
                parse(
                    item.source,
                    lookup,
                    sink=writer.add,
                    keep=False,
                    occurrences=occurrences,
                    sha=item.sha256,
                    checked=True,
                )
                written.append(writer.finish())
            progress(1.0, "Updating the month x ward x crime type counts")
            failpoints.hit(failpoints.AGGREGATES)
            refresh_aggregate(
                connection,
                sorted(
                    {
                        date.fromisoformat(m + "-01")
                        for f in written
                        if f.status == ImportStatus.SUCCESS
                        for m in f.months
                    }
                ),
            )
    except Exception as error:
        if isinstance(error, ImportRejectedError):
            reason = str(error.problems[0])
        elif isinstance(error, locking.ImportBusyError):
            reason = str(error)
        else:
            reason = f"{type(error).__name__}: {error}"
        for item, batch_id in zip(checked.parsed, batch_ids, strict=True):
            locking.mark(
                url,
                batch_id,
                ImportStatus.FAILED,
                [Problem(f"the import stopped and nothing was written: {reason}")],
                rows_read=item.rows_read,
            )
        raise
    cache.clear_caches()
    return ImportResult(results + written, checked.notes)


def import_sources(
    url: str,
    sources: list[Source],
    lookup: lookups.LsoaLookup | None = None,
    user: str | None = None,
    progress: Progress | None = None,
    notes: list[str] | None = None,
    accept_unusual: bool = False,
    actor: roles.Actor | None = None,
) -> ImportResult:
    """Check every source, then write them all in one transaction (or, if any is rejected, write none)."""
    checked = check_sources(url, sources, lookup, user, progress, notes, actor)
    return write_checked(url, checked, user, progress, accept_unusual, actor)


def import_paths(
    url: str,
    paths: list[Path],
    lookup: lookups.LsoaLookup | None = None,
    user: str | None = None,
    progress: Progress | None = None,
    accept_unusual: bool = False,
    actor: roles.Actor | None = None,
) -> ImportResult:
    """`saferleeds import policeuk PATH...`: collect the files, then import them."""
    _allowed(actor)
    try:
        sources, notes = collect(paths)
        if not sources:
            raise ImportRejectedError(
                ", ".join(map(str, paths)) or "(nothing)",
                [Problem("no police.uk *-street.csv file found: nothing to import")],
            )
    except ImportRejectedError as error:  # too big, not a zip, nothing to import: logged, file not read
        batches.record(url, KIND, error.file_name, "", ImportStatus.REJECTED, error.problems, user)
        raise
    return import_sources(url, sources, lookup, user, progress, notes, accept_unusual, actor)


def _allowed(actor: roles.Actor | None) -> None:
    """PermissionDeniedError unless the acting person (None: the local operator) may import police.uk files."""
    if actor is not None and not roles.may_load_crime(actor):
        raise roles.PermissionDeniedError(roles.crime_refusal(actor))
