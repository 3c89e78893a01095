"""The board pack's content for a meeting, as plain data: every figure from the same functions as the pages (KPI
summaries, SPC, the meeting's agenda, the crime comparison, the ward table with disclosure control applied), already
in words. The PowerPoint and PDF writers only lay this out, so the two formats say the same thing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from lib.analysis import agenda, crime, disclosure, measures, peers, summary
from lib.analysis.summary import ASSURANCE_WORDS, VARIATION_WORDS, KpiSummary
from lib.core import documents, periods
from lib.core.formatting import format_period, format_value, provenance_text
from lib.figures import legend
from lib.geo import hexmap
from lib.store import meeting_queries, queries

Progress = Callable[[float, str], None]
RAG_WORDS = {"green": "Green", "amber": "Amber", "red": "Red", None: "No target"}
STATUS_WORDS = {"open": "Open", "overdue": "Overdue", "done": "Done", "dropped": "Dropped"}
WARD_MEASURE = "crime:all"


@dataclass(frozen=True)
class Rendered:
    """A pack written in one format: the file's bytes, and what the reader should be told about it (one line each)."""

    data: bytes
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChartData:
    """An XmR chart's data: month labels, the values and the process mean and limits."""

    title: str
    unit: str
    months: list[date]
    values: list[float]
    mean: list[float]
    lower: list[float | None]
    upper: list[float | None]


@dataclass(frozen=True)
class KpiFigures:
    """A KPI as its tile says it, in words: value, period, target, RAG, SPC verdicts and where it comes from."""

    code: str
    name: str
    priority: int | None
    value: str
    period: str
    target: str
    rag: str
    variation: str
    assurance: str
    narrative: str
    illustrative: bool
    source: str
    chart: ChartData | None = None


@dataclass(frozen=True)
class WardCell:
    """One ward on the hex map: its cell, figure as shown (or why hidden) and colour."""

    code: str
    name: str
    q: int
    r: int
    shown: str
    colour: str


@dataclass(frozen=True)
class PeerData:
    """The Peers section: where the partnership stands in one group on all crime, as a chart and a table."""

    title: str
    standing: str
    bars: list[tuple[str, float, bool]]  # (area, rate per 1,000, is the partnership), ranked areas, lowest first
    average: float | None
    rows: list[list[str]]  # header row first
    note: str


@dataclass
class Pack:
    """Everything in the board pack, in its order."""

    meeting: date
    cutoff: date
    previous: date | None
    deadline: date
    illustrative: bool
    exceptions: list[tuple[KpiFigures, dict[str, Any] | None]]
    headline: list[KpiFigures]
    since: dict[str, list[str]]
    matrix: list[list[str]]  # header row first: variation x assurance, KPI codes in the cells
    priorities: list[dict[str, Any]]  # {"title", "kpis": [KpiFigures], "deliverables": str, "commentary": [...]}
    crime_title: str
    crime_rows: list[list[str]]  # header row first
    crime_verdict: str
    ward_title: str
    ward_cells: list[WardCell]
    ward_legend: list[tuple[str, str]]  # (colour, label)
    actions_due: list[list[str]]  # header row first
    actions_raised_last_time: list[list[str]]
    actions_raised_here: list[list[str]]  # at this meeting (header row first): in a pack written after it
    decisions: list[str]
    sources: list[list[str]] = field(default_factory=list)  # header row first
    disclosure_note: str = disclosure.EXPLANATION
    peers: PeerData | None = None  # None: no comparison can be made (the reason is in peers_note)
    peers_note: str = ""

    @property
    def overdue(self) -> list[list[str]]:
        """The actions due at this meeting that are overdue (header row first)."""
        return [self.actions_due[0], *[row for row in self.actions_due[1:] if row[5] == STATUS_WORDS["overdue"]]]


def _chart(kpi: dict[str, Any], values: pd.DataFrame, cutoff: date) -> ChartData | None:
    """The KPI's XmR chart data as at the cut-off (None for a one-off figure)."""
    result = summary.spc_result(kpi, values, cutoff)
    if result is None or len(result.points) < 2:
        return None
    points = result.points

    def limit(column: str) -> list[float | None]:
        """A limit's values, None where a segment has none."""
        return [None if pd.isna(v) else float(v) for v in points[column]]

    return ChartData(
        kpi["name"],
        kpi["unit"],
        [pd.Timestamp(p).date() for p in points["period_end"]],
        [float(v) for v in points["value"]],
        [float(v) for v in points["mean"]],
        limit("lower"),
        limit("upper"),
    )


def _figures(kpi: dict[str, Any], item: KpiSummary, values: pd.DataFrame, cutoff: date) -> KpiFigures:
    """A KPI's tile in words, with its chart."""
    value, start, end = item["value"], item["period_start"], item["period_end"]
    has_value = value is not None and start is not None and end is not None
    target = item["target"]
    return KpiFigures(
        code=kpi["code"],
        name=kpi["name"],
        priority=item["priority"],
        value=format_value(value, kpi["unit"], item["qualifier"]) if value is not None else "no values yet",
        period=format_period(start, end) if start is not None and end is not None else "",
        target=(
            f"{item['target_type'] or ''} {format_value(target, kpi['unit'])}".strip() if target is not None else ""
        ),
        rag=RAG_WORDS.get(item["rag"], "No target"),
        variation=VARIATION_WORDS[item["spc"]["variation"]],
        assurance=ASSURANCE_WORDS.get(item["spc"].get("assurance") or "", "no target to judge"),
        narrative=item["narrative"],
        illustrative=item["illustrative"],
        source=provenance_text(item["source"] or "", item["source_section"] or "", item["illustrative"])
        if has_value
        else "",
        chart=_chart(kpi, values, cutoff),
    )


def _action_rows(rows: list[dict[str, Any]]) -> list[list[str]]:
    """Actions as table rows, header first."""
    header = ["#", "Action", "Owner", "Organisation", "Due", "Status", "Raised at"]
    return [
        header,
        *[
            [
                str(r["id"]),
                r["text"],
                r["owner_name"] or r["owner"],
                r["organisation"],
                f"{r['due']:%d %b %Y}",
                STATUS_WORDS[r["status"]],
                f"{r['meeting_raised']:%d %b %Y}",
            ]
            for r in rows
        ],
    ]


def _decision(row: dict[str, Any], priority_names: dict[int, str]) -> str:
    """A decision with the priority it concerns and who proposed it, when recorded."""
    about = []
    if row.get("priority_id") is not None and not pd.isna(row["priority_id"]):
        about.append(f"priority {priority_names.get(int(row['priority_id']), row['priority_id'])}")
    if row.get("proposed_by"):
        about.append(f"proposed by {row['proposed_by']}")
    return row["text"] + (f" ({'; '.join(about)})" if about else "")


def _since(changes: summary.SinceLastMeeting | None) -> dict[str, list[str]]:
    """The material changes since the last meeting, as lines under four headings."""
    if changes is None:
        return {"This is the first meeting on record": []}
    return {
        "RAG changes": [
            f"{c['name']}: {RAG_WORDS.get(c['from'])} to {RAG_WORDS.get(c['to'])}" for c in changes["rag_changes"]
        ],
        "New SPC signals": [f"{c['name']}: {VARIATION_WORDS[c['variation']]}" for c in changes["new_signals"]],
        "Moved 10% or more": [f"{c['name']}: {c['percent']:+.1f}% ({c['judgement']})" for c in changes["moved"]],
        "Newly stale": [f"{c['name']}: latest {c['latest']:%b %Y}" for c in changes["newly_stale"]],
    }


def _matrix(items: list[KpiSummary]) -> list[list[str]]:
    """The summary matrix as rows of text, header first: each cell lists its KPIs by name, one a line."""
    cells = summary.summary_matrix(items)
    names = {item["code"]: item["name"] for item in items}
    header = ["Variation \\ assurance", *[label for _, label in summary.MATRIX_COLUMNS]]
    return [header] + [
        [label, *["\n".join(names[code] for code in cells[(row, column)]) for column, _ in summary.MATRIX_COLUMNS]]
        for row, label in summary.MATRIX_ROWS
    ]


def _crime(url: str, cutoff: date) -> tuple[str, list[list[str]], str]:
    """Last 12 months against the previous 12 by type, city-wide, with the verdicts."""
    totals = crime.monthly_totals(url, None, cutoff)
    if totals.empty:
        return "Crime: no police.uk months are loaded", [["Crime type", "Previous 12", "Latest 12", "Verdict"]], ""
    comparison = crime.last_12_months_by_type(url, None, totals["month"].max())
    rows = [["Crime type", "Previous 12 months", "Latest 12 months", "Change", "Verdict"]]
    for r in comparison.by_type.to_dict(orient="records"):
        change = "" if pd.isna(r.get("change_percent")) else f"{r['change_percent']:+.1f}%"
        rows.append(
            [r["crime_type"], f"{r['previous']:,.0f}", f"{r['current']:,.0f}", change, str(r.get("verdict") or "")]
        )
    total = comparison.total
    if not comparison.covered:
        verdict = (
            f"All types: {comparison.current_total:,} crimes; no change is given, {crime.NOT_ENOUGH_MONTHS} (the 24 "
            "months compared are not all loaded)."
        )
    elif total is not None:
        verdict = (
            f"All types: {comparison.current_total:,} crimes, {total.percent_change:+.1f}% on the 12 months before "
            f"({total.verdict}; Poisson rate ratio {total.ratio:.3f}, 95% CI {total.lower:.3f} to {total.upper:.3f})."
        )
    else:
        verdict = "All types: withheld (disclosure control)."
    title = f"Crime: {comparison.first:%b %Y} to {comparison.latest:%b %Y} against the 12 months before"
    return title, rows, verdict


def _peers(url: str, cutoff: date) -> tuple[PeerData | None, str]:
    """All crime beside the first peer group the partnership is ranked in (else the first group), to the cut-off."""
    found = peers.standings(url, cutoff)
    if not found:
        return None, (
            "No comparison with peers: it needs real police.uk months of the partnership's own, its peer groups and "
            "the national ONS lookup and populations."
        )
    comparison = next((c for c in found if c.own.rank is not None and c.ranked > 1), found[0])
    ranked = sorted((f for f in comparison.figures if f.rank is not None), key=lambda f: f.rank or 0)
    rows = [["Area", "Residents", "Crimes", "Per 1,000", "Rank", "Change on a year before", "Against the others"]]
    for f in comparison.figures:
        rows.append(
            [
                f.name,
                f"{f.population:,}",
                "" if f.count is None else f"{f.count:,}",
                "" if f.rate is None else f"{f.rate:,.2f}",
                "" if f.rank is None else str(f.rank),
                "" if f.change is None else f"{f.change:+.1f}%",
                f.verdict or f.reason,
            ]
        )
    average = "" if comparison.average is None else f" The peer average is {comparison.average:,.2f} per 1,000"
    ratio = (
        ""
        if comparison.ratio is None
        else f"; {comparison.own.name} is {comparison.ratio:.2f} times it ({comparison.verdict})."
    )
    return (
        PeerData(
            f"All crime beside {comparison.group.name}, {comparison.period.label}",
            comparison.standing,
            [(f.name, f.rate or 0.0, f.own) for f in ranked],
            comparison.average,
            rows,
            f"{comparison.own.name}: {comparison.standing}.{average}{ratio if average else ''} {peers.CAVEAT}",
        ),
        "",
    )


def _ward_map(url: str, cutoff: date) -> tuple[str, list[WardCell], list[tuple[str, str]], bool]:
    """All crime per 1,000 residents by ward for the latest 12 months to the cut-off, through disclosure control."""
    measure = measures.get(url, WARD_MEASURE)
    period = measures.latest_period(url, measure, cutoff)
    if period is None:
        return "no complete financial year of crime is loaded yet", [], [], False
    table = measures.ward_table(url, measure.id, period, measures.RATE)
    classes = legend.classes_for(table)
    cells = []
    layout = hexmap.layout()
    for row in table.wards.to_dict(orient="records"):
        q, r = layout[row["ward_code"]]
        value = row[table.mapped]
        shown = legend.bar_label(row, table)
        cells.append(WardCell(row["ward_code"], row["ward_name"], q, r, shown, legend.colour_of(value, classes)))
    title = f"{measure.label} per 1,000 residents by ward, {period.label}"
    return title, cells, [(c.colour, c.label) for c in classes], table.illustrative


def _sources(catalogue: pd.DataFrame, latest: dict[str, KpiFigures]) -> list[list[str]]:
    """Each KPI's definition, its source, and where the figure in this pack comes from, header first."""
    return [
        ["KPI", "Definition", "Source", "The figure in this pack"],
        *[
            [
                f"{k['name']} ({k['code']})",
                k["definition"],
                documents.cite(k["source"]),
                latest[k["code"]].source or "no values yet",
            ]
            for k in catalogue.to_dict(orient="records")
        ],
    ]


def build(url: str, meeting_date: date, progress: Progress | None = None) -> Pack:
    """The pack for a recorded meeting; ValueError naming the nearest meetings for one not on record."""
    tell = progress or (lambda _fraction, _text: None)
    table = queries.meetings(url)
    if meeting_date not in set(table["meeting_date"]):
        nearest = sorted(table["meeting_date"], key=lambda d: abs((d - meeting_date).days))[:3]
        listed = ", ".join(d.isoformat() for d in sorted(nearest)) or "none are recorded"
        raise ValueError(f"no meeting on {meeting_date.isoformat()} is recorded; the nearest are {listed}")
    tell(0.05, "Reading the KPIs")
    dates = agenda.meeting_dates(table, meeting_date)
    catalogue = queries.kpi_catalogue_as_at(url, dates.cutoff)  # the targets the meeting saw, whatever came later
    values = queries.headline_values(url)
    items = summary.summaries(catalogue, values, dates.cutoff, dates.previous_cutoff)
    by_code = {item["code"]: item for item in items}
    kpis = {k["code"]: k for k in catalogue.to_dict(orient="records")}
    series = dict(iter(values.groupby("kpi_code")))
    empty = values.iloc[0:0]

    every = {code: _figures(kpis[code], by_code[code], series.get(code, empty), dates.cutoff) for code in kpis}

    tell(0.25, "The meeting's business")
    plan = agenda.meeting_agenda(url, meeting_date, by_code)
    before = (
        summary.summaries(queries.kpi_catalogue_as_at(url, dates.previous_cutoff), values, dates.previous_cutoff, None)
        if dates.previous_cutoff is not None
        else None
    )
    tell(0.45, "Priorities")
    deliverables = queries.deliverables(url)
    priorities = []
    in_force = queries.priorities_as_at(url, dates.cutoff).to_dict(orient="records")  # as the meeting had them
    names = {int(p["id"]): f"{p['id']}. {p['name']}" for p in queries.priorities(url).to_dict(orient="records")}
    for p in in_force:
        codes = catalogue.loc[catalogue["priority_id"] == p["id"], "code"].tolist()
        statuses = deliverables.loc[deliverables["priority_id"] == p["id"], "status"].value_counts()
        priorities.append(
            {
                "title": f"{p['id']}. {p['name']}",
                "kpis": [every[code] for code in codes],
                "deliverables": "Key deliverables: "
                + (" \u00b7 ".join(f"{s.capitalize()} {n}" for s, n in statuses.items()) or "none listed"),
                "commentary": [
                    (code, plan.reports[code]) for code in codes if plan.report_status(code) == agenda.SUBMITTED
                ],
            }
        )
    tell(0.65, "Crime and the ward map")
    crime_title, crime_rows, crime_verdict = _crime(url, dates.cutoff)
    ward_title, cells, ward_legend, illustrative_map = _ward_map(url, dates.cutoff)
    months = queries.crime_months(url)
    illustrative_crime = illustrative_map or bool(
        (months["has_real"][[periods.month_end(m) <= dates.cutoff for m in months["month"]]] == 0).tail(24).any()
    )
    peer_data, peers_note = _peers(url, dates.cutoff)
    tell(0.8, "Actions and sources")
    every_action = agenda.action_rows(meeting_queries.actions(url), meeting_date)
    previous_raised = [r for r in every_action if dates.previous and r["meeting_raised"] == dates.previous]
    raised_here = [r for r in every_action if r["meeting_raised"] == meeting_date]
    headline = catalogue.dropna(subset=["headline_rank"]).sort_values("headline_rank")["code"].tolist()
    return Pack(
        meeting=meeting_date,
        cutoff=dates.cutoff,
        previous=dates.previous,
        deadline=dates.deadline,
        illustrative=any(i["illustrative"] for i in items) or illustrative_crime,
        exceptions=[(every[i["code"]], plan.reports.get(i["code"])) for i in plan.off_track],
        headline=[every[code] for code in headline],
        since=_since(summary.since_last_meeting(items, before) if before is not None else None),
        matrix=_matrix(items),
        priorities=priorities,
        crime_title=crime_title,
        crime_rows=crime_rows,
        crime_verdict=crime_verdict,
        ward_title=ward_title,
        ward_cells=cells,
        ward_legend=ward_legend,
        actions_due=_action_rows(plan.actions_due),
        actions_raised_last_time=_action_rows(previous_raised),
        actions_raised_here=_action_rows(raised_here),
        decisions=[_decision(d, names) for d in plan.decisions],
        sources=_sources(catalogue, every),
        peers=peer_data,
        peers_note=peers_note,
    )
