"""Ward maps as pydeck decks: the hex map (no boundaries, no tiles) and the geographic choropleth, one legend.

Both take a measures.WardTable, whose hidden cells are already removed, so nothing here can leak a suppressed
count. Only what is drawn is sent: ward code, colour and a tooltip string per ward.
"""

from __future__ import annotations

import json

import pandas as pd
import pydeck as pdk

from lib.analysis.measures import WardTable
from lib.figures.legend import bar_label, classes_for, colour_of, legend_number, unit_of
from lib.geo import hexmap

SELECTED_OUTLINE = [244, 106, 37]
VIEW = pdk.ViewState(latitude=53.80, longitude=-1.55, zoom=9.3)
HEX_LAYER = "ward-hexes"
GEO_LAYER = "ward-boundaries"


class CompactDeck(pdk.Deck):
    """A Deck whose JSON (what Streamlit sends to the browser) has no indentation: about a third of the bytes."""

    def to_json(self) -> str:
        """pydeck's JSON without the two-space indent."""
        return json.dumps(json.loads(super().to_json()), separators=(",", ":"))


def _rgb(colour: str) -> list[int]:
    """'#12436d' -> [18, 67, 109, 230]."""
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)] + [230]


def tooltip_text(row: dict, table: WardTable) -> str:
    """Ward name, mapped value (or why there is none), rank of 33 and the Leeds figure, as plain lines."""
    unit = unit_of(table)
    shown = bar_label(row, table) + ("" if pd.isna(row[table.mapped]) else f" {unit}")
    rank = f"Rank {row['rank']} of {len(table.wards)} (1 = highest)" if not pd.isna(row["rank"]) else "Not ranked"
    city = table.leeds_figure
    city_line = (
        "Leeds average: "
        + (f"{legend_number(city)} {unit}" if city is not None else "n/a")
        + (" per ward" if table.mapped == "value" else "")
    )
    return "\n".join([row["ward_name"], shown, rank, city_line])


def _records(table: WardTable, selected: str | None) -> list[dict]:
    """Per ward: only what the deck draws and shows. Field names have no underscores and no string-valued layer
    options are used: pydeck turns both into JavaScript expressions, which then silently draw nothing."""
    classes = classes_for(table)
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
