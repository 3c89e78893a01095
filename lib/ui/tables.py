"""Every table on screen, shown one way: headers in words ("KPI", "Period start", never `kpi_code`), dates as
"15 Jan 2025" (as every caption and tile writes them), and the columns a reader needs first pinned at the left, so
they stay in view however wide the rest of the table is. Pages and components call show(); nothing else calls
st.dataframe (tests/test_architecture.py checks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

import pandas as pd
import streamlit as st

from lib.core.formatting import column_name, readable

DATE_FORMAT = "D MMM YYYY"  # Streamlit's column formats are moment.js patterns: 15 Jan 2025
DATETIME_FORMAT = "D MMM YYYY, HH:mm"  # 15 Jan 2025, 09:30
LONG_TEXT = 60  # characters: a text column whose values run longer is given the widest column


def _kind(values: pd.Series) -> str:
    """'datetime', 'date', 'long' (text longer than LONG_TEXT) or '' for a column, judged by its first present value
    (a column holds one kind) and, for text, its longest; vectorised, as it runs on every rerun of a page."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    present = values.dropna()
    if present.empty:
        return ""
    first = present.iloc[0]
    if isinstance(first, datetime):
        return "datetime"
    if isinstance(first, date):
        return "date"
    if isinstance(first, str) and present.astype(str).str.len().max() > LONG_TEXT:
        return "long"
    return ""


def column_config(frame: pd.DataFrame, first: Sequence[str] = ()) -> dict[str, Any]:
    """The display of each column of an already readable `frame`: dates formatted, long text wide, and the columns
    named in `first` (readable names) pinned."""
    config: dict[str, Any] = {}
    for column in frame.columns:
        pinned = column in first or None
        kind = _kind(frame[column])
        if kind == "datetime":
            config[column] = st.column_config.DatetimeColumn(format=DATETIME_FORMAT, pinned=pinned)
        elif kind == "date":
            config[column] = st.column_config.DateColumn(format=DATE_FORMAT, pinned=pinned)
        elif kind == "long":
            config[column] = st.column_config.TextColumn(width="large", pinned=pinned)
        elif pinned:
            config[column] = st.column_config.Column(pinned=True)
    return config


def show(
    frame: pd.DataFrame, first: Sequence[str] = (), height: int | Literal["auto"] = "auto", rename: bool = True
) -> None:
    """Show `frame` as a table: readable dates, the columns named in `first` leading and pinned, every other column
    after them in the frame's order. With `rename`, stored column names become words ('kpi_code' -> 'KPI'); a table
    made for reading already (a chart's data, whose CSV has the same headers) is shown with its own names."""
    shown = readable(frame) if rename else frame
    leading = [column_name(c) if rename else c for c in first if c in frame.columns]
    order = leading + [c for c in shown.columns if c not in leading]
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=height,
        column_order=order,
        column_config=column_config(shown, leading),
    )
