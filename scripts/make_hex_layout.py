"""Make data/areas/leeds/ward_hexes.csv: one hexagon per ward, close to its real position, keeping neighbours
together, by the method `saferleeds area build` uses for any area (lib/area/hexes.py states it).

Usage: python scripts/make_hex_layout.py ../shared/data/geo/leeds_wards_2025.geojson

The script prints the share of true neighbour pairs kept adjacent.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from shapely.geometry import shape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.area import hexes  # noqa: E402

AREA = ROOT / "data" / "areas" / "leeds"


def main(geojson: str, out: Path = AREA / "ward_hexes.csv") -> None:
    """Write the layout and report how many true neighbours stay adjacent."""
    with (AREA / "wards.csv").open() as handle:
        wards = list(csv.DictReader(handle))
    codes = {w["wd19_code"]: w["code"] for w in wards}
    features = json.loads(Path(geojson).read_text())["features"]
    shapes = {
        codes.get(f["properties"]["ward_code"], f["properties"]["ward_code"]): shape(f["geometry"]) for f in features
    }
    pairs = hexes.true_neighbours(shapes)
    centroids = {w["code"]: (float(w["centroid_lat"]), float(w["centroid_lon"])) for w in wards}
    assignment = hexes.normalised(hexes.assign(hexes.scaled_centroids(centroids, pairs), pairs))
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["ward_code", "ward_name", "q", "r"])
        for ward in wards:
            q, r = assignment[ward["code"]]
            writer.writerow([ward["code"], ward["name"], q, r])
    kept = sum(1 for pair in pairs if hexes.adjacent(*(assignment[c] for c in pair)))
    print(f"{len(assignment)} wards; {kept} of {len(pairs)} true neighbour pairs adjacent ({kept / len(pairs):.0%}).")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT.parent / "shared/data/geo/leeds_wards_2025.geojson"))
