"""KPI maths on plain DataFrames: latest values and data freshness (no Streamlit, no SQL)."""

from __future__ import annotations

from datetime import date

import pandas as pd

# How long after a period ends before the next value is overdue, by KPI frequency (days).
EXPECTED_GAP_DAYS = {"monthly": 62, "annual": 400}


def latest_values(values: pd.DataFrame) -> pd.DataFrame:
    """One row per KPI: the value with the latest period end (ties: the shorter period, then real over illustrative)."""
    if values.empty:
        return values.assign(period_days=pd.Series(dtype=int))
    frame = values.assign(
        period_days=[(e - s).days for s, e in zip(values["period_start"], values["period_end"], strict=True)])
    frame = frame.sort_values(["kpi_code", "period_end", "period_days", "illustrative"],
                              ascending=[True, False, True, True])
    return frame.drop_duplicates("kpi_code").reset_index(drop=True)


def freshness(values: pd.DataFrame, catalogue: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per KPI: number of values, real and illustrative counts, latest period end, and whether it is overdue."""
    counts = values.groupby("kpi_code").agg(
        values=("value", "size"), illustrative_values=("illustrative", "sum"), latest_period_end=("period_end", "max"))
    frame = catalogue[["code", "name", "frequency"]].merge(counts, left_on="code", right_index=True, how="left")
    frame["values"] = frame["values"].fillna(0).astype(int)
    frame["illustrative_values"] = frame["illustrative_values"].fillna(0).astype(int)
    frame["real_values"] = frame["values"] - frame["illustrative_values"]
    frame["days_since_latest"] = pd.array(
        [None if pd.isna(d) else (as_of - d).days for d in frame["latest_period_end"]], dtype="Int64")
    frame["status"] = [_status(f, days) for f, days in zip(frame["frequency"], frame["days_since_latest"], strict=True)]
    return frame[["code", "name", "frequency", "values", "real_values", "illustrative_values", "latest_period_end",
                  "days_since_latest", "status"]]


def _status(frequency: str, days: float | None) -> str:
    """'no data', 'one-off figure', 'up to date' or 'overdue' for a KPI's latest value."""
    if days is None or pd.isna(days):
        return "no data"
    if frequency not in EXPECTED_GAP_DAYS:
        return "one-off figure"
    return "up to date" if days <= EXPECTED_GAP_DAYS[frequency] else "overdue"
