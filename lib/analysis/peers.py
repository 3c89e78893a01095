"""How the partnership compares with its peers on police.uk crime: each area's rate per 1,000 residents for a period,
the partnership's rank, the peer average with a Poisson rate-ratio verdict, the change on the year before, and a
rolling 12-month trend.

The rules that keep the comparison honest:
- an area's count is every imported police.uk row located in its districts, whichever force's file it came from (a
  few crimes are recorded by a neighbouring force): for a peer from the district counts made at import, for the
  partnership from its own stored police.uk crime, real months only: an illustrative month is never compared;
- an area has a month when its own force's file for that month was imported; an area without every month of the
  period is listed, with the months it lacks, and has no count, rate or rank (never part of a year, never zero);
- the peer average is the pooled rate of the peers with the whole period (their crimes over their residents), and
  each area's verdict compares its rate with the pooled rate of the other areas with the whole period, by the rate
  ratio test the crime page uses;
- rank 1 is the lowest rate; populations are Census 2021 residents (the national LSOA sums, for every area alike).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import partial

import pandas as pd

from lib.analysis.significance import INCREASE, REDUCTION, rate_ratio
from lib.area import current as current_area
from lib.area import national as national_data
from lib.area.peers import PeerArea, PeerGroup
from lib.core import config, periods
from lib.core.formatting import ordinal
from lib.core.vocabulary import ALL_CRIME_TYPES, ASB
from lib.store import queries

ALL = "all"
HIGHER, LOWER, SAME = "significantly higher", "significantly lower", "no significant difference"
TREND_MONTHS = 36
CAVEAT = (
    "police.uk counts are crimes recorded by the police: they reflect reporting and police activity as well as crime, "
    "and forces record differently, so compare areas of the same force with more confidence than areas of different "
    "forces. Rates are per 1,000 residents (Census 2021); rank 1 is the lowest rate."
)
COLUMNS = ("area_code", "area_name", "population", "count", "rate_per_1000", "rank", "change", "verdict")


@dataclass(frozen=True)
class Figure:
    """One area's figures for the period (count, rate and rank None when it lacks part of the period: reason says
    why)."""

    code: str
    name: str
    population: int
    own: bool
    count: int | None = None
    rate: float | None = None
    rank: int | None = None
    change: float | None = None  # % change in the count on the same period a year before
    verdict: str | None = None  # against the pooled rate of the other areas with the whole period
    reason: str = ""
    missing: tuple[date, ...] = ()


@dataclass
class Comparison:
    """A group's figures for one crime type and period."""

    group: PeerGroup
    period: periods.Period
    crime_type: str | None  # None: all crime (anti-social behaviour left out)
    figures: list[Figure]
    average: float | None  # the peers' pooled rate per 1,000 (the partnership left out)
    ratio: float | None  # the partnership's rate over the peer average
    verdict: str | None  # the partnership against the peer average
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)  # month, area_code, area_name, own, rate_12m
    coverage: pd.DataFrame = field(default_factory=pd.DataFrame)  # area_name, month, has_data

    @property
    def own(self) -> Figure:
        """The partnership's figure."""
        return next(f for f in self.figures if f.own)

    @property
    def ranked(self) -> int:
        """How many areas have the whole period (and so a rank)."""
        return sum(f.rank is not None for f in self.figures)

    @property
    def standing(self) -> str:
        """'3rd of 5 in West Yorkshire', or why the partnership has no rank."""
        if self.own.rank is None:
            return f"not ranked in {self.group.name}: {self.own.reason}"
        if self.ranked < 2:
            return f"not ranked in {self.group.name}: no peer has police.uk data for {self.period.label}"
        return f"{ordinal(self.own.rank)} of {self.ranked} in {self.group.name}"

    @property
    def type_label(self) -> str:
        """The crime type in words."""
        return self.crime_type or "All crime (excluding anti-social behaviour)"

    def records(self) -> list[dict]:
        """The figures as the CLI gives them (COLUMNS, plus own, reason and missing months; None where unknown)."""
        return [
            {
                "area_code": f.code,
                "area_name": f.name,
                "population": f.population,
                "count": f.count,
                "rate_per_1000": None if f.rate is None else round(f.rate, 3),
                "rank": f.rank,
                "change": None if f.change is None else round(f.change, 1),
                "verdict": f.verdict,
                "own": f.own,
                "reason": f.reason,
                "missing_months": ", ".join(f"{m:%Y-%m}" for m in f.missing),
            }
            for f in self.figures
        ]

    def frame(self) -> pd.DataFrame:
        """records() as a table (blanks stay blank, never 0)."""
        return pd.DataFrame(self.records(), dtype=object)


def crime_type_of(text: str) -> str | None:
    """A crime type as asked for: a police.uk type (any case) or 'all' (None); ValueError otherwise."""
    if text.strip().lower() in (ALL, ""):
        return None
    known = {t.lower(): t for t in (*ALL_CRIME_TYPES, ASB)}
    if text.strip().lower() not in known:
        raise ValueError(f"unknown crime type {text!r}: use 'all' or one of {', '.join(known.values())}")
    return known[text.strip().lower()]


def national() -> national_data.National:
    """The national lookup and populations from the reference folder; NationalDataError (saying how to get them)
    when they are not there."""
    return national_data.load(config.reference_dir())


def groups(url: str) -> list[PeerGroup]:
    """The partnership's peer groups, in order."""
    frame = queries.peer_groups(url)
    found: dict[str, tuple[str, list[PeerArea]]] = {}
    for row in frame.to_dict(orient="records"):
        entry = found.setdefault(str(row["group"]), (str(row["group_note"] or ""), []))
        if row["code"] and isinstance(row["code"], str):
            entry[1].append(PeerArea(row["code"], row["name"], tuple(row["districts"].split(",")), row["note"] or ""))
    return [PeerGroup(name, tuple(areas), note) for name, (note, areas) in found.items()]


def group_named(url: str, name: str | None) -> PeerGroup:
    """A group by name (None: the first); ValueError naming the groups there are."""
    found = groups(url)
    if not found:
        raise ValueError("no peer groups are defined: an admin adds one (saferleeds peers group set)")
    if name is None:
        return found[0]
    for group in found:
        if group.name.lower() == name.strip().lower():
            return group
    raise ValueError(f"no peer group is called {name!r}: there are {', '.join(g.name for g in found)}")


def own_area(nation: national_data.National) -> PeerArea:
    """The partnership as a peer area."""
    area = current_area()
    return PeerArea(area.code, area.name, tuple(nation.today(c) for c in area.district_codes))


@dataclass
class _Months:
    """Monthly counts and covered months per area code, over a span of months."""

    counts: dict[str, dict[date, int]]
    covered: dict[str, set[date]]


def _monthly(url: str, areas: list[PeerArea], nation: national_data.National, first: date, last: date,
             crime_type: str | None) -> _Months:  # fmt: skip
    """Each area's counts by month and the months its own force's files cover; the partnership's from its own
    stored crime (real months), the peers' from their districts' counts."""
    own = own_area(nation)
    counts: dict[str, dict[date, int]] = {}
    covered: dict[str, set[date]] = {}
    mine = queries.own_real_crime(url, first, last, crime_type)
    any_crime = mine if crime_type is None else queries.own_real_crime(url, first, last, None)
    counts[own.code] = dict(zip(mine["month"], mine["count"], strict=True))
    covered[own.code] = set(any_crime.loc[any_crime["count"] > 0, "month"])
    districts = tuple(sorted({d for a in areas if a.code != own.code for d in a.districts}))
    if districts:
        rows = queries.district_crime(url, districts, first, last, crime_type)
        months = queries.district_months(url, districts)
        home = {d: national_data.force_key(nation.force_of(d) or "") for d in districts}
        months = months.loc[_own_force(months, home)]  # a neighbour force's stray rows do not make a month covered
        by_district = rows.groupby(["district_code", "month"])["count"].sum()
        have = months.groupby("district_code")["month"].agg(set).to_dict()
        for area in areas:
            if area.code == own.code:
                continue
            total: dict[date, int] = {}
            for district in area.districts:
                if district in by_district.index.get_level_values(0):
                    for month, count in by_district.loc[district].items():
                        total[month] = total.get(month, 0) + int(count)
            counts[area.code] = total
            sets = [have.get(d, set()) for d in area.districts]
            covered[area.code] = set.intersection(*sets) if sets else set()
    return _Months(counts, covered)


def _own_force(frame: pd.DataFrame, home: dict[str, str]) -> pd.Series:
    """Which rows came from their district's own force."""
    if frame.empty:
        return pd.Series([], dtype=bool, index=frame.index)
    keys = {force: national_data.force_key(force) for force in set(frame["force"])}
    return pd.Series(
        [home[d] == keys[f] for d, f in zip(frame["district_code"], frame["force"], strict=True)], index=frame.index
    )


def _verdict(count: int, population: int, others: list[tuple[int, int]]) -> str | None:
    """This area's rate against the pooled rate of the others (count, population), in words."""
    other_count, other_population = sum(c for c, _ in others), sum(p for _, p in others)
    if not others or other_population == 0 or population == 0:
        return None
    result = rate_ratio(other_count, count, other_population, population)
    if result is None:
        return SAME
    return HIGHER if result.verdict == INCREASE else LOWER if result.verdict == REDUCTION else SAME


def _reason(area: PeerArea, covered: set[date], missing: list[date], own: bool) -> str:  # noqa: FBT001
    """Why an area has no figure for the period."""
    note = f" ({area.note.rstrip('.')})" if area.note else ""
    which = "the period" if not covered else ", ".join(f"{m:%B %Y}" for m in missing)
    if own:
        return f"no real police.uk data for {which} (illustrative figures are never compared)"
    return f"no police.uk data for {which}{note}"


def compare(url: str, group: PeerGroup, period: periods.Period, crime_type: str | None = None) -> Comparison:
    """The group's figures (the partnership first) for a crime type and period, with the trend and coverage."""
    nation = national()
    own = own_area(nation)
    areas = [own, *group.areas]
    trend_first = periods.add_months(period.last, -(TREND_MONTHS + 10))
    first = min(period.year_earlier().first, trend_first)
    monthly = _monthly(url, areas, nation, first, period.last, crime_type)
    months = periods.month_starts(period.first, period.last)
    earlier = periods.month_starts(period.year_earlier().first, period.year_earlier().last)
    population = {a.code: sum(nation.population.get(d, 0) for d in a.districts) for a in areas}
    whole = {}
    for area in areas:
        covered = monthly.covered.get(area.code, set())
        if all(m in covered for m in months) and population[area.code]:
            whole[area.code] = sum(monthly.counts[area.code].get(m, 0) for m in months)
    rates = {code: 1000 * count / population[code] for code, count in whole.items()}
    order = sorted(rates, key=lambda code: rates[code])
    figures = []
    for area in areas:
        covered = monthly.covered.get(area.code, set())
        is_own = area.code == own.code
        figure = partial(Figure, area.code, area.name, population[area.code], is_own)
        if area.code not in whole:
            missing = [m for m in months if m not in covered]
            figures.append(figure(reason=_reason(area, covered, missing, is_own), missing=tuple(missing)))
            continue
        count = whole[area.code]
        before = (
            sum(monthly.counts[area.code].get(m, 0) for m in earlier) if all(m in covered for m in earlier) else None
        )
        others = [(whole[c], population[c]) for c in whole if c != area.code]
        figures.append(
            figure(
                count=count,
                rate=rates[area.code],
                rank=order.index(area.code) + 1,
                change=None if not before else 100 * (count / before - 1),
                verdict=_verdict(count, population[area.code], others),
            )
        )
    peer_codes = [c for c in whole if c != own.code]
    peer_count, peer_population = sum(whole[c] for c in peer_codes), sum(population[c] for c in peer_codes)
    average = 1000 * peer_count / peer_population if peer_population else None
    own_figure = figures[0]
    ratio = own_figure.rate / average if own_figure.rate is not None and average else None
    return Comparison(
        group,
        period,
        crime_type,
        figures,
        average,
        ratio,
        own_figure.verdict if own_figure.rate is not None and peer_codes else None,
        _trend(areas, monthly, population, own.code, period.last),
        _coverage(areas, monthly, months),
    )


def _trend(areas: list[PeerArea], monthly: _Months, population: dict[str, int], own: str, last: date) -> pd.DataFrame:
    """Each area's rolling 12-month rate per 1,000 for the TREND_MONTHS months to last (a month whose 12 are not all
    covered has none)."""
    rows = []
    for end in periods.month_starts(periods.add_months(last, -(TREND_MONTHS - 1)), last):
        window = periods.month_starts(periods.add_months(end, -11), end)
        for area in areas:
            covered = monthly.covered.get(area.code, set())
            if population[area.code] and all(m in covered for m in window):
                count = sum(monthly.counts[area.code].get(m, 0) for m in window)
                rate = 1000 * count / population[area.code]
            else:
                rate = None
            rows.append(
                {
                    "month": end,
                    "area_code": area.code,
                    "area_name": area.name,
                    "own": area.code == own,
                    "rate_12m": rate,
                }  # fmt: skip
            )
    return pd.DataFrame(rows)


def _coverage(areas: list[PeerArea], monthly: _Months, months: list[date]) -> pd.DataFrame:
    """Which months of the period each area has data for."""
    return pd.DataFrame(
        [
            {"area_name": area.name, "month": month, "has_data": month in monthly.covered.get(area.code, set())}
            for area in areas
            for month in months
        ]
    )


def latest_period(url: str, kind: str = periods.ROLLING, cutoff: date | None = None) -> periods.Period | None:
    """The newest period of a kind that the partnership's real police.uk months cover (to a cut-off), or None."""
    mine = queries.own_real_crime(url, date(2000, 1, 1), date(2100, 1, 1), None)
    months = [m for m in mine.loc[mine["count"] > 0, "month"] if cutoff is None or m <= cutoff]
    available = periods.available(sorted(months), (kind,))
    return available[0] if available else None


def standings(url: str, cutoff: date) -> list[Comparison]:
    """All crime over the newest real 12 months to a cut-off (else the newest real month) in every group: what the
    Overview's crime tiles and the board pack say. [] when there is no real month, no group or no national data."""
    period = latest_period(url, periods.ROLLING, cutoff) or latest_period(url, periods.MONTH, cutoff)
    if period is None:
        return []
    try:
        return [compare(url, group, period) for group in groups(url)]
    except national_data.NationalDataError:
        return []


def periods_offered(url: str, group: PeerGroup, cutoff: date | None = None) -> list[periods.Period]:
    """Every month, rolling 12 months and financial year that the partnership's real police.uk data or any of the
    group's areas cover, to a cut-off, newest first (an area lacking part of one is shown as such, not ranked)."""
    mine = queries.own_real_crime(url, date(2000, 1, 1), date(2100, 1, 1), None)
    months = set(mine.loc[mine["count"] > 0, "month"])
    districts = tuple(sorted({d for area in group.areas for d in area.districts}))
    if districts:
        months |= set(queries.district_months(url, districts)["month"])
    return periods.available(sorted(m for m in months if cutoff is None or m <= cutoff))
