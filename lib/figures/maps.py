"""Ward maps as pydeck decks: the hex map (no boundaries, no tiles) and the geographic choropleth, one legend.

Both take a measures.WardTable, whose hidden cells are already removed, so nothing here can leak a suppressed
count. Only what is drawn is sent: ward code, colour and a tooltip string per ward.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pydeck as pdk

from lib.analysis.measures import WardTable
from lib.area import current as current_area
from lib.figures.legend import bar_label, classes_for, colour_of, legend_number, unit_of
from lib.geo import hexmap

SELECTED_OUTLINE = [244, 106, 37]
MAP_HEIGHT = 520  # pixels, the drawing's (the readout band comes on top)
# The hover readout (ward, value, rank, area figure) sits in a band across the top of the frame, above the drawing,
# rather than following the pointer: deck.gl places a pointer tooltip to the right of and below the pointer, which
# cut it off at the frame's edge for wards near the right or bottom of the map, on every screen. In the band it is
# always inside the frame and never covers a ward.
READOUT_BAND = 84  # pixels: four lines of 12 px text with padding
READOUT_STYLE = {
    "transform": "none",  # applied after deck.gl's translate(pointer): the box stays in the band
    "top": "4px",
    "left": "4px",
    "maxWidth": "calc(100% - 8px)",
    "padding": "6px 8px",
    "fontSize": "12px",
    "lineHeight": "16px",
    "backgroundColor": "#0b0c0c",
    "color": "#ffffff",
}
KM_PER_DEGREE = 111.32  # of latitude
LABEL_PER_RADIUS = 0.2567  # a hex label's text height over the hexagon's circumradius
LABEL_FONT = "Source Sans"  # the page's web font (one family: deck.gl draws nothing for a comma-separated list)
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
    """Ward name, mapped value (or why there is none), rank among the area's wards and the area's figure, as plain
    lines."""
    unit = unit_of(table)
    shown = bar_label(row, table) + ("" if pd.isna(row[table.mapped]) else f" {unit}")
    rank = f"Rank {row['rank']} of {len(table.wards)} (1 = highest)" if not pd.isna(row["rank"]) else "Not ranked"
    city = table.overall_figure
    city_line = (
        f"{current_area().name} average: "
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
            "linepx": 4 if row["ward_code"] == selected else 1,
            "tooltip": tooltip_text(row, table),
        }
        for row in sorted(table.wards.to_dict(orient="records"), key=lambda r: r["ward_code"] == selected)
    ]  # the selected ward last, so its outline is drawn over its neighbours


def project(point: list[float], origin: tuple[float, float] | None = None) -> list[float]:
    """[lon, lat] to the maps' flat plane: kilometres east and south of the area's centre (equirectangular at its
    latitude, indistinguishable from a map projection over a district this size). origin: that centre as (lat, lon),
    looked up once by a caller projecting many points (finding the area costs more than projecting a point)."""
    longitude, latitude = point[0], point[1]
    lat0, lon0 = origin or hexmap.centre()
    return [
        round((longitude - lon0) * KM_PER_DEGREE * math.cos(math.radians(lat0)), 4),
        round((lat0 - latitude) * KM_PER_DEGREE, 4),
    ]


def map_height(width: int) -> int:
    """The map frame's height for a frame `width` pixels wide: the drawing (a district is usually wider than tall, so
    a narrow screen needs less height) plus the readout band on top (pixels)."""
    return max(300, min(MAP_HEIGHT, round(width * 0.8))) + READOUT_BAND


def fit_view(points: list[list[float]], width: int, height: int | None = None) -> pdk.ViewState:
    """The orthographic view that frames every projected point inside a width x height frame, below the readout band
    and with a small margin on the other sides."""
    height = height or map_height(width)
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    margin_x, margin_y = min(24, width * 0.04), min(16, height * 0.04)
    top, bottom = READOUT_BAND + margin_y, margin_y
    usable_width, usable_height = max(width - 2 * margin_x, 80), max(height - top - bottom, 80)
    zoom = math.log2(min(usable_width / (max(xs) - min(xs)), usable_height / (max(ys) - min(ys))))
    # The drawing's centre sits (top - bottom) / 2 pixels below the frame's: y grows southwards, as on screen, so the
    # view's target moves north by that many pixels' worth of kilometres.
    shift = (top - bottom) / 2 / 2**zoom
    target = [round((max(xs) + min(xs)) / 2, 4), round((max(ys) + min(ys)) / 2 - shift, 4), 0]
    return pdk.ViewState(target=target, zoom=round(zoom, 3))


def outer_points(geometry: dict) -> list[list[float]]:
    """Every vertex of a (Multi)Polygon's outer rings."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [point for polygon in polygons for point in polygon[0]]


def _projected(geometry: dict) -> dict:
    """A (Multi)Polygon with every ring projected to the flat plane."""

    origin = hexmap.centre()

    def rings(polygon: list) -> list:
        """Project one polygon's rings."""
        return [[project(point, origin) for point in ring] for ring in polygon]

    if geometry["type"] == "MultiPolygon":
        return {"type": "MultiPolygon", "coordinates": [rings(polygon) for polygon in geometry["coordinates"]]}
    return {"type": "Polygon", "coordinates": rings(geometry["coordinates"])}


def hex_label(name: str) -> str:
    """A ward's name short enough for its hexagon: the part before any '&', on two lines if it has two words
    ('Gipton & Harehills' -> 'Gipton', 'Chapel Allerton' -> 'Chapel' / 'Allerton'). The full name is in the
    tooltip, the ranked bars and the table."""
    first = name.split(" & ")[0]
    return first.replace(" ", "\n", 1)


def _text_colour(fill: list[int]) -> list[int]:
    """Near-black on light fills, white on dark ones (WCAG relative luminance), so every label stays readable."""
    channels = [c / 255 for c in fill[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return [255, 255, 255] if luminance < 0.22 else [11, 12, 12]


def _deck(layers: list[pdk.Layer], view: pdk.ViewState) -> CompactDeck:
    """A flat (orthographic) deck: no basemap or tiles (works offline), no zoom buttons over a ward and nothing to
    pan or zoom, so every ward stays in the frame and a click only ever picks a ward."""
    return CompactDeck(
        layers=layers,
        initial_view_state=view,
        views=[pdk.View(type="OrthographicView", controller=False)],
        map_provider=None,
        map_style=None,
        tooltip={"text": "{tooltip}", "style": {"fontFamily": f"{LABEL_FONT}, sans-serif", **READOUT_STYLE}},
    )


def _ward_style(prefix: str = "") -> dict[str, object]:
    """Fill, outline and picking shared by both maps' ward layers; prefix says where each ward's fields sit."""
    return {
        "get_fill_color": f"{prefix}fillrgba",
        "get_line_color": f"{prefix}linergba",
        "get_line_width": f"{prefix}linepx",
        "line_width_units": "'pixels'",  # quoted: pydeck reads a bare string as an expression
        "pickable": True,
        "stroked": True,
        "filled": True,
    }


def hex_deck(table: WardTable, selected: str | None = None, width: int = 700) -> pdk.Deck:
    """One equal hexagon per ward with its name on it, framed for a frame `width` pixels wide; no basemap, so it
    works offline."""
    cells, origin = hexmap.layout(), hexmap.centre()
    names = dict(zip(table.wards["ward_code"], table.wards["ward_name"], strict=True))
    data = [
        dict(r, polygon=[project(p, origin) for p in hexmap.polygon(*cells[r["ward_code"]])])
        for r in _records(table, selected)
    ]
    fills = {r["ward_code"]: r["fillrgba"] for r in data}
    labels = [
        {
            "position": project(hexmap.label_position(*cells[code]), origin),
            "text": hex_label(names[code]),
            "colour": _text_colour(fills[code]),
        }
        for code in cells
    ]
    layers = [
        pdk.Layer(
            "PolygonLayer",
            data,
            id=HEX_LAYER,
            get_polygon="polygon",
            **_ward_style(),
        ),
        pdk.Layer(
            "TextLayer",
            labels,
            id="ward-labels",
            get_position="position",
            get_text="text",
            get_color="colour",
            # About 11 characters of this size fit across a hexagon, whatever the area's hexagon size. In kilometres
            # like the hexagons, so labels scale with them and never overlap (quoted: pydeck reads a bare string as an
            # expression).
            get_size=round(LABEL_PER_RADIUS * hexmap.hex_degrees() * KM_PER_DEGREE, 2),
            size_units="'common'",
            size_min_pixels=8,
            size_max_pixels=16,
            font_family=f"'{LABEL_FONT}'",
            font_weight=600,
            line_height=1.05,
            pickable=False,
        ),
    ]
    return _deck(layers, fit_view([point for row in data for point in row["polygon"]], width))


def choropleth_deck(table: WardTable, outlines: dict, selected: str | None = None, width: int = 700) -> pdk.Deck:
    """Ward boundaries coloured by the measure (pydeck GeoJsonLayer), framed for a frame `width` pixels wide."""
    records = {r["ward_code"]: r for r in _records(table, selected)}
    features = [
        {"type": "Feature", "geometry": _projected(f["geometry"]), "properties": records[f["properties"]["ward_code"]]}
        for f in outlines["features"]
    ]
    layer = pdk.Layer(
        "GeoJsonLayer",
        {"type": "FeatureCollection", "features": features},
        id=GEO_LAYER,
        **_ward_style("properties."),
    )
    origin = hexmap.centre()
    points = [project(p, origin) for f in outlines["features"] for p in outer_points(f["geometry"])]
    return _deck([layer], fit_view(points, width))


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
