"""police.uk crime fetched by itself (`saferleeds fetch policeuk`, Fetch now): only the partnership's forces' street
files, from police.uk's monthly archive, read member by member with range requests (archive.py), then through the
usual import (checks, lock, log, all or nothing).

Which months: those asked for, or every month the archive offers for the forces that is not imported yet, and the
newest month published (a force's month is in when a file named YYYY-MM-<force>-street.csv went in, fetched or
loaded by hand). Which archive: the
archive of month M holds months M-35 to M, and police.uk republishes earlier months with updated outcomes, so each
month comes from the newest archive that holds it (the newest month the API lists; latest.zip when the API cannot be
reached). With --due nothing is asked of the archive until a new month can be expected: police.uk publishes a month
about 6 to 8 weeks after it ends, and the API says when it has.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO

from lib.area import current as current_area
from lib.core import config, roles
from lib.core.vocabulary import FetchStatus, ImportStatus
from lib.ingest import batches, locking, lookups
from lib.ingest.files import ImportRejectedError
from lib.ingest.policeuk import archive, fetch_log, importer
from lib.ingest.policeuk.model import ImportResult, Progress, Source
from lib.store import reads

ARCHIVE_URL = config.Setting(
    "SAFERLEEDS_POLICEUK_ARCHIVE_URL",
    "https://data.police.uk/data/archive/",
    "Where police.uk's monthly archives are: the month's file is <url>YYYY-MM.zip (change for a mirror or a test "
    "server; it must support HTTP range requests).",
)
API_URL = config.Setting(
    "SAFERLEEDS_POLICEUK_API_URL",
    "https://data.police.uk/api/",
    "police.uk's API, asked which months are published (<url>crimes-street-dates).",
)
SETTINGS = (ARCHIVE_URL, API_URL)
ARCHIVE_MONTHS = 36  # the archive of month M holds months M-35 to M
PUBLISHED_AFTER = timedelta(weeks=6)  # police.uk publishes a month about 6 to 8 weeks after it ends
MONTH_TEXT = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MEMBER = re.compile(r"^(\d{4}-\d{2})/\1-([a-z0-9-]+)-street\.csv$")
STREET_NAME = re.compile(r"(\d{4}-\d{2})-([a-z0-9-]+)-street\.csv$")
NOTE_EVERY_SECONDS = 1.0  # how often a running fetch's progress is written to its log row


class FetchError(Exception):
    """The fetch cannot go ahead (no force named, months given wrongly); one line."""


@dataclass(frozen=True)
class Fetched:
    """One street file fetched: which month and force, from which archive, and its sizes."""

    month: str
    force: str
    archive: str
    member: str
    compressed: int
    size: int


@dataclass
class FetchResult:
    """What a fetch did."""

    status: str  # a FetchStatus
    message: str
    forces: list[str]
    fetch_id: int | None = None
    fetched: list[Fetched] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # "YYYY-MM <force>" wanted but not in the archive
    archives: list[str] = field(default_factory=list)
    bytes_received: int = 0
    archive_bytes: int = 0
    newest_published: str | None = None
    newest_imported: str | None = None
    imported: ImportResult | None = None

    @property
    def ok(self) -> bool:
        """True when everything wanted is in (or nothing was due)."""
        return self.status in (FetchStatus.SUCCESS, FetchStatus.UNCHANGED, FetchStatus.NOTHING_DUE)

    def as_json(self) -> dict:
        """For `--json`."""
        files = self.imported.files if self.imported else []
        return {
            "ok": self.ok,
            "status": self.status,
            "message": self.message,
            "fetch_id": self.fetch_id,
            "forces": self.forces,
            "fetched": [vars(item) for item in self.fetched],
            "missing": self.missing,
            "archives": self.archives,
            "bytes_received": self.bytes_received,
            "archive_bytes": self.archive_bytes,
            "newest_published": self.newest_published,
            "newest_imported": self.newest_imported,
            "imported": [
                {
                    "file": f.name,
                    "status": f.status,
                    "months": f.months,
                    "rows_read": f.rows_read,
                    "imported": f.rows_imported,
                    "updated": f.rows_updated,
                    "problems": [str(p) for p in f.problems],
                    "batch_id": f.batch_id,
                }
                for f in files
            ],
        }


# Months ----------------------------------------------------------------------------------------------------------


def _shift(month: str, months: int) -> str:
    """YYYY-MM moved on (or back) by a number of months."""
    year, number = map(int, month.split("-"))
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(text: str) -> list[str]:
    """The months of "YYYY-MM..YYYY-MM" (or one "YYYY-MM"), oldest first; FetchError if it is not that."""
    first, _, last = text.partition("..")
    last = last or first
    if not MONTH_TEXT.match(first) or not MONTH_TEXT.match(last):
        raise FetchError(f"--months {text!r}: give YYYY-MM..YYYY-MM (for example 2024-04..2025-03) or one YYYY-MM")
    if last < first:
        raise FetchError(f"--months {text!r}: the first month is after the last")
    months = [first]
    while months[-1] < last:
        months.append(_shift(months[-1], 1))
    return months


def archive_for(month: str, newest: str) -> str:
    """The newest archive holding a month: the newest one, or for a month older than it holds, month + 35."""
    return min(newest, _shift(month, ARCHIVE_MONTHS - 1))


def expected_from(month: str) -> date:
    """When police.uk can be expected to have published a month: about six weeks after it ends."""
    end = date.fromisoformat(_shift(month, 1) + "-01")
    return end + PUBLISHED_AFTER


def imported(url: str) -> set[tuple[str, str]]:
    """(month, force) of every police.uk street file that went in."""
    return {(match[1], match[2]) for name in reads.policeuk_file_names(url) if (match := STREET_NAME.search(name))}


def newest_imported(done: set[tuple[str, str]], forces: list[str]) -> str | None:
    """The newest month imported for every one of the forces."""
    per_force = [max((m for m, f in done if f == force), default=None) for force in forces]
    return None if not per_force or None in per_force else min(m for m in per_force if m)


# The run ---------------------------------------------------------------------------------------------------------


class _Run:
    """One fetch in progress: its log row, its HTTP client, the archives read and its progress."""

    def __init__(self, url: str, fetch_id: int, progress: Progress) -> None:
        """Start counting."""
        self.url, self.fetch_id, self.progress = url, fetch_id, progress
        self.http = archive.Http()
        self.archives: dict[str, archive.RemoteArchive | None] = {}
        self.noted = 0.0

    def report(self, fraction: float, text: str, force: bool = False) -> None:
        """Progress to the caller, and to the log row at most every NOTE_EVERY_SECONDS."""
        self.progress(fraction, text)
        if force or time.monotonic() - self.noted >= NOTE_EVERY_SECONDS:
            if fetch_log.note_progress(
                self.url, self.fetch_id, progress=fraction, progress_text=text, bytes_received=self.http.received
            ):
                self.noted = time.monotonic()

    def open(self, name: str) -> archive.RemoteArchive | None:
        """An archive's directory (read once), or None when the server has no such archive."""
        if name not in self.archives:
            self.report(0.0, f"Reading the directory of {name}", force=True)
            try:
                self.archives[name] = archive.RemoteArchive(self.http, config.get(ARCHIVE_URL) + name)
            except archive.NotFoundError:
                self.archives[name] = None
        return self.archives[name]

    @property
    def archive_bytes(self) -> int:
        """The size of the archives read."""
        return sum(found.size for found in self.archives.values() if found)


def _published(run: _Run) -> tuple[list[str] | None, str | None]:
    """The months the API lists (oldest first), or None and why it could not be asked."""
    try:
        answer = run.http.get_json(config.get(API_URL) + "crimes-street-dates")
    except archive.ArchiveError as error:
        return None, str(error)
    if not isinstance(answer, list):
        return None, "the police.uk API's list of months is not a list"
    months = sorted({str(item.get("date")) for item in answer if isinstance(item, dict)})
    months = [m for m in months if MONTH_TEXT.match(m)]
    return (months or None), (None if months else "the police.uk API listed no months")


def _opener(path: Path, member: archive.Member) -> Callable[[], IO[bytes]]:
    """Opens a downloaded member as its inflating stream."""
    return lambda: archive.opened(path, member)


def fetch(
    url: str,
    months: list[str] | None = None,
    forces: list[str] | None = None,
    due: bool = False,
    user: str | None = None,
    actor: roles.Actor | None = None,
    progress: Progress | None = None,
    accept_unusual: bool = False,
    today: date | None = None,
) -> FetchResult:
    """Fetch and import the forces' street files for the months wanted (see the module's docstring). Every run is
    logged; a failure leaves nothing imported and the log says why."""
    importer.allowed(actor)
    forces = forces or list(current_area().forces)
    if not forces:
        raise FetchError(f"{current_area().name} names no police force (area.toml forces): give --forces")
    who = user or batches.who()
    done = imported(url)
    newest_done = newest_imported(done, forces)
    today = today or datetime.now(UTC).date()
    if due and newest_done and today < expected_from(_shift(newest_done, 1)):
        upcoming = _shift(newest_done, 1)
        return FetchResult(
            FetchStatus.NOTHING_DUE,
            f"nothing due: {newest_done} is imported, and police.uk publishes {upcoming} from about "
            f"{expected_from(upcoming):%d %B %Y}",
            forces,
            newest_imported=newest_done,
        )
    fetch_id = fetch_log.start(url, who, forces)
    run = _Run(url, fetch_id, progress or (lambda _fraction, _text: None))
    result = FetchResult(FetchStatus.FAILED, "", forces, fetch_id, newest_imported=newest_done)
    try:
        _fetch(run, result, months, done, due, who, actor, accept_unusual)
    except (archive.ArchiveError, FetchError, ImportRejectedError, locking.ImportBusyError) as error:
        result.status, result.message = FetchStatus.FAILED, f"{error}"
    except lookups.MissingLookupError as error:
        result.status, result.message = FetchStatus.FAILED, f"{error}"
    except Exception as error:
        result.status, result.message = FetchStatus.FAILED, f"the fetch failed unexpectedly ({error}); nothing imported"
        raise
    finally:
        run.http.close()
        result.bytes_received, result.archive_bytes = run.http.received, run.archive_bytes
        result.archives = [name for name, found in run.archives.items() if found]
        result.newest_imported = newest_imported(imported(url), forces)
        fetch_log.finish(
            url,
            fetch_id,
            result.status,
            result.message,
            months=",".join(sorted({f.month for f in result.fetched})),
            archives=",".join(result.archives),
            bytes_received=result.bytes_received,
            archive_bytes=result.archive_bytes,
            newest_published=result.newest_published,
        )
    return result


def _fetch(
    run: _Run,
    result: FetchResult,
    months: list[str] | None,
    done: set[tuple[str, str]],
    due: bool,
    who: str,
    actor: roles.Actor | None,
    accept_unusual: bool,
) -> None:
    """The body of a fetch: choose, download, check and import; fills in result."""
    forces = result.forces
    published, api_problem = _published(run)
    if published:
        result.newest_published = published[-1]
    elif due or not months:
        raise FetchError(
            f"cannot tell which months police.uk has published: {api_problem}"
            + ("" if due else "; give --months to fetch from the archive alone")
        )
    if due and published and all((published[-1], force) in done for force in forces):
        result.status = FetchStatus.NOTHING_DUE
        result.message = f"nothing due: the newest month police.uk lists, {published[-1]}, is imported"
        return
    newest_name = f"{published[-1]}.zip" if published else "latest.zip"
    newest = run.open(newest_name)
    if newest is None:
        raise archive.ArchiveError(f"{config.get(ARCHIVE_URL)}{newest_name}: not found (HTTP 404)")
    offered = {(m[1], m[2]): name for name in newest.members if (m := MEMBER.match(name))}
    newest_month = published[-1] if published else max((month for month, _ in offered), default=None)
    if newest_month is None:
        raise archive.ArchiveError(f"{newest_name} holds no police.uk street files")
    if months:
        wanted = [(month, force) for month in months for force in forces]
    else:
        # What the archive holds for the forces, and the newest month published, which every force should have
        # (a force's older gaps, such as one force's missing years, are police.uk's and are not asked for).
        held = {(month, force) for month, force in offered if force in forces}
        held |= {(published[-1], force) for force in forces} if published else set()
        wanted = sorted(pair for pair in held if pair not in done)
    plan: list[tuple[archive.RemoteArchive, str, str, str, str]] = []  # archive, its name, member, month, force
    for month, force in wanted:
        name = (
            newest_name if month > _shift(newest_month, -ARCHIVE_MONTHS) else f"{archive_for(month, newest_month)}.zip"
        )
        found = run.open(name)
        member = f"{month}/{month}-{force}-street.csv"
        if found is None or member not in found.members:
            result.missing.append(f"{month} {force}")
        else:
            plan.append((found, name, member, month, force))
    if not plan:
        result.status = FetchStatus.INCOMPLETE if result.missing else FetchStatus.UNCHANGED
        result.message = (
            f"not in the archive: {', '.join(result.missing)}"
            if result.missing
            else f"nothing new: every month police.uk offers for {', '.join(forces)} is imported"
        )
        return
    total = sum(found.members[member].compress_size for found, _, member, _, _ in plan)
    with tempfile.TemporaryDirectory(prefix="saferleeds-policeuk-") as folder:
        sources, before = [], 0
        for found, name, member, month, force in plan:
            entry = found.members[member]

            def moved(done_bytes: int, start: int = before, label: str = member) -> None:
                """Download progress over every member of the run."""
                run.report((start + done_bytes) / max(total, 1) * 0.5, f"Downloading {label}")

            path = found.download(member, Path(folder), moved)
            before += entry.compress_size
            result.fetched.append(Fetched(month, force, name, member, entry.compress_size, entry.file_size))
            sources.append(Source(f"{name}:{member}", opener=_opener(path, entry), size=entry.file_size))
        run.report(0.5, "Importing", force=True)
        outcome = importer.import_sources(
            run.url,
            sources,
            user=who,
            progress=lambda fraction, text: run.report(0.5 + fraction / 2, text),
            accept_unusual=accept_unusual,
            actor=actor,
        )
    result.imported = outcome
    months_text = ", ".join(sorted({f.month for f in result.fetched}))
    if not outcome.ok:
        problems = [f"{f.name}: {f.problems[0]}" for f in outcome.files if f.problems and f.status != "unchanged"]
        result.status = FetchStatus.FAILED
        result.message = "nothing was imported: " + ("; ".join(problems[:3]) or "see the import log")
        return
    wrote = any(f.status == ImportStatus.SUCCESS for f in outcome.files)
    if result.missing:
        result.status = FetchStatus.INCOMPLETE
        result.message = f"imported {months_text}; not in the archive: {', '.join(result.missing)}"
    elif wrote:
        result.status, result.message = FetchStatus.SUCCESS, f"imported {months_text}"
    else:
        result.status, result.message = FetchStatus.UNCHANGED, f"nothing new: {months_text} already imported"
