"""Statistical process control (XmR charts) following NHS England's "Making Data Count", as the NHS-R community's
reference implementation (NHSRplotthedots 0.2.2) applies it. Plain numpy and pandas.

Per segment (a new segment starts at each re-base date and includes it):
- limits: mean of the segment's points +/- 2.66 x the mean moving range, the moving ranges taken within the
  segment only; with screening (the default) moving ranges of 3.267 x their mean or more are dropped once and
  the mean recomputed from the rest. "Close" to a limit: inside the limits but beyond 2/3 of the way to one.
- outside: above the upper or below the lower limit (a point exactly on a limit is not outside);
- shift: 7 or more points in a row on one side of the mean (a point on the mean breaks the run);
- trend: 7 or more points in a row each strictly higher (or lower) than the one before (a tie breaks it);
- two in three: 3 points in a row strictly on one side of the mean, at least 2 of them close to that side's
  limit; the close points are flagged (an outside point is not "close").
A point flagged by several rules is labelled by the first of: outside, trend, two in three, shift. It is an
improvement or a concern by its side of the mean (for a trend, by its direction) and the KPI's direction; with no
better direction it is neutral high or low.

Assurance compares the latest segment's limits with the target: a minimum target below the lower limit is
consistently passing, above the upper limit consistently failing, anything else (equality too) hit and miss;
mirror image for a maximum.

Departures from the reference, on purpose (README, "SPC"): the dashboard does not judge a segment of fewer than 12
points: the latest point's variation and assurance are then "too few points" (the per-point limits and types
are still computed exactly as the reference does, so charts and `saferleeds spc` show them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

MIN_POINTS = 12  # the dashboard judges a segment only from this many points (the reference has no minimum)
LIMIT_FACTOR = 2.66  # 3 sigma estimated from the mean moving range (3 / 1.128)
CLOSE_FACTOR = 2 * (LIMIT_FACTOR / 3)  # "close to a limit": beyond two-thirds of the way from the mean
SCREEN_FACTOR = 3.267  # moving ranges this many times their mean, or more, are screened out
RUN_LENGTH = 7  # shift: this many points in a row on one side of the mean
TREND_LENGTH = 7  # trend: this many points each higher (or each lower) than the one before

# Point types (the Making Data Count variation icons), as the reference names them.
COMMON = "common_cause"
IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
NEUTRAL_HIGH = "special_cause_neutral_high"
NEUTRAL_LOW = "special_cause_neutral_low"
INSUFFICIENT = "too_few_points"  # the dashboard's own verdict for a latest segment under MIN_POINTS
SPECIAL = (IMPROVEMENT, CONCERN, NEUTRAL_HIGH, NEUTRAL_LOW)
NEUTRAL = (NEUTRAL_HIGH, NEUTRAL_LOW)

# Assurance, as the reference names it.
PASSING = "consistent_pass"
FAILING = "consistent_fail"
HIT_AND_MISS = "inconsistent"

# Rules, in the order that decides a point's label.
OUTSIDE = "outside"
TREND = "trend"
TWO_IN_THREE = "two_in_three"
SHIFT = "shift"
RULE_ORDER = (OUTSIDE, TREND, TWO_IN_THREE, SHIFT)

DIRECTIONS = ("higher_is_better", "lower_is_better", "neutral")


@dataclass
class SeriesResult:
    """Per-point arrays for one series (the engine's output before any DataFrame is built)."""

    segment: np.ndarray
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    point_type: list[str]
    rules: list[list[str]]  # every rule that fired at each point, in RULE_ORDER
    trend_direction: np.ndarray  # +1 / -1 where a point is part of a rising / falling trend, else 0
    segment_size: np.ndarray  # how many points each point's segment has
    variation: str  # the latest point's type, or INSUFFICIENT when its segment is under MIN_POINTS
    assurance: str | None  # None with no target or no better direction


@dataclass
class SpcResult:
    """Per-point limits and signals (a DataFrame for charts and tables) and the verdicts for the latest point."""

    points: pd.DataFrame  # period_end, value, segment, mean, lower, upper, point_type, rule, rules
    variation: str
    assurance: str | None
    signals: list[dict] = field(default_factory=list)  # {rule, period_end, kind} for each flagged point


def segments_of(periods: Sequence[date], rebase_dates: Sequence[date]) -> np.ndarray:
    """Segment number of each point: a new segment starts at the first period on or after each re-base date."""
    segment = np.zeros(len(periods), dtype=int)
    for change in sorted(set(rebase_dates)):
        segment += np.fromiter((p >= change for p in periods), dtype=int, count=len(periods))
    return segment


def _limits(values: np.ndarray, screen: bool) -> tuple[float, float]:
    """(mean, mean moving range) of one segment; the mean moving range is NaN when there is none to take."""
    mean = float(values.mean())
    if len(values) < 2:
        return mean, float("nan")
    ranges = np.abs(np.diff(values))
    average = float(ranges.mean())
    if screen:
        kept = ranges[ranges < SCREEN_FACTOR * average]
        average = float(kept.mean()) if len(kept) else float("nan")
    return mean, average


def _runs(flags: np.ndarray, length: int) -> np.ndarray:
    """True for every element of a run of at least `length` consecutive True values."""
    padded = np.concatenate(([False], flags.astype(bool), [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])  # run starts and one-past-ends, alternately
    marked = np.zeros(len(flags), dtype=bool)
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        if end - start >= length:
            marked[start:end] = True
    return marked


def _trends(values: np.ndarray) -> np.ndarray:
    """+1 / -1 for every point of a run of TREND_LENGTH or more points each strictly higher / lower than the last.

    A point at a turn (the last of a rising run and the first of a falling one) belongs to the later trend, as in
    the reference (a peak between two trends is labelled decreasing)."""
    direction = np.zeros(len(values), dtype=int)
    if len(values) < 2:
        return direction
    steps = np.sign(np.diff(values))
    spans = []
    for sign in (1, -1):
        in_run = np.concatenate([[False], _runs(steps == sign, TREND_LENGTH - 1), [False]])
        starts = np.flatnonzero(~in_run[:-1] & in_run[1:])  # first step of each run
        ends = np.flatnonzero(in_run[:-1] & ~in_run[1:])  # one past its last step
        spans += [(int(start), int(end), sign) for start, end in zip(starts, ends, strict=True)]
    for start, end, sign in sorted(spans):  # in time order, so a later trend overwrites the point they share
        direction[start : end + 1] = sign
    return direction


def _segment_rules(values: np.ndarray, mean: float, spread: float) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Which points each rule flags in one segment, and the trend direction of each point."""
    with np.errstate(invalid="ignore"):
        upper, lower = mean + LIMIT_FACTOR * spread, mean - LIMIT_FACTOR * spread
        near_upper, near_lower = mean + CLOSE_FACTOR * spread, mean - CLOSE_FACTOR * spread
        outside = (values > upper) | (values < lower)
        close = ~outside & ((values < near_lower) | (values > near_upper))
    side = np.sign(values - mean)
    two_in_three = np.zeros(len(values), dtype=bool)
    if len(values) >= 3:
        n = len(values) - 2  # windows of 3 consecutive points, by their first point
        one_side = np.abs(side[:n] + side[1 : n + 1] + side[2:]) == 3
        enough_close = close[:n].astype(int) + close[1 : n + 1] + close[2:] >= 2
        qualifying = one_side & enough_close
        for offset in range(3):  # flag the close points of every qualifying window
            two_in_three[offset : offset + n] |= qualifying & close[offset : offset + n]
    shift = _runs(side == 1, RUN_LENGTH) | _runs(side == -1, RUN_LENGTH)
    trend = _trends(values)
    return {OUTSIDE: outside, TREND: trend != 0, TWO_IN_THREE: two_in_three, SHIFT: shift}, trend


def _point_type(side: float, direction: str) -> str:
    """Improvement, concern or neutral high/low for a flagged point on one side (+1 above or rising, -1 below)."""
    if direction == "neutral":
        return NEUTRAL_HIGH if side > 0 else NEUTRAL_LOW
    better = 1 if direction == "higher_is_better" else -1
    return IMPROVEMENT if side == better else CONCERN


def assurance_of(
    lower: float, upper: float, target: float | None, target_type: str | None, direction: str
) -> str | None:
    """Consistently passing, consistently failing or hit and miss for one segment's limits against a target."""
    if target is None or target_type not in ("minimum", "maximum") or direction == "neutral":
        return None
    if target > upper:  # NaN limits compare False: hit and miss, as the reference says
        return FAILING if target_type == "minimum" else PASSING
    if target < lower:
        return PASSING if target_type == "minimum" else FAILING
    return HIT_AND_MISS


def analyse(
    values: np.ndarray,
    segment: np.ndarray,
    direction: str,
    target: float | None = None,
    target_type: str | None = None,
    screen_outliers: bool = True,
) -> SeriesResult:
    """The engine: limits, rules and point types for every point of one series, and the latest point's verdicts."""
    if direction not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction!r}: use one of {', '.join(DIRECTIONS)}")
    n = len(values)
    mean, lower, upper = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    trend_direction = np.zeros(n, dtype=int)
    segment_size = np.zeros(n, dtype=int)
    point_type = [COMMON] * n
    rules: list[list[str]] = [[] for _ in range(n)]
    for number in np.unique(segment):
        where = np.flatnonzero(segment == number)
        part = values[where]
        centre, spread = _limits(part, screen_outliers)
        mean[where] = centre
        lower[where] = centre - LIMIT_FACTOR * spread
        upper[where] = centre + LIMIT_FACTOR * spread
        segment_size[where] = len(where)
        flags, trend = _segment_rules(part, centre, spread)
        trend_direction[where] = trend
        side = np.sign(part - centre)
        flagged = np.logical_or.reduce([flags[rule] for rule in RULE_ORDER])
        for offset in np.flatnonzero(flagged).tolist():
            fired = [rule for rule in RULE_ORDER if flags[rule][offset]]
            rules[where[offset]] = fired
            point_type[where[offset]] = _point_type(trend[offset] if fired[0] == TREND else side[offset], direction)
    judged = n > 0 and segment_size[-1] >= MIN_POINTS
    variation = point_type[-1] if judged else INSUFFICIENT
    assurance = assurance_of(lower[-1], upper[-1], target, target_type, direction) if n else None
    if assurance is not None and not judged:
        assurance = INSUFFICIENT
    return SeriesResult(
        segment, mean, lower, upper, point_type, rules, trend_direction, segment_size, variation, assurance
    )


def xmr(
    frame: pd.DataFrame,
    direction: str,
    target: float | None = None,
    target_type: str | None = None,
    change_points: list | None = None,
    screen_outliers: bool = True,
) -> SpcResult:
    """XmR analysis of frame (columns period_end and value, oldest first), re-based at the change points."""
    points = frame[["period_end", "value"]].reset_index(drop=True).copy()
    values = points["value"].to_numpy(dtype=float)
    result = analyse(
        values,
        segments_of(list(points["period_end"]), change_points or []),
        direction,
        target,
        target_type,
        screen_outliers,
    )
    points["segment"] = result.segment
    points["mean"], points["lower"], points["upper"] = result.mean, result.lower, result.upper
    points["point_type"] = result.point_type
    points["rules"] = result.rules
    points["rule"] = [fired[0] if fired else "" for fired in result.rules]
    points["trend"] = result.trend_direction
    points["judged"] = result.segment_size >= MIN_POINTS
    # The chart and tile mark only what the dashboard judges: special causes in segments of MIN_POINTS or more.
    points["signal"] = [
        kind if judged and kind in SPECIAL else ""
        for kind, judged in zip(points["point_type"], points["judged"], strict=True)
    ]
    signals = [
        {"rule": rule, "period_end": row["period_end"], "kind": row["signal"]}
        for row in points.to_dict(orient="records")
        if row["signal"]
        for rule in row["rules"]
    ]
    return SpcResult(points, result.variation, result.assurance, signals)
