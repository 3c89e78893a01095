"""Month arithmetic and reporting periods: a month, a rolling 12 months, or a financial year (April to March).

Every date calculation in whole months lives here (the first or last day of a month, n months on, the months
between two dates), so pages, queries, importers and the generator count months the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

MONTH = "month"
ROLLING = "12m"
FINANCIAL_YEAR = "fy"
KINDS = {MONTH: "Month", ROLLING: "Rolling 12 months", FINANCIAL_YEAR: "Financial year"}


def add_months(month: date, count: int) -> date:
    """The first of the month `count` months after (or before, if negative) the given month."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    """The last day of the month that holds day."""
    return add_months(day, 1) - timedelta(days=1)


def month_starts(first: date, last: date) -> list[date]:
    """The first day of each month from first's month to last's month inclusive."""
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [add_months(first, i) for i in range(max(count, 0))]


def is_calendar_month(start: date, end: date) -> bool:
    """True when start..end is exactly one calendar month (the 1st to its last day)."""
    return start.day == 1 and end == month_end(start)


def is_financial_year(start: date, end: date) -> bool:
    """True when start..end is exactly one financial year, 1 April to 31 March."""
    return (start.month, start.day) == (4, 1) and end == date(start.year + 1, 3, 31)


@dataclass(frozen=True)
class Period:
    """A span of whole months, first..last inclusive (both the first day of their month)."""

    kind: str
    first: date
    last: date

    @property
    def spec(self) -> str:
        """The short form used in URLs and on the command line: month:2024-09, 12m:2024-09 or fy:2023."""
        if self.kind == FINANCIAL_YEAR:
            return f"fy:{self.first.year}"
        return f"{self.kind}:{self.last:%Y-%m}"

    @property
    def label(self) -> str:
        """Readable: 'September 2024', '12 months to September 2024', '2023/24 (April to March)'."""
        if self.kind == MONTH:
            return f"{self.last:%B %Y}"
        if self.kind == FINANCIAL_YEAR:
            return f"{self.first.year}/{(self.first.year + 1) % 100:02d} (April to March)"
        return f"12 months to {self.last:%B %Y}"

    @property
    def months(self) -> int:
        """How many months the period spans."""
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def year_earlier(self) -> Period:
        """The same period a year before (for change against the same period last year)."""
        return Period(self.kind, add_months(self.first, -12), add_months(self.last, -12))


def month(last: date) -> Period:
    """One calendar month."""
    start = last.replace(day=1)
    return Period(MONTH, start, start)


def rolling(last: date) -> Period:
    """The 12 months ending with the given month."""
    end = last.replace(day=1)
    return Period(ROLLING, add_months(end, -11), end)


def financial_year(start_year: int) -> Period:
    """April of start_year to March of the next year."""
    return Period(FINANCIAL_YEAR, date(start_year, 4, 1), date(start_year + 1, 3, 1))


def parse(spec: str) -> Period:
    """A Period from its spec; ValueError with a plain message if the spec is not understood."""
    kind, _, value = spec.strip().partition(":")
    try:
        if kind == FINANCIAL_YEAR:
            return financial_year(int(value))
        year, month_number = (int(part) for part in value.split("-"))
        last = date(year, month_number, 1)
    except ValueError:
        raise ValueError(
            f"Period {spec!r} not understood: use month:YYYY-MM, 12m:YYYY-MM or fy:YYYY "
            "(the year the financial year starts)."
        ) from None
    if kind == MONTH:
        return month(last)
    if kind == ROLLING:
        return rolling(last)
    raise ValueError(f"Period kind {kind!r} not understood: use month, 12m or fy.")


def available(months: list[date], kinds: tuple[str, ...] = (MONTH, ROLLING, FINANCIAL_YEAR)) -> list[Period]:
    """Every period of the given kinds fully covered by the months that have data, newest first."""
    have = set(months)
    found: list[Period] = []
    for last in sorted(have, reverse=True):
        if MONTH in kinds:
            found.append(month(last))
        if ROLLING in kinds and all(add_months(last, -i) in have for i in range(12)):
            found.append(rolling(last))
        if FINANCIAL_YEAR in kinds and last.month == 3 and all(add_months(last, -i) in have for i in range(12)):
            found.append(financial_year(last.year - 1))
    return found


def first_meeting_showing(meetings: list[tuple[date, date]], period_end: date) -> tuple[date, date] | None:
    """Of (meeting date, data cut-off) pairs, oldest first: the first meeting whose cut-off includes a period ending
    on period_end (None: no meeting yet)."""
    return next(((meeting, cutoff) for meeting, cutoff in meetings if cutoff >= period_end), None)


def cutoff_of(meetings: list[tuple[date, date]], meeting_date: date | None = None) -> date | None:
    """The data cut-off of a meeting (the latest when none is named), from (meeting date, cut-off) pairs oldest
    first; None when no meeting is recorded, or the named one is not."""
    if meeting_date is None:
        return meetings[-1][1] if meetings else None
    return next((cutoff for meeting, cutoff in meetings if meeting == meeting_date), None)


MEETING_YEARS_AHEAD = 3  # a meeting may be scheduled up to the end of the third calendar year after this one
MEETING_YEARS_BACK_WITHOUT_DATA = 10  # before any data is loaded, how far back a meeting may be recorded


def meeting_window(first_data_month: date | None, today: date) -> tuple[date, date]:
    """The dates a meeting and its cut-off may take: from the first month of data (before any data, ten years back)
    to the end of the third year ahead. Outside it a date is a typing slip (9999, 0001), not a meeting."""
    earliest = first_data_month or date(today.year - MEETING_YEARS_BACK_WITHOUT_DATA, 1, 1)
    return earliest, date(today.year + MEETING_YEARS_AHEAD, 12, 31)


def financial_year_label(day: date) -> str:
    """The financial year (April to March) a day falls in, as '2002/03'."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"
