"""Ward measures: what the map, the ward profile and `saferleeds ward` show, with disclosure control applied here.

A measure is police.uk crime (all crime excluding ASB, or one crime type) or a KPI that has values by ward. For a
period it gives each ward's count, rate per 1,000 residents (Census 2021), rank among the area's wards and
optionally the change against the same period a year earlier. Sensitive cells are hidden in this module, before
any page, tooltip, download or JSON sees them (see lib.disclosure), and every figure derived from a hidden cell (its
rate, change, rank, share, or a total that includes it) is withheld with it.

Sensitive measures (and all crime, which holds one) are offered by ward by financial year only: fixed 12-month
periods that never overlap, so no published period can be subtracted from another to pin a month or a hidden count.
Rolling 12-month windows, one a month, overlap eleven months in twelve: together with what the labels promise they
pinned hidden counts exactly (an integer program did; tests/test_disclosure_attacks.py runs it). A ward's value of a
sensitive KPI is published only when the ward has every month of the period; otherwise it is withheld too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import NotRequired, TypedDict

import pandas as pd

from lib.analysis import disclosure, significance
from lib.area import current as current_area
from lib.core import periods
from lib.core.periods import Period
from lib.core.vocabulary import ALL_CRIME_TYPES, ASB, POLICE_UK_CRIME_TYPES, SENSITIVE_CRIME_TYPES
from lib.store import queries
from lib.store.cache import cached

ALL_CRIME = "crime:all"
WARD_MONTHLY_LABEL = "crime excluding ASB and " + " and ".join(t.lower() for t in SENSITIVE_CRIME_TYPES)
YEARLY_ONLY = "by ward, published by financial year only (disclosure control)"
NON_ADDITIVE_UNITS = ("percent", "minutes", "% change", "days")
COUNT, RATE, CHANGE = "count", "rate", "change"
BASES = {COUNT: "Count", RATE: "Rate per 1,000 residents", CHANGE: "Change on the same period a year earlier"}
MAPPED_COLUMNS = {COUNT: "value", RATE: "rate_per_1000", CHANGE: "change_percent"}
CAVEAT = (
    "Police recorded crime reflects reporting and police activity as well as crime itself: a higher rate can "
    "mean more confidence in reporting or more proactive policing, not only more crime."
)


@dataclass(frozen=True)
class Measure:
    """Something a ward map can show."""

    id: str
    label: str
    unit: str
    sensitive: bool
    crime_types: tuple[str, ...] = ()
    kpi_code: str | None = None
    additive: bool = True

    @property
    def period_kinds(self) -> tuple[str, ...]:
        """Sensitive measures by ward come only by financial year (periods that never overlap); others also by month
        and rolling 12 months."""
        if self.sensitive:
            return (periods.FINANCIAL_YEAR,)
        return (periods.MONTH, periods.ROLLING, periods.FINANCIAL_YEAR)

    @property
    def twelve_month_kind(self) -> str:
        """The 12-month period the measure's headline and trend use: rolling 12 months, or for a sensitive measure
        the financial year."""
        return periods.ROLLING if periods.ROLLING in self.period_kinds else periods.FINANCIAL_YEAR

    @property
    def protected_parts(self) -> tuple[str, ...]:
        """Sensitive crime types inside a multi-type measure: a ward hidden in one is hidden in the total."""
        if len(self.crime_types) < 2:
            return ()
        return tuple(t for t in self.crime_types if t in SENSITIVE_CRIME_TYPES)


def slug(text: str) -> str:
    """'Violence and sexual offences' -> 'violence-and-sexual-offences'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def crime_measures() -> list[Measure]:
    """All crime (excluding ASB) and each police.uk crime type."""
    everything = Measure(
        ALL_CRIME,
        "All crime (excluding anti-social behaviour)",
        "crimes",
        any(t in SENSITIVE_CRIME_TYPES for t in ALL_CRIME_TYPES),
        ALL_CRIME_TYPES,
    )
    singles = [
        Measure(f"crime:{slug(t)}", t, "incidents" if t == ASB else "crimes", t in SENSITIVE_CRIME_TYPES, (t,))
        for t in POLICE_UK_CRIME_TYPES
    ]
    return [everything, *singles]


def measures(url: str) -> list[Measure]:
    """Every measure the map can show: police.uk crime, then KPIs with values by ward."""
    catalogue = queries.kpi_catalogue(url).set_index("code")
    kpi_measures = [
        Measure(
            f"kpi:{code}",
            catalogue.loc[code, "name"],
            catalogue.loc[code, "unit"],
            bool(catalogue.loc[code, "sensitive"]),
            kpi_code=code,
            additive=catalogue.loc[code, "unit"] not in NON_ADDITIVE_UNITS,
        )
        for code in queries.ward_kpi_codes(url)
        if code in catalogue.index
    ]
    return crime_measures() + kpi_measures


def get(url: str, measure_id: str) -> Measure:
    """One measure by id; ValueError naming the valid ids if it is unknown."""
    found = {m.id: m for m in measures(url)}
    if measure_id not in found:
        raise ValueError(f"Unknown measure {measure_id!r}. Known measures: {', '.join(found)}.")
    return found[measure_id]


def months(url: str, measure: Measure) -> list[date]:
    """Months with data for a measure, oldest first."""
    if measure.kpi_code:
        return sorted(set(queries.ward_kpi_values(url, measure.kpi_code)["period_start"]))
    return sorted(pd.to_datetime(queries.crime_months(url)["month"]).dt.date)


@queries.cached
def available_periods(url: str, measure: Measure, as_at: date | None = None) -> list[Period]:
    """Periods a measure can be shown for (newest first), using data up to as_at."""
    usable = [m for m in months(url, measure) if as_at is None or m <= as_at]
    return periods.available(usable, measure.period_kinds)


def latest_period(url: str, measure: Measure, as_at: date | None = None) -> Period | None:
    """The newest 12-month period of the measure's kind (rolling, or a financial year for a sensitive measure) with
    data up to as_at; None when there is none."""
    return next((p for p in available_periods(url, measure, as_at) if p.kind == measure.twelve_month_kind), None)


def protected(measure: Measure) -> bool:
    """Whether disclosure control applies to the measure by ward (it is sensitive or holds a sensitive type)."""
    return measure.sensitive or bool(measure.protected_parts)


def check_period(url: str, measure: Measure, period: Period) -> None:
    """ValueError with a plain reason if a measure cannot be shown by ward for this period: a sensitive measure only
    for rolling 12 months or a financial year, and a protected one only for a period its data fully cover (the periods
    the map offers). Otherwise two overlapping windows, one of them holding a single month of data, would give that
    month's hidden counts away by subtraction."""
    if period.kind not in measure.period_kinds:
        raise ValueError(
            f"{measure.label} is sensitive: by ward it is shown only by financial year (April to March), never for a "
            "month or a rolling 12 months, whose overlaps would give hidden counts away (disclosure control)."
        )
    if protected(measure) and period not in available_periods(url, measure):
        offered = ", ".join(p.spec for p in available_periods(url, measure)[:3]) or "none yet"
        raise ValueError(
            f"{measure.label} by ward is shown only for periods its data fully cover, and {period.label} is not one "
            f"(disclosure control). Newest periods offered: {offered}."
        )


def _monthly(
    url: str, measure: Measure, first: date, last: date, crime_types: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Month x ward matrix of the measure's values (or of some of its crime types); missing wards are 0 for crime."""
    wards = queries.wards(url)["code"].tolist()
    if measure.kpi_code:
        values = queries.ward_kpi_values(url, measure.kpi_code)
        values = values[(values["period_start"] >= first) & (values["period_start"] <= last)]
        matrix = values.pivot_table(index="period_start", columns="ward_code", values="value", aggfunc="sum")
        return matrix.reindex(columns=wards)
    counts = queries.ward_crime_monthly(url, crime_types or measure.crime_types, first, last)
    matrix = counts.pivot_table(index="month", columns="ward_code", values="count", aggfunc="sum")
    every_month = [periods.add_months(first, i) for i in range(Period("", first, last).months)]
    return matrix.reindex(index=every_month, columns=wards).fillna(0)


def _combine(matrix: pd.DataFrame, additive: bool) -> pd.Series:
    """A period's value per ward from its months: the sum of counts, or the mean of rates and averages."""
    return matrix.sum(min_count=1) if additive else matrix.mean()


def _hidden(
    measure: Measure, values: pd.Series, parts: dict[str, pd.Series], incomplete: tuple[str, ...] = ()
) -> dict[str, str]:
    """Which wards to hide for one period's values (parts: each protected crime type's values; incomplete: wards
    lacking some of the period's months, always withheld), and why."""
    hidden: dict[str, str] = {}
    if measure.sensitive and not measure.protected_parts:
        counts = {ward: int(round(v)) for ward, v in values.dropna().items()}
        hidden.update(disclosure.protect(counts, withheld=incomplete))
    for part_values in parts.values():
        part_hidden = disclosure.protect({ward: int(v) for ward, v in part_values.items()})
        hidden.update({ward: disclosure.WITHHELD for ward in part_hidden if ward not in hidden})
    return hidden


def _part_matrices(url: str, measure: Measure, first: date, last: date) -> dict[str, pd.DataFrame]:
    """Month x ward matrices of the sensitive crime types inside a multi-type measure."""
    return {part: _monthly(url, measure, first, last, (part,)) for part in measure.protected_parts}


def _is_illustrative(url: str, measure: Measure, period: Period) -> bool:
    """Whether any month of the period uses illustrative (generated) data."""
    if measure.kpi_code:
        values = queries.ward_kpi_values(url, measure.kpi_code)
        inside = values[(values["period_start"] >= period.first) & (values["period_start"] <= period.last)]
        return bool(inside["illustrative"].any())
    crime = queries.crime_months(url)
    crime["month"] = pd.to_datetime(crime["month"]).dt.date
    inside = crime[(crime["month"] >= period.first) & (crime["month"] <= period.last)]
    return bool((inside["has_real"] == 0).any())


def _window(
    measure: Measure, matrix: pd.DataFrame, parts: dict[str, pd.DataFrame], period: Period
) -> tuple[pd.Series, dict[str, str]]:
    """One period's values per ward from month x ward matrices, and which wards to hide. A sensitive KPI's ward that
    lacks some of the period's months is withheld: its "12-month" value would be a month or two published alone."""
    inside = (matrix.index >= period.first) & (matrix.index <= period.last)
    values = _combine(matrix[inside], measure.additive)
    held = matrix[inside].notna().sum()
    incomplete = (
        tuple(held[(held > 0) & (held < period.months)].index) if measure.kpi_code and measure.sensitive else ()
    )
    part_values = {p: m[(m.index >= period.first) & (m.index <= period.last)].sum() for p, m in parts.items()}
    return values, _hidden(measure, values, part_values, incomplete)


def _raw_and_hidden(url: str, measure: Measure, period: Period) -> tuple[pd.Series, dict[str, str]]:
    """Each ward's unprotected value for the period and which wards to hide: never returned beyond this module."""
    check_period(url, measure, period)
    matrix = _monthly(url, measure, period.first, period.last)
    return _window(measure, matrix, _part_matrices(url, measure, period.first, period.last), period)


def protected_values(url: str, measure: Measure, period: Period) -> tuple[pd.Series, dict[str, str]]:
    """Each ward's value for the period (NaN where hidden or missing) and the hidden wards with why."""
    values, hidden = _raw_and_hidden(url, measure, period)
    return values.where(~values.index.isin(list(hidden))), hidden


class CityFigures(TypedDict):
    """The area as a whole for a ward table: the total (or mean), population, rate and the average ward."""

    value: float
    population: int
    rate_per_1000: float | None
    ward_average: float
    previous_value: NotRequired[float]  # with the change basis only
    change_percent: NotRequired[float | None]


@dataclass
class WardTable:
    """One measure for one period by ward, with city and committee-area figures; hidden cells already removed."""

    measure: Measure
    period: Period
    basis: str
    wards: pd.DataFrame
    areas: pd.DataFrame
    city: CityFigures
    illustrative: bool

    @property
    def mapped(self) -> str:
        """The column the map colours and ranks by."""
        return MAPPED_COLUMNS[self.basis]

    @property
    def overall_figure(self) -> float | None:
        """The whole area's figure to compare wards with: average count per ward, rate per 1,000, or change."""
        return {
            COUNT: self.city["ward_average"],
            RATE: self.city.get("rate_per_1000"),
            CHANGE: self.city.get("change_percent"),
        }[self.basis]


def _label(value: float, kind: str) -> str:
    """What a reader sees for a cell: the count, '<5' / '[c]' if hidden, or 'no data'."""
    if kind:
        return disclosure.LABELS[kind]
    return "no data" if pd.isna(value) else f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _rate(value: float, population: float) -> float:
    """Per 1,000 residents."""
    return 1000 * value / population


@queries.cached
def ward_table(url: str, measure_id: str, period: Period, basis: str = RATE) -> WardTable:
    """The figures a map, ranked bar, table, CSV or `saferleeds ward measure` shows: one function for all of them."""
    measure = get(url, measure_id)
    if basis not in BASES:
        raise ValueError(f"Basis {basis!r} not understood: use one of {', '.join(BASES)}.")
    if basis == RATE and not measure.additive:
        basis = COUNT  # a rate per 1,000 of an average or a percentage means nothing
    wards = queries.wards(url)[["code", "name", "committee_area", "population"]].rename(
        columns={"code": "ward_code", "name": "ward_name"}
    )
    total_values, hidden = _raw_and_hidden(url, measure, period)
    values = total_values.where(~total_values.index.isin(list(hidden)))
    wards["value"] = wards["ward_code"].map(values).astype(float)
    wards["suppressed"] = wards["ward_code"].isin(list(hidden))
    wards["shown"] = [_label(v, hidden.get(w, "")) for w, v in zip(wards["ward_code"], wards["value"], strict=True)]
    wards["rate_per_1000"] = _rate(wards["value"], wards["population"]) if measure.additive else float("nan")
    if basis == CHANGE:
        earlier, earlier_hidden = protected_values(url, measure, period.year_earlier())
        wards["previous_value"] = wards["ward_code"].map(earlier).astype(float)
        usable = wards["previous_value"] > 0
        wards["change_percent"] = (100 * (wards["value"] - wards["previous_value"]) / wards["previous_value"]).where(
            usable
        )
        wards["suppressed"] |= wards["ward_code"].isin(list(earlier_hidden))
    mapped = MAPPED_COLUMNS[basis]
    wards["rank"] = wards[mapped].rank(ascending=False, method="min").astype("Int64")
    wards.loc[wards["suppressed"], "rank"] = pd.NA
    wards = wards.sort_values(["rank", "ward_name"], na_position="last").reset_index(drop=True)

    population = int(wards["population"].sum())
    city_value = float(total_values.sum()) if measure.additive else float(total_values.mean())
    city: CityFigures = {
        "value": city_value,
        "population": population,
        "rate_per_1000": _rate(city_value, population) if measure.additive else None,
        "ward_average": city_value / len(wards) if measure.additive else city_value,
    }
    if basis == CHANGE:
        before = _combine(
            _monthly(url, measure, period.year_earlier().first, period.year_earlier().last), measure.additive
        )
        before_value = float(before.sum()) if measure.additive else float(before.mean())
        city["previous_value"] = before_value
        city["change_percent"] = 100 * (city_value - before_value) / before_value if before_value else None
    return WardTable(
        measure,
        period,
        basis,
        wards,
        _areas(wards, measure, total_values),
        city,
        _is_illustrative(url, measure, period),
    )


def _areas(wards: pd.DataFrame, measure: Measure, values: pd.Series) -> pd.DataFrame:
    """Committee-area figures, withheld for an area holding a hidden ward (else the area total would expose it)."""
    frame = wards[["ward_code", "committee_area", "population", "suppressed"]].copy()
    frame["raw"] = frame["ward_code"].map(values).astype(float)
    grouped = frame.groupby("committee_area").agg(
        population=("population", "sum"), value=("raw", "sum"), mean=("raw", "mean"), hidden=("suppressed", "any")
    )
    if not measure.additive:
        grouped["value"] = grouped["mean"]
    grouped["rate_per_1000"] = _rate(grouped["value"], grouped["population"]) if measure.additive else float("nan")
    grouped.loc[grouped["hidden"], ["value", "rate_per_1000"]] = float("nan")
    return grouped.drop(columns="mean").reset_index()


@queries.cached
def ward_trend(url: str, measure_id: str, last: date, windows: int = 24) -> pd.DataFrame:
    """A 12-month rate per 1,000 by ward, committee area and the whole area, one row per period to `last`, hidden
    cells NaN: rolling 12 months, or for a sensitive measure financial years (the only periods it is published for
    by ward).

    Columns: period_end, one per ward code, one per committee area ("area:<name>") and the area's name. Each period is
    protected as its own table, exactly as the map would show it.
    """
    measure = get(url, measure_id)
    have = [m for m in months(url, measure) if m <= last]
    chosen = periods.available(have, (measure.twelve_month_kind,))[:windows][::-1]
    if not chosen:
        return pd.DataFrame()
    matrix = _monthly(url, measure, chosen[0].first, chosen[-1].last)
    parts = _part_matrices(url, measure, chosen[0].first, chosen[-1].last)
    ward_rows = queries.wards(url).set_index("code")
    population = ward_rows["population"]
    rows = []
    for period in chosen:
        values, hidden = _window(measure, matrix, parts, period)
        row: dict[str, object] = {"period_end": period.last}
        scale = 1000 / population if measure.additive else 1
        row.update((values * scale).where(~values.index.isin(list(hidden))).to_dict())
        for area, members in ward_rows.groupby("committee_area").groups.items():
            withheld = any(code in hidden for code in members)
            area_value = (
                values[members].sum() * 1000 / population[members].sum() if measure.additive else values[members].mean()
            )
            row[f"area:{area}"] = float("nan") if withheld else area_value
        row[current_area().name] = values.sum() * 1000 / population.sum() if measure.additive else values.mean()
        rows.append(row)
    return pd.DataFrame(rows)


@queries.cached
def crime_mix(url: str, ward_code: str, period: Period) -> pd.DataFrame:
    """A ward's crimes by police.uk type over a 12-month period beside the whole area's, hidden counts withheld."""
    rows = []
    for measure in crime_measures()[1:]:
        if period.kind in measure.period_kinds:
            raw, hidden = _raw_and_hidden(url, measure, period)
        else:  # a sensitive type for a rolling window: by ward only by financial year
            raw = _combine(_monthly(url, measure, period.first, period.last), measure.additive)
            hidden = dict.fromkeys(raw.index, disclosure.WITHHELD)
        values = raw.where(~raw.index.isin(list(hidden)))
        city = float(raw.sum())
        rows.append(
            {
                "crime_type": measure.label,
                "count": values.get(ward_code, float("nan")),
                "shown": _label(values.get(ward_code, float("nan")), hidden.get(ward_code, "")),
                "suppressed": ward_code in hidden,
                "overall": city,
            }
        )
    frame = pd.DataFrame(rows)
    ward_total = frame["count"].sum() if not frame["suppressed"].any() else float("nan")
    frame["share_percent"] = 100 * frame["count"] / ward_total if ward_total else float("nan")
    frame["overall_share_percent"] = 100 * frame["overall"] / frame["overall"].sum()
    return frame


@queries.cached
def ward_summary(url: str, measure_id: str, ward_code: str, period: Period) -> dict:
    """One ward's headline figures for a period: shown count, rate, rank, committee area and whole-area rates, change
    on a year earlier with its significance test. Anything hidden by disclosure control is None."""
    table = ward_table(url, measure_id, period, RATE)
    row = table.wards.set_index("ward_code").loc[ward_code]
    area = table.areas.set_index("committee_area").loc[row["committee_area"]]
    earlier = (
        protected_values(url, table.measure, period.year_earlier())[0]
        if period.year_earlier() in available_periods(url, table.measure)
        else pd.Series(dtype=float)
    )
    before = earlier.get(ward_code, float("nan"))
    change = (
        significance.rate_ratio(int(before), int(row["value"]))
        if table.measure.additive and not (pd.isna(before) or pd.isna(row["value"]))
        else None
    )
    return {
        "ward_name": row["ward_name"],
        "committee_area": row["committee_area"],
        "shown": row["shown"],
        "rate_per_1000": _none(row["rate_per_1000"]),
        "rank": _none(row["rank"]),
        "area_rate_per_1000": _none(area["rate_per_1000"]),
        "overall_rate_per_1000": table.city["rate_per_1000"],
        "change": change,
        "illustrative": table.illustrative,
    }


def _none(value: object) -> object:
    """NaN and NA as None."""
    return None if pd.isna(value) else value


@queries.cached
def ward_type_comparison(url: str, ward_code: str, latest: date) -> pd.DataFrame:
    """A ward's 12 months to `latest` against the 12 before, by crime type, with the rate-ratio verdict.

    Counts hidden by disclosure control in either year are blank, with their label and no verdict.
    """
    current = crime_mix(url, ward_code, periods.rolling(latest))
    previous = crime_mix(url, ward_code, periods.rolling(periods.add_months(latest, -12)))
    visible = ~(current["suppressed"] | previous["suppressed"])
    yearly_only = current["crime_type"].isin(SENSITIVE_CRIME_TYPES).to_numpy()
    compared = significance.compare_counts(
        previous.loc[visible, ["crime_type", "count"]], current.loc[visible, ["crime_type", "count"]]
    )
    frame = current[["crime_type"]].merge(compared, on="crime_type", how="left")
    frame["previous_shown"] = previous["shown"].to_numpy()
    frame["current_shown"] = current["shown"].to_numpy()
    frame["previous"] = previous["count"].to_numpy()
    frame["current"] = current["count"].to_numpy()
    frame.loc[~visible.to_numpy(), "verdict"] = "withheld (disclosure control)"
    frame.loc[yearly_only, "verdict"] = YEARLY_ONLY
    return frame


@queries.cached
def ward_monthly_totals(url: str, ward_code: str) -> pd.DataFrame:
    """One ward's monthly crime excluding ASB and the sensitive types (WARD_MONTHLY_LABEL). A monthly total holding
    violence and sexual offences, less the other types' monthly counts (published by ward on the map), would give a
    sensitive type's ward-month count away, so by ward a month never includes it."""
    return queries.crime_monthly_totals(url, ward_code, exclude=SENSITIVE_CRIME_TYPES)


@cached
def provenance(url: str, kpi_code: str | None = None) -> pd.DataFrame:
    """Every stored KPI value with its source and revision, sensitive ward-level values withheld.

    A sensitive KPI's single-month ward values (and their superseded revisions) are never shown: by ward they are
    published only as 12-month totals through disclosure control, on the ward map.
    """
    return withhold_sensitive_wards(url, queries.provenance(url, kpi_code))


def withhold_sensitive_wards(url: str, frame: pd.DataFrame) -> pd.DataFrame:
    """KPI rows (kpi_code, area_code, value...) with sensitive KPIs' ward values blanked and marked '[c]'."""
    catalogue = queries.kpi_catalogue(url)
    sensitive = set(catalogue.loc[catalogue["sensitive"], "code"])
    wards = set(queries.wards(url)["code"])
    frame = frame.copy()
    hidden = frame["kpi_code"].isin(sensitive) & frame["area_code"].isin(wards)
    for column in ("value", "numerator", "denominator"):
        if column in frame:
            frame[column] = frame[column].astype(float).where(~hidden)
    frame["suppressed"] = hidden.map({True: disclosure.LABELS[disclosure.WITHHELD], False: ""})
    return frame


COUNT_DIMENSIONS = ("ward", "crime_type", "month")


def crime_counts(
    url: str, by: tuple[str, ...], first: date | None = None, last: date | None = None, real_only: bool = False
) -> pd.DataFrame:
    """Crime counts grouped by any of ward, crime_type and month, with ward-level sensitive cells protected.

    By ward, each group of cells (one per ward) of a sensitive crime type (one per month when months are asked for) goes
    through disclosure control; a ward total that includes a hidden sensitive count is withheld with it.
    """
    unknown = [d for d in by if d not in COUNT_DIMENSIONS]
    if unknown or not by:
        raise ValueError(f"--by takes one or more of {', '.join(COUNT_DIMENSIONS)} (got {', '.join(by) or 'none'})")
    counts = queries.crime_counts(url, first, last, real_only)
    columns = [{"ward": "ward_code"}.get(d, d) for d in COUNT_DIMENSIONS if d in by]
    grouped = counts.groupby(columns, as_index=False).agg(count=("count", "sum"), illustrative=("illustrative", "any"))
    grouped["count"] = grouped["count"].astype(float)
    grouped["suppressed"] = ""
    if "ward_code" not in columns:
        return grouped
    in_month = ["month"] if "month" in columns else []
    by_type = "crime_type" in columns  # else a ward total that includes the sensitive cell: withheld with it
    sensitive = counts[counts["crime_type"].isin(SENSITIVE_CRIME_TYPES)]
    all_wards = queries.wards(url)["code"]
    # As on the map, a sensitive type is published by ward only for a financial year the summed months fully cover; any
    # other range (a month, or a window overlapping another) could be subtracted from one to recover a hidden count.
    whole_window = not in_month and _covered_financial_year(url, first, last, real_only)
    for keys, cells in sensitive.groupby(["crime_type", *in_month]):
        crime_type, *month = keys
        per_ward = cells.groupby("ward_code")["count"].sum().reindex(all_wards, fill_value=0)
        hidden = (
            disclosure.protect({ward: int(count) for ward, count in per_ward.items()})
            if whole_window
            else dict.fromkeys(all_wards, disclosure.WITHHELD)
        )
        labels = {ward: disclosure.LABELS[kind if by_type else disclosure.WITHHELD] for ward, kind in hidden.items()}
        rows = grouped["ward_code"].isin(list(labels))
        if by_type:
            rows &= grouped["crime_type"] == crime_type
        if month:
            rows &= grouped["month"] == month[0]
        grouped.loc[rows, "suppressed"] = grouped.loc[rows, "ward_code"].map(labels)
        grouped.loc[rows, "count"] = None
    return grouped


def _covered_financial_year(url: str, first: date | None, last: date | None, real_only: bool) -> bool:
    """Whether first..last is a financial year whose every month is among the months summed (only real months, with
    real_only): a window holding fewer months would publish those months alone."""
    if first is None or last is None or (first.month, periods.add_months(first, 11)) != (4, last):
        return False
    months = queries.crime_months(url)
    summed = months[months["has_real"] == 1] if real_only else months
    held = set(pd.to_datetime(summed["month"]).dt.date)
    return all(periods.add_months(first, i) in held for i in range(12))


def ward_trend_series(url: str, measure_id: str, ward_code: str, other: str | None, last: date) -> pd.DataFrame:
    """The ward profile's trend: period_end, then the ward, its committee area, the whole area and an optional second
    ward, each a rolling 12-month rate per 1,000 residents under readable names (hidden points NaN)."""
    trend = ward_trend(url, measure_id, last)
    wards = queries.wards(url).set_index("code")
    area = wards.loc[ward_code, "committee_area"]
    series = {
        wards.loc[ward_code, "name"]: trend[ward_code],
        f"{area} (committee area)": trend[f"area:{area}"],
        current_area().name: trend[current_area().name],
    }
    if other:
        series[wards.loc[other, "name"]] = trend[other]
    return pd.DataFrame({"period_end": trend["period_end"], **series})


@dataclass(frozen=True)
class WardKpiFigure:
    """One KPI reported by ward, as the ward profile lists it: the latest 12 months (or latest period) protected."""

    label: str
    unit: str
    period_label: str
    shown: str  # the value as published: a number, "<5" or "[c]"
    rank: int | None  # 1 = highest rate of the area's wards; None when withheld
    illustrative: bool


def ward_kpi_figures(url: str, ward_code: str, cutoff: date) -> list[WardKpiFigure]:
    """Every KPI with ward values, for one ward at a meeting's cut-off, through the map's disclosure control."""
    figures = []
    for measure in [m for m in measures(url) if m.kpi_code]:
        period = latest_period(url, measure, cutoff)
        if period is None:
            continue
        table = ward_table(url, measure.id, period, RATE)
        row = table.wards.set_index("ward_code").loc[ward_code]
        rank = None if pd.isna(row["rank"]) else int(row["rank"])
        figures.append(
            WardKpiFigure(measure.label, measure.unit, period.label, str(row["shown"]), rank, table.illustrative)
        )
    return figures
