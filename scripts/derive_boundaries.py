"""Derive the shipped Leeds ward boundaries (data/areas/leeds/wards.geojson) from an ONS generalised ward file.

Usage: python scripts/derive_boundaries.py ONS_WARDS.geojson [OUT]

Input: any GeoJSON of the 33 Leeds wards with May 2025 (WD25) or December 2019 (WD19) codes, e.g. the ONS
"Wards (May 2025) Boundaries UK BGC" extract in ../shared/data/geo/leeds_wards_2025.geojson, or what
`saferleeds reference fetch` downloads. Method: keep each ward's code and name, simplify each outline with shapely
(tolerance 0.0003 degrees, about 20-30 m, topology preserved), round coordinates to 5 decimal places (about 1 m),
write compact JSON. The result is well under 200 KB and is the project's own derived data: Source: Office for National
Statistics licensed under the OGL v3.0. Contains OS data (c) Crown copyright and database right.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shapely.geometry import mapping, shape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.geo.boundaries import CODE_FIELDS, NAME_FIELDS, round_coordinates  # noqa: E402

TOLERANCE = 0.0003
OUT = ROOT / "data" / "areas" / "leeds" / "wards.geojson"


def derive(source: Path) -> dict:
    """The simplified, rounded FeatureCollection (ward_code, ward_name) from an ONS ward file."""
    features = []
    for feature in json.loads(source.read_text(encoding="utf-8"))["features"]:
        properties = feature.get("properties") or {}
        code = next(str(properties[f]) for f in CODE_FIELDS if properties.get(f))
        name = next(str(properties[f]) for f in NAME_FIELDS if properties.get(f))
        outline = mapping(shape(feature["geometry"]).simplify(TOLERANCE, preserve_topology=True))
        geometry = {"type": outline["type"], "coordinates": round_coordinates(outline["coordinates"])}
        features.append({"type": "Feature", "properties": {"ward_code": code, "ward_name": name}, "geometry": geometry})
    features.sort(key=lambda f: f["properties"]["ward_name"])
    return {"type": "FeatureCollection", "features": features}


def main() -> int:
    """Write the derived file and say how big it is."""
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    out = Path(sys.argv[2]) if len(sys.argv) > 2 else OUT
    collection = derive(Path(sys.argv[1]))
    out.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{out}: {len(collection['features'])} wards, {out.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
