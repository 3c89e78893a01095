"""A police.uk import from end to end: check every file (logging refusals), then write them all in one transaction
under the import lock, or none."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lib.area import current as current_area
from lib.area import national as national_data
from lib.core import config, failpoints, roles
from lib.core.vocabulary import ImportStatus
from lib.ingest import batches, bulk, locking, lookups
from lib.ingest.files import ImportRejectedError, Problem
from lib.ingest.policeuk import fingerprint, holding
from lib.ingest.policeuk.judge import judge, mark_copies
from lib.ingest.policeuk.model import CHUNK_ROWS, KIND, FileResult, ImportResult, ParsedFile, Progress, Source
from lib.ingest.policeuk.rows import parse
from lib.ingest.policeuk.sources import collect, source_sha256
from lib.ingest.policeuk.writer import FileWriter, PeerCounts, refresh_aggregate
from lib.store import cache, db, queries, reads


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
    national: national_data.National | None = None  # the lookup a holding check counted the peers with

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
    hold: bool = False,
) -> CheckedImport:
    """Check every source, one at a time and keeping only summaries (with hold, for a write that follows at once,
    also the records while they fit: lib/ingest/policeuk/holding.py); writes nothing but the log rows of rejected
    files (and, then, of the files that passed but will not be imported). PermissionDeniedError first if the acting
    person (None: the local operator) may not import police.uk files."""
    allowed(actor)
    progress = progress or (lambda _fraction, _text: None)
    lookup = lookup or default_lookup(url)
    locking.close_stale(url)
    checked = CheckedImport([], [], notes or [], lookup)
    holder = holding.Holder() if hold and holding.worth_holding(sources) else None
    if holder is not None:
        checked.national = national_data.available(config.reference_dir())
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
            if same := fingerprint.already_stored(url, source):  # re-issued: new bytes, every row stored as it is
                earlier, rows = same
                problem = Problem(f"the same rows as {', '.join(earlier)}, already imported: nothing to add")
                checked.results.append(
                    FileResult(source.name, ImportStatus.UNCHANGED, rows, problems=[problem], sha256=sha)
                )
                continue
            with bulk.paused_gc():
                checked.parsed.append(_check(source, lookup, sha, holder, checked.national))
            checked.parsed[-1].text_fingerprint = fingerprint.of_text(source)
        except ImportRejectedError as error:
            rejected.append((source, _sha_or_blank(source), error))
            if holder is not None:
                holder.drop()  # nothing will be written
    if not rejected:
        mark_copies(checked.parsed)
        if holder is not None and any(item.fresh_months for item in checked.parsed):
            holder.drop()  # a copy of a month is numbered afresh by the write: it reads every file again
        judge(checked.parsed, reads.month_sizes(url))
        return checked
    for source, sha, refusal in rejected:
        batch = batches.record(url, KIND, source.name, sha, ImportStatus.REJECTED, refusal.problems, user)
        checked.results.append(
            FileResult(source.name, ImportStatus.REJECTED, problems=refusal.problems, batch_id=batch, sha256=sha)
        )
    checked.results += _log_not_written(url, checked, NOT_IMPORTED_PROBLEM, user)
    checked.parsed = []
    return checked


def _check(
    source: Source,
    lookup: lookups.LsoaLookup,
    sha: str,
    holder: holding.Holder | None,
    national: national_data.National | None,
) -> ParsedFile:
    """One file checked: its summary, and with a holder its records as the write would build them."""
    if holder is None or holder.full:
        return parse(source, lookup, keep=False, sha=sha)
    parsed = parse(
        source,
        lookup,
        sink=holder.add,
        keep=False,
        sha=sha,
        district_of=national.district if national else None,
        fingerprint=True,
        numbering=holder.numbering,
        strings=holder.strings,
    )
    holder.keep(parsed)
    return parsed


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
    was not confirmed), reading each again a chunk at a time (or from the records the check held), and log every
    file."""
    allowed(actor)
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
    national = peer_lookup(checked)
    peers = PeerCounts()
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

                writer = FileWriter(connection, item, batch_id, progress, peers_counted=national is not None)
                if item.held:  # the check built its records: written without reading the file again
                    read = item
                    for start in range(0, len(item.records), CHUNK_ROWS):
                        writer.add(item.records[start : start + CHUNK_ROWS])
                    item.records = []
                else:
                    read = parse(
                        item.source,
                        lookup,
                        sink=writer.add,
                        keep=False,
                        occurrences=occurrences,
                        sha=item.sha256,
                        checked=True,
                        district_of=national.district if national else None,
                        fingerprint=True,
                    )
                    item.fingerprints = read.fingerprints  # made as the write read it: kept with its records
                written.append(writer.finish())
                peers.add(read, item.fresh_months, batch_id)
            peers.write(connection)
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
    if peers.unplaced:
        checked.notes.append(
            f"{peers.unplaced:,} rows outside {current_area().name} have an LSOA that no national lookup places in a "
            "district (by code or by name): they are not counted for the Peers page."
        )
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
    checked = check_sources(url, sources, lookup, user, progress, notes, actor, hold=True)
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
    allowed(actor)
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


def peer_lookup(checked: CheckedImport) -> national_data.National | None:
    """The national LSOA -> district lookup for counting the peers' rows, when the reference folder has it; when it
    does not and the files hold rows of other districts, a note says they were not counted."""
    found = checked.national or national_data.available(config.reference_dir())
    placed = sum(item.outside - item.without_lsoa for item in checked.parsed)
    if found is None and placed:
        checked.notes.append(
            f"{placed:,} rows outside {current_area().name} were not counted for the Peers page: the national "
            "LSOA lookup and populations are not in the reference folder (saferleeds reference fetch --national)."
        )
    return found


def allowed(actor: roles.Actor | None) -> None:
    """PermissionDeniedError unless the acting person (None: the local operator) may import police.uk files."""
    if actor is not None and not roles.may_load_crime(actor):
        raise roles.PermissionDeniedError(roles.crime_refusal(actor))
