"""CSV downloads that are safe to open in a spreadsheet: text that a spreadsheet would run as a formula is defused.

A cell beginning with =, +, -, @ (or a tab or carriage return) is a formula to Excel and LibreOffice, whoever
typed it. Text cells like that get a leading apostrophe, which spreadsheets show as plain text; numbers are left
as numbers, so a negative change stays -3.2.
"""

from __future__ import annotations

import pandas as pd

from lib.core import text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    """A text value without invisible controls (text.INVISIBLE) and, if it would start a formula, prefixed with an
    apostrophe; anything else unchanged."""
    if not isinstance(value, str):
        return value
    value = text.visible(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV with formula-like text defused (the only way the app and CLI write CSV)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(defuse)
    return safe.to_csv(index=False).encode("utf-8")
