"""What users read on screen, in AppTest (issue 28): tables with headers in words, dates as people write them and the
columns that matter pinned in view; the upload limit as the import applies it; signals that agree; no developer text
(script names, paths, settings) on the pages; the meeting picker newest first."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from test_data_in_page import _open
from test_data_in_page import app_url as app_url  # noqa: F401 - the fixture, for these tests too
from test_import_kpi import GOOD
from test_pages import page

from lib.ingest import files, meeting_records
from lib.store import queries

DEVELOPER_TEXT = re.compile(r"\bscripts/|\.py\b|SAFERLEEDS_|saferleeds |/work/|/tmp/|\bseed \d+|rows_read|kpi_code")


def _columns(element) -> dict:
    """A dataframe element's column settings (Streamlit's JSON), keyed by the header shown."""
    return json.loads(element.proto.columns or "{}")


@pytest.mark.usefixtures("app_url")
def test_the_return_preview_pins_the_row_and_its_outcome_in_view():
    """At 1280 px the preview's outcome column (new / revises / unchanged) was off the right edge: it leads now,
    pinned, with every header in words."""
    at = _open()
    at.file_uploader(key="kpi_upload").set_value(("october.csv", GOOD, "text/csv")).run()
    preview = at.dataframe[-2]
    assert list(preview.proto.column_order)[:2] == ["Row", "Outcome"]
    assert _columns(preview)["Outcome"]["pinned"] is True
    assert not [c for c in preview.value.columns if "_" in c], list(preview.value.columns)  # no kpi_code, period_start
    guide = at.dataframe[0]
    assert list(guide.proto.column_order)[0] == "Name" and "If a value is already stored" not in guide.value.columns


@pytest.mark.usefixtures("app_url")
def test_upload_boxes_state_the_limit_the_import_applies(monkeypatch):
    """The box said "60MB per file" while the import refuses files over 50 MB: it states the import's own limit."""
    monkeypatch.setenv("SAFERLEEDS_MAX_UPLOAD_MB", "20")
    at = _open()
    limits = {u.proto.label: u.proto.max_upload_size_mb for u in at.get("file_uploader")}
    assert set(limits.values()) == {20} and len(limits) == 2
    monkeypatch.delenv("SAFERLEEDS_MAX_UPLOAD_MB")
    assert files.max_upload_mb() == 50


def test_actions_show_status_first_and_dates_as_people_write_them(app_url):  # noqa: F811 - the fixture above
    operator = meeting_records.roles.operator("tester")
    meeting_records.add_action(
        app_url, operator, date(2024, 11, 21), "lead@leeds.test", date(2025, 1, 16), "Report on staffing"
    )
    at = page("pages/meeting.py")
    at.query_params["meeting"] = "2024-11-21"
    at.run()
    assert not at.exception
    raised = next(d for d in at.dataframe if "Report on staffing" in set(d.value.get("What", [])))
    assert list(raised.proto.column_order)[:3] == ["Action", "Status", "Due"]
    columns = _columns(raised)
    assert columns["Status"]["pinned"] is True
    assert columns["Due"]["type_config"] == {"type": "date", "format": "D MMM YYYY"}  # 16 Jan 2025, not 2025-01-16


@pytest.mark.usefixtures("app_url")
def test_data_and_sources_speaks_in_users_words():
    """No script names, server paths, settings or generator seeds on the page (they are in the README), and the
    import log's headers and entries in words."""
    at = page("pages/data_sources.py").run()
    assert not at.exception
    shown = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    offenders = [text for text in shown if DEVELOPER_TEXT.search(text)]
    assert offenders == []
    log = next(d.value for d in at.dataframe if "Rows read" in d.value.columns)
    assert not [c for c in log.columns if "_" in c]
    assert not log["File name"].str.contains(r"\.py").any()
    assert "Illustrative demonstration data (generated)" in set(log["File name"])


def test_the_meeting_picker_lists_the_newest_first_and_says_illustrative_once(app_url):  # noqa: F811
    at = page("pages/overview.py").run()
    picker = at.sidebar.selectbox[0]
    meetings = queries.meetings(app_url)
    assert picker.options[0] == f"{meetings['meeting_date'].max():%d %b %Y}"  # the newest first
    assert picker.value == meetings["meeting_date"].max().isoformat()
    assert not [o for o in picker.options if "illustrative" in o.lower()]
    notes = [c.value for c in at.sidebar.caption if "Illustrative meeting date" in c.value]
    assert len(notes) == 1 and notes[0].startswith("Data to 31 Oct 2024.")


@pytest.mark.usefixtures("app_url")
def test_a_tiles_year_change_is_grey_whatever_the_badges_say():
    """A green "-5.3% vs a year earlier (better)" sat beside "Special cause concern": the delta is neutral now, and
    the words still say which way it went."""
    at = page("pages/overview.py").run()
    deltas = [m for m in at.metric if m.delta]
    assert deltas
    for metric in deltas:
        colour = metric.proto.DESCRIPTOR.fields_by_name["color"].enum_type.values_by_number[metric.proto.color].name
        assert colour == "GRAY", (metric.label, metric.delta, colour)


@pytest.mark.parametrize("words", ["1 KPI,", "1 decision"])
def test_counts_of_one_are_singular(words, app_url):  # noqa: F811
    meeting_records.add_decision(
        app_url,
        meeting_records.roles.operator("tester"),
        date(2024, 11, 21),
        "Agreed",
        priority=2,  # priority 2 has one KPI
    )
    at = page("pages/meeting.py")
    at.query_params["meeting"] = "2024-11-21"
    at.run()
    labels = [e.label for e in at.expander]
    assert any(words in label for label in labels), labels
    assert not [label for label in labels if re.search(r"\b1 (KPIs|reports|decisions|new actions)\b", label)]
