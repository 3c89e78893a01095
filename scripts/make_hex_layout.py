"""Make data/ward_hexes.csv: one hexagon per ward, close to its real position, keeping neighbours together.

Usage: python scripts/make_hex_layout.py ../shared/data/geo/leeds_wards_2025.geojson

Method: ward centroids (data/wards.csv) are scaled so that the typical distance between neighbouring wards is one
hex step. Each ward then gets a cell by minimising, over all assignments of wards to distinct cells,
    sum of squared distances from centroid to cell  -  ADJACENCY_WEIGHT x (true neighbours placed in touching cells)
starting from a greedy nearest-cell assignment and improving it by swaps and moves to free cells until no move
helps (a deterministic local search; 33 wards make it quick). True neighbours are wards whose boundaries come
within 50 m of each other. The script prints the share of true neighbour pairs kept adjacent.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
import sys
from pathlib import Path

from shapely.geometry import shape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.geo import hexmap  # noqa: E402

ADJACENCY_WEIGHT = 6.0
TOUCH_DEGREES = 0.0005  # about 50 m


def true_neighbours(geojson: Path, codes: dict[str, str]) -> set[frozenset[str]]:
    """Pairs of ward codes (WD25, via the WD19 crosswalk if needed) whose boundaries touch."""
    features = json.loads(geojson.read_text())["features"]
    shapes = {
        codes.get(f["properties"]["ward_code"], f["properties"]["ward_code"]): shape(f["geometry"]) for f in features
    }
    return {
        frozenset((a, b))
        for a, b in itertools.combinations(sorted(shapes), 2)
        if shapes[a].distance(shapes[b]) < TOUCH_DEGREES
    }


def scaled_centroids(wards: list[dict], pairs: set[frozenset[str]]) -> dict[str, tuple[float, float]]:
    """Centroids in hex units: x east, y north, mean neighbour distance one hex step (sqrt 3)."""
    lat0 = sum(float(w["centroid_lat"]) for w in wards) / len(wards)
    lon0 = sum(float(w["centroid_lon"]) for w in wards) / len(wards)
    raw = {
        w["code"]: ((float(w["centroid_lon"]) - lon0) * math.cos(math.radians(lat0)), float(w["centroid_lat"]) - lat0)
        for w in wards
    }
    spacing = sum(math.dist(*(raw[c] for c in pair)) for pair in pairs) / len(pairs)
    scale = math.sqrt(3) / spacing
    return {code: (x * scale, y * scale) for code, (x, y) in raw.items()}


def cost(assignment: dict[str, tuple[int, int]], points: dict, pairs: set[frozenset[str]]) -> float:
    """Squared displacement minus the reward for neighbours kept touching."""
    spread = sum(math.dist(points[c], hexmap.centre_xy(*cell)) ** 2 for c, cell in assignment.items())
    kept = sum(1 for pair in pairs if hexmap.adjacent(*(assignment[c] for c in pair)))
    return spread - ADJACENCY_WEIGHT * kept


def assign(points: dict[str, tuple[float, float]], pairs: set[frozenset[str]]) -> dict[str, tuple[int, int]]:
    """Greedy nearest cells, then swaps and moves until nothing improves the cost."""
    xs, ys = [p[0] for p in points.values()], [p[1] for p in points.values()]
    r_range = range(math.floor(min(ys) / 1.5) - 2, math.ceil(max(ys) / 1.5) + 3)
    width = math.sqrt(3)
    cells = [
        (q, r)
        for r in r_range
        for q in range(math.floor(min(xs) / width - r / 2) - 2, math.ceil(max(xs) / width - r / 2) + 3)
    ]
    options = sorted(
        (math.dist(p, hexmap.centre_xy(*cell)), code, cell) for code, p in points.items() for cell in cells
    )
    assignment: dict[str, tuple[int, int]] = {}
    for _, code, cell in options:
        if code not in assignment and cell not in assignment.values():
            assignment[code] = cell
    best = cost(assignment, points, pairs)
    improved = True
    while improved:
        improved = False
        codes = sorted(assignment)
        for a, b in itertools.combinations(codes, 2):
            trial = dict(assignment)
            trial[a], trial[b] = assignment[b], assignment[a]
            if (value := cost(trial, points, pairs)) < best - 1e-9:
                assignment, best, improved = trial, value, True
        used = set(assignment.values())
        for code in codes:
            for cell in cells:
                if cell in used:
                    continue
                trial = dict(assignment, **{code: cell})
                if (value := cost(trial, points, pairs)) < best - 1e-9:
                    used = (used - {assignment[code]}) | {cell}
                    assignment, best, improved = trial, value, True
    return assignment


def main(geojson: str) -> None:
    """Write data/ward_hexes.csv and report how many true neighbours stay adjacent."""
    with (ROOT / "data" / "wards.csv").open() as handle:
        wards = list(csv.DictReader(handle))
    codes = {w["wd19_code"]: w["code"] for w in wards}
    pairs = true_neighbours(Path(geojson), codes)
    assignment = assign(scaled_centroids(wards, pairs), pairs)
    q0 = min(q for q, _ in assignment.values())
    r0 = min(r for _, r in assignment.values())
    with hexmap.LAYOUT_FILE.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["ward_code", "ward_name", "q", "r"])
        for ward in wards:
            q, r = assignment[ward["code"]]
            writer.writerow([ward["code"], ward["name"], q - q0, r - r0])
    kept = sum(1 for pair in pairs if hexmap.adjacent(*(assignment[c] for c in pair)))
    print(f"{len(assignment)} wards; {kept} of {len(pairs)} true neighbour pairs adjacent ({kept / len(pairs):.0%}).")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT.parent / "shared/data/geo/leeds_wards_2025.geojson"))
