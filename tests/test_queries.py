"""Reading and writing KPI values and crime aggregates through the data layer, on both backends."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert

from lib.ingest import aggregates
from lib.ingest.kpi_values import write_kpi_values
from lib.store import db, queries
from lib.store.models import CrimeMonthly, ImportBatch


def _batch(connection, kind="kpi_return"):
    return connection.execute(
        insert(ImportBatch).values(
            kind=kind, file_name="test.csv", sha256="1" * 64, who="test", status="success", started_at=datetime.now(UTC)
        )
    ).inserted_primary_key[0]


def _value(**overrides):
    row = {
        "kpi_code": "DS1_RESPONSE",
        "area_code": "DS1",
        "period_start": date(2024, 9, 1),
        "period_end": date(2024, 9, 30),
        "value": 30.0,
        "illustrative": False,
        "source": "return.csv",
    }
    return row | overrides


def test_new_value_then_correction_is_a_new_revision_and_the_old_is_kept(seeded_url):
    with db.get_engine(seeded_url).begin() as connection:
        first = write_kpi_values(connection, [_value()], _batch(connection))
        same = write_kpi_values(connection, [_value()], _batch(connection))
        corrected = write_kpi_values(connection, [_value(value=31.5)], _batch(connection))
    assert (first.added, same.unchanged, corrected.revised) == (1, 1, 1)
    history = queries.provenance(seeded_url, "DS1_RESPONSE")
    september = history[(history["period_start"] == date(2024, 9, 1)) & ~history["illustrative"]]
    assert list(zip(september["value"], september["revision"], september["is_current"], strict=True)) == [
        (30.0, 1, False),
        (31.5, 2, True),
    ]
    series = queries.kpi_series(seeded_url, "DS1_RESPONSE").set_index("period_start")
    assert series.loc[date(2024, 9, 1), "value"] == 31.5
    assert not series.loc[date(2024, 9, 1), "illustrative"]


def test_real_value_shadows_illustrative_unless_real_only_is_asked(seeded_url):
    with db.get_engine(seeded_url).begin() as connection:
        write_kpi_values(
            connection, [_value(kpi_code="DA_SAFETY_PLANS", area_code="E08000035", value=401.0)], _batch(connection)
        )
    series = queries.kpi_series(seeded_url, "DA_SAFETY_PLANS")
    september = series[series["period_start"] == date(2024, 9, 1)]
    assert list(september["value"]) == [401.0] and not september["illustrative"].any()
    real = queries.kpi_series(seeded_url, "DA_SAFETY_PLANS", real_only=True)
    assert not real["illustrative"].any() and 401.0 in set(real["value"])


def test_one_write_refuses_the_same_period_twice(seeded_url):
    with db.get_engine(seeded_url).begin() as connection, pytest.raises(ValueError, match="more than once"):
        write_kpi_values(connection, [_value(), _value(value=2.0)], _batch(connection))


def test_real_crime_month_replaces_the_illustrative_month(seeded_url):
    before = queries.kpi_series(seeded_url, "CRIME_TOTAL").set_index("period_start")
    assert before.loc[date(2024, 3, 1), "illustrative"]
    with db.get_engine(seeded_url).begin() as connection:
        connection.execute(
            insert(CrimeMonthly),
            [
                {
                    "month": date(2024, 3, 1),
                    "ward_code": "E05011394",
                    "crime_type": "Burglary",
                    "illustrative": False,
                    "count": 12,
                },
                {
                    "month": date(2024, 3, 1),
                    "ward_code": "E05011394",
                    "crime_type": "Anti-social behaviour",
                    "illustrative": False,
                    "count": 99,
                },
            ],
        )
        aggregates.refresh_city(connection, [date(2024, 3, 1)], illustrative=False)  # as an import does
    after = queries.kpi_series(seeded_url, "CRIME_TOTAL").set_index("period_start")
    assert after.loc[date(2024, 3, 1), "value"] == 12  # ASB is not crime; the illustrative month is dropped
    assert not after.loc[date(2024, 3, 1), "illustrative"]
    assert after.loc[date(2024, 2, 1), "value"] == before.loc[date(2024, 2, 1), "value"]
    assert len(queries.kpi_series(seeded_url, "CRIME_TOTAL", real_only=True)) == 1
    months = queries.crime_months(seeded_url).set_index("month")
    assert months.loc[date(2024, 3, 1), "has_real"] == 1


def test_crime_total_equals_the_aggregate_summed_independently(shared_seeded_url):
    from sqlalchemy import func, select

    with db.get_engine(shared_seeded_url).connect() as connection:
        expected = connection.execute(
            select(func.sum(CrimeMonthly.count)).where(
                CrimeMonthly.month == date(2023, 6, 1), CrimeMonthly.crime_type != "Anti-social behaviour"
            )
        ).scalar()
    series = queries.kpi_series(shared_seeded_url, "CRIME_TOTAL").set_index("period_start")
    assert series.loc[date(2023, 6, 1), "value"] == expected


def test_headline_values_cover_every_kpi_with_data(shared_seeded_url):
    values = queries.headline_values(shared_seeded_url)
    catalogue = queries.kpi_catalogue(shared_seeded_url)
    assert set(values["kpi_code"]) == set(catalogue["code"])
    assert len(catalogue) == 36 and catalogue["sensitive"].sum() == 1
