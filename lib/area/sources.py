"""The ONS files an area is built from, recognised by their columns and properties, never by their names.

- lookups: CSV with an LSOA code column (LSOAnnCD) and a ward (WDnnCD) and/or district (LADnnCD) column, national
  or cut down (e.g. ONS "LSOA (2011) to Ward (2019) to LAD (2019)");
- population: CSV with LSOA21CD (or Nomis's "geography code") and a count column (usual_residents, OBS_VALUE, or
  Nomis TS001's "...Total; measures: Value");
- district codes: CSV with LADCD and LADCD_ACTIVE (every district code used since 2011 and the one covering it now);
- partnerships: CSV with LADnnCD, CSPnnCD/CSPnnNM and PFAnnNM (district to Community Safety Partnership to police
  force area);
- ward boundaries: GeoJSON whose features have WDnnCD or ward_code;
- LSOA boundaries: GeoJSON whose features have LSOA21CD or LSOA11CD.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

LSOA_COLUMN = re.compile(r"^LSOA(\d\d)CD$")
WARD_COLUMN = re.compile(r"^WD(\d\d)CD$")
LAD_COLUMN = re.compile(r"^LAD(\d\d)CD$")
POPULATION_COLUMNS = ("usual_residents", "obs_value", "observation", "population", "count")
NOMIS_TOTAL = re.compile(r"total.*measures: value", re.IGNORECASE)


@dataclass(frozen=True)
class Lookup:
    """A lookup CSV: its LSOA column and vintage, and its newest ward and district columns (either may be None)."""

    path: Path
    lsoa: str
    vintage: int
    ward: str | None
    lad: str | None
    ward_name: str | None
    lsoa_name: str | None


@dataclass(frozen=True)
class Population:
    """A population CSV: its LSOA column, name column (if any) and count column."""

    path: Path
    lsoa: str
    name: str | None
    count: str


@dataclass
class Sources:
    """Every usable file found in a folder, by kind."""

    folder: Path
    lookups: list[Lookup] = field(default_factory=list)
    populations: list[Population] = field(default_factory=list)
    district_codes: list[Path] = field(default_factory=list)
    partnerships: list[Path] = field(default_factory=list)
    ward_boundaries: list[Path] = field(default_factory=list)
    lsoa_boundaries: list[Path] = field(default_factory=list)


def _newest(header: dict[str, str], pattern: re.Pattern) -> tuple[int, str] | None:
    """(two-digit year, column) of the newest column matching a pattern, e.g. WD25CD over WD19CD."""
    found = sorted((int(m.group(1)), name) for key, name in header.items() if (m := pattern.match(key)))
    return found[-1] if found else None


def _name_column(header: dict[str, str], code_column: str) -> str | None:
    """The name column beside a code column: WD19CD -> WD19NM."""
    return header.get(code_column.upper()[:-2] + "NM")


def classify(path: Path, sources: Sources) -> None:
    """Classify one CSV by its header and add it to sources."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = next(csv.reader(handle), [])
    header = {name.strip().upper(): name for name in first}
    lsoa = _newest(header, LSOA_COLUMN)
    ward = _newest(header, WARD_COLUMN)
    lad = _newest(header, LAD_COLUMN)
    if lsoa and (ward or lad):
        sources.lookups.append(
            Lookup(
                path,
                lsoa[1],
                2000 + lsoa[0],
                ward[1] if ward else None,
                lad[1] if lad else None,
                _name_column(header, ward[1]) if ward else None,
                _name_column(header, lsoa[1]),
            )
        )
        return
    code = header.get("LSOA21CD") or header.get("GEOGRAPHY CODE") or header.get("GEOGRAPHY_CODE")
    count = next((header[c.upper()] for c in POPULATION_COLUMNS if c.upper() in header), None)
    count = count or next((name for key, name in header.items() if NOMIS_TOTAL.search(key)), None)
    if code and count:
        name = header.get("LSOA21NM") or header.get("GEOGRAPHY") or header.get("GEOGRAPHY_NAME")
        sources.populations.append(Population(path, code, name, count))
    elif "LADCD" in header and "LADCD_ACTIVE" in header:
        sources.district_codes.append(path)
    elif lad and any(k.startswith("CSP") for k in header) and any(k.startswith("PFA") for k in header):
        sources.partnerships.append(path)


def _geojson_kind(path: Path, sources: Sources) -> None:
    """Classify one GeoJSON by its first feature's properties and add it to sources."""
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
        properties = (collection.get("features") or [{}])[0].get("properties") or {}
    except (ValueError, AttributeError, OSError):
        return
    keys = {k.upper() for k in properties}
    if "WARD_CODE" in keys or any(WARD_COLUMN.match(k) for k in keys):
        sources.ward_boundaries.append(path)
    elif keys & {"LSOA21CD", "LSOA11CD"}:
        sources.lsoa_boundaries.append(path)


def find(folder: Path) -> Sources:
    """Every recognised file under folder (searched recursively, in name order; hidden folders left out)."""
    sources = Sources(folder)
    hidden = [p for p in folder.rglob(".*") if p.is_dir()]  # e.g. a download being staged: not yet checked
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not any(h in p.parents for h in hidden)):
        suffix = path.suffix.lower()
        try:
            if suffix == ".csv":
                classify(path, sources)
            elif suffix in (".geojson", ".json"):
                _geojson_kind(path, sources)
        except (OSError, UnicodeDecodeError, csv.Error):
            continue
    return sources


def rows(path: Path) -> list[dict[str, str]]:
    """Every row of a CSV."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def features(path: Path) -> list[dict]:
    """Every feature of a GeoJSON file."""
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def field_of(properties: dict, pattern: re.Pattern, *others: str) -> str | None:
    """The value of the newest property matching a pattern (WD25CD over WD19CD), else of the first other name."""
    upper = {k.upper(): k for k in properties}
    newest = _newest(upper, pattern)
    if newest and properties.get(newest[1]):
        return str(properties[newest[1]])
    return next((str(properties[upper[o.upper()]]) for o in others if properties.get(upper.get(o.upper(), ""))), None)
