"""Working days in England: Monday to Friday, less the England and Wales bank holidays (for report deadlines).

The regular bank holidays are computed (New Year's Day, Good Friday, Easter Monday, the early May and spring bank
holidays, the summer bank holiday, Christmas Day and Boxing Day, each moved to the next working day when it falls at
a weekend, as the gov.uk list does). One-off holidays proclaimed for a single year (a coronation, a jubilee, a state
funeral) are not predictable and are not counted: a deadline near one is a day early, never late.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

from dateutil.easter import easter


def _first_monday(year: int, month: int) -> date:
    """The first Monday of a month."""
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    """The last Monday of a month."""
    last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """The regular England and Wales bank holidays of a year, with weekend substitutes."""
    easter_day = easter(year)
    new_year = date(year, 1, 1)
    if new_year.weekday() >= 5:
        new_year += timedelta(days=7 - new_year.weekday())
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    if christmas.weekday() == 5:  # Saturday: Christmas on Monday, Boxing Day on Tuesday
        christmas, boxing = christmas + timedelta(days=2), boxing + timedelta(days=2)
    elif christmas.weekday() == 6:  # Sunday: Boxing Day on Monday, Christmas on Tuesday
        christmas = christmas + timedelta(days=2)
    elif boxing.weekday() == 5:  # Boxing Day on Saturday: on Monday
        boxing = boxing + timedelta(days=2)
    return frozenset(
        {
            new_year,
            easter_day - timedelta(days=2),
            easter_day + timedelta(days=1),
            _first_monday(year, 5),
            _last_monday(year, 5),
            _last_monday(year, 8),
            christmas,
            boxing,
        }
    )


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def working_days_before(day: date, count: int) -> date:
    """The working day `count` working days before `day` (count 0: day itself); the calendar's first day if that is
    before it (a date recorded as year 1 breaks nothing)."""
    found = day
    try:
        for _ in range(count):
            found -= timedelta(days=1)
            while not is_working_day(found):
                found -= timedelta(days=1)
    except OverflowError:
        return date.min
    return found
