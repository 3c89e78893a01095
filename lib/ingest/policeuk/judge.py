"""Judging a checked import as a whole: which files are copies of a month and which are parts of it, and which look
implausible for one force's month (and must be confirmed)."""

from __future__ import annotations

import statistics
from datetime import date

from lib.area import current as current_area
from lib.ingest.policeuk.model import FEW_TIMES, IDENTICAL_SHARE, MANY_TIMES, ParsedFile


def mark_copies(parsed: list[ParsedFile]) -> None:
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


def judge(parsed: list[ParsedFile], sizes: dict[date, tuple[int, int]]) -> None:
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
