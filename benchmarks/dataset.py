"""A synthetic police.uk-shaped dataset for the benchmark: monthly street files, the same 12 columns, Leeds's ward
and crime-type mix, a fixed seed, plus an LSOA-to-ward lookup for its made-up LSOAs.

The crime-type shares are those of the real March 2024 Leeds file (../shared/data/policeuk, 9,408 rows); wards are
weighted by their Census 2021 population (the area's wards.csv) times a fixed random factor, so some wards are busier.
"""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lib.area import current as current_area
from lib.core.periods import add_months
from lib.ingest.policeuk import HEADER

TYPE_COUNTS = {  # the March 2024 Leeds file
    "Violence and sexual offences": 3531,
    "Shoplifting": 1063,
    "Public order": 825,
    "Criminal damage and arson": 686,
    "Vehicle crime": 659,
    "Anti-social behaviour": 626,
    "Other theft": 606,
    "Burglary": 498,
    "Other crime": 274,
    "Drugs": 257,
    "Robbery": 131,
    "Theft from the person": 90,
    "Possession of weapons": 88,
    "Bicycle theft": 74,
}
OUTCOMES = (
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Under investigation",
    "Status update unavailable",
    "Offender given a caution",
    "Local resolution",
    "Awaiting court outcome",
)
STREETS = (
    "Supermarket",
    "Parking Area",
    "Petrol Station",
    "Sports/Recreation Area",
    "Shopping Area",
    "Nightclub",
    "Further/Higher Educational Building",
    "Hospital",
    "Police Station",
    "Theatre/Concert Hall",
)
LSOAS_PER_WARD = 15
FIRST_MONTH = date(2014, 4, 1)


@dataclass(frozen=True)
class Dataset:
    """Where the files and the lookup are, and how many rows."""

    files: list[Path]
    lookup_dir: Path
    rows: int


def _wards() -> list[dict]:
    """The area's wards with population and centroid."""
    return current_area().wards


def build(
    folder: Path, crimes: int = 1_200_000, months: int = 120, seed: int = 2024, first: date = FIRST_MONTH
) -> Dataset:
    """Write `months` monthly street files from `first` totalling `crimes` rows and their lookup into folder
    (idempotent)."""
    folder.mkdir(parents=True, exist_ok=True)
    lookup_dir = folder / "reference"
    lookup_dir.mkdir(exist_ok=True)
    rng = random.Random(seed)
    wards = _wards()
    lsoas = []  # (code, name, ward code, lat, lon, weight)
    for w_index, ward in enumerate(wards):
        busyness = rng.lognormvariate(0, 0.5)
        for j in range(LSOAS_PER_WARD):
            code = f"E01{900000 + w_index * 100 + j:06d}"
            lsoas.append(
                (
                    code,
                    f"Leeds {900 + w_index:03d}{chr(65 + j)}",
                    ward["code"],
                    float(ward["centroid_lat"]) + rng.uniform(-0.01, 0.01),
                    float(ward["centroid_lon"]) + rng.uniform(-0.015, 0.015),
                    int(ward["population"]) * busyness / LSOAS_PER_WARD,
                )
            )
    with (lookup_dir / "lsoa21_ward.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["LSOA21CD", "LSOA21NM", "WD25CD", "WD25NM"])
        names = {w["code"]: w["name"] for w in wards}
        writer.writerows((code, name, ward, names[ward]) for code, name, ward, *_ in lsoas)
    types, type_weights = list(TYPE_COUNTS), list(TYPE_COUNTS.values())
    lsoa_weights = [item[5] for item in lsoas]
    files, per_month = [], crimes // months
    for m in range(months):
        month = add_months(first, m)
        path = folder / f"{month:%Y-%m}-west-yorkshire-street.csv"
        files.append(path)
        count = per_month + (1 if m < crimes - per_month * months else 0)
        if path.exists():
            continue
        places = rng.choices(lsoas, weights=lsoa_weights, k=count)
        kinds = rng.choices(types, weights=type_weights, k=count)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADER)
            for i, ((code, name, _ward, lat, lon, _w), kind) in enumerate(zip(places, kinds, strict=True)):
                asb = kind == "Anti-social behaviour"
                crime_id = "" if asb else hashlib.sha256(f"{seed}:{month}:{i}".encode()).hexdigest()
                writer.writerow(
                    [
                        crime_id,
                        f"{month:%Y-%m}",
                        "West Yorkshire Police",
                        "West Yorkshire Police",
                        f"{lon + rng.uniform(-0.004, 0.004):.6f}",
                        f"{lat + rng.uniform(-0.003, 0.003):.6f}",
                        f"On or near {rng.choice(STREETS)}",
                        code,
                        name,
                        kind,
                        "" if asb else rng.choice(OUTCOMES),
                        "",
                    ]
                )
    return Dataset(files, lookup_dir, crimes)
