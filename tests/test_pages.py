"""Every page runs without an exception and shows the database's numbers for the chosen meeting."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from lib.analysis import meetings, spc, summary
from lib.core.formatting import format_headline
from lib.core.text import literal
from lib.store import queries
from lib.ui import navigation

TIMEOUT = 60
ROOT = Path(__file__).resolve().parents[1]


def page(name):
    return AppTest.from_file(str(ROOT / name), default_timeout=TIMEOUT)


@pytest.fixture
def app_url(sqlite_seeded_url, monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", sqlite_seeded_url)
    return sqlite_seeded_url


def _summaries(url, meeting_index):
    table = queries.meetings(url)
    cutoff = table["data_cutoff"].iloc[meeting_index]
    items = summary.summaries(
        queries.kpi_catalogue(url), queries.headline_values(url), cutoff, meetings.previous_cutoff(table, cutoff)
    )
    return cutoff, {s["code"]: s for s in items}


def _shown_metrics(at):
    return [(m.label, m.value) for m in at.metric]


@pytest.mark.parametrize("meeting_index", [-1, 8])
def test_overview_tiles_show_the_database_values_for_the_chosen_meeting(app_url, meeting_index):
    at = page("pages/overview.py")
    at.run()
    table = queries.meetings(app_url)
    at.sidebar.selectbox(key="meeting").set_value(table["meeting_date"].iloc[meeting_index].isoformat())
    at.run()
    assert not at.exception
    cutoff, expected = _summaries(app_url, meeting_index)
    catalogue = queries.kpi_catalogue(app_url)
    headline = catalogue.dropna(subset=["headline_rank"]).sort_values("headline_rank")
    exceptions = [s for s in expected.values() if summary.is_exception(s)]
    shown = _shown_metrics(at)
    assert len(shown) == len(exceptions) + len(headline)
    tiles = shown[len(exceptions) :]
    for (label, value), code in zip(tiles, headline["code"], strict=True):
        item = expected[code]
        assert label == item["name"]
        if item["value"] is None:
            assert value == "No data yet"
        else:
            assert value == format_headline(item["value"], item["unit"])[0]
            assert item["period_end"] <= cutoff
    assert [label for label, _ in shown[: len(exceptions)]] == [s["name"] for s in exceptions]


def test_data_after_the_cutoff_never_appears(app_url):
    at = page("pages/overview.py").run()
    at.sidebar.selectbox(key="meeting").set_value(
        queries.meetings(app_url)["meeting_date"].iloc[0].isoformat()
    ).run()  # the first meeting: data to 30 April 2021
    cutoff = queries.meetings(app_url)["data_cutoff"].iloc[0]
    assert cutoff == date(2021, 4, 30)
    text = "\n".join(m.value for m in at.markdown) + "\n".join(c.value for c in at.caption)
    for later in ("May 2021", "2022", "2023", "2024"):
        assert f"({later}" not in text and f"{later} \u00b7" not in text
    ds1 = _summaries(app_url, 0)[1]["DS1_RESPONSE"]
    assert ds1["period_end"] == date(2021, 4, 30)


def test_overview_lists_the_nine_priorities_with_rag_counts(app_url):
    at = page("pages/overview.py").run()
    subheaders = [s.value for s in at.subheader]
    assert sorted(subheaders) == sorted(f"{p.id}. {p.name}" for p in queries.priorities(app_url).itertuples())
    text = "\n".join(m.value for m in at.markdown)
    assert "Knives recovered by Operation Backway: **45 knives**" in text
    assert "Withdrawn 1" in text  # P5-KD2
    assert text.count("KPIs: Red") == 9
    assert any("illustrative" in i.value for i in at.info)


@pytest.mark.usefixtures("app_url")
def test_priority_page_follows_the_query_parameter():
    at = page("pages/priority.py")
    at.query_params["priority"] = "2"
    at.run()
    assert not at.exception
    assert at.title[0].value == "2. Domestic Violence and Abuse"
    assert [m.label for m in at.metric] == ["Multi-agency safety plans for high-risk domestic abuse victims"]
    at.selectbox(key="priority").set_value("9").run()
    assert at.title[0].value == "9. Violence and Sexual Crime"
    assert at.query_params["priority"] == ["9"] or at.query_params["priority"] == "9"
    labels = [m.label for m in at.metric]
    assert "WalkSafe Leeds app downloads" in labels and "Premises signed up to Ask for Angela" in labels


def test_priority_page_spc_table_matches_the_engine(app_url):
    at = page("pages/priority.py")
    at.query_params["priority"] = "1"
    at.run()
    assert not at.exception
    cutoff = queries.meetings(app_url)["data_cutoff"].iloc[-1]
    values = queries.headline_values(app_url)
    kpi = queries.kpi_catalogue(app_url).set_index("code").loc["DS1_TRIAGE"].to_dict() | {"code": "DS1_TRIAGE"}
    result = summary.spc_result(kpi, values[values["kpi_code"] == "DS1_TRIAGE"], cutoff)
    tables = [d.value for d in at.dataframe if {"minutes", "upper process limit"} <= set(d.value.columns)]
    shown = [t for t in tables if list(t["minutes"]) == list(result.points["value"])]
    assert len(shown) == 1
    assert list(shown[0]["upper process limit"].round(6)) == list(result.points["upper"].round(6))
    assert shown[0]["month ending"].max() <= cutoff


def test_ds1_page_headline_is_the_documented_comparison_and_tables_match_the_database(app_url):
    at = page("pages/ds1.py").run()
    assert not at.exception
    shown = {m.label: m for m in at.metric}
    assert shown["Average response time, 14 Feb to 1 Nov"].value == "36 minutes"
    assert "-43% (from 63)" in shown["Average response time, 14 Feb to 1 Nov"].delta
    assert shown["Triage call-back time, October"].value == "17 minutes"
    assert "-70% (from 56)" in shown["Triage call-back time, October"].delta
    cutoff = queries.meetings(app_url)["data_cutoff"].iloc[-1]
    calls = [d.value for d in at.dataframe if "calls" in d.value.columns][0]
    stored = queries.kpi_series(app_url, "DS1_CALLS")
    stored = stored[stored["period_end"] <= cutoff]
    assert list(calls["calls"]) == list(stored["value"])
    assert set(calls.loc[[d.month == 9 for d in calls["period_end"]], "peak"]) == {"(Freshers' peak)"}


@pytest.mark.usefixtures("app_url")
def test_safety_plans_page_sets_documented_totals_beside_the_monthly_series():
    at = page("pages/safety_plans.py").run()
    assert not at.exception
    assert [(m.label, m.value) for m in at.metric] == [
        ("Nov 2021 to Oct 2022", "more than 6,000"),
        ("Apr 2023 to Mar 2024", "4,672"),
    ]
    captions = " ".join(c.value for c in at.caption)
    assert "4,672 from 12 monthly values" in captions
    rolling = at.dataframe[0].value
    assert rolling["rolling 12-month total"].dropna().iloc[0] == rolling["safety plans"].iloc[:12].sum()


def test_walksafe_page_shows_launch_period_and_respects_the_cutoff(app_url):  # noqa: ARG001 - sets the database
    at = page("pages/walksafe.py").run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert labels == ["Downloads, Sep 2023 to Feb 2024", "Uses, Sep 2023 to Feb 2024"]
    table = at.dataframe[0].value
    assert table["cumulative downloads"].iloc[-1] == table["downloads"].sum()
    at.sidebar.selectbox(key="meeting").set_value(date(2023, 7, 20).isoformat()).run()
    assert not at.exception and "no data at this meeting's cut-off" in at.info[0].value


def test_crime_page_significance_harehills_and_history(app_url):
    at = page("pages/crime.py").run()
    assert not at.exception
    shown = {m.label: m for m in at.metric}
    assert shown["Gipton & Harehills crime, 16 months after vs 16 before"].value == "-40%"
    assert shown["Total recorded crime, 2002/03 to 2011/12"].value == "70,445"
    assert "-45%" in shown["Total recorded crime, 2002/03 to 2011/12"].delta
    by_type = at.dataframe[0].value
    expected = queries.crime_by_type(app_url, date(2023, 10, 1), date(2024, 9, 1))
    assert dict(zip(by_type["crime_type"], by_type["current"], strict=True)) == dict(
        zip(expected["crime_type"], expected["count"], strict=True)
    )
    assert set(by_type["verdict"]) <= {"significant reduction", "significant increase", "no significant change"}
    at.selectbox(key="crime_area").set_value("E05011394").run()
    ward_table = at.dataframe[0].value
    ward_expected = queries.crime_by_type(app_url, date(2023, 10, 1), date(2024, 9, 1), "E05011394")
    others = ward_expected[ward_expected["crime_type"] != "Violence and sexual offences"]
    assert ward_table["current"].sum() == others["count"].sum()  # by ward, VSO comes by financial year only
    vso = ward_table.set_index("crime_type").loc["Violence and sexual offences"]
    assert pd.isna(vso["current"]) and "financial year only" in vso["verdict"]
    shown = {m.label: m for m in at.metric}
    label = "All types except violence and sexual offences, Oct 2023 to Sep 2024"
    assert shown[label].value == f"{others['count'].sum():,}"
    # The Clear-Hold-Build series by month leaves the sensitive type out (else it is the total less the other types).
    harehills = at.dataframe[1].value
    monthly = queries.crime_monthly_totals(app_url, "E05011394", exclude=("Violence and sexual offences",))
    assert harehills["count"].tolist() == monthly["count"].iloc[: len(harehills)].tolist()


def test_data_sources_shows_catalogue_provenance_freshness_and_import_log(app_url):
    at = page("pages/data_sources.py").run()
    assert not at.exception
    headers = [h.value for h in at.header]
    assert headers[:5] == ["KPI definitions", "Provenance", "Data freshness", "Revision history", "Import log"]
    catalogue, provenance, freshness, _, log = (at.dataframe[i].value for i in range(5))
    assert len(catalogue) == len(queries.kpi_catalogue(app_url))
    assert len(provenance) == len(queries.provenance(app_url))
    assert set(freshness["Status"]) <= {
        "overdue",
        "up to date",
        "one-off figure",
        "one-off figure, over two years old",
        "no data",
    }  # headers in words
    assert list(log["Kind"]) == list(queries.import_log(app_url)["kind"])
    # Documents are cited by title, publisher and date, never by their file name.
    assert not catalogue["Source"].str.contains(r"\d{3}_[0-9a-f]{16}\.txt").any()
    assert catalogue["Source"].str.contains("Safer Leeds Executive Annual Report 2021/22").any()


@pytest.mark.usefixtures("app_url")
def test_data_sources_provenance_filters_by_kpi():
    at = page("pages/data_sources.py").run()
    at.selectbox(key="provenance_kpi").set_value("DA_SAFETY_PLANS").run()
    assert not at.exception
    provenance = at.dataframe[1].value
    assert set(provenance["KPI"]) == {"DA_SAFETY_PLANS"}
    assert sorted(provenance.loc[~provenance["Illustrative"], "Value"]) == [4672.0, 6000.0]


def test_pages_show_a_plain_message_when_the_database_is_unreachable(monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", "postgresql+psycopg://lead:hunter2@127.0.0.1:1/saferleeds")
    for name in ("pages/overview.py", "pages/priority.py", "pages/data_sources.py"):
        at = page(name).run()
        assert not at.exception
        assert len(at.error) == 1
        assert "lead:***@127.0.0.1:1/saferleeds" in at.error[0].value and "hunter2" not in at.error[0].value


@pytest.mark.usefixtures("app_url")
def test_entry_script_routes_to_the_overview():
    at = page("dashboard.py").run()
    assert not at.exception
    assert at.title[0].value == "Safer Leeds Executive"


@pytest.mark.usefixtures("app_url")
def test_an_unknown_value_in_the_address_is_named_never_silently_replaced():
    at = page("pages/overview.py")
    at.query_params["meeting"] = "2024-09-26"  # not a meeting date: the nearest earlier meeting is 19 Sep 2024
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="meeting").value == "2024-09-19"
    assert "2024\\-09\\-26 was not found" in at.warning[0].value and "19 Sep 2024" in at.warning[0].value

    at = page("pages/priority.py")
    at.query_params["priority"] = "99"
    at.run()
    assert not at.exception and at.title[0].value == "1. ASB and Public Order"
    assert "99 was not found" in at.warning[0].value

    at = page("pages/ward.py")
    at.query_params["ward"] = "NOPE"
    at.run()
    assert not at.exception and "NOPE was not found" in at.warning[0].value


def test_overview_summary_matrix_places_every_kpi_once_by_variation_and_assurance(app_url):
    at = page("pages/overview.py").run()
    assert not at.exception
    cutoff, expected = _summaries(app_url, -1)
    table = next(m.value for m in at.markdown if m.value.startswith("| Variation"))
    catalogue = queries.kpi_catalogue(app_url).set_index("code")
    rows_for = {
        spc.CONCERN: "Special cause concern",
        spc.IMPROVEMENT: "Special cause improvement",
        spc.NEUTRAL_HIGH: "Special cause, neither better nor worse",
        spc.NEUTRAL_LOW: "Special cause, neither better nor worse",
        spc.COMMON: "Common cause",
        spc.INSUFFICIENT: "Too few points",
    }
    columns = [spc.FAILING, spc.HIT_AND_MISS, spc.PASSING, None]  # the last: no target to judge
    for code, item in expected.items():
        name = literal(catalogue.loc[code, "name"])
        rows = [line for line in table.splitlines() if f"[{name}]" in line]
        assert len(rows) == 1, (code, rows)  # every KPI in exactly one row ...
        assert rows[0].startswith(f"| **{rows_for[item['spc']['variation']]}** |"), (code, rows[0])
        cells = rows[0].split(" | ")[1:]
        assurance = item["spc"]["assurance"] if item["spc"]["assurance"] in columns else None
        assert [i for i, cell in enumerate(cells) if f"[{name}]" in cell] == [columns.index(assurance)]  # one column


def test_on_a_phone_the_summary_matrix_is_a_list_that_places_every_kpi_once(app_url):
    """At 390 px the five-column table was 536 px wide and scrolled the whole page sideways: a list under each row."""
    from lib.ui import frame_size

    at = page("pages/overview.py")
    at.session_state[frame_size.PAGE_WIDTH_KEY] = {"column": 358, "window": 390}  # as a phone's browser reports
    at.run()
    assert not at.exception
    assert not [m for m in at.markdown if m.value.startswith("| Variation")]
    _, expected = _summaries(app_url, -1)
    blocks = [m.value for m in at.markdown if m.value.startswith("**Special cause") or m.value.startswith("**Common")]
    blocks += [m.value for m in at.markdown if m.value.startswith("**Too few points")]
    catalogue = queries.kpi_catalogue(app_url).set_index("code")
    for code in expected:
        name = literal(catalogue.loc[code, "name"])
        assert sum(block.count(f"[{name}]") for block in blocks) == 1, code


@pytest.mark.parametrize("area", ["", "E05011394", "E05012841"])  # Leeds, Gipton & Harehills, Adel (not significant)
@pytest.mark.usefixtures("app_url")
def test_a_change_is_coloured_only_when_it_is_significant(area):
    from lib.analysis import significance
    from lib.ui import components

    assert components.change_colour(significance.RateRatio(1.02, 0.98, 1.06, significance.NO_CHANGE)) == "off"
    assert components.change_colour(significance.RateRatio(0.9, 0.85, 0.95, significance.REDUCTION)) == "inverse"
    assert components.change_colour(None) == "off"
    at = page("pages/crime.py")
    at.run()
    at.selectbox(key="crime_area").set_value(area).run()
    assert not at.exception
    for metric in at.metric:
        if "significant" in (metric.delta or ""):
            neutral = "no significant change" in metric.delta
            grey = metric.proto.DESCRIPTOR.fields_by_name["color"].enum_type.values_by_number[metric.proto.color].name
            assert (grey == "GRAY") == neutral, (metric.label, metric.delta, grey)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("1216x1280", {"column": 1216, "window": 1280}),
        ("390x390", {"column": 390, "window": 390}),
        (None, None),
        ("", None),
        ("1216", None),
        ("0x1280", None),
        ("1216x99999", None),
        ("-5x100", None),
        ("12.5x100", None),
        ("<script>x1", None),
    ],
)
def test_the_layout_cookie_is_read_strictly(text, size):
    """The browser's kept size (lib/ui/frame_size.py) is two whole pixel counts or nothing."""
    from lib.ui import frame_size

    assert frame_size.size_from_cookie(text) == size


URL_PARAMETERS = ("meeting", "ward", "compare", "priority", "measure", "period", "basis", "kpi", "month")


@pytest.mark.usefixtures("app_url")
@pytest.mark.parametrize("entry", navigation.PAGES, ids=[p.url_path or "overview" for p in navigation.PAGES])
def test_every_page_with_every_parameter_set_to_nonsense_says_so_and_never_crashes(entry):
    """/ward-map?ward=XYZ and /ward-profile?compare=XYZ once showed Streamlit's exception box (KeyError: '')."""
    at = page(entry.script)
    for key in URL_PARAMETERS:
        at.query_params[key] = "XYZ"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    corrected = [key for key in URL_PARAMETERS if at.query_params.get(key) != "XYZ"]  # the page used and replaced
    notes = [w.value for w in at.warning if "XYZ was not found" in w.value]
    assert len(notes) >= len(corrected), (corrected, notes)
