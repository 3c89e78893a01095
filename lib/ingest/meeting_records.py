"""The meeting's records written: meetings, exception reports, actions with their updates, and decisions.

Each change is checked first (the meeting, KPI and priority exist; text is present and within its limit; the acting
person's role allows it), then written in one transaction with who and when and the data version (so every viewer
sees it on their next rerun). Text is stored as typed, never as markup: pages show it literally.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, delete, insert, update
from sqlmodel import col

from lib.core import emails, periods, roles, text
from lib.ingest import versions
from lib.store import db, queries, reads
from lib.store.models import ActionUpdate, Decision, KpiReport, Meeting, MeetingAction, MeetingChange

REPORT_LIMIT = 4000  # characters in each part of a report (about a page)
ACTION_LIMIT = 1000
NOTE_LIMIT = 1000
DECISION_LIMIT = 2000
NAME_LIMIT = 200
DRAFT, SUBMITTED = "draft", "submitted"
OPEN, DONE, DROPPED = "open", "done", "dropped"
ACTION_STATUSES = (OPEN, DONE, DROPPED)


class _Keep:
    """The type of KEEP."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = _Keep()  # a report part left out: the stored part is kept (a new report starts it empty)


def _now() -> datetime:
    """The time a change is recorded (UTC)."""
    return datetime.now(UTC)


def _meeting(url: str, meeting_date: date) -> None:
    """ValueError unless a meeting on that date is recorded."""
    if meeting_date not in set(queries.meetings(url)["meeting_date"]):
        raise ValueError(f"no meeting on {meeting_date.isoformat()} is recorded; see `saferleeds meeting list`")


def _kpi_priority(url: str, kpi_code: str) -> int | None:
    """The priority a KPI belongs to; ValueError for an unknown KPI."""
    catalogue = queries.kpi_catalogue(url).set_index("code")
    if kpi_code not in catalogue.index:
        raise ValueError(f"unknown KPI code {kpi_code!r}; see `saferleeds kpi list`")
    priority = catalogue.loc[kpi_code, "priority_id"]
    return None if pd.isna(priority) else int(priority)


def _priority(url: str, priority: int | None) -> int | None:
    """The priority number, checked; ValueError for an unknown one."""
    if priority is not None and priority not in set(queries.priorities(url)["id"]):
        raise ValueError(f"unknown priority {priority}: the shared priorities are numbered 1 to 9")
    return priority


def _check_meeting_dates(url: str, meeting_date: date, cutoff: date) -> None:
    """ValueError unless the cut-off is before the meeting and both lie in the plausible window."""
    earliest, latest = periods.meeting_window(queries.first_data_month(url), date.today())
    for name, day in (("the meeting date", meeting_date), ("the data cut-off", cutoff)):
        if not earliest <= day <= latest:
            raise ValueError(
                f"{name} {day.isoformat()} is outside {earliest:%d %b %Y} (the first month of data) to "
                f"{latest:%d %b %Y} ({periods.MEETING_YEARS_AHEAD} years ahead)"
            )
    if cutoff >= meeting_date:
        raise ValueError("the data cut-off must be before the meeting")


def _may_schedule(actor: roles.Actor, doing: str) -> None:
    """PermissionDeniedError unless the person schedules meetings (an executive or admin)."""
    if not roles.may_record_decisions(actor):
        raise roles.PermissionDeniedError(roles.meeting_refusal(actor, doing))


def _stored_meeting(url: str, meeting_date: date) -> dict[str, Any]:
    """The recorded meeting on that date; ValueError if there is none."""
    _meeting(url, meeting_date)
    table = queries.meetings(url)
    return table[table["meeting_date"] == meeting_date].iloc[0].to_dict()


def _audit(
    connection: Connection, actor: roles.Actor, change: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    """Keep a meeting's change in its audit trail (Data & sources lists it)."""
    connection.execute(
        insert(MeetingChange).values(
            at=_now(),
            who=actor.label,
            change=change,
            meeting_date=before.get("meeting_date") or after["meeting_date"],
            data_cutoff=before.get("data_cutoff"),
            new_meeting_date=after.get("meeting_date"),
            new_data_cutoff=after.get("data_cutoff"),
            note=after.get("note", before.get("note", "")),
        )
    )


def add_meeting(url: str, actor: roles.Actor, meeting_date: date, cutoff: date, note: str = "") -> None:
    """Schedule a meeting with its data cut-off (an executive or admin)."""
    _may_schedule(actor, "schedule meetings")
    _check_meeting_dates(url, meeting_date, cutoff)
    if meeting_date in set(queries.meetings(url)["meeting_date"]):
        raise ValueError(f"a meeting on {meeting_date.isoformat()} is recorded already")
    note = text.checked(note, "The note", NAME_LIMIT, required=False)
    row = {"meeting_date": meeting_date, "data_cutoff": cutoff, "note": note}
    with db.writing(url) as connection:
        connection.execute(insert(Meeting).values(**row, illustrative=False))
        _audit(connection, actor, "added", {}, row)
        versions.bump(connection)


def update_meeting(
    url: str,
    actor: roles.Actor,
    meeting_date: date,
    new_date: date | None = None,
    cutoff: date | None = None,
    note: str | None = None,
) -> None:
    """Correct a meeting's date, data cut-off or note (an executive or admin). Its date moves only while nothing refers
    to it (a report, an action raised at it, a decision): those belong to the meeting as it was held."""
    _may_schedule(actor, "change meetings")
    stored = _stored_meeting(url, meeting_date)
    day: date = new_date or meeting_date
    new_cutoff: date = cutoff or stored["data_cutoff"]
    after = {
        "meeting_date": day,
        "data_cutoff": new_cutoff,
        "note": stored["note"] if note is None else text.checked(note, "The note", NAME_LIMIT, required=False),
    }
    if all(after[k] == stored[k] for k in after):
        raise ValueError(f"the meeting on {meeting_date.isoformat()} is like that already: nothing to change")
    _check_meeting_dates(url, day, new_cutoff)
    moving = day != meeting_date
    if moving and day in set(queries.meetings(url)["meeting_date"]):
        raise ValueError(f"a meeting on {day.isoformat()} is recorded already")
    with db.writing(url) as connection:
        if moving and (held := reads.meeting_references(connection, meeting_date)):
            raise ValueError(
                f"the meeting on {meeting_date.isoformat()} has {', '.join(held)}: its date cannot move "
                "(correct its cut-off or note, or record a new meeting)"
            )
        connection.execute(update(Meeting).where(col(Meeting.meeting_date) == meeting_date).values(**after))
        _audit(connection, actor, "updated", stored, after)
        versions.bump(connection)


def remove_meeting(url: str, actor: roles.Actor, meeting_date: date) -> None:
    """Remove a meeting recorded by mistake (an executive or admin), only while nothing refers to it; kept in the
    meetings' audit trail."""
    _may_schedule(actor, "remove meetings")
    stored = _stored_meeting(url, meeting_date)
    with db.writing(url) as connection:
        if held := reads.meeting_references(connection, meeting_date):
            raise ValueError(f"the meeting on {meeting_date.isoformat()} has {', '.join(held)}: it cannot be removed")
        connection.execute(delete(Meeting).where(col(Meeting.meeting_date) == meeting_date))
        _audit(connection, actor, "removed", stored, {})
        versions.bump(connection)


@dataclass(frozen=True)
class ReportOutcome:
    """What set_report did ("created", "updated" a draft, "revised" a submitted report, or "unchanged") and the
    report's current revision as stored."""

    change: str
    report: dict[str, Any]


def set_report(
    url: str,
    actor: roles.Actor,
    kpi_code: str,
    meeting_date: date,
    happening: str | _Keep = KEEP,
    doing: str | _Keep = KEEP,
    by_when: date | None | _Keep = KEEP,
    help_asked: str | _Keep = KEEP,
    submit: bool = False,
) -> ReportOutcome:
    """Write a KPI's exception report or commentary for a meeting. A draft is replaced in place until submitted;
    after that every edit is a new revision (the earlier ones kept) and stays submitted. The same text again changes
    nothing. A part given as KEEP keeps what is stored ("" or None clears it), so changing one part never erases
    the others."""
    _meeting(url, meeting_date)
    priority = _kpi_priority(url, kpi_code)
    if not roles.may_write_report(actor, kpi_code, priority):
        raise roles.PermissionDeniedError(
            f"{roles.is_a(actor)}: only the lead for {kpi_code} (or an admin) writes its report"
            if actor.role == roles.LEAD
            else roles.meeting_refusal(actor, "write reports")
        )
    if isinstance(by_when, date):
        earliest, latest = periods.meeting_window(queries.first_data_month(url), date.today())
        if not earliest <= by_when <= latest:
            raise ValueError(
                f"by when {by_when.isoformat()} is outside {earliest:%d %b %Y} (the first month of data) to "
                f"{latest:%d %b %Y}: give the date the improvement is expected"
            )
    given = {"happening": happening, "doing": doing, "by_when": by_when, "help_asked": help_asked}
    now = _now()
    with db.writing(url) as connection:
        current = reads.current_report(connection, meeting_date, kpi_code)
        fields = _report_fields(given, current)
        status = SUBMITTED if submit or (current and current["status"] == SUBMITTED) else DRAFT
        if current is not None and status == current["status"] and all(current[k] == v for k, v in fields.items()):
            return ReportOutcome("unchanged", current)
        stamp = {"author": actor.label, "written_at": now, "status": status}
        if status == SUBMITTED:
            stamp["submitted_at"] = now
        if current is None:
            connection.execute(
                insert(KpiReport).values(meeting_date=meeting_date, kpi_code=kpi_code, revision=1, **fields, **stamp)
            )
            change = "created"
        elif current["status"] == DRAFT:
            connection.execute(update(KpiReport).where(col(KpiReport.id) == current["id"]).values(**fields, **stamp))
            change = "updated"
        else:
            connection.execute(update(KpiReport).where(col(KpiReport.id) == current["id"]).values(is_current=False))
            connection.execute(
                insert(KpiReport).values(
                    meeting_date=meeting_date, kpi_code=kpi_code, revision=current["revision"] + 1, **fields, **stamp
                )
            )
            change = "revised"
        stored = reads.current_report(connection, meeting_date, kpi_code)
        versions.bump(connection)
    return ReportOutcome(change, stored or {})


def _report_fields(given: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
    """A report's parts as they will be stored: each given part checked, each KEEP part as stored (or empty)."""
    kept = {k: (current or {}).get(k, None if k == "by_when" else "") if v is KEEP else v for k, v in given.items()}
    return {
        "happening": text.checked(kept["happening"] or "", "What is happening", REPORT_LIMIT),
        "doing": text.checked(kept["doing"] or "", "What is being done", REPORT_LIMIT, required=False),
        "by_when": kept["by_when"],
        "help_asked": text.checked(
            kept["help_asked"] or "", "The help asked of the Executive", REPORT_LIMIT, required=False
        ),
    }


def add_action(
    url: str,
    actor: roles.Actor,
    meeting_date: date,
    owner_email: str,
    due: date,
    action_text: str,
    priority: int | None = None,
    kpi_code: str | None = None,
    owner_name: str = "",
    organisation: str = "",
) -> int:
    """Raise an action at a meeting; returns its id. A KPI given without a priority takes the KPI's."""
    _meeting(url, meeting_date)
    owner_email = emails.checked(owner_email, "the owner's e-mail")
    if not roles.may_raise_action(actor, owner_email):
        raise roles.PermissionDeniedError(
            f"{actor.email} is a lead: leads raise actions only for themselves; an executive or admin raises them for "
            "anyone"
            if actor.role == roles.LEAD
            else roles.meeting_refusal(actor, "raise actions")
        )
    if due < meeting_date:
        raise ValueError(f"the due date {due.isoformat()} is before the meeting that raises the action")
    body = text.checked(action_text, "The action", ACTION_LIMIT)
    kpi_priority = _kpi_priority(url, kpi_code) if kpi_code is not None else None
    if kpi_code is not None and priority is not None and kpi_priority is not None and priority != kpi_priority:
        raise ValueError(f"{kpi_code} belongs to priority {kpi_priority}, not {priority}: give its priority or neither")
    priority = _priority(url, priority if priority is not None else kpi_priority)
    if not roles.action_in_scope(actor, priority, kpi_code, kpi_priority):
        raise roles.PermissionDeniedError(
            f"{actor.email} is a lead: leads raise actions only on their own priorities and KPIs "
            f"({roles.scope_words(actor)}); an executive or admin raises them on any"
        )
    owner = queries.user_record(url, owner_email)
    name = text.checked(owner_name, "The owner's name", NAME_LIMIT, required=False) or (owner or {}).get("name", "")
    now = _now()
    with db.writing(url) as connection:
        action_id = connection.execute(
            insert(MeetingAction)
            .values(
                text=body,
                owner_email=owner["email"] if owner else owner_email,
                owner_name=name,
                organisation=text.checked(organisation, "The organisation", NAME_LIMIT, required=False),
                priority_id=priority,
                kpi_code=kpi_code,
                meeting_raised=meeting_date,
                due=due,
                status=OPEN,
                created_by=actor.label,
                created_at=now,
                updated_at=now,
            )
            .returning(col(MeetingAction.id))
        ).scalar_one()
        connection.execute(
            insert(ActionUpdate).values(action_id=action_id, at=now, who=actor.label, status=OPEN, note="")
        )
        versions.bump(connection)
    return int(action_id or 0)


def update_action(url: str, actor: roles.Actor, action_id: int, status: str | None = None, note: str = "") -> None:
    """Change an action's status (open, done or dropped: overdue is computed from the due date) and/or add a note."""
    if status is not None and status not in ACTION_STATUSES:
        raise ValueError(
            f"status {status!r} is not one of {', '.join(ACTION_STATUSES)} (overdue is worked out from the due date)"
        )
    note = text.checked(note, "The note", NOTE_LIMIT, required=False)
    now = _now()
    with db.writing(url) as connection:
        action = reads.action_row(connection, action_id)
        if action is None:
            raise ValueError(f"no action {action_id}; see `saferleeds actions list`")
        if not roles.may_update_action(actor, action["owner_email"]):
            raise roles.PermissionDeniedError(
                f"{actor.email} may update only their own actions; action {action_id} is {action['owner_email']}'s"
                if actor.role == roles.LEAD
                else roles.meeting_refusal(actor, "update actions")
            )
        new_status = status or action["status"]
        if new_status == action["status"] and not note:
            raise ValueError(f"action {action_id} is {new_status} already: give a different status or a note")
        changes: dict[str, Any] = {"status": new_status, "updated_at": now}
        if new_status != action["status"]:
            changes["closed_at"] = now if new_status in (DONE, DROPPED) else None
        connection.execute(update(MeetingAction).where(col(MeetingAction.id) == action_id).values(**changes))
        connection.execute(
            insert(ActionUpdate).values(action_id=action_id, at=now, who=actor.label, status=new_status, note=note)
        )
        versions.bump(connection)


def add_decision(
    url: str,
    actor: roles.Actor,
    meeting_date: date,
    decision_text: str,
    priority: int | None = None,
    proposed_by: str = "",
) -> int:
    """Record a decision of a meeting (an executive or admin); returns its id."""
    _meeting(url, meeting_date)
    if not roles.may_record_decisions(actor):
        raise roles.PermissionDeniedError(roles.meeting_refusal(actor, "record decisions"))
    body = text.checked(decision_text, "The decision", DECISION_LIMIT)
    proposer = text.checked(proposed_by, "Who proposed it", NAME_LIMIT, required=False)
    priority = _priority(url, priority)
    with db.writing(url) as connection:
        decision_id = connection.execute(
            insert(Decision)
            .values(
                meeting_date=meeting_date,
                text=body,
                priority_id=priority,
                proposed_by=proposer,
                recorded_by=actor.label,
                recorded_at=_now(),
            )
            .returning(col(Decision.id))
        ).scalar_one()
        versions.bump(connection)
    return int(decision_id or 0)
