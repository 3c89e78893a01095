"""Ward maps as pydeck decks: the hex map (no boundaries, no tiles) and the geographic choropleth, one legend.

Both take a measures.WardTable, whose hidden cells are already removed, so nothing here can leak a suppressed
count. Only what is drawn is sent: ward code, colour and a tooltip string per ward.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pandas as pd
import pydeck as pdk

from lib.analysis import disclosure
from lib.analysis.measures import CHANGE, WardTable
from lib.geo import hexmap

# ColorBrewer YlGnBu (sequential) and RdBu reversed (diverging): both colour-blind safe.
SEQUENTIAL = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
DIVERGING = ("#2166ac", "#67a9cf", "#f7f7f7", "#ef8a62", "#b2182b")
NO_VALUE = "#d9d9d9"
SELECTED_OUTLINE = [244, 106, 37]
VIEW = pdk.ViewState(latitude=53.80, longitude=-1.55, zoom=9.3)
HEX_LAYER = "ward-hexes"
GEO_LAYER = "ward-boundaries"


class CompactDeck(pdk.Deck):
    """A Deck whose JSON (what Streamlit sends to the browser) has no indentation: about a third of the bytes."""

    def to_json(self) -> str:
        """pydeck's JSON without the two-space indent."""
        return json.dumps(json.loads(super().to_json()), separators=(",", ":"))


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
        classes.append(Bin(colour, low, high, f"{_format(low)} to {_format(high)} {unit}".strip()))
    return classes


def _format(value: float) -> str:
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


def _rgb(colour: str) -> list[int]:
    """'#12436d' -> [18, 67, 109, 230]."""
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)] + [230]


def unit_of(table: WardTable) -> str:
    """The unit of the mapped quantity, for legends and axes."""
    return {"value": table.measure.unit, "rate_per_1000": "per 1,000 residents", "change_percent": "% change"}[
        table.mapped
    ]


def legend(table: WardTable) -> list[Bin]:
    """The classes the map and bar chart use, plus a grey entry when a ward has no figure."""
    classes = bins(table.wards[table.mapped], unit_of(table), diverging=table.basis == CHANGE)
    if table.wards[table.mapped].isna().any():
        classes.append(Bin(NO_VALUE, math.nan, math.nan, "hidden (disclosure control) or no data"))
    return classes


def tooltip_text(row: dict, table: WardTable) -> str:
    """Ward name, mapped value (or why there is none), rank of 33 and the Leeds figure, as plain lines."""
    unit = unit_of(table)
    shown = bar_label(row, table) + ("" if pd.isna(row[table.mapped]) else f" {unit}")
    rank = f"Rank {row['rank']} of {len(table.wards)} (1 = highest)" if not pd.isna(row["rank"]) else "Not ranked"
    city = table.leeds_figure
    city_line = (
        "Leeds average: "
        + (f"{_format(city)} {unit}" if city is not None else "n/a")
        + (" per ward" if table.mapped == "value" else "")
    )
    return "\n".join([row["ward_name"], shown, rank, city_line])


def bar_label(row: dict, table: WardTable) -> str:
    """The short label at the end of a ward's bar: the figure, or why there is none."""
    value = row[table.mapped]
    if not pd.isna(value):
        return _format(value)
    return (
        row["shown"]
        if row["suppressed"] and row["shown"] in disclosure.LABELS.values()
        else "withheld"
        if row["suppressed"]
        else "no data"
    )


def _records(table: WardTable, selected: str | None) -> list[dict]:
    """Per ward: only what the deck draws and shows. Field names have no underscores and no string-valued layer
    options are used: pydeck turns both into JavaScript expressions, which then silently draw nothing."""
    classes = legend(table)
    return [
        {
            "ward_code": row["ward_code"],
            "fillrgba": _rgb(colour_of(row[table.mapped], classes)),
            "linergba": SELECTED_OUTLINE if row["ward_code"] == selected else [255, 255, 255],
            "linepx": 250 if row["ward_code"] == selected else 40,
            "tooltip": tooltip_text(row, table),
        }
        for row in table.wards.to_dict(orient="records")
    ]


def _short(name: str) -> str:
    """A hex label: the first three letters of each word of the ward name ('Gip Har')."""
    words = [w for w in name.replace("&", " ").split() if w[0].isupper()]
    return " ".join(w[:3] for w in words[:2])


def hex_deck(table: WardTable, selected: str | None = None) -> pdk.Deck:
    """One equal hexagon per ward with a short name on each; no basemap, so it works offline."""
    cells = hexmap.layout()
    names = dict(zip(table.wards["ward_code"], table.wards["ward_name"], strict=True))
    data = [dict(r, polygon=hexmap.polygon(*cells[r["ward_code"]])) for r in _records(table, selected)]
    labels = [{"position": hexmap.label_position(*cells[code]), "text": _short(names[code])} for code in cells]
    layers = [
        pdk.Layer(
            "PolygonLayer",
            data,
            id=HEX_LAYER,
            get_polygon="polygon",
            get_fill_color="fillrgba",
            get_line_color="linergba",
            get_line_width="linepx",
            line_width_min_pixels=1,
            pickable=True,
            stroked=True,
            filled=True,
        ),
        pdk.Layer(
            "TextLayer",
            labels,
            id="ward-labels",
            get_position="position",
            get_text="text",
            get_size=12,
            get_color=[11, 12, 12],
            background=True,
            get_background_color=[255, 255, 255, 170],
            pickable=False,
        ),
    ]
    return CompactDeck(
        layers=layers, initial_view_state=VIEW, map_provider=None, map_style=None, tooltip={"text": "{tooltip}"}
    )


def choropleth_deck(table: WardTable, outlines: dict, selected: str | None = None) -> pdk.Deck:
    """Ward boundaries coloured by the measure (pydeck GeoJsonLayer)."""
    records = {r["ward_code"]: r for r in _records(table, selected)}
    features = [
        {"type": "Feature", "geometry": f["geometry"], "properties": records[f["properties"]["ward_code"]]}
        for f in outlines["features"]
    ]
    layer = pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": features},
        id=GEO_LAYER,
        get_fill_color="properties.fillrgba",
        get_line_color="properties.linergba",
        get_line_width="properties.linepx",
        line_width_min_pixels=1,
        pickable=True,
        stroked=True,
        filled=True,
    )
    return CompactDeck(
        layers=[layer], initial_view_state=VIEW, map_provider=None, map_style=None, tooltip={"text": "{tooltip}"}
    )


def payload_bytes(deck: pdk.Deck) -> int:
    """Size of the JSON the browser receives for a deck."""
    return len(deck.to_json().encode("utf-8"))


def picked_ward(event: object) -> str | None:
    """The ward code a user clicked on either map, from st.pydeck_chart's selection event."""
    selection = getattr(event, "selection", None) or (event.get("selection") if isinstance(event, dict) else None)
    if not selection:
        return None
    objects = selection.get("objects", {}) if isinstance(selection, dict) else getattr(selection, "objects", {})
    for layer in (HEX_LAYER, GEO_LAYER):
        for item in objects.get(layer, []) or []:
            code = item.get("ward_code") or (item.get("properties") or {}).get("ward_code")
            if code:
                return code
    return None
