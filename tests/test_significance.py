"""Poisson rate-ratio verdicts against hand-worked examples."""

import math

import pytest

from lib.analysis import significance


def test_hand_worked_reduction():
    # 100 -> 60: RR 0.6, SE of log = sqrt(1/100 + 1/60) = 0.16330; CI 0.6 * exp(+/-0.32006) = 0.4357 to 0.8263.
    result = significance.rate_ratio(100, 60)
    assert result.ratio == pytest.approx(0.6)
    assert result.lower == pytest.approx(0.6 * math.exp(-1.959964 * math.sqrt(1 / 100 + 1 / 60)))
    assert result.upper == pytest.approx(0.8263, abs=1e-4)
    assert result.verdict == significance.REDUCTION
    assert result.percent_change == pytest.approx(-40.0)


def test_small_counts_are_no_significant_change():
    assert significance.rate_ratio(10, 7).verdict == significance.NO_CHANGE


def test_increase():
    assert significance.rate_ratio(200, 260).verdict == significance.INCREASE


def test_exposure_turns_counts_into_rates():
    # Same count over twice the population is half the rate.
    assert significance.rate_ratio(100, 100, previous_exposure=1, current_exposure=2).ratio == pytest.approx(0.5)


def test_zero_counts():
    assert significance.rate_ratio(0, 0) is None
    result = significance.rate_ratio(0, 12)
    assert result.ratio == pytest.approx(12.5 / 0.5) and result.verdict == significance.INCREASE
    with pytest.raises(ValueError):
        significance.rate_ratio(-1, 3)


def test_compare_counts_table():
    import pandas as pd

    previous = pd.DataFrame({"crime_type": ["Burglary", "Drugs"], "count": [100, 10]})
    current = pd.DataFrame({"crime_type": ["Burglary", "Robbery"], "count": [60, 5]})
    table = significance.compare_counts(previous, current).set_index("crime_type")
    assert table.loc["Burglary", "verdict"] == significance.REDUCTION
    assert table.loc["Burglary", "change_percent"] == -40.0
    assert (table.loc["Drugs", "current"], table.loc["Robbery", "previous"]) == (0, 0)
    assert table.loc["Robbery", "change_percent"] is None or pd.isna(table.loc["Robbery", "change_percent"])
