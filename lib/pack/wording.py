"""The board pack's words, shared by the PowerPoint and PDF writers so both say the same: section titles (in the
pack's order), the cover, and each section's lines and table rows."""

from __future__ import annotations

from typing import Any

import pandas as pd

from lib.area import current as current_area
from lib.pack.content import KpiFigures, Pack

EXCEPTIONS = "Exceptions: KPIs off track"
EXCEPTION = "Exception"
HEADLINE = "Headline"
SINCE = "Since the last meeting"
MATRIX = "Summary matrix: SPC variation by assurance"
PRIORITY = "Priority"
WARD_MAP = "Crime by ward"
PEERS = "Peers"
ACTIONS = "Actions and decisions"
ACTIONS_DUE = "Actions due at this meeting"
ACTIONS_LAST_TIME = "Actions raised at the last meeting"
ACTIONS_HERE = "Actions raised at this meeting"
SOURCES = "Sources and definitions"
# The pack's sections in order, as the first words of their slides' titles (and PDF headings).
# "" is the cover, whose title is the board's name.
SECTION_ORDER = ("", EXCEPTION, HEADLINE, SINCE, MATRIX, PRIORITY, "Crime:", WARD_MAP, PEERS, "Actions", SOURCES)
ILLUSTRATIVE_NOTICE = (
    "Some figures in this pack are ILLUSTRATIVE: generated demonstration data, calibrated to the documented figures. "
    "They are not real data."
)
CRIME_NOTE = (
    "Verdicts use a Poisson rate ratio with a 95% confidence interval: a change is called significant only when the "
    "interval excludes no change. Recorded crime reflects reporting and police activity as well as crime."
)


def cover_title() -> str:
    """The pack's title: "<the board>: performance report"."""
    return f"{current_area().board}: performance report"


def cover_lines(pack: Pack) -> list[str]:
    """The cover: meeting, cut-off, deadline and, when any figure is illustrative, the notice."""
    lines = [
        f"Meeting of {pack.meeting:%A %d %B %Y}",
        f"Data to {pack.cutoff:%d %B %Y}",
        f"Exception reports were due {pack.deadline:%d %B %Y}",
        f"Every figure comes from the {current_area().partnership} dashboard's database; sources are listed at the "
        "end.",
    ]
    return [*lines, ILLUSTRATIVE_NOTICE] if pack.illustrative else lines


def kpi_lines(kpi: KpiFigures) -> list[str]:
    """A KPI's tile in words: value and period, target and RAG, SPC verdicts, the sentence, the source."""
    return [
        f"{kpi.value} ({kpi.period})" if kpi.period else kpi.value,
        f"Target: {kpi.target or 'none'} \u00b7 RAG: {kpi.rag}",
        f"SPC: {kpi.variation}; {kpi.assurance}",
        kpi.narrative,
        kpi.source,
    ]


def exception_rows(pack: Pack) -> list[list[str]]:
    """The exceptions table: each off-track KPI's figures in words and its report's state."""
    rows = [["KPI", "Value", "Target", "RAG", "SPC variation", "Assurance", "Exception report"]]
    for kpi, report in pack.exceptions:
        state = "No report" if report is None else "Submitted" if report["status"] == "submitted" else "Draft only"
        rows.append(
            [
                kpi.name,
                f"{kpi.value} ({kpi.period})",
                kpi.target or "none",
                kpi.rag,
                kpi.variation,
                kpi.assurance,
                state,
            ]
        )
    if len(rows) == 1:
        rows.append(["No KPI is off track at this cut-off", "", "", "", "", "", ""])
    return rows


def report_lines(report: dict[str, Any] | None) -> list[str]:
    """A lead's exception report (submitted only; a draft is not the lead's report yet)."""
    if report is None or report["status"] != "submitted":
        return ["No report: the priority lead has not submitted an exception report."]
    return [f"Exception report by {report['author']}", *report_parts(report)]


def report_parts(report: dict[str, Any]) -> list[str]:
    """Every part of a report a lead filled in, each headed in words."""
    lines = [f"What is happening: {report['happening']}"]
    if report.get("doing"):
        lines.append(f"What is being done: {report['doing']}")
    if report.get("by_when") is not None and not pd.isna(report["by_when"]):
        lines.append(f"By when: {report['by_when']:%d %B %Y}")
    if report.get("help_asked"):
        lines.append(f"Help asked of the Executive: {report['help_asked']}")
    return lines


def since_lines(pack: Pack) -> list[str]:
    """The material changes since the last meeting, heading then items."""
    lines = []
    for heading, items in pack.since.items():
        lines.append(f"{heading}: {'none' if not items else ''}".rstrip())
        lines += [f"  \u2022 {item}" for item in items]
    return lines


def priority_rows(priority: dict[str, Any]) -> list[list[str]]:
    """A priority's KPIs as table rows."""
    rows = [["KPI", "Value", "Target", "RAG", "SPC variation", "Assurance"]]
    for kpi in priority["kpis"]:
        rows.append(
            [
                kpi.name,
                f"{kpi.value} ({kpi.period})" if kpi.period else kpi.value,
                kpi.target or "none",
                kpi.rag,
                kpi.variation,
                kpi.assurance,
            ]
        )
    if len(rows) == 1:
        rows.append(["No KPI figures are published for this priority yet", "", "", "", "", ""])
    return rows


def priority_lines(priority: dict[str, Any]) -> list[str]:
    """A priority's deliverables and its leads' commentary."""
    lines = [priority["deliverables"]]
    names = {kpi.code: kpi.name for kpi in priority["kpis"]}
    for code, report in priority["commentary"]:
        lines.append(f"Commentary on {names.get(code, code)} by {report['author']}:")
        lines += [f"  {part}" for part in report_parts(report)]
    return lines


def action_lines(pack: Pack) -> list[str]:
    """The actions summary and the decisions."""
    due = len(pack.actions_due) - 1
    overdue = len(pack.overdue) - 1
    lines = [
        f"Actions due at this meeting: {due} ({overdue} overdue).",
        f"Actions raised at the last meeting: {len(pack.actions_raised_last_time) - 1}.",
        f"Actions raised at this meeting: {len(pack.actions_raised_here) - 1}.",
        "Decisions:" if pack.decisions else "Decisions: none recorded yet.",
    ]
    return lines + [f"  {number}. {text}" for number, text in enumerate(pack.decisions, start=1)]


def ward_lines(name: str, width: int = 13) -> list[str]:
    """A ward's whole name for a hexagon: one line, or two broken at the space nearest the middle (never cut)."""
    if len(name) <= width or " " not in name:
        return [name]
    spaces = [i for i, c in enumerate(name) if c == " "]
    best = min(spaces, key=lambda i: max(i, len(name) - i - 1))
    return [name[:best], name[best + 1 :]]


def peers_title(pack: Pack) -> str:
    """The Peers section's title."""
    return f"{PEERS}: {pack.peers.title}" if pack.peers else f"{PEERS}: no comparison"


def peers_lines(pack: Pack) -> list[str]:
    """What the Peers section says under its chart and table."""
    return [pack.peers.note] if pack.peers else [pack.peers_note]
