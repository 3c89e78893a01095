"""Plain-English formatting of values, units and periods for tiles, tables and captions (no Streamlit)."""

from __future__ import annotations

import calendar
from datetime import date

import pandas as pd

from lib.core import documents

COUNT_UNITS_SINGULAR = {
    "calls": "call",
    "safety plans": "safety plan",
    "downloads": "download",
    "uses": "use",
    "crimes": "crime",
    "burglaries": "burglary",
    "reports": "report",
    "people": "person",
    "knives": "knife",
    "organisations": "organisation",
    "homes": "home",
    "groups": "group",
    "premises": "premises",
    "hits": "hit",
    "people reached": "person reached",
}


def counted(number: int, word: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: '1 KPI', '2 KPIs', '1,204 rows', '1 person' (plural given)."""
    return f"{number:,} {word if number == 1 else plural or word + 's'}"


def ordinal(number: int) -> str:
    """1 -> '1st', 2 -> '2nd', 11 -> '11th', 23 -> '23rd'."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def format_number(value: float) -> str:
    """A number with thousands separators and at most one decimal place (none if it is whole)."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def format_value(value: float, unit: str, qualifier: str = "") -> str:
    """A value with its unit as a person would say it, e.g. '36 minutes', '98%', '-37%', 'more than 6,000 plans'."""
    if unit == "percent":
        text = f"{format_number(value)}%"
    elif unit == "% change":
        sign = "+" if value > 0 else "\u2212" if value < 0 else ""
        text = f"{sign}{format_number(abs(value))}%"
    else:
        word = COUNT_UNITS_SINGULAR.get(unit, unit) if value == 1 else unit
        text = f"{format_number(value)} {word}"
    return f"{qualifier} {text}" if qualifier else text


def format_headline(value: float, unit: str) -> tuple[str, str]:
    """A tile's big number and the words that go under it: (35.9 min, ''), (386, 'safety plans'), (98%, '')."""
    if unit in ("percent", "% change"):
        return format_value(value, unit), ""
    if unit == "minutes":
        return f"{format_number(value)} min", ""
    return format_number(value), COUNT_UNITS_SINGULAR.get(unit, unit) if value == 1 else unit


def format_period(start: date, end: date) -> str:
    """A period as people write it: 'Sep 2024', '2023/24', 'Apr 2023 to Mar 2024' or '14 Feb 2021 to 1 Nov 2021'."""
    last_day = calendar.monthrange(end.year, end.month)[1]
    whole_months = start.day == 1 and end.day == last_day
    if whole_months and (start.year, start.month) == (end.year, end.month):
        return start.strftime("%b %Y")
    if whole_months and start.month == 4 and end.month == 3 and end.year == start.year + 1:
        return f"{start.year}/{str(end.year)[2:]}"
    if whole_months and start.month == 1 and end.month == 12 and start.year == end.year:
        return str(start.year)
    if whole_months:
        return f"{start:%b %Y} to {end:%b %Y}"
    return f"{start.day} {start:%b %Y} to {end.day} {end:%b %Y}"


def provenance_text(source: str, section: str, illustrative: bool, note: str = "") -> str:
    """One line saying where a value comes from, for hover help and captions."""
    if illustrative:
        return "Illustrative (generated) value for demonstration, calibrated to the documented figures; not real data."
    cited = documents.cite(source)
    where = f"{cited} \u00a7 {section}" if section else cited
    return f"Source: {where}." + (f" {note}" if note else "")


COLUMN_NAMES = {  # what a column is called on screen where the plain rule below would not do
    "kpi_code": "KPI",
    "code": "Code",
    "area_code": "Area",
    "ward_code": "Ward code",
    "rag_rule": "RAG rule",
    "target_type": "Target type",
    "area_name": "Area",
    "is_current": "Current",
    "import_batch_id": "Import batch",
    "loaded_at": "Loaded at",
    "wd19_code": "Ward code (2019)",
    "population_year": "Population year",
    "committee_area": "Community committee area",
    "rows_read": "Rows read",
}


def column_name(column: str) -> str:
    """A column's name as a person reads it: 'period_start' -> 'Period start', 'kpi_code' -> 'KPI'; a name already in
    words keeps its capitals ('LSOA not in lookup' stays, 'outside Bradford' -> 'Outside Bradford')."""
    if column in COLUMN_NAMES:
        return COLUMN_NAMES[column]
    words = column.replace("_", " ")
    return words[:1].upper() + words[1:]


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for the screen: headers in words, and document file names cited by title, publisher and date (a
    CSV download keeps the stored names and values)."""
    shown = frame.copy()
    for column in [c for c in shown.columns if "source" in c]:
        shown[column] = [documents.cite(v) if isinstance(v, str) else v for v in shown[column]]
    return shown.rename(columns=column_name)
