"""Derive the project's own small reference tables from the public files in ../shared/data.

Run: python scripts/derive_reference.py ../shared/data

Writes two reviewed tables under data/areas/leeds/ (method and sources in its README.md):
  wards.csv                  33 rows: codes, names, committee area, Census 2021 population, centroid
  illustrative_crime_mix.csv ward x police.uk crime type: mean monthly count over the real months,
                                  used only to shape the illustrative crime series
The shared files themselves are never copied into the project.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.area import WARD_COLUMNS  # noqa: E402

# Leeds City Council's ten community committees and their wards (as given in the foundation issue).
COMMITTEE_AREAS = {
    "Inner East": ["Burmantofts & Richmond Hill", "Gipton & Harehills", "Killingbeck & Seacroft"],
    "Inner North East": ["Chapel Allerton", "Moortown", "Roundhay"],
    "Inner North West": ["Headingley & Hyde Park", "Little London & Woodhouse", "Weetwood"],
    "Inner South": ["Beeston & Holbeck", "Hunslet & Riverside", "Middleton Park"],
    "Inner West": ["Armley", "Bramley & Stanningley", "Kirkstall"],
    "Outer East": ["Cross Gates & Whinmoor", "Garforth & Swillington", "Kippax & Methley", "Temple Newsam"],
    "Outer North East": ["Alwoodley", "Harewood", "Wetherby"],
    "Outer North West": ["Adel & Wharfedale", "Guiseley & Rawdon", "Horsforth", "Otley & Yeadon"],
    "Outer South": ["Ardsley & Robin Hood", "Morley North", "Morley South", "Rothwell"],
    "Outer West": ["Calverley & Farsley", "Farnley & Wortley", "Pudsey"],
}


def ring_area_centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """Signed area and centroid of one closed ring (shoelace formula, lon/lat degrees)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2.0
    if area == 0:
        return 0.0, ring[0][0], ring[0][1]
    return area, cx / (6.0 * area), cy / (6.0 * area)


def polygon_centroid(geometry: dict) -> tuple[float, float]:
    """Area-weighted centroid (lat, lon) of a Polygon or MultiPolygon; holes subtract."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    total = sx = sy = 0.0
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            area, x, y = ring_area_centroid(ring)
            area = abs(area) if index == 0 else -abs(area)
            total += area
            sx += x * area
            sy += y * area
    return sy / total, sx / total


def main(shared: Path, out_dir: Path = ROOT / "data" / "areas" / "leeds") -> None:
    """Write wards.csv and illustrative_crime_mix.csv from the shared files."""
    codes = list(csv.DictReader((shared / "lookups/leeds_ward_codes.csv").open()))
    wd25_of = {r["WD19CD"]: r["WD25CD"] for r in codes}
    # LSOAs go to wards by the ONS best fit (WD19), then to the current code by the name crosswalk. The lookup's
    # own WD25 column re-fits three Temple Newsam LSOAs by area to Burmantofts and Killingbeck, although only the
    # Garforth/Temple Newsam boundary moved (by about 180 m); following it would move 5,600 residents wrongly.
    lookup = csv.DictReader((shared / "lookups/leeds_lsoa21_ward_derived.csv").open())
    lsoa_ward = {r["LSOA21CD"]: wd25_of[r["WD19CD"]] for r in lookup}
    population: Counter[str] = Counter()
    for row in csv.DictReader((shared / "lookups/leeds_lsoa21_population_census2021.csv").open()):
        population[lsoa_ward[row["LSOA21CD"]]] += int(row["usual_residents"])
    features = json.loads((shared / "geo/leeds_wards_2025.geojson").read_text())["features"]
    centroids = {f["properties"]["ward_code"]: polygon_centroid(f["geometry"]) for f in features}
    area_of = {ward: area for area, wards in COMMITTEE_AREAS.items() for ward in wards}

    with (out_dir / "wards.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(WARD_COLUMNS)
        for row in sorted(codes, key=lambda r: r["ward_name"]):
            lat, lon = centroids[row["WD25CD"]]
            writer.writerow(
                [
                    row["WD25CD"],
                    row["WD19CD"],
                    row["ward_name"],
                    area_of[row["ward_name"]],
                    population[row["WD25CD"]],
                    2021,
                    f"{lat:.5f}",
                    f"{lon:.5f}",
                ]
            )

    counts: defaultdict[tuple[str, str], int] = defaultdict(int)
    months = sorted((shared / "policeuk").glob("*-street.csv"))
    for path in months:
        for row in csv.DictReader(path.open(encoding="utf-8-sig")):
            counts[(lsoa_ward[row["LSOA code"]], row["Crime type"])] += 1
    with (out_dir / "illustrative_crime_mix.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["ward_code", "crime_type", "mean_monthly_count"])
        for (ward, crime_type), count in sorted(counts.items()):
            writer.writerow([ward, crime_type, f"{count / len(months):.1f}"])


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared/data"))
