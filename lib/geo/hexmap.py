"""The ward hex map's geometry: one equal hexagon per ward, laid out by `saferleeds area build` (lib/area/hexes.py).

Cells use axial coordinates (q, r) of pointy-top hexagons, r growing northwards. For drawing, cells are placed
around the area's centre in degrees, so the hex map uses the same deck.gl view as the geographic map but needs no
boundaries and no map tiles.
"""

from __future__ import annotations

import math
from functools import cache

from lib.area import HEXES_FILE, Area
from lib.area import current as current_area
from lib.area.hexes import adjacent, centre_xy

__all__ = ["adjacent", "centre", "centre_xy", "corner", "hex_degrees", "label_position", "layout", "polygon"]


@cache
def _layout(area: Area) -> dict[str, tuple[int, int]]:
    """Ward code -> (q, r) cell of one area's layout file."""
    return {row["ward_code"]: (int(row["q"]), int(row["r"])) for row in area.rows(HEXES_FILE)}


def layout() -> dict[str, tuple[int, int]]:
    """Ward code -> (q, r) cell, from the area's layout file."""
    return _layout(current_area())


def centre() -> tuple[float, float]:
    """(lat, lon) the area's maps are drawn around."""
    lat, lon = current_area().centre
    return lat, lon


def hex_degrees() -> float:
    """The hexagons' circumradius in degrees of latitude when drawn."""
    return current_area().hex_degrees


def polygon(q: int, r: int) -> list[list[float]]:
    """The cell's six corners as [lon, lat], for drawing."""
    x, y = centre_xy(q, r)
    lat0, lon0 = centre()
    size = hex_degrees()
    stretch = 1 / math.cos(math.radians(lat0))
    corners = []
    for i in range(6):
        angle = math.radians(60 * i + 30)
        cx, cy = x + math.cos(angle), y + math.sin(angle)
        corners.append([round(lon0 + cx * size * stretch, 5), round(lat0 + cy * size, 5)])
    return corners


def label_position(q: int, r: int) -> list[float]:
    """Where a cell's text label goes, as [lon, lat]."""
    x, y = centre_xy(q, r)
    lat0, lon0 = centre()
    size = hex_degrees()
    return [round(lon0 + x * size / math.cos(math.radians(lat0)), 5), round(lat0 + y * size, 5)]


def corner(cx: float, cy: float, size: float, i: int) -> tuple[float, float]:
    """Corner i (0-5) of a cell drawn at (cx, cy) with circumradius size, on a page whose y runs downwards (slides,
    PDF pages)."""
    angle = math.radians(60 * i + 30)
    return cx + size * math.cos(angle), cy - size * math.sin(angle)
