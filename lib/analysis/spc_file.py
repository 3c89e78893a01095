"""`saferleeds spc FILE.csv`: the dashboard's SPC engine over an analyst's own series, as JSON.

The file has a row per point: `series` (optional; one series if the column is absent), `period_end` (YYYY-MM-DD),
`value`, and per-series settings repeated on its rows: `direction` (higher_is_better, lower_is_better or neutral),
`target` (optional), `target_type` (minimum or maximum; blank takes minimum for higher_is_better and maximum for
lower_is_better) and `rebase_dates` (`;`-separated dates, each starting a new segment that includes it).
Anything wrong stops the whole file with one line naming the row (as numbered in a spreadsheet, header = 1).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from lib.analysis import spc

REQUIRED = ("period_end", "value", "direction")
SETTINGS = ("direction", "target", "target_type", "rebase_dates")
DEFAULT_TARGET_TYPE = {"higher_is_better": "minimum", "lower_is_better": "maximum"}


class SpcFileError(ValueError):
    """A file the engine cannot read: the message names the row and what is wrong."""


@dataclass
class _Series:
    """One series as read: its settings, the row each setting came from, and its points."""

    name: str
    setting_values: tuple[str, ...]  # in SETTINGS order, as read: each later row is compared with this tuple
    first_row: int
    dates: list[date] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    @property
    def settings(self) -> dict[str, str]:
        """The settings by name."""
        return dict(zip(SETTINGS, self.setting_values, strict=True))


def _date(text: str, row: int, column: str) -> date:
    """A YYYY-MM-DD date, or an error naming the row."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise SpcFileError(f"row {row}: {column} {text!r} is not a date in the form YYYY-MM-DD") from None


def _number(text: str, row: int, column: str) -> float:
    """A finite number, or an error naming the row."""
    try:
        number = float(text.strip().replace(",", ""))
    except ValueError:
        raise SpcFileError(f"row {row}: {column} {text!r} is not a number") from None
    if not math.isfinite(number):
        raise SpcFileError(f"row {row}: {column} {text!r} is not a finite number")
    return number


def read(path: Path) -> list[_Series]:
    """Every series in the file, checked (columns, dates, numbers, order, settings); raises SpcFileError."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise SpcFileError(f"{path}: cannot be read ({error.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        columns = [c.strip() for c in next(reader, [])]
        if missing := [c for c in REQUIRED if c not in columns]:
            raise SpcFileError(f"row 1: missing column(s) {', '.join(missing)} (need {', '.join(REQUIRED)})")
        at = {name: columns.index(name) for name in columns}
        series_at, day_at, value_at = at.get("series"), at["period_end"], at["value"]
        setting_at = [at.get(name) for name in SETTINGS]
        found: dict[str, _Series] = {}
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(columns):
                raise SpcFileError(f"row {number}: more cells than the header has columns")
            cells += [""] * (len(columns) - len(cells))
            name = cells[series_at].strip() if series_at is not None else ""
            values = tuple("" if i is None else cells[i].strip() for i in setting_at)
            series = found.get(name)
            if series is None:
                series = found[name] = _Series(name, values, number)
            elif values != series.setting_values:
                position = next(i for i, (a, b) in enumerate(zip(values, series.setting_values, strict=True)) if a != b)
                raise SpcFileError(
                    f"row {number}: {SETTINGS[position]} {values[position]!r} differs from "
                    f"{series.setting_values[position]!r} on row {series.first_row}: a series' settings must be the "
                    "same on every row"
                )
            day = _date(cells[day_at], number, "period_end")
            if series.dates and day <= series.dates[-1]:
                problem = "repeats" if day == series.dates[-1] else "comes before"
                raise SpcFileError(
                    f"row {number}: period_end {day} {problem} the previous date of series {name or '(unnamed)'}: "
                    "dates must be in order, once each"
                )
            series.dates.append(day)
            series.values.append(_number(cells[value_at], number, "value"))
    if not found:
        raise SpcFileError("the file has a header but no rows")
    for series in found.values():
        _check_settings(series)
    return list(found.values())


def _check_settings(series: _Series) -> None:
    """Direction, target and re-base dates of one series make sense."""
    row, settings = series.first_row, series.settings
    if settings["direction"] not in spc.DIRECTIONS:
        raise SpcFileError(f"row {row}: direction {settings['direction']!r} is not one of {', '.join(spc.DIRECTIONS)}")
    if settings["target"]:
        _number(settings["target"], row, "target")
    if settings["target_type"] not in ("", "minimum", "maximum"):
        raise SpcFileError(f"row {row}: target_type {settings['target_type']!r} is not minimum or maximum")
    for text in filter(None, settings["rebase_dates"].split(";")):
        _date(text, row, "rebase_dates")


def _finite(values: np.ndarray) -> list[float | None]:
    """Numbers for JSON: None where the limits are undefined."""
    return [None if math.isnan(v) else v for v in values.tolist()]


def analyse_series(series: _Series, screen_outliers: bool = True) -> dict[str, Any]:
    """The engine's verdicts and per-point results for one series, as the CLI prints them."""
    settings = series.settings
    target = float(settings["target"].replace(",", "")) if settings["target"] else None
    target_type = settings["target_type"] or DEFAULT_TARGET_TYPE.get(settings["direction"])
    rebase = [date.fromisoformat(d.strip()) for d in settings["rebase_dates"].split(";") if d.strip()]
    result = spc.analyse(
        np.asarray(series.values, dtype=float),
        spc.segments_of(series.dates, rebase),
        settings["direction"],
        target,
        target_type,
        screen_outliers,
    )
    columns = zip(
        [day.isoformat() for day in series.dates],
        series.values,
        result.segment.tolist(),
        _finite(result.mean),
        _finite(result.lower),
        _finite(result.upper),
        result.point_type,
        result.rules,
        strict=True,
    )
    keys = ("period_end", "value", "segment", "mean", "lower", "upper", "point_type", "rules")
    return {
        "series": series.name,
        "variation": result.variation,
        "assurance": result.assurance,
        "points": [dict(zip(keys, point, strict=True)) for point in columns],
    }


def run(path: Path, screen_outliers: bool = True) -> dict[str, Any]:
    """`saferleeds spc`: every series in the file through the engine."""
    return {"series": [analyse_series(series, screen_outliers) for series in read(path)]}
