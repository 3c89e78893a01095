"""A meeting's business, worked out from the stored records: which KPIs are off track and need an exception report
(and by when), which actions are due, overdue, carried over or newly raised, and the decisions, in agenda order.

One function (meeting_agenda) feeds the Meeting page, the Overview, the Exception reports page and `saferleeds
meeting show`, so they agree. Overdue is computed here, never stored: an open action is overdue once its due date
has passed the date it is judged at (the meeting asked about, or today).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from lib.analysis import summary
from lib.analysis.summary import KpiSummary
from lib.core import config, workdays
from lib.store import meeting_queries, queries

OPEN, DONE, DROPPED, OVERDUE = "open", "done", "dropped", "overdue"
SUBMITTED = "submitted"


@dataclass(frozen=True)
class MeetingDates:
    """A meeting, its data cut-off, the meeting before it (if any) and its report deadline."""

    meeting: date
    cutoff: date
    previous: date | None
    previous_cutoff: date | None
    deadline: date


def meeting_dates(meetings: pd.DataFrame, meeting_date: date, deadline_days: int | None = None) -> MeetingDates:
    """The dates that frame a meeting (meetings: queries.meetings); ValueError naming the meetings on record if it is
    not one of them."""
    table = meetings.reset_index(drop=True)
    matches = table.index[table["meeting_date"] == meeting_date]
    if len(matches) == 0:
        latest = f"; the latest is {table['meeting_date'].iloc[-1].isoformat()}" if not table.empty else ""
        raise ValueError(f"no meeting on {meeting_date.isoformat()} is recorded{latest} (`saferleeds meeting list`)")
    at = int(matches[0])
    days = config.report_deadline_days() if deadline_days is None else deadline_days
    before = table.iloc[at - 1] if at > 0 else None
    return MeetingDates(
        meeting_date,
        table.loc[at, "data_cutoff"],
        None if before is None else before["meeting_date"],
        None if before is None else before["data_cutoff"],
        workdays.working_days_before(meeting_date, days),
    )


def action_status(stored: str, due: date, as_at: date) -> str:
    """An action's status as judged at a date: open becomes overdue once the due date has passed."""
    return OVERDUE if stored == OPEN and due < as_at else stored


def action_rows(actions: pd.DataFrame, as_at: date) -> list[dict[str, Any]]:
    """Actions (meeting_queries.actions) as plain rows with their status judged at as_at."""
    rows = []
    for row in actions.to_dict(orient="records"):
        priority = row["priority_id"]
        rows.append(
            {
                "id": int(row["id"]),
                "text": row["text"],
                "owner": row["owner_email"],
                "owner_name": row["owner_name"],
                "organisation": row["organisation"],
                "due": row["due"],
                "status": action_status(row["status"], row["due"], as_at),
                "meeting_raised": row["meeting_raised"],
                "priority": None if priority is None or pd.isna(priority) else int(priority),
                "kpi": row["kpi_code"] if isinstance(row["kpi_code"], str) else None,
                "latest_note": row["latest_note"],
                "updated_at": row["updated_at"],
                "closed_at": None if pd.isna(row["closed_at"]) else row["closed_at"],
            }
        )
    return rows


def _closed_after(row: dict[str, Any], day: date | None) -> bool:
    """Whether an action was closed after a date (any closed one, when there is no date)."""
    closed = row["closed_at"]
    return closed is not None and (day is None or pd.Timestamp(closed).date() > day)


@dataclass
class Agenda:
    """Everything a meeting deals with, in agenda order: exceptions first, then each priority's business."""

    dates: MeetingDates
    off_track: list[KpiSummary]
    reports: dict[str, dict[str, Any]]  # KPI code -> its current report (draft or submitted) for this meeting
    previous_reports: dict[str, dict[str, Any]]  # KPI code -> the previous meeting's submitted report
    actions_due: list[dict[str, Any]]
    carried_over: list[dict[str, Any]]  # open actions raised earlier and due after this meeting
    actions_raised: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    missing: dict[int | None, int] = field(default_factory=dict)  # priority -> off-track KPIs with no submitted report

    def report_status(self, code: str) -> str:
        """'submitted', 'draft' or 'missing' for a KPI's report at this meeting."""
        report = self.reports.get(code)
        return "missing" if report is None else str(report["status"])


def _reports_by_code(reports: pd.DataFrame, submitted_only: bool = False) -> dict[str, dict[str, Any]]:
    """Current reports keyed by KPI code."""
    chosen = reports[reports["status"] == SUBMITTED] if submitted_only else reports
    return {row["kpi_code"]: row for row in chosen.to_dict(orient="records")}


def build(
    dates: MeetingDates,
    summaries: list[KpiSummary],
    reports: pd.DataFrame,
    previous_reports: pd.DataFrame,
    actions: pd.DataFrame,
    decisions: pd.DataFrame,
) -> Agenda:
    """The agenda from the records (reports: this meeting's current reports; previous_reports: the previous
    meeting's; actions: every action; decisions: this meeting's)."""
    off_track = [s for s in summaries if summary.is_exception(s)]
    by_code = _reports_by_code(reports)
    rows = [r for r in action_rows(actions, dates.meeting) if r["meeting_raised"] <= dates.meeting]
    due = [
        r
        for r in rows
        if r["due"] <= dates.meeting
        and (r["status"] in (OPEN, OVERDUE) or (r["status"] == DONE and _closed_after(r, dates.previous)))
    ]
    later = [
        r for r in rows if r["due"] > dates.meeting and r["status"] == OPEN and r["meeting_raised"] < dates.meeting
    ]
    missing: dict[int | None, int] = {}
    for item in off_track:
        if by_code.get(item["code"], {}).get("status") != SUBMITTED:
            missing[item["priority"]] = missing.get(item["priority"], 0) + 1
    return Agenda(
        dates=dates,
        off_track=sorted(off_track, key=lambda s: (s["priority"] is None, s["priority"] or 0, s["code"])),
        reports=by_code,
        previous_reports=_reports_by_code(previous_reports, submitted_only=True),
        actions_due=sorted(due, key=lambda r: (r["due"], r["id"])),
        carried_over=sorted(later, key=lambda r: (r["due"], r["id"])),
        actions_raised=[r for r in rows if r["meeting_raised"] == dates.meeting],
        decisions=decisions.to_dict(orient="records"),
        missing=missing,
    )


def report_kind(url: str, dates: MeetingDates, kpi_code: str) -> str:
    """'exception' when a KPI is off track at a meeting's cut-off (it needs an exception report), else 'commentary';
    judged on that KPI alone (the whole agenda runs SPC for every KPI)."""
    catalogue, values = queries.kpi_catalogue_as_at(url, dates.cutoff), queries.headline_values(url)
    items = summary.summaries(
        catalogue[catalogue["code"] == kpi_code],
        values[values["kpi_code"] == kpi_code],
        dates.cutoff,
        dates.previous_cutoff,
    )
    return "exception" if any(summary.is_exception(item) for item in items) else "commentary"


def meeting_agenda(url: str, meeting_date: date, summaries: dict[str, KpiSummary] | None = None) -> Agenda:
    """The agenda of a recorded meeting, read from the database (summaries: the KPI summaries at its cut-off, when
    the caller has them cached); ValueError for a meeting not on record."""
    dates = meeting_dates(queries.meetings(url), meeting_date)
    if summaries is None:
        items = summary.summaries(
            queries.kpi_catalogue_as_at(url, dates.cutoff),
            queries.headline_values(url),
            dates.cutoff,
            dates.previous_cutoff,
        )
    else:
        items = list(summaries.values())
    reports = meeting_queries.reports(url, meeting_date)
    previous = meeting_queries.reports(url, dates.previous) if dates.previous else reports.iloc[0:0]
    return build(
        dates,
        items,
        reports,
        previous,
        meeting_queries.actions(url),
        meeting_queries.decisions(url, meeting_date),
    )


ACTION_FIELDS = ("id", "text", "owner", "due", "status", "meeting_raised", "priority", "kpi")


def action_payload(row: dict[str, Any]) -> dict[str, Any]:
    """An action as the command line's contract gives it: id, text, owner, due, status (judged at the date asked
    for), meeting_raised, priority, kpi."""
    return {key: row[key] for key in ACTION_FIELDS}


def report_payload(report: dict[str, Any] | None) -> dict[str, Any] | None:
    """A report as `saferleeds meeting show` gives it: text, status and author (None when there is none)."""
    if report is None:
        return None
    return {"text": report["happening"], "status": report["status"], "author": report["author"]}


def report_detail(report: dict[str, Any]) -> dict[str, Any]:
    """Every part of a report, as `saferleeds report set` prints what it stored."""
    return (report_payload(report) or {}) | {
        "doing": report["doing"],
        "by_when": report["by_when"],
        "help_asked": report["help_asked"],
        "revision": int(report["revision"]),
        "written_at": report["written_at"],
        "submitted_at": None if pd.isna(report["submitted_at"]) else report["submitted_at"],
    }


def show_payload(agenda: Agenda) -> dict[str, Any]:
    """The agenda as `saferleeds meeting show --json` prints it (the contract's keys, nothing else)."""
    return {
        "meeting": agenda.dates.meeting,
        "cut_off": agenda.dates.cutoff,
        "off_track": [
            {"code": item["code"], "report": report_payload(agenda.reports.get(item["code"]))}
            for item in agenda.off_track
        ],
        "actions_due": [action_payload(r) for r in agenda.actions_due],
        "actions_raised": [action_payload(r) for r in agenda.actions_raised],
        "decisions": [
            {
                "id": int(d["id"]),
                "text": d["text"],
                "priority": None if pd.isna(d["priority_id"]) else int(d["priority_id"]),
                "proposed_by": d["proposed_by"],
                "recorded_by": d["recorded_by"],
                "recorded_at": d["recorded_at"],
            }
            for d in agenda.decisions
        ],
    }
