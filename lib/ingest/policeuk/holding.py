"""Read each file once: an import that checks and then writes at once (the command line, the fetch) keeps the records
its check builds, so the write does not read and parse the files a second time, while they fit in HOLD_ROWS.

The app's preview does not hold (the person may confirm minutes later; a held import would keep its rows in the
server's memory meanwhile), and an import larger than HOLD_BYTES is read twice as before, holding one chunk at a time.
What is held is what the write would have built: identical anti-social behaviour rows are numbered across the
import's files as the write numbers parts of a month, so when the check finds a file that is another copy of a month
(numbered afresh, lib/ingest/policeuk/judge.py) the held records are dropped and every file is read again.
"""

from __future__ import annotations

import os
from collections import Counter

from lib.ingest.policeuk.model import ParsedFile, Source

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
HOLD_BYTES = 28 * 1024 * 1024  # an import of at most this many bytes of CSV is held: about 120,000 police.uk rows, a
# year of a city's monthly files; a larger one (a 30 MB month) is read twice and keeps the memory bound of doing so
HOLD_ROWS = 150_000  # and never more records than this, whatever the files' sizes claimed
HOLD_GROWTH_MB = 100  # nor once the process has grown by this much while holding (distinct texts cannot be shared):
# the import's memory bound (tests/test_hostile_input.py) stays the one of reading each file twice


def resident_mb() -> float:
    """The process's resident memory in MB (0 where the system does not say, as on systems without /proc)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * PAGE_BYTES / 1024 / 1024
    except (OSError, ValueError, IndexError):
        return 0.0


def worth_holding(sources: list[Source]) -> bool:
    """Whether the check should hold these files' records: every size known, and the whole within HOLD_BYTES."""
    sizes = [source.byte_size for source in sources]
    return bool(sizes) and all(sizes) and sum(sizes) <= HOLD_BYTES


class Holder:
    """The records of the files checked so far, with the numbering of identical ASB rows across them."""

    def __init__(self) -> None:
        """Nothing held yet."""
        self.rows = 0
        self.start_mb = resident_mb()
        self.full = False  # more than HOLD_ROWS came: nothing is held, the write reads every file
        self.numbers: dict[str, Counter] = {}
        self.strings: dict[str, str] = {}  # each repeated text of the held records once
        self.current: list[tuple] = []
        self.files: list[ParsedFile] = []

    def numbering(self, month: str) -> Counter:
        """The counter that numbers identical ASB rows of a month across the import's files."""
        return self.numbers.setdefault(month, Counter())

    def add(self, records: list[tuple]) -> None:
        """A chunk of the current file's records (parse's sink)."""
        if self.full:
            return
        self.rows += len(records)
        if self.rows > HOLD_ROWS or resident_mb() - self.start_mb > HOLD_GROWTH_MB:
            self.drop()
            return
        self.current += records

    def keep(self, parsed: ParsedFile) -> None:
        """The current file was checked: its records are held on it."""
        if not self.full:
            parsed.records, parsed.held = self.current, True
            self.files.append(parsed)
        self.current = []

    def drop(self) -> None:
        """Hold nothing: the write reads every file again (as an import too large to hold does)."""
        self.full = True
        self.current, self.strings = [], {}
        for parsed in self.files:
            parsed.records, parsed.held = [], False
            parsed.district_counts.clear()
            parsed.unplaced = 0
            parsed.fingerprints = {}
