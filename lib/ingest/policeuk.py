"""police.uk street-level crime: read monthly CSVs (a file, a folder or a custom-download zip), check every row,
assign wards through the LSOA lookup, and write new and updated records in one transaction.

Rules a user can rely on:
- a file is checked completely before anything is written; one bad file in an import means nothing is written;
- rows outside Leeds are counted, not stored; Leeds rows whose LSOA is missing from the lookup are listed and
  refused (update the lookup and import the file again: the rest of it adds nothing twice);
- crimes are identified by their Crime ID and anti-social behaviour incidents (which have none) by a hash of their
  fields plus their position among identical rows, because police.uk publishes genuinely separate incidents with
  identical rows (127 in the March 2024 Leeds file): re-importing a file or an overlapping archive adds nothing;
- a later file that changes a crime's outcome or type updates it and the earlier values go to crimerecordhistory;
- the month x ward x type aggregate is rebuilt for the affected months only.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Connection, Table, bindparam, insert, update
from sqlmodel import col

from lib.core import config
from lib.core.vocabulary import ImportStatus
from lib.ingest import aggregates, batches, bulk, lookups
from lib.ingest.files import ImportRejectedError, Problem, check_size, decode_text, sha256
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
LEEDS_LSOA_NAME = "Leeds "
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
CHUNK = 5_000
RECORD_TABLE: Table = CrimeRecord.__table__  # type: ignore[attr-defined] # SQLModel sets it when the class is made

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Source:
    """One CSV to import: its name as the user knows it and its bytes."""

    name: str
    data: bytes


@dataclass
class ParsedFile:
    """A checked file: the Leeds records to write and what was left out, and why."""

    source: Source
    sha256: str
    rows_read: int = 0
    records: list[tuple] = field(default_factory=list)  # in RECORD_COLUMNS order
    outside: int = 0
    unknown_lsoa: Counter = field(default_factory=Counter)

    @property
    def problems(self) -> list[Problem]:
        """Leeds rows refused because their LSOA is in no lookup (one line per LSOA code)."""
        return [
            Problem(
                f"{n} row(s) with LSOA {code or '(blank)'} are in no LSOA-to-ward lookup: refused. Update "
                "the lookup (`saferleeds reference fetch`) and import the file again.",
                column="LSOA code",
            )
            for code, n in sorted(self.unknown_lsoa.items())
        ]


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
        """True when no file was rejected."""
        return all(f.status in (ImportStatus.SUCCESS, ImportStatus.UNCHANGED) for f in self.files)


# Reading files ---------------------------------------------------------------------------------------------------


def _from_zip(path: Path, name: str, data: bytes | None = None) -> tuple[list[Source], list[str]]:
    """The street CSVs inside a police.uk archive; other members are noted. Sizes are checked before reading."""
    sources, notes = [], []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data) if data is not None else path)
    except zipfile.BadZipFile as error:
        raise ImportRejectedError(name, [Problem("this is not a readable zip archive")]) from error
    with archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            member = f"{name}:{info.filename}"
            if info.is_dir():
                continue
            if OTHER_FILE.search(info.filename):
                notes.append(f"{member}: skipped (outcomes and stop-and-search files are not imported)")
            elif STREET_FILE.search(info.filename):
                check_size(member, info.file_size)
                sources.append(Source(member, archive.read(info)))
            else:
                notes.append(f"{member}: skipped (not a police.uk *-street.csv file)")
    return sources, notes


def collect(paths: Iterable[Path]) -> tuple[list[Source], list[str]]:
    """Sources from files, folders (every *-street.csv inside, recursively) and zip archives, plus notes."""
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
            check_size(path.name, path.stat().st_size)
            sources.append(Source(path.name, path.read_bytes()))
    return sources, notes


def uploaded(name: str, data: bytes) -> tuple[list[Source], list[str]]:
    """Sources from one uploaded file (a CSV or a zip archive), for the app."""
    if name.lower().endswith(".zip"):
        return _from_zip(Path(name), name, data)
    return [Source(name, data)], []


# Checking rows ---------------------------------------------------------------------------------------------------


def _numbers(values: set[str], column: str, rows: list[list[str]], index: int) -> tuple[dict, list[Problem]]:
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
    problems = [
        Problem(f"{row[index]!r} is not a number", number, column)
        for number, row in enumerate(rows, start=2)
        if bad and row[index] in bad
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


def _row_problems(rows: list[list[str]], columns: list[tuple[str, ...]]) -> list[Problem]:
    """Everything wrong with the rows, checked column by column over distinct values (fast on 100k+ rows)."""
    problems = [
        Problem(f"{len(row)} fields where police.uk rows have 12 (a truncated or damaged line?)", number)
        for number, row in enumerate(rows, start=2)
        if len(row) != len(HEADER)
    ]
    if problems:
        return problems
    bad_months = {m for m in set(columns[1]) if not MONTH.match(m)}
    problems += [
        Problem(f"{row[1]!r} is not a month in the form YYYY-MM", number, "Month")
        for number, row in enumerate(rows, start=2)
        if bad_months and row[1] in bad_months
    ]
    if "" in set(columns[9]):
        problems += [
            Problem("crime type is blank", number, "Crime type")
            for number, row in enumerate(rows, start=2)
            if not row[9]
        ]
    ids = [crime_id for crime_id in columns[0] if crime_id]
    if len(set(ids)) != len(ids):
        first: dict[str, int] = {}
        for number, row in enumerate(rows, start=2):
            if row[0] and row[0] in first:
                problems.append(
                    Problem(
                        f"Crime ID {row[0][:16]}... also appears on row {first[row[0]]}: police.uk "
                        "gives each crime once a month",
                        number,
                        "Crime ID",
                    )
                )
            first.setdefault(row[0], number)
    return problems


def _records(
    columns: list[tuple[str, ...]], longitudes: dict, latitudes: dict, lookup: lookups.LsoaLookup, parsed: ParsedFile
) -> list[tuple]:
    """The Leeds rows as records (RECORD_COLUMNS order), built column by column; counts rows left out on parsed."""
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
    identical: Counter = Counter()
    for i in (i for i, crime_id in enumerate(ids) if not crime_id):  # ASB: no Crime ID
        fields = (
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
        identical[fields] += 1
        keys[i] = _asb_key(fields, identical[fields])
    keep = [ward is not None for ward in wards]
    for i in (i for i, kept in enumerate(keep) if not kept):
        if lsoa_names[i].startswith(LEEDS_LSOA_NAME):
            parsed.unknown_lsoa[lsoas[i]] += 1
        else:
            parsed.outside += 1
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
    return list(itertools.compress(rows, keep))


def parse(source: Source, lookup: lookups.LsoaLookup) -> ParsedFile:
    """Check every row of a police.uk CSV and build the Leeds records; raise ImportRejectedError on any bad row."""
    text = decode_text(source.name, source.data)
    parsed = ParsedFile(source, sha256(source.data))
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise ImportRejectedError(source.name, [Problem(f"the file cannot be read as CSV ({error})")]) from error
    _check_header(source.name, rows[0])  # decode_text has refused an empty file
    rows = [row for row in rows[1:] if row]  # a trailing blank line is not a row
    if not rows:
        raise ImportRejectedError(source.name, [Problem("the file has a header but no rows")])
    columns = list(zip(*rows, strict=False)) if all(len(row) == len(HEADER) for row in rows) else []
    problems = _row_problems(rows, columns)
    longitudes, more = _numbers(set(columns[4]), "Longitude", rows, 4) if not problems else ({}, [])
    latitudes, most = _numbers(set(columns[5]), "Latitude", rows, 5) if not problems else ({}, [])
    problems += more + most
    if problems:
        raise ImportRejectedError(source.name, sorted(problems, key=lambda p: p.row or 0)[:MAX_PROBLEMS])
    parsed.rows_read = len(rows)
    parsed.records = _records(columns, longitudes, latitudes, lookup, parsed)
    return parsed


# Writing ---------------------------------------------------------------------------------------------------------


def _changes(parsed: ParsedFile, stored: dict[str, tuple]) -> tuple[list[tuple], list[tuple]]:
    """(new records, records whose type, outcome or context differs from what is stored)."""
    new, changed = [], []
    for record in parsed.records:
        before = stored.get(record[KEY])
        if before is None:
            new.append(record)
        elif before != (record[CRIME_TYPE], record[OUTCOME], record[CONTEXT]):
            changed.append(record)
    return new, changed


def _write_file(connection: Connection, parsed: ParsedFile, user: str | None, progress: Progress) -> FileResult:
    """Insert new records and update changed ones (keeping their history), logging the file's batch."""
    months = sorted({date.fromisoformat(r[MONTH_ISO]) for r in parsed.records})
    stored = reads.crime_record_state(connection, months)
    new, changed = _changes(parsed, stored)
    batch_id = batches.start(connection, KIND, parsed.source.name, parsed.sha256, user)
    for done in range(0, len(new), CHUNK):
        chunk = new[done : done + CHUNK]
        bulk.insert_rows(
            connection, RECORD_TABLE, (*RECORD_COLUMNS, "import_batch_id"), [(*r, batch_id) for r in chunk]
        )
        progress(
            min(1.0, (done + len(chunk)) / max(len(new), 1)),
            f"{parsed.source.name}: {done + len(chunk):,} of {len(new):,} new records written",
        )
    if changed:
        now = datetime.now(UTC)
        connection.execute(
            insert(CrimeRecordHistory),
            [
                {
                    "record_key": r[KEY],
                    "crime_type": stored[r[KEY]][0],
                    "last_outcome": stored[r[KEY]][1],
                    "context": stored[r[KEY]][2],
                    "replaced_at": now,
                    "replaced_by_batch_id": batch_id,
                }
                for r in changed
            ],
        )
        connection.execute(
            update(CrimeRecord)
            .where(col(CrimeRecord.record_key) == bindparam("key"))
            .values(
                crime_type=bindparam("new_type"),
                last_outcome=bindparam("new_outcome"),
                context=bindparam("new_context"),
                import_batch_id=batch_id,
            ),
            [
                {"key": r[KEY], "new_type": r[CRIME_TYPE], "new_outcome": r[OUTCOME], "new_context": r[CONTEXT]}
                for r in changed
            ],
        )
    status = ImportStatus.SUCCESS if new or changed else ImportStatus.UNCHANGED
    result = FileResult(
        parsed.source.name,
        status,
        parsed.rows_read,
        len(new),
        len(changed),
        parsed.outside,
        sum(parsed.unknown_lsoa.values()),
        [f"{m:%Y-%m}" for m in months],
        parsed.problems,
        batch_id,
    )
    batches.finish(
        connection,
        batch_id,
        status,
        parsed.problems,
        rows_read=parsed.rows_read,
        rows_imported=len(new) + len(changed),
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
    """The LSOA lookups in the configured reference folder, for the wards in this database."""
    wards = queries.wards(url)
    return lookups.load(
        config.reference_dir(), dict(zip(wards["wd19_code"], wards["code"], strict=True)), set(wards["code"])
    )


@dataclass
class CheckedImport:
    """Sources after their checks: the files ready to write, the results of the others, and notes.

    Made once by check_sources (which logs rejected files with their sha256) and handed to write_checked, so the
    app's preview and the import that follows never parse a file twice.
    """

    parsed: list[ParsedFile]
    results: list[FileResult]  # files needing no write: unchanged (logged when written), rejected, not imported
    notes: list[str]

    @property
    def rejected(self) -> bool:
        """True when any file was rejected (then nothing is written: an import goes in whole or not at all)."""
        return any(r.status == ImportStatus.REJECTED for r in self.results)

    @property
    def ready(self) -> bool:
        """True when there is something to write and nothing was rejected."""
        return not self.rejected and bool(self.parsed)


NOT_IMPORTED_PROBLEM = Problem(
    "not imported: another file in the same import was rejected, and an import goes in whole or not at all"
)
ALREADY_IMPORTED = Problem("this exact file was imported before: nothing to add")


def check_sources(
    url: str,
    sources: list[Source],
    lookup: lookups.LsoaLookup | None = None,
    user: str | None = None,
    progress: Progress | None = None,
    notes: list[str] | None = None,
) -> CheckedImport:
    """Check every source; writes nothing but the log rows of rejected files (and, then, of the files that passed
    but will not be imported)."""
    progress = progress or (lambda _fraction, _text: None)
    lookup = lookup or default_lookup(url)
    checked = CheckedImport([], [], notes or [])
    rejected: list[tuple[Source, str, ImportRejectedError]] = []
    for index, source in enumerate(sources):
        progress(index / max(len(sources), 1), f"Checking {source.name}")
        sha = sha256(source.data)
        if reads.clean_batch_with_sha(url, KIND, sha):  # reading it again would add nothing
            checked.results.append(
                FileResult(source.name, ImportStatus.UNCHANGED, problems=[ALREADY_IMPORTED], sha256=sha)
            )
            continue
        try:
            with bulk.paused_gc():
                checked.parsed.append(parse(source, lookup))
        except ImportRejectedError as error:
            rejected.append((source, sha, error))
    if not rejected:
        return checked
    for source, sha, refusal in rejected:
        batch = batches.record(url, KIND, source.name, sha, ImportStatus.REJECTED, refusal.problems, user)
        checked.results.append(
            FileResult(source.name, ImportStatus.REJECTED, problems=refusal.problems, batch_id=batch, sha256=sha)
        )
    for item in checked.parsed:
        batch = batches.record(
            url, KIND, item.source.name, item.sha256, ImportStatus.NOT_IMPORTED, [NOT_IMPORTED_PROBLEM], user
        )
        checked.results.append(
            FileResult(
                item.source.name,
                ImportStatus.NOT_IMPORTED,
                item.rows_read,
                problems=[NOT_IMPORTED_PROBLEM],
                batch_id=batch,
            )
        )
    checked.parsed = []
    return checked


def write_checked(
    url: str, checked: CheckedImport, user: str | None = None, progress: Progress | None = None
) -> ImportResult:
    """Write the checked files in one transaction (none if any file was rejected) and log every file."""
    progress = progress or (lambda _fraction, _text: None)
    results = list(checked.results)
    for result in results:
        if result.status == ImportStatus.UNCHANGED and result.batch_id is None:
            result.batch_id = batches.record(
                url, KIND, result.name, result.sha256, ImportStatus.UNCHANGED, result.problems, user
            )
    if not checked.ready:
        return ImportResult(results, checked.notes)
    try:
        with db.get_engine(url).begin() as connection, bulk.paused_gc():
            written = [_write_file(connection, item, user, progress) for item in checked.parsed]
            progress(1.0, "Updating the month x ward x crime type counts")
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
        for item in checked.parsed:
            batches.record(
                url,
                KIND,
                item.source.name,
                item.sha256,
                ImportStatus.FAILED,
                [Problem(f"the import stopped and nothing was written: {type(error).__name__}: {error}")],
                user,
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
) -> ImportResult:
    """Check every source, then write them all in one transaction (or, if any is rejected, write none)."""
    return write_checked(url, check_sources(url, sources, lookup, user, progress, notes), user, progress)


def import_paths(
    url: str,
    paths: list[Path],
    lookup: lookups.LsoaLookup | None = None,
    user: str | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """`saferleeds import policeuk PATH...`: collect the files, then import them."""
    try:
        sources, notes = collect(paths)
        if not sources:
            raise ImportRejectedError(
                ", ".join(map(str, paths)) or "(nothing)", [Problem("no police.uk *-street.csv file found")]
            )
    except ImportRejectedError as error:  # too big, not a zip, nothing to import: logged, file not read
        batches.record(url, KIND, error.file_name, "", ImportStatus.REJECTED, error.problems, user)
        raise
    return import_sources(url, sources, lookup, user, progress, notes)
