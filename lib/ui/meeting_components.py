"""The meeting's parts on screen: exception reports (shown and written), the actions log, decisions, and the forms
that change them. Who may use a form follows lib/core/roles.py, and the write functions check again.

Everything a person typed is shown literally (lib/core/text.py): markup, links and HTML appear as the characters
typed. After a change the page reruns, so what it shows comes from the database, and a short note says what was done.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from lib.analysis import agenda
from lib.analysis.summary import KpiRow, KpiSummary
from lib.core import roles
from lib.core.formatting import counted
from lib.core.text import literal, literal_block
from lib.ingest import meeting_records
from lib.store import meeting_queries, queries
from lib.ui import access, components, forms, frame_size, tables, url_state

NO_CHANGE = "no change"  # the update form's first status: a note alone never changes the status
STATUS_WORDS = {NO_CHANGE: "No change", "open": "Open", "overdue": "Overdue", "done": "Done", "dropped": "Dropped"}
STATUS_ICONS = {
    "open": ":material/radio_button_unchecked:",
    "overdue": ":material/schedule:",
    "done": ":material/check_circle:",
    "dropped": ":material/block:",
}
REPORT_WORDS = {"submitted": "Report submitted", "draft": "Draft only, not yet submitted", "missing": "No report yet"}


def chosen_agenda(url: str, cutoff: date, previous_cutoff: date | None) -> agenda.Agenda | None:
    """The agenda of the meeting chosen in the sidebar (None when no meeting is recorded)."""
    table = queries.meetings(url)
    if table.empty:
        return None
    chosen = url_state.kept("meeting")
    meeting = date.fromisoformat(chosen) if chosen else table["meeting_date"].iloc[-1]
    summaries = components.meeting_summaries(url, cutoff, previous_cutoff)
    return agenda.meeting_agenda(url, meeting, summaries)


# Exception reports -------------------------------------------------------------------------------------------------


def report_status(plan: agenda.Agenda, code: str) -> str:
    """'Report submitted by …', 'Draft only …' or 'No report yet — due …' for a KPI at the meeting (words first)."""
    state = plan.report_status(code)
    due = f"{plan.dates.deadline:%a %d %b %Y}"
    if state == "missing":
        return f":material/pending: No report yet \u2014 due {due}"
    report = plan.reports[code]
    when = pd.Timestamp(report["written_at"])
    if state == "draft":
        return f":material/edit_note: Draft only, not yet submitted (due {due}); last saved {when:%d %b %Y %H:%M}"
    revision = f", revision {int(report['revision'])}" if int(report["revision"]) > 1 else ""
    return f":material/task: Report submitted by {literal(report['author'])}, {when:%d %b %Y %H:%M}{revision}"


def report_body(report: dict[str, Any]) -> None:
    """A report's parts, each under its own heading, the text exactly as typed."""
    st.markdown(f"**What is happening**  \n{literal_block(report['happening'])}")
    if report.get("doing"):
        st.markdown(f"**What is being done**  \n{literal_block(report['doing'])}")
    if report.get("by_when") is not None and not pd.isna(report["by_when"]):
        st.markdown(f"**By when:** {report['by_when']:%d %B %Y}")
    if report.get("help_asked"):
        st.markdown(f"**Help asked of the Executive**  \n{literal_block(report['help_asked'])}")


def report_summary(plan: agenda.Agenda, code: str, show_drafts: bool = False) -> None:
    """Under an off-track KPI: its report status, and the submitted report (a draft only for its writers)."""
    st.markdown(report_status(plan, code))
    report = plan.reports.get(code)
    if report is not None and (report["status"] == agenda.SUBMITTED or show_drafts):
        with st.expander("Exception report" if report["status"] == agenda.SUBMITTED else "The draft"):
            report_body(report)


def missing_reports_line(plan: agenda.Agenda, names: dict[int, str]) -> str:
    """'Exception reports missing: 1. ASB and public order 1 of 2 · …' (or that none are)."""
    totals: dict[int | None, int] = {}
    for item in plan.off_track:
        totals[item["priority"]] = totals.get(item["priority"], 0) + 1
    if not plan.missing:
        return f"Every off-track KPI has a submitted exception report (due {plan.dates.deadline:%d %b %Y})."
    parts = [
        f"{names.get(p, 'Other indicators') if p is not None else 'Other indicators'}: {count} of {totals[p]}"
        for p, count in sorted(plan.missing.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    ]
    return (
        f"Exception reports missing (due {plan.dates.deadline:%d %b %Y}), by priority: " + " \u00b7 ".join(parts) + "."
    )


def report_form(url: str, plan: agenda.Agenda, kpi: KpiRow) -> None:
    """Write or edit a KPI's report for the meeting: save a draft, or submit (edits after submitting are kept as
    revisions)."""
    code = kpi["code"]
    report = plan.reports.get(code) or {}
    submitted = report.get("status") == agenda.SUBMITTED
    limit = meeting_records.REPORT_LIMIT
    with st.form(f"report_{code}"):
        happening = st.text_area("What is happening", report.get("happening", ""), max_chars=limit)
        doing = st.text_area("What is being done", report.get("doing", ""), max_chars=limit)
        by_when = st.date_input("By when", report.get("by_when"), format="DD/MM/YYYY")
        help_asked = st.text_area("Help asked of the Executive", report.get("help_asked", ""), max_chars=limit)
        st.caption(
            "Shown as typed: formatting marks and links appear as plain text. "
            + ("Saving keeps the earlier version as a revision." if submitted else "A draft is seen only here.")
        )
        with st.container(horizontal=True):
            draft = False if submitted else st.form_submit_button("Save draft", icon=":material/save:")
            submit = st.form_submit_button(
                "Save changes" if submitted else "Submit", type="primary", icon=":material/send:"
            )
    if draft or submit:
        forms.write(
            lambda: meeting_records.set_report(
                url,
                access.current(),
                code,
                plan.dates.meeting,
                happening,
                doing,
                by_when if isinstance(by_when, date) else None,
                help_asked,
                submit=bool(submit),
            ),
            f"{'Submitted' if submit else 'Saved the draft of'} the report on {kpi['name']}.",
        )


def report_history(url: str, meeting: date, code: str) -> None:
    """Earlier revisions of a KPI's report for the meeting, if any."""
    history = meeting_queries.reports(url, meeting, current_only=False)
    earlier = history[(history["kpi_code"] == code) & ~history["is_current"]]
    if earlier.empty:
        return
    with st.expander(f"Earlier revisions ({len(earlier)})"):
        for row in earlier.sort_values("revision", ascending=False).to_dict(orient="records"):
            st.caption(f"Revision {row['revision']}, by {literal(row['author'])}, {row['written_at']:%d %b %Y %H:%M}")
            report_body(row)


def exceptions_section(plan: agenda.Agenda, kpis: dict[str, KpiRow], names: dict[int, str]) -> None:
    """The agenda's first item: each off-track KPI with its figures in words and its report (or when it is due)."""
    if not plan.off_track:
        st.success("No KPI is off track at this cut-off.", icon=":material/check:")
        return
    st.markdown(missing_reports_line(plan, names))
    for item in plan.off_track:
        with st.container(border=True):
            st.markdown(components.kpi_line(kpis[item["code"]], item).removeprefix("- "))
            st.caption(item["narrative"])
            report_summary(plan, item["code"])


def priority_section(
    plan: agenda.Agenda,
    number: int,
    name: str,
    own: list[KpiSummary],
    kpis: dict[str, KpiRow],
    names: dict[int, str],
) -> None:
    """One priority's business at the meeting: its KPIs, the reports and commentary submitted, new actions and
    decisions."""
    off_track = {item["code"] for item in plan.off_track}
    reports = [plan.reports[i["code"]] for i in own if plan.report_status(i["code"]) == agenda.SUBMITTED]
    decided = [d for d in plan.decisions if d["priority_id"] == number]
    raised = [a for a in plan.actions_raised if a["priority"] == number]
    counts = ", ".join(
        (
            counted(len(own), "KPI"),
            counted(len(reports), "report"),
            counted(len(raised), "new action"),
            counted(len(decided), "decision"),
        )
    )
    with st.expander(f"{name}: {counts}"):
        st.markdown(components.rag_counts_line(own))
        for item in own:
            st.markdown(components.kpi_line(kpis[item["code"]], item))
        for report in reports:
            kind = "exception report" if report["kpi_code"] in off_track else "commentary"
            st.markdown(f"**{kpis[report['kpi_code']]['name']}: {kind}**")
            report_body(report)
        if raised:
            tables.show(actions_table(raised), first=ACTION_COLUMNS[:2])
        decisions_list(decided, names)


def report_panel(url: str, plan: agenda.Agenda, kpi: KpiRow, item: KpiSummary, writable: bool) -> None:
    """One KPI for its lead: the tile, the SPC chart, the previous meeting's report, this meeting's report status and
    (for its writers) the form."""
    code = kpi["code"]
    with st.container(border=True):
        st.subheader(kpi["name"])
        tile, chart = frame_size.side_by_side(frame_size.column_width(), [1, 2], min_width=900)
        with tile:
            components.kpi_tile(kpi, item)
        with chart:
            panel = components.spc_panel(url, code, plan.dates.cutoff, item["target"])
            if panel is None:
                st.caption("One-off documented figure: no monthly series to chart.")
            else:
                figure, table = panel
                components.chart_block(
                    figure,
                    f"{kpi['name']}, monthly, with its mean and process limits (XmR).",
                    table,
                    f"{code.lower()}-spc.csv",
                    f"report_{code}",
                )
        previous = plan.previous_reports.get(code)
        if plan.dates.previous is not None:
            with st.expander(f"The previous meeting's report ({plan.dates.previous:%d %b %Y})"):
                if previous is None:
                    st.caption("No report was submitted for the previous meeting.")
                else:
                    report_body(previous)
        st.markdown(report_status(plan, code))
        if writable:
            report_form(url, plan, kpi)
            report_history(url, plan.dates.meeting, code)
        elif plan.report_status(code) == agenda.SUBMITTED:
            report_body(plan.reports[code])


# Actions -----------------------------------------------------------------------------------------------------------


ACTION_COLUMNS = (  # what a reader looks for first leads: which action, its status and when it is due
    "Action",
    "Status",
    "Due",
    "What",
    "Owner",
    "E-mail",
    "Organisation",
    "Raised at",
    "Priority",
    "KPI",
    "Latest update",
)


def actions_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Actions as a readable table: status in words (never colour alone), who, when, what."""
    return pd.DataFrame(
        [
            {
                "Action": r["id"],
                "Status": STATUS_WORDS[r["status"]],
                "Due": r["due"],
                "What": r["text"],
                "Owner": r["owner_name"] or r["owner"],
                "E-mail": r["owner"],
                "Organisation": r["organisation"],
                "Raised at": r["meeting_raised"],
                "Priority": r["priority"],
                "KPI": r["kpi"],
                "Latest update": r["latest_note"],
            }
            for r in rows
        ],
        columns=list(ACTION_COLUMNS),
    )


def actions_block(rows: list[dict[str, Any]], empty: str, file_name: str, key: str) -> None:
    """A table of actions with a CSV of exactly what it shows, or a sentence when there are none."""
    if not rows:
        st.caption(empty)
        return
    counts = pd.Series([r["status"] for r in rows]).value_counts()
    st.markdown(" \u00b7 ".join(f"{STATUS_ICONS[s]} {STATUS_WORDS[s]} {n}" for s, n in counts.items()))
    components.table_and_csv(actions_table(rows), file_name, f"csv_{key}", first=ACTION_COLUMNS[:2])


def raise_action_form(url: str, plan: agenda.Agenda, kpis: dict[str, KpiRow], priority_names: dict[int, str]) -> None:
    """Raise an action at this meeting: an executive or admin for anyone, a lead for themself."""
    acting = access.current()
    if not (roles.may_record_decisions(acting) or acting.role == roles.LEAD):
        return
    lead_only = not roles.may_record_decisions(acting)
    with st.expander("Raise an action at this meeting"), forms.form("raise_action"):
        text = st.text_area("Action", max_chars=meeting_records.ACTION_LIMIT)
        owner = st.text_input(
            "Owner's e-mail",
            acting.email if lead_only else "",
            disabled=lead_only,
            help="Leads raise actions for themselves; an executive or admin for anyone.",
        )
        name = st.text_input("Owner's name (if not a dashboard user)", max_chars=meeting_records.NAME_LIMIT)
        organisation = st.text_input("Organisation", max_chars=meeting_records.NAME_LIMIT)
        latest = date(min(plan.dates.meeting.year + 10, date.max.year), 12, 31)
        due = st.date_input("Due", None, min_value=plan.dates.meeting, max_value=latest, format="DD/MM/YYYY")
        priority = st.selectbox(
            "Priority", [None, *priority_names], format_func=lambda p: priority_names.get(p, "None") if p else "None"
        )
        kpi = st.selectbox("KPI", [None, *kpis], format_func=lambda c: f"{c} \u2013 {kpis[c]['name']}" if c else "None")
        if st.form_submit_button("Raise the action", type="primary", icon=":material/add_task:"):
            if not isinstance(due, date):
                st.error("Give the date the action is due.", icon=":material/error:")
                return
            forms.write(
                lambda: meeting_records.add_action(
                    url, acting, plan.dates.meeting, owner, due, text, priority, kpi, name, organisation
                ),
                "Raised the action.",
                "raise_action",
            )


def update_action_form(url: str, rows: list[dict[str, Any]]) -> None:
    """Change the status of an action the person may update, or add a note."""
    acting = access.current()
    mine = list({r["id"]: r for r in rows if roles.may_update_action(acting, r["owner"])}.values())
    if not mine:
        return
    labels = {
        r["id"]: f"#{r['id']} ({STATUS_WORDS[r['status']]}, due {r['due']:%d %b %Y}): {r['text'][:80]}" for r in mine
    }
    with st.expander("Update an action"), forms.form("update_action"):
        chosen = st.selectbox("Action", list(labels), format_func=lambda i: labels[i])
        status = st.radio(
            "Status",
            (NO_CHANGE, *meeting_records.ACTION_STATUSES),
            format_func=lambda s: STATUS_WORDS[s],
            horizontal=True,
            help="Overdue is worked out from the due date. A note alone leaves the status as it is.",
        )
        note = st.text_area("Update", max_chars=meeting_records.NOTE_LIMIT)
        if st.form_submit_button("Save the update", type="primary", icon=":material/update:") and chosen is not None:
            current = next(r for r in mine if r["id"] == chosen)["status"]
            same = status in (NO_CHANGE, current) or (current == agenda.OVERDUE and status == agenda.OPEN)
            changed = None if same else status
            forms.write(
                lambda: meeting_records.update_action(url, acting, int(chosen), changed, note),
                f"Updated action #{chosen}.",
                "update_action",
            )


# Decisions and meetings --------------------------------------------------------------------------------------------


def _priority_name(decision: dict[str, Any], priority_names: dict[int, str]) -> str:
    """The name of the priority a decision is about, or "" when it names none."""
    priority = decision["priority_id"]
    return priority_names.get(int(priority), "") if priority is not None and not pd.isna(priority) else ""


def decisions_list(decisions: list[dict[str, Any]], priority_names: dict[int, str]) -> None:
    """The meeting's decisions, numbered, each with its priority and who proposed it."""
    if not decisions:
        st.caption("No decisions are recorded for this meeting.")
        return
    for number, d in enumerate(decisions, start=1):
        about = _priority_name(d, priority_names)
        who = f"proposed by {literal(d['proposed_by'])}; " if d["proposed_by"] else ""
        st.markdown(f"{number}. {literal_block(d['text'])}")
        st.caption(
            f"{literal(about) + '; ' if about else ''}{who}recorded by {literal(d['recorded_by'])}, "
            f"{pd.Timestamp(d['recorded_at']):%d %b %Y %H:%M}"
        )


BUSINESS_SHOWN = 5  # items of each kind the Overview lists before pointing to the Meeting page
BRIEF_CHARACTERS = 240  # an item's text on the Overview, at most (the Meeting page shows it whole)


def _brief(text: str) -> str:
    """Text on one line, cut at a word before BRIEF_CHARACTERS with an ellipsis, shown literally."""
    line = " ".join(str(text).split())
    if len(line) > BRIEF_CHARACTERS:
        line = line[:BRIEF_CHARACTERS].rsplit(" ", 1)[0] + "\u2026"
    return literal(line)


def _action_line(r: dict[str, Any]) -> str:
    """'Overdue · #12 Review the rota (Jo Bloggs, due 14 Nov 2024)': status in words, as typed, never as markup."""
    owner = r["owner_name"] or r["owner"]
    return (
        f"- {STATUS_ICONS[r['status']]} {STATUS_WORDS[r['status']]} \u00b7 #{r['id']} {_brief(r['text'])} "
        f"({_brief(owner)}, due {r['due']:%d %b %Y})"
    )


def _first(lines: list[str], more: str) -> str:
    """The first BUSINESS_SHOWN lines, and how many more the Meeting page has."""
    extra = len(lines) - BUSINESS_SHOWN
    return "\n".join(lines[:BUSINESS_SHOWN]) + (
        f"\n\n{counted(extra, 'more ' + more)} on the Meeting page." if extra > 0 else ""
    )


def business_summary(plan: agenda.Agenda, priority_names: dict[int, str]) -> None:
    """For the Overview: the meeting's own business in brief (decisions recorded, actions due and overdue, actions
    raised), with a link to the Meeting page, where all of it is recorded and changed."""
    due, raised, decided = plan.actions_due, plan.actions_raised, plan.decisions
    overdue = sum(1 for r in due if r["status"] == agenda.OVERDUE)
    st.markdown(
        " \u00b7 ".join(
            (
                counted(len(decided), "decision") + " recorded",
                counted(len(due), "action") + f" due ({overdue} overdue)",
                counted(len(raised), "action") + " raised",
                counted(len(plan.carried_over), "open action") + " carried over",
            )
        )
    )
    with st.container(border=True):
        st.markdown("**Decisions**")
        lines = []
        for number, d in enumerate(decided, start=1):
            about = _priority_name(d, priority_names)
            lines.append(f"{number}. {_brief(d['text'])}" + (f" *({literal(about)})*" if about else ""))
        st.markdown(_first(lines, "decision") if lines else "No decision is recorded for this meeting yet.")
    with st.container(border=True):
        st.markdown("**Actions due at this meeting**")
        st.markdown(_first([_action_line(r) for r in due], "action") if due else "No action is due at this meeting.")
    with st.container(border=True):
        st.markdown("**Actions raised at this meeting**")
        st.markdown(
            _first([_action_line(r) for r in raised], "action") if raised else "No action has been raised here yet."
        )
    components.page_link(
        "pages/meeting.py", "Open the meeting's business", components.meeting_query(), icon=":material/groups:"
    )


def decision_form(url: str, plan: agenda.Agenda, priority_names: dict[int, str]) -> None:
    """Record a decision (an executive or admin)."""
    if not roles.may_record_decisions(access.current()):
        return
    with st.expander("Record a decision"), forms.form("record_decision"):
        text = st.text_area("Decision", max_chars=meeting_records.DECISION_LIMIT)
        priority = st.selectbox(
            "Priority", [None, *priority_names], format_func=lambda p: priority_names.get(p, "None") if p else "None"
        )
        proposed_by = st.text_input("Proposed by", max_chars=meeting_records.NAME_LIMIT)
        if st.form_submit_button("Record the decision", type="primary", icon=":material/gavel:"):
            forms.write(
                lambda: meeting_records.add_decision(
                    url, access.current(), plan.dates.meeting, text, priority, proposed_by
                ),
                "Recorded the decision.",
                "record_decision",
            )


def schedule_form(url: str) -> None:
    """Schedule the next meeting with its data cut-off (an executive or admin)."""
    if not roles.may_record_decisions(access.current()):
        return
    with st.expander("Schedule a meeting"), forms.form("schedule_meeting"):
        day = st.date_input("Meeting date", None, format="DD/MM/YYYY")
        cutoff = st.date_input("Data cut-off (the last day of data its report uses)", None, format="DD/MM/YYYY")
        if st.form_submit_button("Add the meeting", icon=":material/event:"):
            if not isinstance(day, date) or not isinstance(cutoff, date):
                st.error("Give both the meeting date and its data cut-off.", icon=":material/error:")
                return
            forms.write(
                lambda: meeting_records.add_meeting(url, access.current(), day, cutoff),
                f"Added the meeting of {day:%d %B %Y}.",
                "schedule_meeting",
            )


def records_tables(url: str) -> None:
    """Data & sources: every report revision, action update and decision, and every meeting scheduled, corrected or
    removed, with who and when."""
    reports = meeting_queries.reports(url, current_only=False)
    updates = meeting_queries.action_updates(url)
    decisions = meeting_queries.decisions(url)
    st.caption(
        f"{counted(len(reports), 'report revision')}, {counted(len(meeting_queries.actions(url)), 'action')} with "
        f"{counted(len(updates), 'update')}, {counted(len(decisions), 'decision')}. Text is shown exactly as typed."
    )
    for label, table in (
        ("Exception reports and commentary (every revision)", reports),
        ("Action updates (raised, status changes, notes)", updates),
        ("Decisions", decisions),
        ("Meetings scheduled, corrected and removed", meeting_queries.meeting_changes(url)),
    ):
        components.table_with_csv(label, table, f"{label.split(' ')[0].lower()}.csv", f"records_{label[:12]}")
