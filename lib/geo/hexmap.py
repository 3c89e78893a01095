"""The ward hex map's geometry: one equal hexagon per ward, laid out by scripts/make_hex_layout.py.

Cells use axial coordinates (q, r) of pointy-top hexagons, r growing northwards. For drawing, cells are placed
around Leeds's centre in degrees, so the hex map uses the same deck.gl view as the geographic map but needs no
boundaries and no map tiles.
"""

from __future__ import annotations

import csv
import math
from functools import cache

from lib.core.config import DATA_DIR

LAYOUT_FILE = DATA_DIR / "ward_hexes.csv"
CENTRE = (53.80, -1.55)  # (lat, lon) the layout is drawn around
HEX_DEGREES = 0.028  # hexagon circumradius in degrees of latitude when drawn
NEIGHBOUR_STEPS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1))


@cache
def layout() -> dict[str, tuple[int, int]]:
    """Ward code -> (q, r) cell, from the committed layout file."""
    with LAYOUT_FILE.open() as handle:
        return {row["ward_code"]: (int(row["q"]), int(row["r"])) for row in csv.DictReader(handle)}


def centre_xy(q: int, r: int) -> tuple[float, float]:
    """Centre of a cell in hex units (circumradius 1), x east and y north."""
    return math.sqrt(3) * (q + r / 2), 1.5 * r


def adjacent(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two cells share an edge."""
    return (b[0] - a[0], b[1] - a[1]) in NEIGHBOUR_STEPS


def polygon(q: int, r: int) -> list[list[float]]:
    """The cell's six corners as [lon, lat], for drawing."""
    x, y = centre_xy(q, r)
    lat0, lon0 = CENTRE
    stretch = 1 / math.cos(math.radians(lat0))
    corners = []
    for i in range(6):
        angle = math.radians(60 * i + 30)
        cx, cy = x + math.cos(angle), y + math.sin(angle)
        corners.append([round(lon0 + cx * HEX_DEGREES * stretch, 5), round(lat0 + cy * HEX_DEGREES, 5)])
    return corners


def label_position(q: int, r: int) -> list[float]:
    """Where a cell's text label goes, as [lon, lat]."""
    x, y = centre_xy(q, r)
    lat0, lon0 = CENTRE
    return [round(lon0 + x * HEX_DEGREES / math.cos(math.radians(lat0)), 5), round(lat0 + y * HEX_DEGREES, 5)]


def corner(cx: float, cy: float, size: float, i: int) -> tuple[float, float]:
    """Corner i (0-5) of a cell drawn at (cx, cy) with circumradius size, on a page whose y runs downwards (slides,
    PDF pages)."""
    angle = math.radians(60 * i + 30)
    return cx + size * math.cos(angle), cy - size * math.sin(angle)
