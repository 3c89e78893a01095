"""The meeting's pages in AppTest (sign-in off: the visitor acts as the local operator, who may do anything): a report
written and submitted on Exception reports appears on the Overview and the Meeting page, exactly as typed; actions and
decisions recorded on the Meeting page; bad input refused with a message and nothing written. What each role may do
on screen is checked with real sign-ins in tests/test_browser_meeting.py."""

from __future__ import annotations

from datetime import date

import pytest
from helpers import table_checksums
from sqlalchemy import text
from test_pages import page

from lib.core import roles
from lib.core.text import literal
from lib.ingest import meeting_records, versions
from lib.pack import files
from lib.store import db, meeting_queries

M2 = "2024-11-21"
OFF_TRACK = "DS1_CALLS"
OFF_TRACK_NAME = "Noise calls to service from the DS1 area"  # Leeds kpis.csv: messages name the KPI, not its code
MARKUP = "<script>alert(1)</script> **bold** [link](https://evil.example)"


@pytest.fixture
def app_url(seeded_url, monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", seeded_url)
    return seeded_url


def _at(name: str):
    at = page(name)
    at.query_params["meeting"] = M2
    return at.run()


def _labelled(widgets, label: str, index: int = 0):
    return [w for w in widgets if w.label == label][index]


def _markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_a_report_written_on_the_reports_page_appears_on_the_overview_as_typed(app_url):
    at = _at("pages/reports.py")
    assert not at.exception
    assert [h.value for h in at.header][0] == "Needing an exception report"
    assert "No report yet \u2014 due Thu 14 Nov 2024" in _markdown(at)
    _labelled(at.text_area, "What is happening").input(MARKUP)
    _labelled(at.text_area, "Help asked of the Executive").input("A second officer")
    _labelled(at.button, "Save draft").click()
    at.run()
    assert not at.exception and at.success[0].value == f"Saved the draft of the report on {OFF_TRACK_NAME}."
    assert meeting_queries.reports(app_url, date.fromisoformat(M2))["status"].tolist() == ["draft"]
    overview = _at("pages/overview.py")
    assert "No report yet" in _markdown(overview)  # a draft is not a report for the board

    _labelled(at.button, "Submit").click()
    at.run()
    assert not at.exception and at.success[0].value == f"Submitted the report on {OFF_TRACK_NAME}."
    overview = _at("pages/overview.py")
    text = _markdown(overview)
    assert "Report submitted by" in text and literal(MARKUP) in text  # escaped: shown as the characters typed
    assert MARKUP not in text
    meeting = _at("pages/meeting.py")
    assert literal(MARKUP) in _markdown(meeting) and not meeting.exception


def test_an_empty_report_is_refused_on_screen_and_nothing_is_written(app_url):
    at = _at("pages/reports.py")
    before = table_checksums(app_url)
    _labelled(at.text_area, "What is happening").input("   ")
    _labelled(at.button, "Submit").click()
    at.run()
    assert at.error[0].value.startswith("What is happening is empty")
    assert table_checksums(app_url) == before


def test_actions_and_decisions_recorded_on_the_meeting_page(app_url):
    at = _at("pages/meeting.py")
    assert [h.value for h in at.header] == [
        "1. Exceptions",
        "2. The priorities",
        "3. Actions due at this meeting",
        "4. Decisions",
        "5. New actions (for the minutes)",
    ]
    _labelled(at.text_area, "Action").input("Report back on <b>noise</b> rota")
    _labelled(at.text_input, "Owner's e-mail").input("owner@leeds.test")
    _labelled(at.text_input, "Organisation").input("Leeds City Council")
    _labelled(at.date_input, "Due").set_value(date(2025, 1, 16))
    _labelled(at.button, "Raise the action").click()
    at.run()
    assert not at.exception and at.success[0].value == "Raised the action."
    rows = meeting_queries.actions(app_url)
    assert rows["text"].tolist() == ["Report back on <b>noise</b> rota"] and rows["status"].tolist() == ["open"]
    minutes = at.dataframe[-1].value
    assert minutes["What"].tolist() == ["Report back on <b>noise</b> rota"] and minutes["Status"].tolist() == ["Open"]

    _labelled(at.text_area, "Decision").input("Fund a *second* officer")
    _labelled(at.text_input, "Proposed by").input("Chair")
    _labelled(at.button, "Record the decision").click()
    at.run()
    assert at.success[0].value == "Recorded the decision."
    assert literal("Fund a *second* officer") in _markdown(at)
    # With sign-in off anyone who reached the app may record: the record says so, not the server's account alone.
    assert any(f"recorded by {literal('sign-in off (app running as ')}" in c.value for c in at.caption)

    _labelled(at.radio, "Status").set_value("done")
    _labelled(at.text_area, "Update").input("Rota agreed")
    _labelled(at.button, "Save the update").click()
    at.run()
    assert at.success[0].value.startswith("Updated action #")
    assert meeting_queries.actions(app_url)["status"].tolist() == ["done"]


def test_a_note_on_a_done_action_leaves_it_done(app_url):
    """Issue 27: the Status radio started at "Open", so a note on a done action reopened it (overdue again)."""
    operator = roles.operator("test")
    action = meeting_records.add_action(
        app_url, operator, date.fromisoformat(M2), "owner@leeds.test", date(2024, 11, 28), "Report back on the rota"
    )
    meeting_records.update_action(app_url, operator, action, meeting_records.DONE)
    at = _at("pages/meeting.py")
    assert _labelled(at.radio, "Status").value == "no change"  # where the radio starts
    _labelled(at.text_area, "Update").input("Rota shared with the Executive")
    _labelled(at.button, "Save the update").click()
    at.run()
    assert not at.exception and at.success[0].value == f"Updated action #{action}."
    stored = meeting_queries.actions(app_url)
    assert stored["status"].tolist() == ["done"] and stored["closed_at"].notna().all()
    assert meeting_queries.action_updates(app_url)["note"].tolist()[-1] == "Rota shared with the Executive"


def test_an_action_without_a_due_date_is_refused(app_url):
    at = _at("pages/meeting.py")
    before = table_checksums(app_url)
    _labelled(at.text_area, "Action").input("Something")
    _labelled(at.text_input, "Owner's e-mail").input("owner@leeds.test")
    _labelled(at.button, "Raise the action").click()
    at.run()
    assert at.error[0].value == "Give the date the action is due."
    assert table_checksums(app_url) == before


def test_text_boxes_stop_at_the_limit_the_store_enforces(app_url):
    at = _at("pages/meeting.py")
    box = _labelled(at.text_area, "Decision")
    assert box.proto.max_chars == meeting_records.DECISION_LIMIT  # the browser stops typing there
    before = table_checksums(app_url)
    box.input("x" * (meeting_records.DECISION_LIMIT + 5))  # a hand-made request past it is not taken
    _labelled(at.button, "Record the decision").click()
    at.run()
    assert at.error and table_checksums(app_url) == before  # (the store's own limit: test_meeting_records.py)


def test_data_and_sources_lists_the_meeting_records(app_url):
    meeting_records.add_decision(app_url, meeting_records.roles.operator("tester"), date.fromisoformat(M2), "Agreed")
    at = page("pages/data_sources.py").run()
    assert "Meeting records" in [h.value for h in at.header]
    assert any("1 decision." in c.value for c in at.caption)  # one decision, not "1 decisions"


def test_a_change_made_by_another_process_reaches_the_tiles_on_the_next_rerun(app_url):
    """The KPI summaries behind every tile are cached under the data version: a write that only bumps the version
    (as another app process or the command line does; nothing clears this process's caches) shows on the next rerun.
    Before the summaries were keyed on the version they stayed stale for ten minutes."""
    at = _at("pages/overview.py")
    before = [m.value for m in at.metric]
    with db.get_engine(app_url).begin() as connection:
        connection.execute(text("UPDATE kpivalue SET value = 98765 WHERE is_current"))
        versions.bump(connection)
    at.run()
    after = [m.value for m in at.metric]
    assert after != before and any("98,765" in value or "98765" in value for value in after), after


def test_the_meeting_page_shows_an_action_due_at_the_next_meeting_then_overdue(app_url):
    operator = meeting_records.roles.operator("tester")
    meeting_records.add_action(
        app_url, operator, date(2024, 9, 19), "lead@leeds.test", date(2024, 11, 21), "Review the rota"
    )
    at = _at("pages/meeting.py")
    due = at.dataframe[0].value
    assert due["What"].tolist() == ["Review the rota"] and due["Status"].tolist() == ["Open"]
    meeting_records.add_meeting(app_url, operator, date(2027, 1, 21), date(2026, 12, 31))
    later = page("pages/meeting.py")
    later.query_params["meeting"] = "2027-01-21"
    later.run()
    assert not later.exception
    due = later.dataframe[0].value
    assert due["What"].tolist() == ["Review the rota"] and due["Status"].tolist() == ["Overdue"]
    assert any("Overdue 1" in m.value for m in later.markdown)  # the count says it in words too


def test_the_overview_shows_the_meetings_own_business_and_links_to_it(app_url):
    """After a decision is recorded and actions raised and updated, the Overview for that meeting says so (it said
    nothing of them before), in words, typed text shown literally."""
    operator = meeting_records.roles.operator("tester")
    before = _at("pages/overview.py")
    assert "This meeting's business" in [h.value for h in before.header]
    assert "No decision is recorded for this meeting yet." in _markdown(before)
    meeting_records.add_decision(app_url, operator, date.fromisoformat(M2), "Fund a **second** noise officer", 1)
    late = meeting_records.add_action(
        app_url, operator, date(2024, 9, 19), "lead@leeds.test", date(2024, 11, 1), "Review the rota"
    )
    meeting_records.add_action(
        app_url, operator, date.fromisoformat(M2), "lead@leeds.test", date(2025, 1, 16), "Report on DS1 staffing"
    )
    meeting_records.update_action(app_url, operator, late, note="Rota drafted")
    at = _at("pages/overview.py")
    assert not at.exception
    text = _markdown(at)
    assert "1 decision recorded \u00b7 1 action due (1 overdue) \u00b7 1 action raised" in text
    assert f"1. {literal('Fund a **second** noise officer')}" in text and "1. ASB and Public Order" in text
    owner = literal("lead@leeds.test")
    assert f"Overdue \u00b7 #{late} Review the rota ({owner}, due 01 Nov 2024)" in text
    assert f"Report on DS1 staffing ({owner}, due 16 Jan 2025)" in text
    assert any("meeting" in link for link in _links(at, "Open the meeting's business"))


def _links(at, label: str) -> list[str]:
    """The addresses of the page links (or their markdown stand-ins in AppTest) labelled `label`."""
    found = [m.value for m in at.markdown if m.value.startswith(f"[{label}]")]
    return found + [str(e.proto.page) for e in at.get("page_link") if e.proto.label == label]


@pytest.mark.usefixtures("app_url")
def test_the_overview_prepares_the_board_pack_for_download():
    at = _at("pages/overview.py")
    assert not [b for b in at.get("download_button") if "board pack" in b.proto.label]
    _labelled(at.button, "Prepare the board pack").click()
    at.run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download the board pack (PowerPoint)" in labels and "Download the board pack (PDF)" in labels


@pytest.mark.usefixtures("app_url")
def test_one_format_failing_still_offers_the_other(monkeypatch):
    """Issue 27: both formats were built together, so one writer's failure left neither to download."""
    render = files.render

    def pdf_fails(pack, suffix):
        if suffix == ".pdf":
            raise RuntimeError("The row with index 1 is too high and cannot be rendered on a single page")
        return render(pack, suffix)

    monkeypatch.setattr(files, "render", pdf_fails)
    at = _at("pages/overview.py")
    _labelled(at.button, "Prepare the board pack").click()
    at.run()
    assert not at.exception
    assert [b.proto.label for b in at.get("download_button") if "board pack" in b.proto.label] == [
        "Download the board pack (PowerPoint)"
    ]
    assert any("The PDF could not be written" in e.value for e in at.error)


@pytest.mark.parametrize("stored", ["0001-01-02", "9999-12-31"])
@pytest.mark.parametrize("name", ["pages/overview.py", "pages/meeting.py", "pages/reports.py"])
def test_no_page_crashes_on_a_meeting_stored_at_the_ends_of_the_calendar(app_url, name, stored):
    """Issue 27: such meetings (written before dates were bounded) raised OverflowError and
    StreamlitInvalidMinMaxError; a page now shows them like any other."""
    day = date.fromisoformat(stored)
    with db.get_engine(app_url).begin() as connection:
        connection.execute(
            text("INSERT INTO meeting (meeting_date, data_cutoff, illustrative, note) VALUES (:d, :c, false, '')"),
            {"d": day, "c": day.replace(day=day.day - 1)},
        )
        versions.bump(connection)
    at = page(name)
    at.query_params["meeting"] = stored
    at.run()
    assert not at.exception, [e.value for e in at.exception]
