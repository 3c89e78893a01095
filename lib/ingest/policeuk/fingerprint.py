"""Fingerprints of a police.uk file's months, so a re-issued file (new bytes, the same rows: police.uk republishes
months when outcomes change, and a file saved again gains or loses a byte-order mark or a line ending) is known to add
nothing before a row of it is checked.

The import stores each month's fingerprint (lib/ingest/policeuk/digests.py) with the records written from it
(lib/ingest/policeuk/writer.py), and removes a month's other fingerprints when a later file changes one of its
records: a fingerprint found stored means every one of those rows is stored as the file gives it.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
from datetime import date

from lib.area import national as national_data
from lib.core import config
from lib.ingest.policeuk.digests import VERSION, MonthDigests
from lib.ingest.policeuk.model import DAMAGED, HEADER, MONTH, Source
from lib.store import reads

PEEK_BYTES = 65_536  # read to learn a file's first months before digesting all of it
TEXT = "t:"  # a stored text fingerprint begins so (a month's row fingerprints are plain hex)
DIGEST_ROWS = 500  # rows digested at a time: small chunks keep the pass near a plain csv.reader's speed


def of_source(source: Source) -> dict[str, tuple[str, int]] | None:
    """Every month's fingerprint of a file, in one plain read (small chunks: about a csv.reader pass); None when it
    cannot be read as a police.uk CSV."""
    digests = MonthDigests()
    try:
        with source.open() as stream:
            reader = csv.reader(io.TextIOWrapper(stream, encoding="utf-8-sig", errors="strict", newline=""))
            if next((row for row in reader if row), None) is None:  # the header, as parse finds it
                return None
            while chunk := list(itertools.islice(reader, DIGEST_ROWS)):
                rows = [row for row in chunk if row] if [] in chunk else chunk  # blank lines are not rows
                if rows:
                    digests.add(rows)
    except (UnicodeDecodeError, csv.Error, *DAMAGED):
        return None
    return digests.result()


def first_months(source: Source) -> set[date]:
    """The months of a file's first rows (read from its first PEEK_BYTES): where a re-issued file must match."""
    with source.open() as stream:
        head = stream.read(PEEK_BYTES)
    text = head.decode("utf-8-sig", errors="ignore")
    if len(head) == PEEK_BYTES:
        text = text[: text.rfind("\n") + 1]  # whole lines only
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(h.strip() for h in rows[0]) != HEADER:
        return set()
    return {date.fromisoformat(row[1] + "-01") for row in rows[1:] if len(row) == len(HEADER) and MONTH.match(row[1])}


def of_text(source: Source) -> str:
    """The file's text fingerprint: the SHA-256 of its bytes without a byte-order mark or trailing line endings, and
    with CRLF line endings read as LF when no field is quoted (so no line ending can be inside a field): how a file
    saved again or re-packed usually differs. Equal text fingerprints mean equal rows."""
    with source.open() as stream:
        data = stream.read()
    data = data.removeprefix(codecs.BOM_UTF8).rstrip(b"\r\n")
    if b'"' not in data:
        data = data.replace(b"\r\n", b"\n")
    return hashlib.sha256(VERSION + data).hexdigest()[:48]


def text_key(text: str, months: int) -> str:
    """How a text fingerprint is stored against each of the file's months: "t:<fingerprint>:<months in the file>"
    (so a file is matched only while every one of its months still holds it)."""
    return f"{TEXT}{text}:{months}"


def _by_text(url: str, source: Source) -> tuple[list[str], int, bool] | None:
    """The files, rows and whether the peers were counted, when the file's text fingerprint is stored for all of
    its months."""
    stored = reads.text_fingerprints(url, f"{TEXT}{of_text(source)}:")
    if not stored or len(stored) != int(stored[0][0].rsplit(":", 1)[1]):
        return None
    return (
        sorted({name for *_rest, name in stored}),
        sum(rows for _key, rows, _counted, _name in stored),
        all(counted for _key, _rows, counted, _name in stored),
    )


def already_stored(url: str, source: Source) -> tuple[list[str], int] | None:
    """When every row of the file is stored as it gives it (its text fingerprint is stored for all its months, or
    else each month's fingerprint matches one stored, written by an import that counted the peers if they can be
    counted now): the files those rows came from, and the rows read. None otherwise, reading no more than the
    file's bytes when its first months have no fingerprint."""
    if (same := _by_text(url, source)) is not None:
        files, read, counted = same
        if counted or national_data.available(config.reference_dir()) is None:
            return files, read
    months = first_months(source)
    if not months or not reads.months_with_fingerprints(url, months) >= months:
        return None
    found = of_source(source)
    if not found:
        return None
    stored = reads.month_fingerprints(url, {date.fromisoformat(month) for month in found})
    names: set[str] = set()
    need_peers = False
    for month, (fingerprint, rows) in found.items():
        match = stored.get((date.fromisoformat(month), fingerprint))
        if match is None or match[0] != rows:
            return None
        need_peers |= not match[1]
        names.add(match[2])
    if need_peers and national_data.available(config.reference_dir()) is not None:
        return None  # written before the peers could be counted: read it in full, so they are
    return sorted(names), sum(rows for _fingerprint, rows in found.values())
