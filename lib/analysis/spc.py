"""Statistical process control (XmR charts) following NHS England's "Making Data Count" (plain pandas).

A series gets a mean and process limits (mean +/- 2.66 x mean moving range) per segment, four special-cause
rules, a variation verdict for its latest point and an assurance verdict against its target.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MIN_POINTS = 12  # fewer points than this in a segment: no limits, no icons
LIMIT_FACTOR = 2.66  # 3 sigma estimated from the mean moving range (3 / 1.128)
RUN_LENGTH = 7  # rule 3: a run of this many points on one side of the mean
TREND_LENGTH = 7  # rule 4: this many points each higher (or each lower) than the one before

COMMON = "common_cause"
IMPROVEMENT = "special_cause_improvement"
CONCERN = "special_cause_concern"
NEITHER = "special_cause_neither"  # a signal on a KPI with no better direction
INSUFFICIENT = "insufficient_data"

PASSING = "consistently_passing"
FAILING = "consistently_failing"
HIT_AND_MISS = "hit_and_miss"


@dataclass
class SpcResult:
    """Per-point limits and signals, and the verdicts for the latest point."""

    points: pd.DataFrame
    variation: str
    assurance: str | None
    signals: list[dict] = field(default_factory=list)


def _segments(periods: pd.Series, change_points: list) -> np.ndarray:
    """Segment number of each point: a new segment starts at the first period on or after each change point."""
    segment = np.zeros(len(periods), dtype=int)
    for change in sorted(change_points):
        segment += (periods >= change).to_numpy().astype(int)
    return segment


def _rule_points(values: np.ndarray, mean: float, upper: float, lower: float) -> dict[int, np.ndarray]:
    """Boolean flags per rule for one segment's values; a flagged point is part of that rule's signal."""
    n = len(values)
    run_start: int | None
    start: int | None
    flags = {rule: np.zeros(n, dtype=bool) for rule in (1, 2, 3, 4)}
    flags[1] = (values > upper) | (values < lower)
    third = (upper - mean) / 3.0
    for side in (1, -1):
        beyond = side * (values - mean) > 2 * third
        for first in range(n - 2):
            window = beyond[first : first + 3]
            if window.sum() >= 2:
                flags[2][first : first + 3] |= window
        on_side = side * (values - mean) > 0
        run_start = None
        for i in range(n + 1):
            if i < n and on_side[i]:
                run_start = i if run_start is None else run_start
                continue
            if run_start is not None and i - run_start >= RUN_LENGTH:
                flags[3][run_start:i] = True
            run_start = None
    steps = np.sign(np.diff(values))
    for direction in (1, -1):
        start = None
        for i in range(len(steps) + 1):
            if i < len(steps) and steps[i] == direction:
                start = i if start is None else start
                continue
            if start is not None and i - start + 1 >= TREND_LENGTH:
                flags[4][start : i + 1] = True
            start = None
    return flags


def _signal_kind(value: float, mean: float, direction: str, trend: float = 0.0) -> str:
    """Improvement, concern or neither for a flagged point, by which side of the mean (or trend) it is on."""
    side = np.sign(trend) if trend else np.sign(value - mean)
    if direction == "neutral" or side == 0:
        return NEITHER
    better_high = direction == "higher_is_better"
    return IMPROVEMENT if (side > 0) == better_high else CONCERN


def xmr(
    frame: pd.DataFrame,
    direction: str,
    target: float | None = None,
    target_type: str | None = None,
    change_points: list | None = None,
) -> SpcResult:
    """XmR analysis of frame (columns period_end and value, oldest first) with optional re-based segments."""
    points = frame[["period_end", "value"]].reset_index(drop=True).copy()
    points["segment"] = _segments(points["period_end"], change_points or [])
    for column in ("mean", "upper", "lower"):
        points[column] = np.nan
    points["signal"] = ""
    points["rules"] = [[] for _ in range(len(points))]
    signals: list[dict] = []
    for _, segment in points.groupby("segment"):
        if len(segment) < MIN_POINTS:
            continue
        values = segment["value"].to_numpy(dtype=float)
        mean = float(values.mean())
        spread = LIMIT_FACTOR * float(np.abs(np.diff(values)).mean())
        upper, lower = mean + spread, mean - spread
        points.loc[segment.index, ["mean", "upper", "lower"]] = [mean, upper, lower]
        flags = _rule_points(values, mean, upper, lower)
        trend_sign = np.sign(np.gradient(values)) if len(values) > 1 else np.zeros(len(values))
        for rule, flagged in flags.items():
            for offset in np.flatnonzero(flagged):
                index = segment.index[offset]
                kind = _signal_kind(values[offset], mean, direction, trend_sign[offset] if rule == 4 else 0.0)
                points.at[index, "rules"] = [*points.at[index, "rules"], rule]
                points.at[index, "signal"] = _stronger(points.at[index, "signal"], kind)
                signals.append({"rule": rule, "period_end": points.at[index, "period_end"], "kind": kind})
    return SpcResult(points, _variation(points), _assurance(points, target, target_type), signals)


def _stronger(current: str, new: str) -> str:
    """Keep a concern over an improvement over neither when rules disagree about one point."""
    order = {"": 0, NEITHER: 1, IMPROVEMENT: 2, CONCERN: 3}
    return new if order[new] > order[current] else current


def _variation(points: pd.DataFrame) -> str:
    """The variation verdict for the latest point: its signal, common cause, or insufficient data."""
    if points.empty or pd.isna(points["mean"].iloc[-1]):
        return INSUFFICIENT
    return points["signal"].iloc[-1] or COMMON


def _assurance(points: pd.DataFrame, target: float | None, target_type: str | None) -> str | None:
    """Whether the latest segment's process limits always, never or sometimes meet the target."""
    if target is None or target_type not in ("maximum", "minimum") or points.empty:
        return None
    upper, lower = points["upper"].iloc[-1], points["lower"].iloc[-1]
    if pd.isna(upper):
        return INSUFFICIENT
    if target_type == "maximum":
        return PASSING if upper <= target else FAILING if lower > target else HIT_AND_MISS
    return PASSING if lower >= target else FAILING if upper < target else HIT_AND_MISS
