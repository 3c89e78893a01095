"""The meeting's commands: `saferleeds meeting`, `report`, `actions` and `decisions` (thin over
lib/ingest/meeting_records.py for writes and lib/analysis/agenda.py for reads, as the Meeting page is)."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from lib.analysis import agenda
from lib.cli.common import CliError, actor, command, emit, group, parse_date, record_id
from lib.core import text
from lib.ingest import meeting_records
from lib.store import meeting_queries, queries


def _checked(call: Callable[[], Any]) -> Any:  # noqa: ANN401 - whatever the write returns
    """Run a write; its ValueError (bad input) becomes the one-line error (PermissionDeniedError is one already)."""
    try:
        return call()
    except ValueError as error:
        raise CliError(str(error)) from error


def _meeting(url: str, text: str) -> agenda.MeetingDates:
    """The dates of a recorded meeting given as YYYY-MM-DD on the command line."""
    return _checked(lambda: agenda.meeting_dates(queries.meetings(url), parse_date(text, "--meeting")))


def cmd_meeting_list(url: str, args: argparse.Namespace) -> None:
    """Every meeting with its data cut-off, oldest first."""
    queries.check_ready(url)
    table = queries.meetings(url)
    emit(
        [{"meeting": r["meeting_date"], "cut_off": r["data_cutoff"]} for r in table.to_dict(orient="records")],
        args.json,
    )


def cmd_meeting_show(url: str, args: argparse.Namespace) -> None:
    """A meeting's business: off-track KPIs with their reports, actions due and raised, decisions."""
    queries.check_ready(url)
    dates = _meeting(url, args.meeting)
    payload = agenda.show_payload(agenda.meeting_agenda(url, dates.meeting))
    if args.json:
        emit(payload, True)
        return
    print(f"Meeting {payload['meeting']} (data to {payload['cut_off']}; reports due {dates.deadline})")
    for item in payload["off_track"]:
        report = item["report"]
        print(f"- off track: {item['code']}: " + (f"report {report['status']}" if report else "no report yet"))
    for title in ("actions_due", "actions_raised"):
        for row in payload[title]:
            shown = text.visible(row["text"])
            print(f"- {title.replace('_', ' ')}: #{row['id']} {row['status']}, due {row['due']}: {shown}")
    for row in payload["decisions"]:
        print(f"- decision #{row['id']}: {text.visible(row['text'])}")


def cmd_meeting_add(url: str, args: argparse.Namespace) -> None:
    """Schedule a meeting with its data cut-off."""
    queries.check_ready(url)
    day, cutoff = parse_date(args.meeting, "the meeting date"), parse_date(args.cut_off, "--cut-off")
    _checked(lambda: meeting_records.add_meeting(url, actor(url, args), day, cutoff, args.note or ""))
    emit({"meeting": day, "cut_off": cutoff}, args.json)


def cmd_meeting_update(url: str, args: argparse.Namespace) -> None:
    """Correct a meeting's date, data cut-off or note."""
    queries.check_ready(url)
    day = parse_date(args.meeting, "the meeting date")
    new_date = parse_date(args.date, "--date") if args.date else None
    cutoff = parse_date(args.cut_off, "--cut-off") if args.cut_off else None
    _checked(lambda: meeting_records.update_meeting(url, actor(url, args), day, new_date, cutoff, args.note))
    table = queries.meetings(url)
    row = table[table["meeting_date"] == (new_date or day)].iloc[0]
    emit({"meeting": row["meeting_date"], "cut_off": row["data_cutoff"], "note": row["note"]}, args.json)


def cmd_meeting_remove(url: str, args: argparse.Namespace) -> None:
    """Remove a meeting recorded by mistake (only while nothing refers to it)."""
    queries.check_ready(url)
    day = parse_date(args.meeting, "the meeting date")
    _checked(lambda: meeting_records.remove_meeting(url, actor(url, args), day))
    emit({"removed": day}, args.json)


def cmd_report_set(url: str, args: argparse.Namespace) -> None:
    """Write a KPI's exception report or commentary for a meeting (a draft unless --submit)."""
    queries.check_ready(url)
    dates = _meeting(url, args.meeting)
    keep = meeting_records.KEEP
    by_when = keep if args.by is None else parse_date(args.by, "--by") if args.by.strip() else None
    outcome = _checked(
        lambda: meeting_records.set_report(
            url,
            actor(url, args),
            args.code,
            dates.meeting,
            keep if args.text is None else args.text,
            keep if args.doing is None else args.doing,
            by_when,
            keep if args.help_asked is None else args.help_asked,
            args.submit,
        )
    )
    payload = {
        "meeting": dates.meeting,
        "kpi": args.code,
        "kind": agenda.report_kind(url, dates, args.code),
        "change": outcome.change,
        "due": dates.deadline,
        **agenda.report_detail(outcome.report),
    }
    emit(payload, args.json)


def cmd_actions_add(url: str, args: argparse.Namespace) -> None:
    """Raise an action at a meeting."""
    queries.check_ready(url)
    dates = _meeting(url, args.meeting)
    due = parse_date(args.due, "--due")
    action_id = _checked(
        lambda: meeting_records.add_action(
            url,
            actor(url, args),
            dates.meeting,
            args.owner,
            due,
            args.text,
            args.priority,
            args.kpi,
            args.owner_name or "",
            args.organisation or "",
        )
    )
    emit(_action(url, action_id, date.today()), args.json)


def _action(url: str, action_id: int, as_at: date) -> dict[str, Any]:
    """One action as the actions commands print it."""
    rows = agenda.action_rows(meeting_queries.actions(url), as_at)
    return agenda.action_payload(next(r for r in rows if r["id"] == action_id))


def cmd_actions_update(url: str, args: argparse.Namespace) -> None:
    """Change an action's status and/or add a note."""
    queries.check_ready(url)
    _checked(lambda: meeting_records.update_action(url, actor(url, args), args.id, args.status, args.note or ""))
    emit(_action(url, args.id, date.today()), args.json)


def cmd_actions_list(url: str, args: argparse.Namespace) -> None:
    """Actions with their status judged at a meeting (or today); --open keeps those still open or overdue."""
    queries.check_ready(url)
    as_at = _meeting(url, args.meeting).meeting if args.meeting else date.today()
    rows = [r for r in agenda.action_rows(meeting_queries.actions(url), as_at) if r["meeting_raised"] <= as_at]
    if args.open:
        rows = [r for r in rows if r["status"] in (agenda.OPEN, agenda.OVERDUE)]
    emit([agenda.action_payload(r) for r in rows], args.json)


def cmd_decisions_add(url: str, args: argparse.Namespace) -> None:
    """Record a decision of a meeting."""
    queries.check_ready(url)
    dates = _meeting(url, args.meeting)
    decision_id = _checked(
        lambda: meeting_records.add_decision(
            url, actor(url, args), dates.meeting, args.text, args.priority, args.proposed_by or ""
        )
    )
    stored = meeting_queries.decisions(url, dates.meeting).set_index("id").loc[decision_id]
    emit({"id": decision_id, "meeting": dates.meeting, "text": stored["text"]}, args.json)  # as stored, not as typed


def cmd_pack(url: str, args: argparse.Namespace) -> None:
    """Write a meeting's board pack as PowerPoint or PDF."""
    from lib.pack import files as pack_files  # PowerPoint and PDF libraries: loaded only for this command (0.8 s)

    queries.check_ready(url)
    day = parse_date(args.meeting, "--meeting")
    started = time.monotonic()
    path, notes = _checked(lambda: pack_files.write(url, day, Path(args.out)))
    payload = {
        "meeting": day,
        "file": str(path),
        "bytes": path.stat().st_size,
        "seconds": round(time.monotonic() - started, 2),
        "notes": list(notes),
    }
    if args.json:
        emit(payload, True)
    else:
        print(f"Wrote {path} ({payload['bytes'] / 1024:,.0f} KB) in {payload['seconds']} s.")
        for note in notes:
            print(f"Note: {note}")


def register(commands: argparse._SubParsersAction) -> None:
    """Add the meeting, report, actions and decisions commands."""
    meeting_commands = group(commands, "meeting", "Executive meetings: the list, one meeting's business, scheduling")
    command(meeting_commands, "list", "every meeting with its data cut-off, oldest first", cmd_meeting_list)
    show = command(
        meeting_commands,
        "show",
        "off-track KPIs with their reports, actions due and raised, decisions",
        cmd_meeting_show,
    )
    show.add_argument("meeting", help="the meeting's date, YYYY-MM-DD")
    add = command(meeting_commands, "add", "schedule a meeting (executive or admin)", cmd_meeting_add, user=True)
    add.add_argument("meeting", help="the meeting's date, YYYY-MM-DD")
    add.add_argument("--cut-off", required=True, help="YYYY-MM-DD: the last day of data its report uses")
    add.add_argument("--note", help="a short note shown with the meeting")
    change = command(
        meeting_commands,
        "update",
        "correct a meeting's date (while nothing refers to it), data cut-off or note (executive or admin)",
        cmd_meeting_update,
        user=True,
    )
    change.add_argument("meeting", help="the meeting's date as recorded, YYYY-MM-DD")
    change.add_argument("--date", help="YYYY-MM-DD: its correct date")
    change.add_argument("--cut-off", help="YYYY-MM-DD: its correct data cut-off")
    change.add_argument("--note", help='its note ("" clears it)')
    remove = command(
        meeting_commands,
        "remove",
        "remove a meeting recorded by mistake: only while no report, action or decision refers to it (audited)",
        cmd_meeting_remove,
        user=True,
    )
    remove.add_argument("meeting", help="the meeting's date, YYYY-MM-DD")

    report_commands = group(commands, "report", "exception reports and commentary on KPIs")
    report_set = command(
        report_commands,
        "set",
        "write a KPI's report for a meeting: an exception report when it is off track, else commentary",
        cmd_report_set,
        user=True,
    )
    report_set.add_argument("code", help="KPI code, e.g. DS1_RESPONSE")
    report_set.add_argument("--meeting", required=True, help="the meeting's date, YYYY-MM-DD")
    report_set.add_argument("--text", help="what is happening (needed for a new report)")
    # A part left out keeps what is stored; "" clears it.
    report_set.add_argument("--doing", help='what is being done about it (left out: kept; "" clears it)')
    report_set.add_argument("--by", help='YYYY-MM-DD: by when (left out: kept; "" clears it)')
    report_set.add_argument("--help-asked", help='the help asked of the Executive (left out: kept; "" clears it)')
    report_set.add_argument(
        "--submit", action="store_true", help="submit it (else a draft; once submitted, every edit is a new revision)"
    )

    action_commands = group(commands, "actions", "the actions log")
    action_add = command(action_commands, "add", "raise an action at a meeting", cmd_actions_add, user=True)
    action_add.add_argument("--meeting", required=True, help="the meeting raising it, YYYY-MM-DD")
    action_add.add_argument("--owner", required=True, help="the owner's e-mail")
    action_add.add_argument("--owner-name", help="the owner's name (default: theirs, if a user)")
    action_add.add_argument("--organisation", help="the owner's organisation")
    action_add.add_argument("--due", required=True, help="YYYY-MM-DD")
    action_add.add_argument("--text", required=True, help="what is to be done")
    action_add.add_argument("--priority", type=int, help="the shared priority (1-9) it relates to")
    action_add.add_argument("--kpi", help="the KPI code it relates to")
    action_update = command(
        action_commands, "update", "change an action's status and/or add a note", cmd_actions_update, user=True
    )
    action_update.add_argument("id", type=record_id, help="the action's number (`saferleeds actions list`)")
    action_update.add_argument("--status", help="open, done or dropped (overdue is computed from the due date)")
    action_update.add_argument("--note", help="what has happened")
    action_list = command(
        action_commands, "list", "actions, status judged at --meeting or today", cmd_actions_list, user=False
    )
    action_list.add_argument("--open", action="store_true", help="only those open or overdue")
    action_list.add_argument("--meeting", help="YYYY-MM-DD: judge status at this meeting (and leave out later ones)")

    pack = command(
        commands, "pack", "a meeting's board pack: PowerPoint with native charts (.pptx) or PDF (.pdf)", cmd_pack
    )
    pack.add_argument("--meeting", required=True, help="the meeting's date, YYYY-MM-DD")
    pack.add_argument("--out", required=True, help="FILE.pptx or FILE.pdf (written whole, then moved into place)")

    decision_commands = group(commands, "decisions", "the meetings' decisions")
    decision_add = command(
        decision_commands, "add", "record a decision (executive or admin)", cmd_decisions_add, user=True
    )
    decision_add.add_argument("--meeting", required=True, help="YYYY-MM-DD")
    decision_add.add_argument("--text", required=True, help="what was decided")
    decision_add.add_argument("--priority", type=int, help="the shared priority (1-9) it concerns")
    decision_add.add_argument("--proposed-by", help="who proposed it")
