"""The illustrative generator: deterministic, flagged, and reproducing every documented aggregate it overlaps."""

from datetime import date

import pandas as pd
import pytest

from lib.core.config import PROJECT_ROOT
from lib.ingest import illustrative
from lib.ingest.illustrative import month_starts, round_to_total
from lib.store import queries

LEEDS = PROJECT_ROOT / "data" / "areas" / "leeds"

WARDS = sorted(pd.read_csv(LEEDS / "wards.csv")["code"])


@pytest.fixture(scope="module")
def generated():
    return illustrative.generate(WARDS)


def _monthly(generated, code, first, last):
    frame = pd.DataFrame(generated.kpi_values)
    frame = frame[frame["kpi_code"] == code]
    return frame[(frame["period_start"] >= first) & (frame["period_start"] <= last)]


def test_same_seed_gives_identical_rows_and_another_seed_does_not(generated):
    again = illustrative.generate(WARDS)
    assert again.kpi_values == generated.kpi_values
    assert again.crime_monthly == generated.crime_monthly
    other = illustrative.generate(WARDS, seed=7)
    assert other.crime_monthly != generated.crime_monthly


def test_series_cover_april_2021_to_september_2024(generated):
    frame = pd.DataFrame(generated.kpi_values)
    for code in ("DS1_RESPONSE", "DS1_TRIAGE", "DS1_ATTENDANCE", "DS1_CALLS", "DA_SAFETY_PLANS"):
        starts = set(frame.loc[frame["kpi_code"] == code, "period_start"])
        assert set(month_starts(date(2021, 4, 1), date(2024, 9, 1))) <= starts, code
    crime = pd.DataFrame(generated.crime_monthly)
    assert crime["month"].min() == date(2021, 4, 1) and crime["month"].max() == date(2024, 9, 1)
    assert crime["ward_code"].nunique() == 33 and crime["crime_type"].nunique() == 14


def test_ds1_response_calls_weighted_means_are_63_and_36(generated):
    for (first, last), documented in (
        ((date(2021, 2, 1), date(2021, 10, 1)), 63),
        ((date(2022, 2, 1), date(2022, 10, 1)), 36),
    ):
        window = _monthly(generated, "DS1_RESPONSE", first, last)
        weighted = window["numerator"].sum() / window["denominator"].sum()
        assert round(weighted) == documented
        assert abs(weighted - documented) < 0.1


def test_ds1_triage_october_values_and_the_two_hour_standard(generated):
    triage = _monthly(generated, "DS1_TRIAGE", date(2021, 1, 1), date(2024, 9, 1)).set_index("period_start")["value"]
    assert triage[date(2021, 10, 1)] == 56 and triage[date(2022, 10, 1)] == 17
    assert (triage < 120).all()


def test_ds1_attendance_matches_95_98_and_70(generated):
    series = _monthly(generated, "DS1_ATTENDANCE", date(2021, 1, 1), date(2024, 9, 1)).set_index("period_start")
    peak = series.loc[[date(2022, m, 1) for m in (7, 8, 9, 10)]]
    assert round(100 * peak["numerator"].sum() / peak["denominator"].sum()) == 95
    assert series.loc[date(2022, 9, 1), "value"] == 98
    year_2021 = series[[d.year == 2021 for d in series.index]]
    assert year_2021["value"].min() == 70
    assert (series["value"] == (100 * series["numerator"] / series["denominator"]).round(1)).all()


def test_ds1_calls_fall_37_percent_and_then_50_percent_in_student_areas(generated):
    def total(first, last):
        return _monthly(generated, "DS1_CALLS", first, last)["value"].sum()

    change_2022 = 100 * (total(date(2022, 2, 1), date(2022, 10, 1)) / total(date(2021, 2, 1), date(2021, 10, 1)) - 1)
    assert round(change_2022) == -37
    change_fy23 = 100 * (total(date(2023, 4, 1), date(2024, 3, 1)) / total(date(2022, 4, 1), date(2023, 3, 1)) - 1)
    assert round(change_fy23) == -50


def test_calls_peak_in_freshers_and_bonfire_season(generated):
    calls = _monthly(generated, "DS1_CALLS", date(2022, 4, 1), date(2023, 3, 1)).set_index("period_start")
    autumn = calls.loc[[date(2022, 9, 1), date(2022, 10, 1)], "value"].mean()
    summer = calls.loc[[date(2022, 7, 1), date(2022, 8, 1)], "value"].mean()
    assert autumn > 1.5 * summer


def test_safety_plans_sum_to_4672_and_more_than_6000(generated):
    fy23 = _monthly(generated, "DA_SAFETY_PLANS", date(2023, 4, 1), date(2024, 3, 1))
    assert len(fy23) == 12 and fy23["value"].sum() == 4672
    report_year = _monthly(generated, "DA_SAFETY_PLANS", date(2021, 11, 1), date(2022, 10, 1))
    assert 6000 < report_year["value"].sum() < 6500  # "more than 6,000"


def test_walksafe_first_six_months(generated):
    downloads = _monthly(generated, "WALKSAFE_DOWNLOADS", date(2023, 9, 1), date(2024, 2, 1))
    uses = _monthly(generated, "WALKSAFE_USES", date(2023, 9, 1), date(2024, 2, 1))
    assert 3500 < downloads["value"].sum() < 3550  # "more than 3500"
    assert 26000 < uses["value"].sum() < 26500  # "over 26,000 times"
    assert _monthly(generated, "WALKSAFE_DOWNLOADS", date(2021, 1, 1), date(2024, 9, 1))["period_start"].min() == date(
        2023, 9, 1
    )


def test_harehills_crime_40_percent_lower_in_16_months_after_clear_hold_build(generated):
    crime = pd.DataFrame(generated.crime_monthly)
    harehills = crime[(crime["ward_code"] == "E05011394") & (crime["crime_type"] != "Anti-social behaviour")]
    before = harehills[(harehills["month"] >= date(2022, 1, 1)) & (harehills["month"] <= date(2023, 4, 1))]
    after = harehills[(harehills["month"] >= date(2023, 5, 1)) & (harehills["month"] <= date(2024, 8, 1))]
    assert before["month"].nunique() == after["month"].nunique() == 16
    assert round(100 * (after["count"].sum() / before["count"].sum() - 1)) == -40


def test_every_generated_row_is_stored_flagged_illustrative(generated, shared_seeded_url):
    crime = queries.crime_months(shared_seeded_url)
    assert len(crime) == 42 and (crime["has_real"] == 0).all()
    provenance = queries.provenance(shared_seeded_url)
    stored = provenance[provenance["source"].str.startswith("Illustrative")]
    assert len(stored) == len(generated.kpi_values) and stored["illustrative"].all()


def test_a_documented_value_replaces_the_illustrative_one_for_the_same_period(shared_seeded_url):
    triage = queries.kpi_series(shared_seeded_url, "DS1_TRIAGE").set_index("period_start")
    assert len(triage.loc[[date(2021, 10, 1)]]) == 1
    assert not triage.loc[date(2021, 10, 1), "illustrative"]
    assert triage.loc[date(2021, 11, 1), "illustrative"]


@pytest.mark.parametrize(("values", "total"), [([1.2, 2.4, 3.4], 7), ([0.5, 0.5], 1), ([3.0, 3.0, 3.0], 10)])
def test_round_to_total_hits_the_total_and_stays_close(values, total):
    rounded = round_to_total(values, total)
    assert sum(rounded) == total
    scale = total / sum(values)
    assert all(abs(r - v * scale) < 1 for r, v in zip(rounded, values, strict=True))
