"""The KPI summary for a meeting: latest value, RAG, changes, SPC verdicts and a narrative, per KPI.

One function feeds the Overview, the Priority page and `saferleeds kpi summary`, so they always agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, TypedDict

import pandas as pd

from lib.analysis import kpis, spc
from lib.area import events
from lib.core.formatting import format_period, format_value

SPARKLINE_MONTHS = 24

KpiRow = Mapping[str, Any]  # one row of queries.kpi_catalogue (code, name, unit, direction, target, ...)


class Change(TypedDict):
    """A percentage change and whether it is better or worse by the KPI's direction."""

    percent: float
    judgement: str


class SpcSignal(TypedDict):
    """One SPC rule that fired: its number, the period it fired at, and improvement, concern or neither."""

    rule: str  # spc.OUTSIDE, TREND, TWO_IN_THREE or SHIFT
    period_end: date
    kind: str


class SpcVerdict(TypedDict):
    """The Making Data Count verdicts for a KPI's latest point."""

    variation: str
    assurance: str | None
    signals: list[SpcSignal]


class KpiSummary(TypedDict):
    """Everything a tile, the Overview and `saferleeds kpi summary --json` say about one KPI at a cut-off."""

    code: str
    name: str
    priority: int | None
    unit: str
    direction: str
    target: float | None
    target_type: str | None
    target_from: date | None  # the day the target in force at the as-at date applied from
    period_start: date | None
    period_end: date | None
    value: float | None
    qualifier: str
    rag: str | None
    change_vs_last_year: Change | None
    change_vs_previous_meeting: Change | None
    illustrative: bool
    stale: bool
    source: str | None
    source_section: str | None
    spc: SpcVerdict
    narrative: str
    sparkline: list[float]


class SinceLastMeeting(TypedDict):
    """The material changes between two meetings' cut-offs: what a board would discuss."""

    rag_changes: list[dict[str, Any]]
    new_signals: list[dict[str, Any]]
    moved: list[dict[str, Any]]  # new figures at least MATERIAL_CHANGE_PERCENT from the last meeting's
    newly_stale: list[dict[str, Any]]


MATERIAL_CHANGE_PERCENT = 10.0  # a new figure this far from the last meeting's is listed as a material change


VARIATION_WORDS = {
    spc.COMMON: "common cause variation",
    spc.IMPROVEMENT: "special cause improvement",
    spc.CONCERN: "special cause concern",
    spc.NEUTRAL_HIGH: "special cause variation, high (neither better nor worse)",
    spc.NEUTRAL_LOW: "special cause variation, low (neither better nor worse)",
    spc.INSUFFICIENT: "too few points for SPC",
}
ASSURANCE_WORDS = {
    spc.PASSING: "consistently passing the target",
    spc.FAILING: "consistently failing the target",
    spc.HIT_AND_MISS: "hit and miss against the target",
    spc.INSUFFICIENT: "too few points to judge the target",
}


def _as_at(values: pd.DataFrame, as_at: date) -> pd.DataFrame:
    """Only values whose period had ended by the as-at date."""
    return values[values["period_end"] <= as_at] if not values.empty else values


def kpi_summary(kpi: KpiRow, values: pd.DataFrame, as_at: date, previous_cutoff: date | None) -> KpiSummary:
    """Everything the tile and the JSON summary say about one KPI as at a date (values: the KPI's own series)."""
    visible = _as_at(values, as_at)
    priority = kpi.get("priority_id")
    base: KpiSummary = {
        "code": kpi["code"],
        "name": kpi["name"],
        "priority": None if priority is None or pd.isna(priority) else int(priority),
        "unit": kpi["unit"],
        "direction": kpi["direction"],
        "target": _number(kpi.get("target")),
        "target_type": kpi.get("target_type") if isinstance(kpi.get("target_type"), str) else None,
        "target_from": kpi.get("target_from") if isinstance(kpi.get("target_from"), date) else None,
        "period_start": None,
        "period_end": None,
        "value": None,
        "qualifier": "",
        "rag": None,
        "change_vs_last_year": None,
        "change_vs_previous_meeting": None,
        "illustrative": False,
        "stale": kpi["frequency"] in kpis.EXPECTED_GAP_DAYS,
        "source": None,
        "source_section": None,
        "spc": {"variation": spc.INSUFFICIENT, "assurance": None, "signals": []},
        "narrative": "No values yet.",
        "sparkline": [],
    }
    if visible.empty:
        return base
    latest = kpis.latest_values(visible).iloc[0].to_dict()
    series = kpis.monthly(visible)
    result = (
        spc.xmr(series, kpi["direction"], base["target"], base["target_type"], events.change_points(kpi["code"]))
        if not series.empty
        else None
    )
    last_year = kpis.same_period_last_year(visible, latest)
    previous = None
    if previous_cutoff is not None:
        earlier = _as_at(values, previous_cutoff)
        previous = kpis.latest_values(earlier).iloc[0].to_dict() if not earlier.empty else None
    year_change = kpis.percent_change(last_year["value"] if last_year else None, latest["value"])
    if previous is not None and previous["period_end"] == latest["period_end"]:
        previous = None  # no new figure since the last meeting: nothing to say "since the last meeting"
    meeting_change = kpis.percent_change(previous["value"] if previous else None, latest["value"])
    base.update(
        {
            "period_start": latest["period_start"],
            "period_end": latest["period_end"],
            "value": latest["value"],
            "qualifier": latest.get("qualifier") or "",
            "illustrative": bool(latest["illustrative"]),
            "rag": kpis.rag_status(latest["value"], base["target"], base["target_type"]),
            "change_vs_last_year": _change(year_change, kpi["direction"]),
            "change_vs_previous_meeting": _change(meeting_change, kpi["direction"]),
            "stale": kpis.is_stale(kpi["frequency"], latest["period_end"], as_at),
            "source": latest.get("source"),
            "source_section": latest.get("source_section"),
            "spc": _spc_dict(result) if result else base["spc"],
            "sparkline": [float(v) for v in series["value"].tail(SPARKLINE_MONTHS)],
        }
    )
    base["narrative"] = narrative(kpi, base, result)
    return base


def _number(value: Any) -> float | None:  # noqa: ANN401 - a catalogue cell: number, NaN or None
    """A float, or None for missing values."""
    return None if value is None or pd.isna(value) else float(value)


def _change(change: float | None, direction: str) -> Change | None:
    """A change as percent plus its judgement by direction."""
    if change is None:
        return None
    return {"percent": round(change, 1), "judgement": kpis.judged_change(change, direction) or "no change"}


def _spc_dict(result: spc.SpcResult) -> SpcVerdict:
    """The SPC verdicts as plain data (signals: the rule's name, the period it fired at, its point type)."""
    return {
        "variation": result.variation,
        "assurance": result.assurance,
        "signals": [{"rule": s["rule"], "period_end": s["period_end"], "kind": s["kind"]} for s in result.signals],
    }


def _in_a_row(flags: list[bool]) -> int:
    """How many of the last flags in a row are True."""
    count = 0
    for flag in reversed(flags):
        if not flag:
            break
        count += 1
    return count


def rule_sentence(points: pd.DataFrame) -> str | None:
    """Which rule the latest point's signal comes from, in words ('above the upper process limit', '7 months in a
    row below the average', '6 months in a row rising', '2 of the last 3 months close to the lower limit');
    None when the latest point is common cause."""
    if points.empty or not points["rule"].iloc[-1]:
        return None
    latest = points.iloc[-1]
    segment = points[points["segment"] == latest["segment"]]
    above = latest["value"] > latest["mean"]
    rule = latest["rule"]
    if rule == spc.OUTSIDE:
        return "above the upper process limit" if above else "below the lower process limit"
    if rule == spc.TREND:
        rising = latest["trend"] > 0
        values = segment["value"].tolist()
        steps = [(b > a) if rising else (b < a) for a, b in zip(values, values[1:], strict=False)]
        return f"{_in_a_row(steps)} months in a row {'rising' if rising else 'falling'}"
    if rule == spc.TWO_IN_THREE:
        close = (segment["rules"].tail(3).apply(lambda fired: spc.TWO_IN_THREE in fired)).sum()
        return f"{close} of the last 3 months close to the {'upper' if above else 'lower'} limit"
    sides = [(v > m) == above and v != m for v, m in zip(segment["value"], segment["mean"], strict=True)]
    return f"{_in_a_row(sides)} months in a row {'above' if above else 'below'} the average"


def narrative(kpi: KpiRow, summary: KpiSummary, result: spc.SpcResult | None) -> str:
    """One plain-English sentence generated from the numbers, naming the SPC rule that fired."""
    latest, start, end = summary["value"], summary["period_start"], summary["period_end"]
    if latest is None or start is None or end is None:
        return "No values yet."
    value = format_value(latest, kpi["unit"], summary["qualifier"])
    period = format_period(start, end)
    sentence = f"{kpi['name']} was {value} in {period}"
    variation = summary["spc"]["variation"]
    if result is None or variation == spc.INSUFFICIENT:
        sentence += f"; too few monthly points for SPC (the dashboard judges a process from {spc.MIN_POINTS})"
    elif variation == spc.COMMON:
        sentence += ": within normal variation"
    else:
        why = rule_sentence(result.points)
        lead = {spc.IMPROVEMENT: "an improvement", spc.CONCERN: "a concern"}.get(
            variation, "unusual, though neither better nor worse"
        )
        sentence += f": {lead} ({why})" if why else f": {lead}"
    assurance = summary["spc"].get("assurance")
    if assurance in ASSURANCE_WORDS and assurance != spc.INSUFFICIENT and summary["target"] is not None:
        target = format_value(summary["target"], kpi["unit"])
        sentence += f"; {ASSURANCE_WORDS[assurance].replace('the target', f'the {target} target')}"
    if summary["stale"]:
        sentence += "; no newer value has been loaded"
    return sentence + "."


def summaries(
    catalogue: pd.DataFrame, values: pd.DataFrame, as_at: date, previous_cutoff: date | None
) -> list[KpiSummary]:
    """kpi_summary for every KPI in the catalogue (values: headline_values, every KPI's own series)."""
    grouped = dict(iter(values.groupby("kpi_code")))
    empty = values.iloc[0:0]
    return [
        kpi_summary(kpi, grouped.get(kpi["code"], empty), as_at, previous_cutoff)
        for kpi in catalogue.to_dict(orient="records")
    ]


def is_exception(summary: KpiSummary) -> bool:
    """Off track: a special-cause concern now, a red RAG, or consistently failing the target."""
    return (
        summary["spc"]["variation"] == spc.CONCERN
        or summary["rag"] == kpis.RED
        or summary["spc"].get("assurance") == spc.FAILING
    )


def since_last_meeting(now: list[KpiSummary], before: list[KpiSummary]) -> SinceLastMeeting:
    """The material changes between the previous meeting's cut-off and this one: RAG moves, new SPC signals, new
    figures MATERIAL_CHANGE_PERCENT or more from the last meeting's (better or worse by the KPI's direction), and
    KPIs newly stale. A KPI with no new figure since the last meeting has no change to report."""
    earlier = {s["code"]: s for s in before}
    rag_changes, new_signals, moved, newly_stale = [], [], [], []
    special = spc.SPECIAL
    for current in now:
        previous = earlier.get(current["code"])
        if previous is None:
            continue
        if current["rag"] != previous["rag"] and current["rag"] is not None:
            rag_changes.append(
                {"code": current["code"], "name": current["name"], "from": previous["rag"], "to": current["rag"]}
            )
        variation = current["spc"]["variation"]
        if variation in special and variation != previous["spc"]["variation"]:
            new_signals.append({"code": current["code"], "name": current["name"], "variation": variation})
        change = current.get("change_vs_previous_meeting")
        if change is not None and abs(change["percent"]) >= MATERIAL_CHANGE_PERCENT:
            moved.append({"code": current["code"], "name": current["name"], **change})
        if current["stale"] and not previous["stale"]:
            newly_stale.append({"code": current["code"], "name": current["name"], "latest": current["period_end"]})
    return {"rag_changes": rag_changes, "new_signals": new_signals, "moved": moved, "newly_stale": newly_stale}


def spc_result(kpi: KpiRow, values: pd.DataFrame, as_at: date) -> spc.SpcResult | None:
    """The XmR analysis behind a KPI's tile (monthly values to the as-at date, re-based at known events)."""
    series = kpis.monthly(_as_at(values, as_at))
    if series.empty:
        return None
    return spc.xmr(
        series,
        kpi["direction"],
        _number(kpi.get("target")),
        kpi.get("target_type") if isinstance(kpi.get("target_type"), str) else None,
        events.change_points(kpi["code"]),
    )


# The Making Data Count summary table: variation (rows) by assurance (columns).
MATRIX_ROWS = (
    (spc.CONCERN, "Special cause concern"),
    (spc.IMPROVEMENT, "Special cause improvement"),
    ("neutral", "Special cause, neither better nor worse"),
    (spc.COMMON, "Common cause"),
    (spc.INSUFFICIENT, "Too few points"),
)
MATRIX_COLUMNS = (
    (spc.FAILING, "Consistently failing"),
    (spc.HIT_AND_MISS, "Hit and miss"),
    (spc.PASSING, "Consistently passing"),
    ("none", "No target to judge"),
)


def summary_matrix(items: list[KpiSummary]) -> dict[tuple[str, str], list[str]]:
    """KPI codes placed by variation x assurance (the Making Data Count summary table); every KPI in one cell."""
    cells: dict[tuple[str, str], list[str]] = {(r, c): [] for r, _ in MATRIX_ROWS for c, _ in MATRIX_COLUMNS}
    for item in items:
        variation = item["spc"]["variation"]
        row = "neutral" if variation in spc.NEUTRAL else variation
        assurance = item["spc"].get("assurance")
        column = assurance if assurance in (spc.FAILING, spc.HIT_AND_MISS, spc.PASSING) else "none"
        cells[(row, column)].append(item["code"])
    return cells


def current_first(items: list[KpiSummary]) -> list[KpiSummary]:
    """KPIs with the newest figures first (the current position leads; one-off historical figures go last), each
    group in its original order."""
    undated = date.min
    return sorted(items, key=lambda item: item["period_end"] or undated, reverse=True)
