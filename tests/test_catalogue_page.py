"""The Catalogue page (issue 30): an admin adds a KPI and sets its target in the app; anyone else is refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.store import queries

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def app_url(sqlite_seeded_url, monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", sqlite_seeded_url)
    return sqlite_seeded_url


def _page() -> AppTest:
    return AppTest.from_file(str(ROOT / "pages/catalogue.py"), default_timeout=60).run()


def _by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def test_an_admin_adds_a_kpi_and_sets_its_target_on_the_page(app_url):
    at = _page()
    assert not at.exception and at.title[0].value == "Catalogue"
    _by_label(at.text_input, "Code (capitals, digits and underscores; permanent once it has values)").set_value(
        "DA_REPEAT_SUPPORTED"
    )
    _by_label(at.text_input, "Name").set_value("Repeat victims supported")
    at.selectbox(key="kpi_add_priority").set_value(2)
    _by_label(at.text_input, "Unit (count, minutes, percent, ...)").set_value("count")
    _by_label(at.selectbox, "Which way is better").set_value("higher_is_better")
    _by_label(at.text_area, "Definition: exactly what is counted or timed").set_value("People supported again")
    _by_label(at.text_input, "Source (document and section, or dataset)").set_value("Service returns")
    _by_label(at.text_input, "Owner (the organisation or team that reports it)").set_value("Leeds DV Service")
    _by_label(at.button, "Add the KPI").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "Added DA_REPEAT_SUPPORTED" in at.success[0].value
    kpi = queries.kpi_catalogue(app_url).set_index("code").loc["DA_REPEAT_SUPPORTED"]
    assert kpi["priority_id"] == 2 and kpi["direction"] == "higher_is_better"

    at.selectbox(key="target_code").set_value("DA_REPEAT_SUPPORTED").run()
    _by_label(at.number_input, "Target (in the KPI's unit)").set_value(40.0)
    _by_label(at.radio, "Type").set_value("minimum")
    _by_label(at.date_input, "In force from").set_value("2026-04-01")
    _by_label(at.button, "Set the target").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    targets = queries.kpi_targets(app_url, "DA_REPEAT_SUPPORTED")
    assert targets[["value", "target_type"]].values.tolist() == [[40.0, "minimum"]]


def test_a_bad_kpi_is_refused_on_the_page_and_nothing_is_written(app_url):
    at = _page()
    before = len(queries.kpi_catalogue(app_url))
    _by_label(at.text_input, "Code (capitals, digits and underscores; permanent once it has values)").set_value(
        "DS1_TRIAGE"
    )
    _by_label(at.button, "Add the KPI").click().run()
    assert "already in the catalogue" in at.error[0].value
    assert len(queries.kpi_catalogue(app_url)) == before


def test_anyone_but_an_admin_is_refused(app_url, monkeypatch):  # noqa: ARG001 - sets the database
    from lib.core import roles
    from lib.ui import access

    monkeypatch.setattr(access, "current", lambda: roles.Actor("lead@council.test", roles.LEAD))
    at = _page()
    assert "only admins change the catalogue" in at.error[0].value
    assert not at.tabs
