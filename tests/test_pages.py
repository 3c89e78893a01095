"""Every page runs without an exception and shows the database's numbers."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib import kpis, queries
from lib.formatting import format_headline

TIMEOUT = 60
ROOT = Path(__file__).resolve().parents[1]


def page(name):
    return AppTest.from_file(str(ROOT / name), default_timeout=TIMEOUT)


@pytest.fixture
def app_url(sqlite_seeded_url, monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", sqlite_seeded_url)
    return sqlite_seeded_url


def test_overview_headline_tiles_equal_the_latest_database_values(app_url):
    at = page("pages/overview.py").run()
    assert not at.exception
    catalogue = queries.kpi_catalogue(app_url).set_index("code")
    latest = kpis.latest_values(queries.headline_values(app_url)).set_index("kpi_code")
    headline = catalogue.dropna(subset=["headline_rank"]).sort_values("headline_rank")
    shown = {metric.label: metric.value for metric in at.metric}
    assert len(shown) == 4
    for code, kpi in headline.iterrows():
        row = latest.loc[code]
        assert shown[kpi["name"]] == format_headline(row["value"], kpi["unit"])[0]


def test_overview_lists_the_nine_priorities_with_their_kpis(app_url):
    at = page("pages/overview.py").run()
    subheaders = [s.value for s in at.subheader]
    assert sorted(subheaders) == sorted(f"{p.id}. {p.name}" for p in queries.priorities(app_url).itertuples())
    text = "\n".join(m.value for m in at.markdown)
    assert "4,672 safety plans" not in text  # a monthly illustrative value is the latest, not the 2023/24 total
    assert "Knives recovered by Operation Backway: **45 knives**" in text
    assert "Withdrawn 1" in text  # P5-KD2
    assert any("illustrative" in i.value for i in at.info)


def test_data_sources_shows_catalogue_provenance_freshness_and_import_log(app_url):
    at = page("pages/data_sources.py").run()
    assert not at.exception
    headers = [h.value for h in at.header]
    assert headers[:4] == ["KPI definitions", "Provenance", "Data freshness", "Import log"]
    catalogue, provenance, freshness, log = (at.dataframe[i].value for i in range(4))
    assert len(catalogue) == len(queries.kpi_catalogue(app_url))
    assert len(provenance) == len(queries.provenance(app_url))
    assert set(freshness["status"]) <= {"overdue", "up to date", "one-off figure", "no data"}
    assert list(log["kind"]) == list(queries.import_log(app_url)["kind"])


@pytest.mark.usefixtures("app_url")
def test_data_sources_provenance_filters_by_kpi():
    at = page("pages/data_sources.py").run()
    at.selectbox(key="provenance_kpi").set_value("DA_SAFETY_PLANS").run()
    assert not at.exception
    provenance = at.dataframe[1].value
    assert set(provenance["kpi_code"]) == {"DA_SAFETY_PLANS"}
    assert sorted(provenance.loc[~provenance["illustrative"], "value"]) == [4672.0, 6000.0]


def test_pages_show_a_plain_message_when_the_database_is_unreachable(monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", "postgresql+psycopg://lead:hunter2@127.0.0.1:1/saferleeds")
    for name in ("pages/overview.py", "pages/data_sources.py"):
        at = page(name).run()
        assert not at.exception
        assert len(at.error) == 1
        assert "lead:***@127.0.0.1:1/saferleeds" in at.error[0].value and "hunter2" not in at.error[0].value


@pytest.mark.usefixtures("app_url")
def test_entry_script_routes_to_the_overview():
    at = page("dashboard.py").run()
    assert not at.exception
    assert at.title[0].value == "Safer Leeds Executive"
