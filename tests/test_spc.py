"""SPC (XmR) against hand-worked examples, including the edge cases."""

from datetime import date

import pandas as pd
import pytest

from lib.analysis import spc


def series(values, start=date(2022, 1, 1)):
    periods = pd.date_range(start, periods=len(values), freq="MS").date
    return pd.DataFrame({"period_end": periods, "value": [float(v) for v in values]})


def test_limits_are_mean_plus_minus_2_66_mean_moving_range():
    # 12 points alternating 10, 12: mean 11, every moving range 2, limits 11 +/- 5.32.
    result = spc.xmr(series([10, 12] * 6), "lower_is_better")
    assert result.points["mean"].iloc[0] == pytest.approx(11.0)
    assert result.points["upper"].iloc[0] == pytest.approx(16.32)
    assert result.points["lower"].iloc[0] == pytest.approx(5.68)
    assert result.variation == spc.COMMON
    assert result.signals == []


def test_fewer_than_twelve_points_are_drawn_but_not_judged():
    # The reference computes limits for any segment; the dashboard does not judge one of fewer than 12 points.
    result = spc.xmr(series([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]), "higher_is_better", 10, "minimum")
    assert result.points["mean"].notna().all() and not result.points["judged"].any()
    assert result.points["point_type"].iloc[-1] == spc.IMPROVEMENT  # the reference's per-point type is still there
    assert result.variation == spc.INSUFFICIENT and result.assurance == spc.INSUFFICIENT
    assert result.signals == []


def test_rule_1_point_beyond_upper_limit_is_concern_when_lower_is_better():
    # 11 points alternating 10/12 then 30: mean 150/12 = 12.5; ten moving ranges of 2 and one of 20, so the mean
    # moving range is 40/11. Unscreened, the upper limit is 12.5 + 2.66 * 40/11 = 22.17, below 30. Screened (the
    # default), the range of 20 is over 3.267 * 40/11 = 11.88 and is dropped: upper limit 12.5 + 2.66 * 2.
    values = [10, 12] * 5 + [10, 30]
    unscreened = spc.xmr(series(values), "lower_is_better", screen_outliers=False)
    assert unscreened.points["mean"].iloc[0] == pytest.approx(12.5)
    assert unscreened.points["upper"].iloc[0] == pytest.approx(12.5 + 2.66 * 40 / 11)
    result = spc.xmr(series(values), "lower_is_better")
    assert result.points["upper"].iloc[0] == pytest.approx(12.5 + 2.66 * 2)
    assert [s["rule"] for s in result.signals if s["period_end"] == date(2022, 12, 1)] == [spc.OUTSIDE]
    assert result.variation == spc.CONCERN


def test_rule_1_same_point_is_improvement_when_higher_is_better():
    result = spc.xmr(series([10, 12] * 5 + [10, 30]), "higher_is_better")
    assert result.variation == spc.IMPROVEMENT


def test_rule_3_run_of_seven_below_the_mean():
    # five high points then seven low ones: the last seven sit below the mean (9.5).
    values = [14, 15, 14, 15, 14] + [7, 6, 7, 6, 7, 6, 7]
    result = spc.xmr(series(values), "lower_is_better")
    run = result.points.loc[result.points["rules"].apply(lambda r: spc.SHIFT in r), "period_end"]
    assert list(run) == list(series(values)["period_end"].iloc[5:])
    assert result.variation == spc.IMPROVEMENT


def test_a_point_on_the_mean_breaks_a_run():
    # mean is exactly 10: six below, one on the mean, then five above: no run of 7 on either side.
    values = [9, 9, 9, 9, 9, 9, 10, 11, 11, 11, 11, 12]
    result = spc.xmr(series(values), "lower_is_better")
    assert result.points["mean"].iloc[0] == pytest.approx(10.0)
    assert not any(spc.SHIFT in rules for rules in result.points["rules"])


def test_rule_4_trend_of_seven_increasing_points_and_ties_break_it():
    rising = [10, 10, 10, 10, 10, 11, 12, 13, 14, 15, 16, 17]
    result = spc.xmr(series(rising), "lower_is_better")
    trend = result.points.loc[result.points["rules"].apply(lambda r: spc.TREND in r)].index.tolist()
    assert trend == [4, 5, 6, 7, 8, 9, 10, 11]  # 10 -> 17 is seven rises across eight points
    assert any(s["rule"] == spc.TREND and s["kind"] == spc.CONCERN for s in result.signals)
    tied = [10, 10, 10, 10, 10, 11, 12, 13, 13, 14, 15, 16]
    assert not any(spc.TREND in r for r in spc.xmr(series(tied), "lower_is_better").points["rules"])


def test_rule_2_two_of_three_beyond_two_thirds_of_the_way_to_a_limit():
    # The last three points (12.5, 11.0, 12.5) all sit above the mean and two of them lie between two-thirds of the
    # way to the upper limit and the limit: mean 127.6/12 = 10.633, mean moving range (8 x 0.4 + 2.5 + 1.5 + 1.5)
    # / 11 = 0.791, upper limit 12.737, two-thirds mark 12.036. Only the two close points are flagged.
    values = [10, 10.4] * 4 + [10, 12.5, 11.0, 12.5]
    result = spc.xmr(series(values), "higher_is_better", screen_outliers=False)
    mean, upper = result.points["mean"].iloc[0], result.points["upper"].iloc[0]
    assert mean == pytest.approx(10.6333, abs=1e-4) and upper == pytest.approx(12.737, abs=1e-3)
    flagged = result.points.loc[result.points["rules"].apply(lambda r: spc.TWO_IN_THREE in r)].index.tolist()
    assert flagged == [9, 11]
    assert result.variation == spc.IMPROVEMENT


def test_two_in_three_needs_all_three_on_one_side_of_the_mean():
    values = [10, 10.4] * 4 + [10, 12.5, 10.2, 12.5]  # the middle point is below the mean
    result = spc.xmr(series(values), "higher_is_better", screen_outliers=False)
    assert not any(spc.TWO_IN_THREE in rules for rules in result.points["rules"])


def test_flat_series_has_undefined_limits_and_no_signal():
    # Every moving range is 0: screening drops them all (none is under 3.267 x 0), so the limits are undefined and
    # the target cannot be judged (hit and miss), as in the reference. Unscreened, the limits have zero width.
    result = spc.xmr(series([5] * 12), "lower_is_better", target=6, target_type="maximum")
    assert result.points["upper"].isna().all() and result.points["lower"].isna().all()
    assert result.signals == [] and result.variation == spc.COMMON
    assert result.assurance == spc.HIT_AND_MISS
    unscreened = spc.xmr(series([5] * 12), "lower_is_better", target=6, target_type="maximum", screen_outliers=False)
    assert unscreened.points["upper"].iloc[0] == unscreened.points["lower"].iloc[0] == 5.0
    assert unscreened.variation == spc.COMMON and unscreened.assurance == spc.PASSING


def test_neutral_direction_gives_neutral_high_or_low():
    assert spc.xmr(series([10, 12] * 5 + [10, 30]), "neutral").variation == spc.NEUTRAL_HIGH
    assert spc.xmr(series([30, 32] * 5 + [30, 10]), "neutral").variation == spc.NEUTRAL_LOW


def test_rebasing_gives_each_segment_its_own_limits():
    before, after = [60, 66] * 6, [35, 37] * 6
    frame = series(before + after)
    result = spc.xmr(frame, "lower_is_better", change_points=[date(2023, 1, 1)])
    assert result.points["mean"].iloc[0] == pytest.approx(63.0)
    assert result.points["mean"].iloc[-1] == pytest.approx(36.0)
    assert result.variation == spc.COMMON  # no signal within the new process
    unbased = spc.xmr(frame, "lower_is_better")
    assert unbased.variation == spc.IMPROVEMENT  # without re-basing the fall reads as a signal


def test_short_segment_after_a_change_point_is_insufficient():
    frame = series([60, 66] * 6 + [35, 37, 36])
    result = spc.xmr(frame, "lower_is_better", change_points=[date(2023, 1, 1)])
    assert result.variation == spc.INSUFFICIENT
    assert result.points["judged"].iloc[:12].all() and not result.points["judged"].iloc[12:].any()
    assert result.points["mean"].iloc[12:].tolist() == [36.0] * 3  # drawn, as the reference draws it


@pytest.mark.parametrize(
    ("values", "target", "kind", "expected"),
    [
        ([10, 12] * 6, 20, "maximum", spc.PASSING),  # upper limit 16.32 <= 20
        ([10, 12] * 6, 4, "maximum", spc.FAILING),  # lower limit 5.68 > 4
        ([10, 12] * 6, 11, "maximum", spc.HIT_AND_MISS),
        ([10, 12] * 6, 4, "minimum", spc.PASSING),
        ([10, 12] * 6, 20, "minimum", spc.FAILING),
        ([10, 12] * 6, None, None, None),
    ],
)
def test_assurance_against_target(values, target, kind, expected):
    assert spc.xmr(series(values), "lower_is_better", target, kind).assurance == expected


def test_charts_keep_the_axis_to_the_data_and_event_labels_apart():
    from lib.area import events
    from lib.figures import charts

    frame = series([10, 12] * 12, start=date(2021, 10, 1))
    result = spc.xmr(frame, "lower_is_better")
    figure = charts.spc_figure(result.points, "Calls", "calls", events.events_for("DS1_CALLS"))
    first, last = pd.Timestamp(frame["period_end"].min()), pd.Timestamp(frame["period_end"].max())
    low, high = (pd.Timestamp(v) for v in figure.layout.xaxis.range)
    assert first - pd.Timedelta(days=31) < low <= first and last <= high < last + pd.Timedelta(days=31)
    labels = [a for a in figure.layout.annotations if a.yref == "paper"]
    assert len(labels) == 2 and len({a.y for a in labels}) == 2  # two events in range, on two different lines
