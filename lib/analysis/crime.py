"""The Crime page's figures: the last 12 months against the previous 12 by type, Clear-Hold-Build before and after
in Gipton & Harehills, and the 2002/03-2011/12 recorded-crime series. Pages only display what these return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from lib.analysis import kpis, measures, significance
from lib.area import events
from lib.core import periods
from lib.core.vocabulary import SENSITIVE_CRIME_TYPES
from lib.store import queries

RECORDED_CRIME_CODES = (
    "REC_TOTAL",
    "REC_VIOLENT",
    "REC_CRIMINAL_DAMAGE",
    "REC_ACQUISITIVE",
    "REC_BURGLARY",
    "REC_VEHICLE",
)


@dataclass(frozen=True)
class TypeComparison:
    """Counts by crime type for the 12 months to `latest` against the 12 before, with verdicts."""

    first: date  # first month of the latest 12
    latest: date  # last month of the latest 12
    by_type: pd.DataFrame  # crime_type, previous, current, verdict ... (blank where disclosure control hides)
    total: significance.RateRatio | None  # None when a count is withheld or both years are zero
    hidden: bool  # True when disclosure control hides any count the total would include, so it is withheld too
    excluded: tuple[str, ...] = ()  # types left out of the total: by ward, sensitive types come by financial year only
    covered: bool = True  # False when any of the 24 months is not loaded: no change or verdict is given then

    @property
    def current_total(self) -> int | None:
        """Crimes in the latest 12 months (less the excluded types), or None when withheld."""
        counted = self.by_type[~self.by_type["crime_type"].isin(self.excluded)]
        return None if self.hidden else int(counted["current"].sum())

    @property
    def total_label(self) -> str:
        """What the total counts: all types, or all types except the excluded ones."""
        if not self.excluded:
            return "All types"
        return "All types except " + " and ".join(t.lower() for t in self.excluded)


@dataclass(frozen=True)
class BeforeAfter:
    """An intervention's effect: the monthly series and, when both windows are complete, the rate ratio."""

    monthly: pd.DataFrame  # month, count, illustrative (count blank where withheld)
    months_each_side: int
    result: significance.RateRatio | None


def monthly_totals(url: str, ward_code: str | None, cutoff: date) -> pd.DataFrame:
    """Monthly crime (excluding ASB), city-wide or for one ward, for months that ended by the cut-off."""
    totals = queries.crime_monthly_totals(url, ward_code)
    return totals[[periods.month_end(m) <= cutoff for m in totals["month"]]].reset_index(drop=True)


NOT_ENOUGH_MONTHS = "not enough months loaded"


def last_12_months_by_type(url: str, ward_code: str | None, latest: date) -> TypeComparison:
    """The 12 months to `latest` against the previous 12, by type; ward counts go through disclosure control.

    A change and its verdict are given only when all 24 months are loaded (the full-coverage rule of
    measures.check_period): against months that were never loaded any count looks like a significant rise."""
    first = periods.add_months(latest, -11)
    loaded = set(pd.to_datetime(queries.crime_months(url)["month"]).dt.date)
    covered = all(m in loaded for m in periods.month_starts(periods.add_months(latest, -23), latest))
    excluded: tuple[str, ...] = ()
    if ward_code:
        by_type = measures.ward_type_comparison(url, ward_code, latest)
        excluded = tuple(t for t in SENSITIVE_CRIME_TYPES if t in set(by_type["crime_type"]))
    else:
        by_type = significance.compare_counts(
            queries.crime_by_type(url, periods.add_months(latest, -23), periods.add_months(latest, -12)),
            queries.crime_by_type(url, first, latest),
        )
    if not covered:
        by_type = by_type.assign(
            change_percent=None, rate_ratio=None, ci_lower=None, ci_upper=None, verdict=NOT_ENOUGH_MONTHS
        )
    counted = by_type[~by_type["crime_type"].isin(excluded)]
    hidden = bool(counted["current"].isna().any() or counted["previous"].isna().any())
    total = (
        None
        if hidden or not covered
        else significance.rate_ratio(int(counted["previous"].sum()), int(counted["current"].sum()))
    )
    ordered = by_type.sort_values("current", ascending=False).reset_index(drop=True)
    return TypeComparison(first, latest, ordered, total, hidden, excluded, covered)


def before_and_after(url: str, initiative: events.Event, cutoff: date) -> BeforeAfter:
    """A place-based initiative's ward: crime in the months from its start against as many months before (the area's
    events.csv gives the ward and the months, e.g. Clear-Hold-Build in Gipton & Harehills, 16 months each side).

    The change counts all crime excluding ASB, as documented results do, and is published only as a rate ratio (a
    rounded percentage and its verdict) over two fixed windows. The monthly series shown leaves out the sensitive
    types (measures.WARD_MONTHLY_LABEL): by ward a month never includes them."""
    monthly = measures.ward_monthly_totals(url, initiative.ward_code)
    monthly = monthly[[periods.month_end(m) <= cutoff for m in monthly["month"]]].reset_index(drop=True)
    every_type = queries.crime_monthly_totals(url, initiative.ward_code)
    start, each_side = initiative.when, initiative.months_each_side
    before = periods.month_starts(periods.add_months(start, -each_side), periods.add_months(start, -1))
    after = periods.month_starts(start, periods.add_months(start, each_side - 1))
    counts = {
        m: c for m, c in zip(every_type["month"], every_type["count"], strict=True) if periods.month_end(m) <= cutoff
    }
    complete = all(m in counts for m in before + after)
    result = (
        significance.rate_ratio(int(sum(counts[m] for m in before)), int(sum(counts[m] for m in after)))
        if complete
        else None
    )
    return BeforeAfter(monthly, each_side, result)


def recorded_crime_source(url: str) -> str:
    """Where the recorded-crime series comes from, as the catalogue cites it."""
    return str(queries.kpi_catalogue(url).set_index("code").loc[RECORDED_CRIME_CODES[0], "source"])


def recorded_crime_history(url: str) -> tuple[pd.DataFrame, float | None]:
    """Recorded crime by category and financial year (period_end plus one column per category) and the % change in
    the total from the first year to the last. Empty when the partnership's catalogue has no such series."""
    catalogue = queries.kpi_catalogue(url).set_index("code")
    if not set(RECORDED_CRIME_CODES) <= set(catalogue.index):
        return pd.DataFrame(), None
    history = pd.DataFrame(
        {
            catalogue.loc[code, "name"].replace("Recorded crime: ", "").capitalize(): queries.kpi_series(
                url, code, real_only=True
            ).set_index("period_end")["value"]
            for code in RECORDED_CRIME_CODES
        }
    )
    history = history.reset_index().rename(columns={"index": "period_end"})
    if history.empty:
        return history, None
    return history, kpis.percent_change(history["Total"].iloc[0], history["Total"].iloc[-1])
