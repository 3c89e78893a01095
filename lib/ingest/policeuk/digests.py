"""A month's fingerprint: the SHA-256 of its rows as the CSV reader gives them (every row of the file in that month,
in the file's order, blank lines left out), so quoting, line endings and the byte-order mark do not change it and any
changed field does (see lib/ingest/policeuk/fingerprint.py for what it is used for)."""

from __future__ import annotations

import hashlib
from collections import Counter
from operator import itemgetter

from lib.ingest.policeuk.model import MONTH

VERSION = b"police.uk rows, v1\n"  # a new way of digesting rows starts afresh: no old fingerprint matches it


_second = itemgetter(1)  # a row's Month
FIELD, ROW = "\x1f", "\x1e"  # ASCII's unit and record separators: between fields, after rows


class MonthDigests:
    """The running digests of a file's months, fed a chunk of rows at a time.

    Fields are joined by FIELD and rows ended by ROW, so the text is the rows' only spelling when no field holds
    either character; a file with one that does (no real police.uk file) gets no fingerprint, so it never matches.
    """

    def __init__(self) -> None:
        """No rows yet."""
        self.digests: dict[str, hashlib._Hash] = {}
        self.rows: Counter = Counter()
        self.spelled_once = True  # no field holds FIELD or ROW

    def add(self, chunk: list[list[str]], months: tuple[str, ...] | None = None) -> None:
        """Add a chunk of data rows; months: its Month column, when the caller has it as a column already."""
        if not self.spelled_once:
            return
        if months is None:
            try:
                months = tuple(map(_second, chunk))
            except IndexError:  # a short row: its month is ""
                months = tuple(row[1] if len(row) > 1 else "" for row in chunk)
        distinct = set(months)
        if len(distinct) == 1:  # a month's file: the whole chunk in one step, in C
            (month,) = distinct
            self._add(month, chunk)
            return
        by_month: dict[str, list[list[str]]] = {}
        for row, month in zip(chunk, months, strict=True):
            by_month.setdefault(month, []).append(row)
        for month, rows in by_month.items():
            self._add(month, rows)

    def _add(self, month: str, rows: list[list[str]]) -> None:
        """Add rows of one month, in order."""
        text = ROW.join(map(FIELD.join, rows)) + ROW
        if text.count(FIELD) != sum(map(len, rows)) - len(rows) or text.count(ROW) != len(rows):
            self.spelled_once = False
            return
        if month not in self.digests:
            self.digests[month] = hashlib.sha256(VERSION)
        self.digests[month].update(text.encode("utf-8"))
        self.rows[month] += len(rows)

    def result(self) -> dict[str, tuple[str, int]] | None:
        """ "YYYY-MM-01" -> (fingerprint, rows) for every month; None when a row's month is not a month or a field
        holds a separator (such a file has no fingerprint, so it never matches one)."""
        if not self.spelled_once or not all(MONTH.match(month) for month in self.digests):
            return None
        return {month + "-01": (digest.hexdigest(), self.rows[month]) for month, digest in self.digests.items()}
