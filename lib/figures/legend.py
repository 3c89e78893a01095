"""Colour classes and labels for a ward measure, shared by the map and its ranked bars (one legend for both).

Plain Python over a measures.WardTable (whose hidden cells are already removed): no plotting library.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from lib.analysis import disclosure
from lib.analysis.measures import CHANGE, WardTable

# ColorBrewer YlGnBu (sequential) and RdBu reversed (diverging): both colour-blind safe.
SEQUENTIAL = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
DIVERGING = ("#2166ac", "#67a9cf", "#f7f7f7", "#ef8a62", "#b2182b")
NO_VALUE = "#d9d9d9"


@dataclass(frozen=True)
class Bin:
    """One legend entry: colour and the range of values it stands for."""

    colour: str
    low: float
    high: float
    label: str


def _nice(value: float) -> float:
    """Round to two significant figures, for readable bin edges."""
    if value == 0 or not math.isfinite(value):
        return value
    digits = 1 - int(math.floor(math.log10(abs(value))))
    return round(value, digits)


def bins(values: pd.Series, unit: str, diverging: bool = False) -> list[Bin]:
    """Five classes: quantiles of the shown values (sequential), or symmetric around no change (diverging)."""
    shown = values.dropna()
    if shown.empty:
        return []
    palette = DIVERGING if diverging else SEQUENTIAL
    if diverging:
        reach = _nice(max(abs(shown.min()), abs(shown.max()), 1.0))
        edges = [-reach, -reach * 0.5, -reach * 0.1, reach * 0.1, reach * 0.5, reach]
        edges = [_nice(e) for e in edges]
        edges[0], edges[-1] = min(edges[0], shown.min()), max(edges[-1], shown.max())
    else:
        edges = sorted({_nice(q) for q in shown.quantile([0, 0.2, 0.4, 0.6, 0.8, 1.0])})
        edges[0], edges[-1] = min(edges[0], shown.min()), max(edges[-1], shown.max())
        if len(edges) == 1:
            edges = [edges[0], edges[0]]
    classes = []
    for i, (low, high) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        colour = palette[round(i * (len(palette) - 1) / max(len(edges) - 2, 1))]
        classes.append(Bin(colour, low, high, f"{legend_number(low)} to {legend_number(high)} {unit}".strip()))
    return classes


def legend_number(value: float) -> str:
    """A bin edge or value for a legend or tooltip."""
    return f"{value:,.0f}" if abs(value) >= 100 or float(value).is_integer() else f"{value:,.1f}"


def colour_of(value: float, classes: list[Bin]) -> str:
    """The colour of the bin holding value (grey when there is no value)."""
    if value is None or pd.isna(value) or not classes:
        return NO_VALUE
    for entry in classes:
        if value <= entry.high:
            return entry.colour
    return classes[-1].colour


def unit_of(table: WardTable) -> str:
    """The unit of the mapped quantity, for legends and axes."""
    return {"value": table.measure.unit, "rate_per_1000": "per 1,000 residents", "change_percent": "% change"}[
        table.mapped
    ]


def classes_for(table: WardTable) -> list[Bin]:
    """The classes the map and bar chart use, plus a grey entry when a ward has no figure."""
    classes = bins(table.wards[table.mapped], unit_of(table), diverging=table.basis == CHANGE)
    if table.wards[table.mapped].isna().any():
        classes.append(Bin(NO_VALUE, math.nan, math.nan, "hidden (disclosure control) or no data"))
    return classes


def bar_label(row: dict, table: WardTable) -> str:
    """The short label at the end of a ward's bar: the figure, or why there is none."""
    value = row[table.mapped]
    if not pd.isna(value):
        return legend_number(value)
    return (
        row["shown"]
        if row["suppressed"] and row["shown"] in disclosure.LABELS.values()
        else "withheld"
        if row["suppressed"]
        else "no data"
    )
