"""KPI maths on plain DataFrames: latest values and data freshness (no Streamlit, no SQL)."""

from __future__ import annotations

from datetime import date

import pandas as pd

# How long after a period ends before the next value is overdue, by KPI frequency (days).
EXPECTED_GAP_DAYS = {"monthly": 62, "annual": 400}
# A one-off documented figure (a stated period, reported once) is out of date when its period ended more than two
# years before the cut-off: two annual reports have been published since, so a meeting should not read it as current.
ONE_OFF_MAX_AGE_DAYS = 730


def latest_values(values: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI: the value with the latest period end (ties: the shorter period, then real over illustrative)."""
    if values.empty:
        return values.assign(period_days=pd.Series(dtype=int))
    frame = values.assign(
        period_days=[(e - s).days for s, e in zip(values["period_start"], values["period_end"], strict=True)]
    )
    frame = frame.sort_values(
        ["kpi_code", "period_end", "period_days", "illustrative"], ascending=[True, False, True, True]
    )
    return frame.drop_duplicates("kpi_code").reset_index(drop=True)


def freshness(values: pd.DataFrame, catalogue: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per KPI: number of values, real and illustrative counts, latest period end, and whether it is overdue."""
    counts = values.groupby("kpi_code").agg(
        values=("value", "size"), illustrative_values=("illustrative", "sum"), latest_period_end=("period_end", "max")
    )
    frame = catalogue[["code", "name", "frequency"]].merge(counts, left_on="code", right_index=True, how="left")
    frame["values"] = frame["values"].fillna(0).astype(int)
    frame["illustrative_values"] = frame["illustrative_values"].fillna(0).astype(int)
    frame["real_values"] = frame["values"] - frame["illustrative_values"]
    frame["days_since_latest"] = pd.array(
        [None if pd.isna(d) else (as_of - d).days for d in frame["latest_period_end"]], dtype="Int64"
    )
    frame["status"] = [_status(f, days) for f, days in zip(frame["frequency"], frame["days_since_latest"], strict=True)]
    return frame[
        [
            "code",
            "name",
            "frequency",
            "values",
            "real_values",
            "illustrative_values",
            "latest_period_end",
            "days_since_latest",
            "status",
        ]
    ]


def _status(frequency: str, days: float | None) -> str:
    """'no data', 'one-off figure', 'up to date' or 'overdue' for a KPI's latest value."""
    if days is None or pd.isna(days):
        return "no data"
    if frequency not in EXPECTED_GAP_DAYS:
        return "one-off figure" if days <= ONE_OFF_MAX_AGE_DAYS else "one-off figure, over two years old"
    return "up to date" if days <= EXPECTED_GAP_DAYS[frequency] else "overdue"


GREEN, AMBER, RED = "green", "amber", "red"
TARGET_MARGIN = 0.10  # amber: within 10% of the target on the passing side (the rule in each KPI's rag_rule)
MONTHLY_MAX_DAYS = 31


def rag_status(value: float, target: float | None, target_type: str | None) -> str | None:
    """Green, amber or red against a maximum or minimum target; None when the KPI has no target."""
    if target is None or pd.isna(target) or target_type not in ("maximum", "minimum"):
        return None
    if target_type == "maximum":
        return GREEN if value <= target * (1 - TARGET_MARGIN) else AMBER if value <= target else RED
    return GREEN if value >= target * (1 + TARGET_MARGIN) else AMBER if value >= target else RED


def percent_change(previous: float | None, current: float) -> float | None:
    """Percentage change from previous to current (None when there is nothing to compare)."""
    if previous is None or pd.isna(previous) or previous == 0:
        return None
    return 100.0 * (current - previous) / abs(previous)


def judged_change(change: float | None, direction: str) -> str | None:
    """'better', 'worse' or 'no change' for a percentage change, by the KPI's direction (not by the sign)."""
    if change is None:
        return None
    if round(change, 1) == 0:
        return "no change"
    if direction == "neutral":
        return "up" if change > 0 else "down"
    return "better" if (change < 0) == (direction == "lower_is_better") else "worse"


def monthly(values: pd.DataFrame) -> pd.DataFrame:
    """Only the one-month values (the series SPC and sparklines use), oldest first."""
    if values.empty:
        return values
    days = [(e - s).days for s, e in zip(values["period_start"], values["period_end"], strict=True)]
    frame = values[[d <= MONTHLY_MAX_DAYS for d in days]]
    frame = frame.sort_values(["period_end", "illustrative"]).drop_duplicates("period_end")
    return frame.reset_index(drop=True)


def same_period_last_year(values: pd.DataFrame, latest: dict) -> dict | None:
    """The value for the same period one year before the latest (same length, end within 20 days)."""
    length = (latest["period_end"] - latest["period_start"]).days
    target_end = latest["period_end"] - pd.DateOffset(years=1)
    for row in values.to_dict(orient="records"):
        same_length = abs((row["period_end"] - row["period_start"]).days - length) <= 3
        if same_length and abs((pd.Timestamp(row["period_end"]) - target_end).days) <= 20:
            return row
    return None


def is_stale(frequency: str, latest_end: date | None, as_at: date) -> bool:
    """True when a regularly reported KPI has had no value for longer than its frequency allows, or a one-off
    figure's period ended more than ONE_OFF_MAX_AGE_DAYS before `as_at`."""
    if latest_end is None:
        return False
    return (as_at - latest_end).days > EXPECTED_GAP_DAYS.get(frequency, ONE_OFF_MAX_AGE_DAYS)


def rolling_total(monthly_values: pd.DataFrame, months: int = 12) -> pd.DataFrame:
    """Monthly values with a rolling total over the last `months` months (empty until a full window exists)."""
    frame = monthly_values[["period_start", "period_end", "value", "illustrative"]].reset_index(drop=True).copy()
    frame["rolling_total"] = frame["value"].rolling(months, min_periods=months).sum()
    frame["cumulative_total"] = frame["value"].cumsum()
    return frame


def compare_with_documented(monthly_values: pd.DataFrame, documented: pd.DataFrame) -> pd.DataFrame:
    """For each documented total, the sum of the monthly values over the same months, side by side."""
    rows = []
    for fact in documented.to_dict(orient="records"):
        inside = monthly_values[
            (monthly_values["period_start"] >= fact["period_start"])
            & (monthly_values["period_end"] <= fact["period_end"])
        ]
        rows.append(
            {
                "period_start": fact["period_start"],
                "period_end": fact["period_end"],
                "documented": fact["value"],
                "qualifier": fact.get("qualifier") or "",
                "months_in_series": len(inside),
                "sum_of_monthly_values": inside["value"].sum() if len(inside) else None,
                "source": f"{fact['source']} \u00a7 {fact['source_section']}",
            }
        )
    return pd.DataFrame(rows)


def documented_totals(values: pd.DataFrame) -> pd.DataFrame:
    """Real (not illustrative) values covering more than one month: the totals the documents quote."""
    days = pd.Series(
        [(e - s).days for s, e in zip(values["period_start"], values["period_end"], strict=True)],
        index=values.index,
        dtype=int,
    )
    return values[(days > MONTHLY_MAX_DAYS) & ~values["illustrative"]]
