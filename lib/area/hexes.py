"""The hex map's layout: one equal hexagon per ward, near its real place and beside its real neighbours.

Cells use axial coordinates (q, r) of pointy-top hexagons, r growing northwards. Method (deterministic): ward
centroids are scaled so the mean distance between neighbouring wards is one hex step; each ward then gets its own
cell by minimising
    sum of squared distances from centroid to cell  -  ADJACENCY_WEIGHT x (true neighbours placed in touching cells)
from a greedy nearest-cell start, improved by swaps and moves to free cells until no move helps. True neighbours are
wards whose boundaries come within TOUCH_DEGREES (about 50 m) of each other. The cost of a move is computed from the
wards it touches only, so 100 wards take seconds.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping

from shapely.geometry.base import BaseGeometry

ADJACENCY_WEIGHT = 6.0
TOUCH_DEGREES = 0.0005  # about 50 m
NEIGHBOUR_STEPS = ((1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1))
Cell = tuple[int, int]


def centre_xy(q: int, r: int) -> tuple[float, float]:
    """Centre of a cell in hex units (circumradius 1), x east and y north."""
    return math.sqrt(3) * (q + r / 2), 1.5 * r


def adjacent(a: Cell, b: Cell) -> bool:
    """Whether two cells share an edge."""
    return (b[0] - a[0], b[1] - a[1]) in NEIGHBOUR_STEPS


def true_neighbours(shapes: Mapping[str, BaseGeometry]) -> set[frozenset[str]]:
    """Pairs of ward codes whose outlines touch (come within TOUCH_DEGREES)."""
    return {
        frozenset((a, b))
        for a, b in itertools.combinations(sorted(shapes), 2)
        if shapes[a].distance(shapes[b]) < TOUCH_DEGREES
    }


def _flat(centroids: Mapping[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """(lat, lon) centroids as (x east, y north) in degrees of latitude about their mean."""
    lat0 = sum(lat for lat, _ in centroids.values()) / len(centroids)
    lon0 = sum(lon for _, lon in centroids.values()) / len(centroids)
    return {code: ((lon - lon0) * math.cos(math.radians(lat0)), lat - lat0) for code, (lat, lon) in centroids.items()}


def scale(centroids: Mapping[str, tuple[float, float]], pairs: set[frozenset[str]]) -> float:
    """Hex units per degree of latitude: the mean distance between neighbouring wards becomes one hex step."""
    raw = _flat(centroids)
    distances = [math.dist(*(raw[c] for c in pair)) for pair in pairs]
    if not distances:  # one ward, or none touching: space them by their nearest neighbour
        distances = (
            [min(math.dist(p, o) for o in raw.values() if o != p) for p in raw.values()] if len(raw) > 1 else [1]
        )
    return math.sqrt(3) / (sum(distances) / len(distances) or 1)


def scaled_centroids(
    centroids: Mapping[str, tuple[float, float]], pairs: set[frozenset[str]]
) -> dict[str, tuple[float, float]]:
    """(lat, lon) centroids in hex units: x east, y north, the mean neighbour distance one hex step (sqrt 3)."""
    factor = scale(centroids, pairs)
    return {code: (x * factor, y * factor) for code, (x, y) in _flat(centroids).items()}


def cost(assignment: Mapping[str, Cell], points: Mapping, pairs: set[frozenset[str]]) -> float:
    """Squared displacement minus the reward for neighbours kept touching."""
    spread = sum(math.dist(points[c], centre_xy(*cell)) ** 2 for c, cell in assignment.items())
    kept = sum(1 for pair in pairs if adjacent(*(assignment[c] for c in pair)))
    return spread - ADJACENCY_WEIGHT * kept


def _local(code: str, cell: Cell, assignment: Mapping[str, Cell], points: Mapping, partners: Mapping) -> float:
    """One ward's part of the cost at a cell: its displacement less the reward for each neighbour touching it."""
    kept = sum(1 for other in partners[code] if adjacent(cell, assignment[other]))
    return math.dist(points[code], centre_xy(*cell)) ** 2 - ADJACENCY_WEIGHT * kept


def assign(points: Mapping[str, tuple[float, float]], pairs: set[frozenset[str]]) -> dict[str, Cell]:
    """Greedy nearest cells, then swaps and moves until nothing improves the cost."""
    xs, ys = [p[0] for p in points.values()], [p[1] for p in points.values()]
    r_range = range(math.floor(min(ys) / 1.5) - 2, math.ceil(max(ys) / 1.5) + 3)
    width = math.sqrt(3)
    cells = [
        (q, r)
        for r in r_range
        for q in range(math.floor(min(xs) / width - r / 2) - 2, math.ceil(max(xs) / width - r / 2) + 3)
    ]
    options = sorted((math.dist(p, centre_xy(*cell)), code, cell) for code, p in points.items() for cell in cells)
    assignment: dict[str, Cell] = {}
    used: set[Cell] = set()
    for _, code, cell in options:
        if code not in assignment and cell not in used:
            assignment[code] = cell
            used.add(cell)
    partners: dict[str, list[str]] = {code: [] for code in points}
    for pair in pairs:
        a, b = sorted(pair)
        partners[a].append(b)
        partners[b].append(a)
    improved = True
    while improved:
        improved = False
        codes = sorted(assignment)
        for a, b in itertools.combinations(codes, 2):
            before = _local(a, assignment[a], assignment, points, partners) + _local(
                b, assignment[b], assignment, points, partners
            )
            trial = dict(assignment)  # a pair of neighbours counts from both ends, before and after alike
            trial[a], trial[b] = assignment[b], assignment[a]
            after = _local(a, trial[a], trial, points, partners) + _local(b, trial[b], trial, points, partners)
            if after < before - 1e-9:
                assignment, improved = trial, True
        for code in codes:
            for cell in cells:
                if cell in used:
                    continue
                before = _local(code, assignment[code], assignment, points, partners)
                after = _local(code, cell, assignment, points, partners)
                if after < before - 1e-9:
                    used = (used - {assignment[code]}) | {cell}
                    assignment = dict(assignment, **{code: cell})
                    improved = True
    return assignment


def normalised(assignment: Mapping[str, Cell]) -> dict[str, Cell]:
    """The cells shifted so the smallest q and r are 0."""
    q0 = min(q for q, _ in assignment.values())
    r0 = min(r for _, r in assignment.values())
    return {code: (q - q0, r - r0) for code, (q, r) in assignment.items()}
