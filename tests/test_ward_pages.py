"""Ward map and ward profile pages: what is mapped and shown equals the data layer's figures."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from test_measures import add_small_safety_plans
from test_pages import page

from lib.analysis import measures
from lib.core import periods
from lib.store import queries
from lib.ui import ward_components


@pytest.fixture
def app_url(sqlite_seeded_url, monkeypatch, tmp_path):
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", sqlite_seeded_url)
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(tmp_path / "no-boundaries"))
    return sqlite_seeded_url


def _latest_period(url, measure_id):
    cutoff = queries.meetings(url)["data_cutoff"].iloc[-1]
    return measures.available_periods(url, measures.get(url, measure_id), cutoff)[0]


def _deck(at):
    charts = at.get("deck_gl_json_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.json)


def _tooltips(deck):
    data = deck["layers"][0]["data"]
    rows = data["features"] if isinstance(data, dict) else data
    return {(r.get("properties") or r)["ward_code"]: (r.get("properties") or r)["tooltip"] for r in rows}


def test_map_shows_the_data_layer_figures_on_the_hex_map(app_url):
    at = page("pages/map.py")
    at.run()
    assert not at.exception
    period = _latest_period(app_url, measures.ALL_CRIME)
    table = measures.ward_table(app_url, measures.ALL_CRIME, period, measures.RATE)
    shown = at.dataframe[0].value
    pd.testing.assert_frame_equal(shown.reset_index(drop=True), ward_components.display_frame(table), check_dtype=False)
    assert _deck(at)["layers"][0]["@@type"] == "GeoJsonLayer"  # the shipped boundaries: the map of Leeds by default
    at.radio(key="view").set_value(ward_components.HEX).run()
    deck = _deck(at)
    assert deck["layers"][0]["@@type"] == "PolygonLayer"
    assert at.query_params["view"] in (["hex"], "hex")  # the choice is in the address, so a shared link keeps it
    shared = page("pages/map.py")
    shared.query_params["view"] = "hex"
    assert _deck(shared.run())["layers"][0]["@@type"] == "PolygonLayer"  # a link with ?view=hex opens the hex map
    tips = _tooltips(deck)
    top = table.wards.iloc[0]
    assert tips[top["ward_code"]].splitlines()[:3] == [
        top["ward_name"],
        f"{top['rate_per_1000']:,.0f} per 1,000 residents",
        "Rank 1 of 33 (1 = highest)",
    ]
    # Councillors are never shown developer messages (paths, commands): those go to the log and Data & sources.
    assert not any("reference fetch" in c.value or "data/reference" in c.value for c in at.caption)
    assert at.query_params["measure"] == measures.ALL_CRIME


def test_choosing_another_measure_and_basis_changes_the_map(app_url):
    at = page("pages/map.py")
    at.run()
    at.selectbox(key="measure").set_value("crime:burglary").run()
    at.radio(key="basis").set_value(measures.COUNT).run()
    assert not at.exception
    # The period chosen for all crime (12 months) stays chosen when the measure changes, since burglary offers it too.
    period = periods.parse(
        at.query_params["period"][0] if isinstance(at.query_params["period"], list) else at.query_params["period"]
    )
    assert period in measures.available_periods(app_url, measures.get(app_url, "crime:burglary"), period.last)
    table = measures.ward_table(app_url, "crime:burglary", period, measures.COUNT)
    shown = at.dataframe[0].value
    assert shown["ward_code"].tolist() == table.wards["ward_code"].tolist()
    assert shown["crimes"].tolist() == table.wards["value"].tolist()
    assert period == _latest_period(app_url, measures.ALL_CRIME)


@pytest.mark.usefixtures("app_url")
def test_geographic_view_appears_when_boundaries_are_configured(shared_dir, tmp_path, monkeypatch):
    folder = tmp_path / "reference"
    folder.mkdir()
    shutil.copy(shared_dir / "data/geo/leeds_wards_2019.geojson", folder / "leeds_wards_2019.geojson")
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(folder))
    at = page("pages/map.py")
    at.run()
    at.radio(key="view").set_value(ward_components.GEOGRAPHIC).run()
    assert not at.exception
    deck = _deck(at)
    assert deck["layers"][0]["@@type"] == "GeoJsonLayer"
    assert len(_tooltips(deck)) == 33
    assert len(charts_json := at.get("deck_gl_json_chart")[0].proto.json) < 1_000_000, len(charts_json)


def test_map_never_shows_a_hidden_sensitive_count(tmp_path, monkeypatch, seeded_templates):
    url = seeded_templates.sqlite_copy(tmp_path)
    add_small_safety_plans(url)
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", url)
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(tmp_path / "none"))
    at = page("pages/map.py")
    at.query_params["measure"] = "kpi:DA_SAFETY_PLANS"
    at.query_params["basis"] = "count"
    at.run()
    assert not at.exception
    shown = at.dataframe[0].value
    hidden = shown[shown["suppressed"]]
    assert len(hidden) >= 2 and hidden["safety plans"].isna().all()
    assert set(hidden["as shown"]) <= {"<5", "[c]"}
    tips = _tooltips(_deck(at))
    for code in hidden["ward_code"]:
        lines = tips[code].splitlines()
        assert lines[1] in ("<5", "[c]") and lines[2] == "Not ranked"
    assert any("Disclosure control applies" in c.value for c in at.caption)


def test_ward_profile_shows_the_wards_figures_and_a_comparison(app_url):
    at = page("pages/ward.py")
    at.query_params["ward"] = "E05011397"
    at.run()
    assert not at.exception
    period = _latest_period(app_url, measures.ALL_CRIME)
    figures = measures.ward_summary(app_url, measures.ALL_CRIME, "E05011397", period)
    assert at.header[0].value == "Headingley & Hyde Park"
    values = [m.value for m in at.metric]
    assert values[:3] == [figures["shown"], f"{figures['rate_per_1000']:,.1f}", f"{figures['rank']:,.0f}"]
    assert values[3] == f"{figures['change'].percent_change:+.1f}%"
    # The comparisons in words beside the figures, whole (in a metric's small print they were cut at 1280 px).
    line = next(m.value for m in at.markdown if m.value.startswith("Rate per 1,000 residents:"))
    assert f"Leeds {figures['overall_rate_per_1000']:.1f}" in line and "Inner North West" in line
    assert f"{figures['change'].percent_change:+.1f}%, {figures['change'].verdict} (rate ratio" in line
    at.selectbox(key="compare").set_value("E05011394").run()
    assert not at.exception
    other = measures.ward_summary(app_url, measures.ALL_CRIME, "E05011394", period)
    assert [m.value for m in at.metric][4] == other["shown"]
    assert at.query_params["compare"] == "E05011394"
    trend = at.dataframe[0].value
    assert list(trend.columns[1:]) == [
        "Headingley & Hyde Park",
        "Inner North West (committee area)",
        "Leeds",
        "Gipton & Harehills",
    ]
    mix = at.dataframe[1].value
    assert (
        mix["count"].tolist()
        == measures.crime_mix(app_url, "E05011397", period).sort_values("overall", ascending=False)["shown"].tolist()
    )
    assert any("reporting and police activity" in i.value for i in at.info)
