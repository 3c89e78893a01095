"""police.uk-format street files made on real LSOA codes, for forces and months the shared data lack (the West
Yorkshire districts beside Leeds, a year of months), and an independent count of any such file's rows.

The independent count never uses the product's lookups: ONS names every LSOA after its district ("Sheffield 073F"),
so a row's district is read from its own "LSOA name" column, and a district's residents are the Census 2021 LSOAs
whose names start with it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import zipfile
from collections import Counter
from pathlib import Path

HEADER = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code", "LSOA name",
    "Crime type", "Last outcome category", "Context",
]  # fmt: skip
TYPES = [
    "Violence and sexual offences", "Anti-social behaviour", "Burglary", "Vehicle crime", "Shoplifting",
    "Criminal damage and arson", "Public order", "Other theft",
]  # fmt: skip
ASB = "Anti-social behaviour"


def population_rows(shared: Path) -> list[dict[str, str]]:
    """The national Census 2021 LSOA populations (LSOA21CD, LSOA21NM, usual_residents)."""
    path = shared / "data" / "areas" / "population" / "census2021_lsoa21_usual_residents_ew.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def lsoas_of(shared: Path, district: str) -> list[tuple[str, str]]:
    """(code, name) of a district's 2021 LSOAs, by their names."""
    return [(r["LSOA21CD"], r["LSOA21NM"]) for r in population_rows(shared) if r["LSOA21NM"].startswith(district + " ")]


def residents(shared: Path, district: str) -> int:
    """A district's Census 2021 residents: its LSOAs' sum."""
    return sum(int(r["usual_residents"]) for r in population_rows(shared) if r["LSOA21NM"].startswith(district + " "))


def street_rows(month: str, force: str, district_lsoas: dict[str, list[tuple[str, str]]], per_district: int,
                seed: str) -> list[list[str]]:  # fmt: skip
    """Rows of one force-month: per_district rows (give or take a fifth) in each district, types mixed."""
    rows = []
    for district, lsoas in sorted(district_lsoas.items()):
        chance = random.Random(f"{seed}:{district}:{month}")
        for index in range(chance.randint(per_district * 4 // 5, per_district * 6 // 5)):
            code, name = chance.choice(lsoas)
            kind = chance.choice(TYPES)
            crime_id = "" if kind == ASB else hashlib.sha256(f"{seed}{district}{month}{index}".encode()).hexdigest()
            rows.append(
                [crime_id, month, force, force, f"{-1.5 - chance.random():.6f}", f"{53.5 + chance.random():.6f}",
                 "On or near Test Street", code, name, kind, "" if kind == ASB else "Under investigation", ""]
            )  # fmt: skip
    return rows


def write(path: Path, rows: list[list[str]]) -> Path:
    """A police.uk street CSV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def read(path: Path) -> list[dict[str, str]]:
    """A street CSV's rows."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def extract(shared: Path, folder: Path, months: tuple[str, ...], forces: tuple[str, ...]) -> list[Path]:
    """The shared whole-force files for these months and forces (from the zip), written into folder."""
    archive = shared / "data" / "areas" / "policeuk" / "other-forces-2024-01-to-03.zip"
    paths = []
    with zipfile.ZipFile(archive) as opened:
        for month in months:
            for force in forces:
                member = f"{month}/{month}-{force}-street.csv"
                target = folder / member
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(opened.read(member))
                paths.append(target)
    return paths


def independent_counts(paths: list[Path], force: str | None = None) -> Counter:
    """(district name, "YYYY-MM") -> crimes (anti-social behaviour left out), read from each row's LSOA name; only
    the rows of one force ("Falls within") when given."""
    counts: Counter = Counter()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        for row in csv.DictReader(io.StringIO(text)):
            if row["Crime type"] == ASB or not row["LSOA name"] or (force and row["Falls within"] != force):
                continue
            counts[(row["LSOA name"].rsplit(" ", 1)[0], row["Month"])] += 1
    return counts
