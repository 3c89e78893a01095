"""Ward measures: figures equal independent aggregates, and disclosure control holds in every output."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import text
from test_disclosure import feasible_values

from lib import cli
from lib.analysis import disclosure, measures
from lib.core import periods
from lib.ingest.kpi_values import write_kpi_values
from lib.store import db, queries
from lib.ui import ward_components

LEEDS_CODE = "E08000035"  # the Leeds area's partnership-wide code (data/areas/leeds/area.toml)

PERIOD = periods.parse("12m:2024-09")  # a rolling 12 months, for measures that are not sensitive
YEAR = periods.parse("fy:2023")  # sensitive measures (and all crime, which holds one) by ward: financial years only
VSO = "Violence and sexual offences"


def _independent_counts(url, first, last, exclude=None, only=None):
    """Crime per ward straight from the aggregate table with plain SQL (all seeded crime is illustrative)."""
    condition = "crime_type <> :asb" if only is None else "crime_type = :only"
    sql = text(
        f"SELECT ward_code, SUM(count) AS n FROM crimemonthly WHERE month BETWEEN :a AND :b AND {condition} "
        "GROUP BY ward_code"
    )
    with db.get_engine(url).connect() as connection:
        rows = connection.execute(
            sql, {"a": first, "b": last, "asb": exclude or "Anti-social behaviour", "only": only}
        ).all()
    return {ward: int(n) for ward, n in rows}


def test_all_crime_by_ward_equals_an_independent_count_rate_and_rank(shared_seeded_url):
    table = measures.ward_table(shared_seeded_url, measures.ALL_CRIME, YEAR, measures.RATE)
    expected = _independent_counts(shared_seeded_url, YEAR.first, YEAR.last)
    wards = table.wards.set_index("ward_code")
    assert len(wards) == 33 and not wards["suppressed"].any()
    assert wards["value"].astype(int).to_dict() == expected
    population = queries.wards(shared_seeded_url).set_index("code")["population"]
    rates = {w: 1000 * n / population[w] for w, n in expected.items()}
    assert wards["rate_per_1000"].to_dict() == pytest.approx(rates)
    by_rate = sorted(rates, key=rates.get, reverse=True)
    assert wards.loc[by_rate, "rank"].tolist() == list(range(1, 34))
    assert table.city["value"] == sum(expected.values())
    assert table.city["rate_per_1000"] == pytest.approx(1000 * sum(expected.values()) / population.sum())


def test_change_basis_compares_with_the_same_period_a_year_earlier(shared_seeded_url):
    table = measures.ward_table(shared_seeded_url, "crime:burglary", PERIOD, measures.CHANGE)
    now = _independent_counts(shared_seeded_url, PERIOD.first, PERIOD.last, only="Burglary")
    earlier = PERIOD.year_earlier()
    before = _independent_counts(shared_seeded_url, earlier.first, earlier.last, only="Burglary")
    row = table.wards.set_index("ward_code").loc["E05011394"]
    assert row["previous_value"] == before["E05011394"]
    assert row["change_percent"] == pytest.approx(100 * (now["E05011394"] - before["E05011394"]) / before["E05011394"])
    assert (
        table.wards["rank"].iloc[0] == 1
        and table.wards["change_percent"].iloc[0] == table.wards["change_percent"].max()
    )


def test_periods_parse_label_and_year_earlier():
    assert periods.parse("fy:2023") == periods.Period("fy", date(2023, 4, 1), date(2024, 3, 1))
    assert periods.parse("12m:2024-09").label == "12 months to September 2024"
    assert periods.parse("month:2024-09").year_earlier().spec == "month:2023-09"
    with pytest.raises(ValueError, match="not understood"):
        periods.parse("week:2024-01")


def test_sensitive_measures_are_refused_for_a_month_or_a_rolling_12_months(shared_seeded_url):
    for measure_id in (f"crime:{measures.slug(VSO)}", measures.ALL_CRIME):
        for spec in ("month:2024-09", "12m:2024-09", "12m:2024-03"):
            with pytest.raises(ValueError, match="only by financial year"):
                measures.ward_table(shared_seeded_url, measure_id, periods.parse(spec))
        assert measures.latest_period(shared_seeded_url, measures.get(shared_seeded_url, measure_id)) == YEAR
    burglary = measures.get(shared_seeded_url, "crime:burglary")
    assert measures.latest_period(shared_seeded_url, burglary) == PERIOD  # not sensitive: the latest 12 months


def add_small_safety_plans(url):
    """Domestic abuse safety plans by ward for a year, with some wards' totals from 1 to 4."""
    wards = queries.wards(url)["code"].tolist()
    rows = []
    for i, ward in enumerate(wards):
        for m in range(12):
            month = periods.add_months(YEAR.first, m)
            yearly = [1, 3, 0, 6, 9][i] if i < 5 else 40 + 7 * i  # small, small, zero, next-smallest ...
            value = yearly if m == 0 else 0
            end = (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()
            rows.append(
                {
                    "kpi_code": "DA_SAFETY_PLANS",
                    "area_code": ward,
                    "period_start": month,
                    "period_end": end,
                    "value": float(value),
                    "illustrative": False,
                    "source": "test return",
                    "source_section": "",
                }
            )
    with db.get_engine(url).begin() as connection:
        write_kpi_values(connection, rows, None)
    return url


@pytest.fixture
def small_counts_url(seeded_url):
    return add_small_safety_plans(seeded_url)


def test_sensitive_kpi_cells_are_hidden_and_cannot_be_recovered(small_counts_url):
    measure_id = "kpi:DA_SAFETY_PLANS"
    assert measure_id in {m.id for m in measures.measures(small_counts_url)}
    table = measures.ward_table(small_counts_url, measure_id, YEAR, measures.COUNT)
    wards = table.wards.set_index("ward_code")
    hidden = wards[wards["suppressed"]]
    assert set(hidden["shown"]) <= {"<5", "[c]"} and (hidden["shown"] == "<5").sum() == 2
    assert hidden["value"].isna().all() and hidden["rate_per_1000"].isna().all() and hidden["rank"].isna().all()
    published = {w: int(v) for w, v in wards.loc[~wards["suppressed"], "value"].items()}
    labels = {w: disclosure.PRIMARY if s == "<5" else disclosure.SECONDARY for w, s in hidden["shown"].items()}
    for ward, values in feasible_values(published, labels, int(table.city["value"])).items():
        assert len(values) >= 2, f"{ward} can be derived from the published table"
    # The committee areas holding a hidden ward are withheld too, else area total minus wards gives it away.
    areas = table.areas.set_index("committee_area")
    for area in hidden["committee_area"]:
        assert pd.isna(areas.loc[area, "value"]) and pd.isna(areas.loc[area, "rate_per_1000"])


def test_sensitive_kpi_json_and_csv_carry_no_hidden_number(small_counts_url, capsys):
    code = cli.main(
        [
            "--database-url",
            small_counts_url,
            "ward",
            "measure",
            "kpi:DA_SAFETY_PLANS",
            "--period",
            YEAR.spec,
            "--basis",
            "count",
            "--json",
        ]
    )
    payload = json.loads(capsys.readouterr().out)
    assert code == 0
    hidden = [r for r in payload["wards"] if r["suppressed"]]
    assert len(hidden) >= 2
    assert all(r["value"] is None and r["rate_per_1000"] is None and r["rank"] is None for r in hidden)
    table = measures.ward_table(small_counts_url, "kpi:DA_SAFETY_PLANS", YEAR, measures.COUNT)
    csv = ward_components.display_frame(table).to_csv(index=False)
    small = {1, 3}
    hidden_rows = [line for line in csv.splitlines() if line.endswith("True")]
    assert all(not any(f",{n}," in row or f",{n}.0," in row for n in small) for row in hidden_rows)


def test_a_small_sensitive_crime_count_hides_the_ward_in_all_crime_too(seeded_url):
    ward = "E05011394"
    with db.get_engine(seeded_url).begin() as connection:
        connection.execute(
            text("UPDATE crimemonthly SET count = 0 WHERE ward_code = :w AND crime_type = :t"), {"w": ward, "t": VSO}
        )
        connection.execute(
            text("UPDATE crimemonthly SET count = 2 WHERE ward_code = :w AND crime_type = :t AND month = :m"),
            {"w": ward, "t": VSO, "m": date(2023, 5, 1)},
        )
    vso = measures.ward_table(seeded_url, f"crime:{measures.slug(VSO)}", YEAR, measures.COUNT)
    vso_wards = vso.wards.set_index("ward_code")
    assert vso_wards.loc[ward, "shown"] == "<5" and vso_wards["suppressed"].sum() >= 2
    everything = measures.ward_table(seeded_url, measures.ALL_CRIME, YEAR, measures.COUNT).wards
    withheld = set(everything.loc[everything["suppressed"], "ward_code"])
    assert withheld == set(vso_wards.index[vso_wards["suppressed"]])
    mix = measures.crime_mix(seeded_url, ward, YEAR).set_index("crime_type")
    assert mix.loc[VSO, "shown"] == "<5" and pd.isna(mix.loc[VSO, "count"])
    assert mix["share_percent"].isna().all()  # the ward's total would give the hidden count away
    trend = measures.ward_trend(seeded_url, measures.ALL_CRIME, YEAR.last)
    assert pd.isna(trend[ward].iloc[-1]) and trend["period_end"].iloc[-1] == YEAR.last  # financial years only


def test_ward_measures_cli_lists_measures_with_sensitivity(shared_seeded_url, capsys):
    assert cli.main(["--database-url", shared_seeded_url, "ward", "measures", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[f"crime:{measures.slug(VSO)}"]["sensitive"] is True
    assert rows["crime:burglary"]["sensitive"] is False and "month" in rows["crime:burglary"]["periods"]
    assert {"id", "label", "unit", "sensitive"} <= set(rows["crime:all"])


def test_ward_measure_cli_matches_the_map_function(shared_seeded_url, capsys):
    assert (
        cli.main(
            ["--database-url", shared_seeded_url, "ward", "measure", "crime:burglary", "--period", "fy:2023", "--json"]
        )
        == 0
    )
    payload = json.loads(capsys.readouterr().out)
    table = measures.ward_table(shared_seeded_url, "crime:burglary", periods.parse("fy:2023"))
    assert [r["ward_code"] for r in payload["wards"]] == table.wards["ward_code"].tolist()
    assert [r["value"] for r in payload["wards"]] == table.wards["value"].tolist()
    assert [r["rank"] for r in payload["wards"]] == table.wards["rank"].astype(int).tolist()
    assert payload["area"]["value"] == table.city["value"]


def test_ward_measure_cli_errors_are_one_line(shared_seeded_url, capsys):
    assert cli.main(["--database-url", shared_seeded_url, "ward", "measure", "crime:nope", "--json"]) == 1
    assert "Unknown measure" in capsys.readouterr().err
    assert (
        cli.main(["--database-url", shared_seeded_url, "ward", "measure", "crime:all", "--period", "month:2024-09"])
        == 1
    )
    assert "disclosure control" in capsys.readouterr().err


def test_city_kpi_values_are_not_ward_measures(shared_seeded_url):
    assert LEEDS_CODE not in set(queries.wards(shared_seeded_url)["code"])
    assert not [m for m in measures.measures(shared_seeded_url) if m.kpi_code]
