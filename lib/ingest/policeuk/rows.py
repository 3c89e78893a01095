"""Checking and reading a police.uk street CSV a chunk of rows at a time: its header, every row's fields, and the
area's rows built as records (wards from the LSOA lookup, keys for crimes and anti-social behaviour incidents)."""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from typing import IO

from lib.ingest import files, lookups
from lib.ingest.files import ImportRejectedError, Problem
from lib.ingest.policeuk.digests import MonthDigests
from lib.ingest.policeuk.model import (
    CHUNK_ROWS,
    DAMAGED,
    HEADER,
    ID_SAMPLE,
    MAX_PROBLEMS,
    MONTH,
    MONTH_ISO,
    REPEATED_ID_SHARE,
    DistrictOf,
    ParsedFile,
    Sink,
    Source,
)
from lib.ingest.policeuk.sources import source_sha256


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


def _number_repeats(ids: tuple[str, ...], keys: list[str], parsed: ParsedFile) -> None:
    """Count each Crime ID's rows across the file's chunks; a repeat (police.uk gave the crime again in the month:
    kept) is keyed as its n-th row, "<Crime ID>#n". A chunk with no repeat, the usual one, costs one set."""
    counts = parsed.id_count
    hashed = list(map(hash, filter(None, ids)))
    if len(set(hashed)) == len(hashed) and counts.keys().isdisjoint(hashed):
        counts.update(dict.fromkeys(hashed, 1))
        return
    for i, crime_id in enumerate(ids):
        if crime_id:
            seen = counts[hash(crime_id)] = counts.get(hash(crime_id), 0) + 1
            if seen > 1:
                keys[i] = f"{crime_id}#{seen}"


def _sample_ids(ids: tuple[str, ...], months: list[str], parsed: ParsedFile) -> None:
    """Keep each month's first ID_SAMPLE Crime IDs (mark_copies tells a part of a month from a copy by them)."""
    samples = parsed.id_sample
    if len(set(months)) == 1:  # a month's file: only until the sample is full
        sample = samples.setdefault(months[0], set())
        for crime_id in filter(None, ids):
            if len(sample) >= ID_SAMPLE:
                return
            sample.add(crime_id)
        return
    for crime_id, month in zip(ids, months, strict=True):
        if crime_id:
            sample = samples.setdefault(month, set())
            if len(sample) < ID_SAMPLE:
                sample.add(crime_id)


def _records(
    columns: list[tuple[str, ...]],
    longitudes: dict,
    latitudes: dict,
    lookup: lookups.LsoaLookup,
    parsed: ParsedFile,
    occurrences: Occurrences,
    build: bool = True,
    district_of: DistrictOf | None = None,
    numbering: Occurrences | None = None,
    strings: dict[str, str] | None = None,
) -> list[tuple]:
    """The area's rows as records (RECORD_COLUMNS order), built column by column; counts rows left out on parsed
    (and, with district_of, by district for the peers). Without build (the check, which keeps only the file's
    summary) nothing is built: the counts are the same. Identical ASB rows are counted by occurrences and numbered
    by it too, or by numbering when given (a check that keeps its records numbers as the write would). With strings
    (records that are kept a while) each repeated text is one object, shared through it, not one per row."""
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
    _number_repeats(ids, keys, parsed)
    _sample_ids(ids, months, parsed)
    for i in [i for i, crime_id in enumerate(ids) if not crime_id]:
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
        if build and numbering is not None:
            numbered = numbering(months[i])
            numbered[fields] += 1
            keys[i] = _asb_key(fields, numbered[fields])
        elif build:
            keys[i] = _asb_key(fields, identical[fields])
    keep = [ward is not None for ward in wards]
    left_out = [lsoas[i] for i, kept in enumerate(keep) if not kept]
    parsed.outside += len(left_out)
    parsed.without_lsoa += left_out.count("")
    parsed.forces.update(falls_within)
    if build and district_of is not None and left_out:
        _count_districts(columns, keep, district_of, parsed)
    if not build:
        parsed.month_rows.update(itertools.compress(months, keep))
        return []
    if (
        strings is not None
    ):  # about a third of the memory of records kept for the write (lib/ingest/policeuk/holding.py)
        share = strings.setdefault
        reported_by, falls_within, locations, lsoas, lsoa_names, crime_types, outcomes, contexts = (
            tuple(map(share, column, column))
            for column in (reported_by, falls_within, locations, lsoas, lsoa_names, crime_types, outcomes, contexts)
        )
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


def _count_districts(
    columns: list[tuple[str, ...]], keep: list[bool], district_of: DistrictOf, parsed: ParsedFile
) -> None:
    """The rows outside the area counted by month x district x force x crime type (no location: not counted; an
    LSOA in no district known: counted as unplaced)."""
    months, falls_within, lsoas, lsoa_names, crime_types = columns[1], columns[3], columns[7], columns[8], columns[9]
    outside = [i for i, kept in enumerate(keep) if not kept and lsoas[i]]
    place = {pair: district_of(*pair) for pair in {(lsoas[i], lsoa_names[i]) for i in outside}}
    counted = Counter(
        (months[i] + "-01", place[(lsoas[i], lsoa_names[i])], falls_within[i], crime_types[i]) for i in outside
    )
    for key, rows in counted.items():
        if key[1] is None:
            parsed.unplaced += rows
        else:
            parsed.district_counts[key] += rows


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
    district_of: DistrictOf | None = None,
    fingerprint: bool = False,
    numbering: Occurrences | None = None,
    strings: dict[str, str] | None = None,
) -> ParsedFile:
    """Check every row of a police.uk CSV, a chunk at a time, and build the area's records; raise ImportRejectedError
    (listing up to MAX_PROBLEMS problems) on any bad row.

    Each chunk's records go to `sink` (the writer, inside the caller's transaction, which a refusal rolls back) and,
    with keep, onto the result; otherwise only the summary is kept, so memory holds one chunk of rows at a time.
    `occurrences` numbers identical ASB rows (by default afresh for each month of this file; `numbering`, when given,
    numbers them instead, leaving occurrences to count this file's identical rows; `strings` shares repeated texts
    among records kept a while). With checked (the
    write of a file check_sources passed, whose sha is given) the row checks are not repeated; the file is hashed as
    it is read and refused if it is not the file that was checked. With district_of (the write, when the national
    lookup is in the reference folder) the rows outside the area are counted by district for the peers. With
    fingerprint (the write) each month's rows are digested (lib/ingest/policeuk/fingerprint.py) onto the result.
    """
    parsed = ParsedFile(source, sha or source_sha256(source))
    counters: dict[str, Counter] = {}
    occurrences = occurrences or (lambda month: counters.setdefault(month, Counter()))
    problems: list[Problem] = []
    seen_ids: dict[int, int] = {}
    repeats: list[Problem] = []
    digest = hashlib.sha256() if checked else None
    build = keep or sink is not None
    digests = MonthDigests() if fingerprint else None
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
            if digests is not None:
                digests.add(chunk, columns[1] if aligned else None)
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
            records = _records(
                columns, longitudes, latitudes, lookup, parsed, occurrences, build, district_of, numbering, strings
            )
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
    if digests is not None:
        parsed.fingerprints = digests.result() or {}
    return parsed
