"""Is a change in a count real? A Poisson rate ratio with its 95% confidence interval (plain Python)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

Z_95 = 1.959964

REDUCTION = "significant reduction"
INCREASE = "significant increase"
NO_CHANGE = "no significant change"


@dataclass(frozen=True)
class RateRatio:
    """Current rate over previous rate, its 95% interval, and the plain-English verdict."""

    ratio: float
    lower: float
    upper: float
    verdict: str

    @property
    def significant(self) -> bool:
        """True when the 95% interval excludes no change (a real rise or fall, not noise)."""
        return self.verdict != NO_CHANGE

    @property
    def percent_change(self) -> float:
        """The ratio as a percentage change (current vs previous)."""
        return 100.0 * (self.ratio - 1.0)


def rate_ratio(
    previous: int, current: int, previous_exposure: float = 1.0, current_exposure: float = 1.0
) -> RateRatio | None:
    """Compare two Poisson counts (e.g. crimes in two 12-month periods, optionally per resident).

    Uses the log-normal interval exp(ln RR +/- 1.96 sqrt(1/a + 1/b)); with a zero count, 0.5 is added to both
    counts (the usual continuity correction). Returns None when both counts are zero (nothing to compare).
    """
    if previous < 0 or current < 0:
        raise ValueError("counts cannot be negative")
    if previous == 0 and current == 0:
        return None
    a, b = (previous + 0.5, current + 0.5) if 0 in (previous, current) else (previous, current)
    ratio = (b / current_exposure) / (a / previous_exposure)
    half_width = Z_95 * math.sqrt(1 / a + 1 / b)
    lower, upper = ratio * math.exp(-half_width), ratio * math.exp(half_width)
    verdict = REDUCTION if upper < 1 else INCREASE if lower > 1 else NO_CHANGE
    return RateRatio(ratio, lower, upper, verdict)


def compare_counts(previous: pd.DataFrame, current: pd.DataFrame, key: str = "crime_type") -> pd.DataFrame:
    """Per key: previous and current counts, % change, rate ratio with 95% interval and the verdict in words."""
    merged = (
        previous[[key, "count"]]
        .merge(current[[key, "count"]], on=key, how="outer", suffixes=("_previous", "_current"))
        .fillna(0)
    )
    rows = []
    for row in merged.to_dict(orient="records"):
        before, after = int(row["count_previous"]), int(row["count_current"])
        result = rate_ratio(before, after)
        rows.append(
            {
                key: row[key],
                "previous": before,
                "current": after,
                "change_percent": None if result is None or before == 0 else round(100 * (after / before - 1), 1),
                "rate_ratio": None if result is None else round(result.ratio, 3),
                "ci_lower": None if result is None else round(result.lower, 3),
                "ci_upper": None if result is None else round(result.upper, 3),
                "verdict": NO_CHANGE if result is None else result.verdict,
            }
        )
    return pd.DataFrame(rows)
