"""`saferleeds area build`: the districts' wards, LSOA lookups and populations from ONS files, checked
(lib/area/sources.py recognises the files; lib/area/files.py writes the folder).

For the districts asked for (ONS LAD codes, translated to the codes in force today where a district file says so,
e.g. Sheffield E08000019 -> E08000039), it builds:
- the wards (May 2025 codes and names from the ward boundaries; the December 2019 code where a 2019 ward has the same
  name, else the current code);
- LSOA 2021 and 2011 to ward lookups covering every LSOA of the districts. An LSOA's ward is, in order: an official
  lookup to current wards (`ons_lookup`); the ONS 2011-to-2019 best fit where that 2019 ward still exists
  (`ons_lsoa11_wd19_best_fit`); else the ward holding the largest share of the LSOA's area in the boundary files
  (`area_overlay`). A 2011 LSOA that no longer exists and lies in a redrawn ward takes the ward most of the 2021
  LSOAs of its MSOA (the name without its letter) were given (`msoa_majority`);
- populations: Census 2021 usual residents of the LSOAs, summed by ward;
- centroids (area-weighted, of each ward's polygon), simplified outlines (shapely, 0.0003 degrees, topology
  preserved, 5 decimal places) and the hex layout (lib/area/hexes.py).

Every check runs before anything is written: every LSOA has a ward, every ward has a polygon and residents, and the
ward populations sum to the district totals (the LSOAs ONS names after each district).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from lib.area import sources as found_files
from lib.area.sources import LAD_COLUMN, WARD_COLUMN, Sources

SIMPLIFY_DEGREES = 0.0003  # about 20-30 m, as scripts/derive_boundaries.py does for the shipped area
DECIMALS = 5
POPULATION_YEAR = 2021
# police.uk's force names where they are not the force area's name in lower case with hyphens
FORCE_NAMES = {
    "Metropolitan Police": "metropolitan",
    "London, City of": "city-of-london",
    "Devon & Cornwall": "devon-and-cornwall",
    "Avon and Somerset": "avon-and-somerset",
}


class BuildError(Exception):
    """A build that cannot pass its checks; the message names what is missing. Nothing was written."""


@dataclass
class WardBuilt:
    """One ward of the built area."""

    code: str
    name: str
    wd19_code: str
    district: str
    geometry: BaseGeometry
    district_name: str = ""  # as the ward file names its district (LADnnNM), if it does
    population: int = 0
    lsoas: int = 0
    committee_area: str = ""


@dataclass
class BuiltArea:
    """What a build made: the names, districts and forces, wards, and how each LSOA was placed."""

    name: str
    partnership: str
    board: str
    code: str
    districts: list[tuple[str, str]]
    forces: list[str]
    wards: list[WardBuilt]
    lsoa21: dict[str, tuple[str, str, str]]  # LSOA21 code -> (name, ward code, method)
    lsoa11: dict[str, tuple[str, str, str]]
    population_total: int = 0
    notes: list[str] = field(default_factory=list)

    def methods(self, vintage: int) -> dict[str, int]:
        """How many LSOAs of one vintage each method placed."""
        lookup = self.lsoa21 if vintage == 2021 else self.lsoa11
        return dict(sorted(Counter(method for _, _, method in lookup.values()).items()))

    def to_json(self) -> dict:
        """The area as `area build --json` prints it."""
        return {
            "name": self.name,
            "partnership": self.partnership,
            "board": self.board,
            "code": self.code,
            "lads": [{"code": code, "name": name} for code, name in self.districts],
            "forces": self.forces,
            "population": self.population_total,
            "lsoa21_by_method": self.methods(2021),
            "lsoa11_by_method": self.methods(2011),
            "placed_from_boundaries": self.methods(2021).get("area_overlay", 0)
            + self.methods(2011).get("msoa_majority", 0)
            + self.methods(2011).get("area_overlay", 0),
            "wards": [
                {"code": w.code, "name": w.name, "population": w.population, "lsoas": w.lsoas}
                for w in sorted(self.wards, key=lambda w: w.name)
            ],
            "notes": self.notes,
        }


def _active_codes(sources: Sources) -> tuple[dict[str, str], dict[str, str]]:
    """From the district-codes file, read once: every district code -> the code covering it today, and each code of
    today -> its name."""
    active: dict[str, str] = {}
    names: dict[str, str] = {}
    for path in sources.district_codes:
        for row in found_files.rows(path):
            if row.get("LADCD") and row.get("LADCD_ACTIVE"):
                active[row["LADCD"].strip()] = row["LADCD_ACTIVE"].strip()
                if row.get("LADNM_ACTIVE"):
                    names[row["LADCD_ACTIVE"].strip()] = row["LADNM_ACTIVE"].strip()
    return active, names


def _partnership_rows(sources: Sources, codes: set[str], active: dict[str, str]) -> list[dict[str, str]]:
    """The district -> partnership -> force rows of the asked-for districts."""
    found = []
    for path in sources.partnerships:
        for row in found_files.rows(path):
            lad = found_files.field_of(row, LAD_COLUMN)
            if lad and active.get(lad, lad) in codes:
                found.append(row)
    return found


def force_name(area_name: str) -> str:
    """A police force area's name as police.uk names its files: 'West Yorkshire' -> 'west-yorkshire'."""
    return FORCE_NAMES.get(area_name, re.sub(r"[^a-z0-9]+", "-", area_name.lower().replace("&", "and")).strip("-"))


def _ward_features(sources: Sources, codes: set[str], active: dict[str, str]) -> dict[str, WardBuilt]:
    """The current wards of the districts, from the ward boundary files (kept by their district code)."""
    wards: dict[str, WardBuilt] = {}
    for path in sources.ward_boundaries:
        for feature in found_files.features(path):
            properties = feature.get("properties") or {}
            lad = found_files.field_of(properties, LAD_COLUMN, "LADCD_ACTIVE", "lad_code")
            lad = active.get(lad, lad) if lad else None
            code = found_files.field_of(properties, WARD_COLUMN, "ward_code")
            if lad not in codes or not code or not feature.get("geometry"):
                continue
            name = properties.get(_name_key(properties, "WD")) or properties.get("ward_name") or code
            geometry = shape(feature["geometry"])
            if code in wards:  # the same ward in two files: keep one polygon
                continue
            district = properties.get(_name_key(properties, "LAD")) or ""
            wards[code] = WardBuilt(code, str(name).strip(), code, lad, geometry, str(district).strip())
    return wards


def _name_key(properties: dict, prefix: str) -> str:
    """The newest name property of a kind: WD25NM over WD19NM."""
    names = sorted(k for k in properties if re.fullmatch(rf"{prefix}\d\dNM", k.upper()))
    return names[-1] if names else ""


def _lsoa_features(sources: Sources, codes: set[str], active: dict[str, str], outline: BaseGeometry) -> dict:
    """LSOA 2021 code -> (name, polygon) for the districts: kept by district code, else by where they lie."""
    found: dict[str, tuple[str, BaseGeometry]] = {}
    for path in sources.lsoa_boundaries:
        for feature in found_files.features(path):
            properties = feature.get("properties") or {}
            code = properties.get("LSOA21CD")
            if not code or not feature.get("geometry"):
                continue
            lad = found_files.field_of(properties, LAD_COLUMN, "LADCD_ACTIVE")
            geometry = shape(feature["geometry"])
            inside = active.get(lad, lad) in codes if lad else outline.contains(geometry.representative_point())
            if inside:
                found[code] = (str(properties.get("LSOA21NM") or code), geometry)
    return found


class LookupRow(NamedTuple):
    """One LSOA of a lookup: its name, its ward (the file's newest ward column) and that ward's name, whether the ward
    is a current one, and its district (today's code)."""

    name: str
    ward: str
    current: bool
    ward_name: str
    district: str


def _lookup_rows(
    sources: Sources, codes: set[str], active: dict[str, str], current: set[str]
) -> dict[int, dict[str, LookupRow]]:
    """Per vintage: LSOA -> LookupRow, for rows of the districts (by district code, or by a ward of theirs)."""
    found: dict[int, dict[str, LookupRow]] = defaultdict(dict)
    for lookup in sources.lookups:
        if lookup.ward is None:
            continue
        for row in found_files.rows(lookup.path):
            lad = (row.get(lookup.lad) or "").strip() if lookup.lad else ""
            ward = (row.get(lookup.ward) or "").strip()
            lsoa = (row.get(lookup.lsoa) or "").strip()
            if not lsoa or not ward or not (active.get(lad, lad) in codes or ward in current):
                continue
            name = (row.get(lookup.lsoa_name) or lsoa).strip() if lookup.lsoa_name else lsoa
            ward_name = (row.get(lookup.ward_name) or "").strip() if lookup.ward_name else ""
            found[lookup.vintage][lsoa] = LookupRow(name, ward, ward in current, ward_name, active.get(lad, lad))
    return found


def _largest_overlap(geometry: BaseGeometry, wards: dict[str, WardBuilt]) -> str:
    """The ward holding the largest share of a polygon's area."""
    return max(wards.values(), key=lambda w: (w.geometry.intersection(geometry).area, w.code)).code


def _population(sources: Sources) -> tuple[dict[str, int], dict[str, str]]:
    """LSOA 2021 -> usual residents, and LSOA -> name where the file gives names."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    for population in sources.populations:
        for row in found_files.rows(population.path):
            code = (row.get(population.lsoa) or "").strip()
            value = (row.get(population.count) or "").replace(",", "").strip()
            if code[:3] in ("E01", "W01") and value.isdigit():
                counts[code] = int(value)
                if population.name and row.get(population.name):
                    names[code] = row[population.name].strip()
    return counts, names


def _district_of(label: str) -> str:
    """The district an LSOA is named after: 'Broxtowe 001A' -> 'Broxtowe'."""
    return re.sub(r" \d{3}[A-Z]$", "", label)


def _earlier_codes(wards: dict[str, WardBuilt], lsoa11: dict[str, LookupRow]) -> None:
    """Each ward's December 2019 code: its own where it is unchanged, else the 2019 ward of the same name in the
    same district, else its own (a ward drawn anew)."""
    earlier = {row.ward for row in lsoa11.values()}
    by_name = {(row.district, row.ward_name.strip().lower()): row.ward for row in lsoa11.values() if row.ward_name}
    for ward in wards.values():
        ward.wd19_code = (
            ward.code if ward.code in earlier else by_name.get((ward.district, ward.name.lower()), ward.code)
        )
    if len({w.wd19_code for w in wards.values()}) < len(wards):  # one old ward split in two: keep their own codes
        for ward in wards.values():
            ward.wd19_code = ward.code


def _msoa(name: str) -> str:
    """An LSOA's MSOA, from its ONS name: 'Broxtowe 001A' -> 'Broxtowe 001'."""
    return name[:-1] if name and name[-1].isalpha() else name


def build(
    lad_codes: list[str],
    name: str,
    folder: Path,
    partnership: str | None = None,
    board: str | None = None,
    forces: list[str] | None = None,
    committee_areas: dict[str, str] | None = None,
) -> BuiltArea:
    """Build and check an area from the ONS files in folder; raise BuildError naming what is missing."""
    sources = found_files.find(folder)
    if not sources.ward_boundaries:
        raise BuildError(f"No ward boundaries (GeoJSON with WDnnCD or ward_code) in {folder}.")
    active, known_names = _active_codes(sources)
    codes = {active.get(code, code) for code in lad_codes}
    wards = _ward_features(sources, codes, active)
    for code in sorted(codes):
        if not any(w.district == code for w in wards.values()):
            raise BuildError(f"No ward boundaries for district {code} in {folder}.")
    outline = unary_union([w.geometry for w in wards.values()])
    lsoa_shapes = _lsoa_features(sources, codes, active, outline)
    lookups = _lookup_rows(sources, codes | {old for old, new in active.items() if new in codes}, active, set(wards))
    population, population_names = _population(sources)
    if not population:
        raise BuildError(f"No Census 2021 population by LSOA (LSOA21CD with a count column) in {folder}.")

    _earlier_codes(wards, lookups.get(2011, {}))

    # LSOA 2021 -> ward
    official_2021 = {k: v for year, rows in lookups.items() if year >= 2021 for k, v in rows.items() if v.current}
    lsoa11 = lookups.get(2011, {})
    lsoa21_codes = set(lsoa_shapes) | set(official_2021)
    if not lsoa21_codes:
        raise BuildError(f"No LSOA 2021 boundaries or lookup rows for {', '.join(sorted(codes))} in {folder}.")
    placed21: dict[str, tuple[str, str, str]] = {}
    for lsoa in sorted(lsoa21_codes):
        label = population_names.get(lsoa) or (lsoa_shapes[lsoa][0] if lsoa in lsoa_shapes else lsoa)
        if lsoa in official_2021:
            placed21[lsoa] = (label, official_2021[lsoa].ward, "ons_lookup")
        elif lsoa in lsoa11 and lsoa11[lsoa].current:
            placed21[lsoa] = (label, lsoa11[lsoa].ward, "ons_lsoa11_wd19_best_fit")
        elif lsoa in lsoa_shapes:
            placed21[lsoa] = (label, _largest_overlap(lsoa_shapes[lsoa][1], wards), "area_overlay")
        else:
            raise BuildError(f"LSOA {lsoa} has no ward: no lookup gives a current ward and it has no boundary.")

    # LSOA 2011 -> ward
    msoa_votes: dict[str, Counter] = defaultdict(Counter)
    for label, ward_code, _ in placed21.values():
        msoa_votes[_msoa(label)][ward_code] += 1
    placed11: dict[str, tuple[str, str, str]] = {}
    for lsoa, row in sorted(lsoa11.items()):
        label = row.name
        if row.district not in codes and not row.current:
            continue  # another district's LSOA in a ward of ours (not possible for a best fit, kept out to be sure)
        if row.current:
            placed11[lsoa] = (label, row.ward, "ons_lsoa11_wd19_best_fit")
        elif lsoa in placed21:
            placed11[lsoa] = (label, placed21[lsoa][1], "same_code_2021")
        elif msoa_votes.get(_msoa(label)):
            votes = msoa_votes[_msoa(label)]
            placed11[lsoa] = (label, max(sorted(votes), key=votes.__getitem__), "msoa_majority")
        else:
            raise BuildError(
                f"LSOA 2011 {lsoa} ({label}) has no ward: its 2019 ward was redrawn and no 2021 LSOA of its MSOA "
                "is in the boundaries."
            )

    # Populations, and the checks
    missing_population = sorted(lsoa for lsoa in placed21 if lsoa not in population)
    if missing_population:
        raise BuildError(
            f"{len(missing_population)} LSOA(s) have no Census 2021 population (for example {missing_population[0]})."
        )
    for lsoa, (_, ward_code, _) in placed21.items():
        wards[ward_code].population += population[lsoa]
        wards[ward_code].lsoas += 1
    empty = sorted(w.name for w in wards.values() if not w.lsoas)
    if empty:
        raise BuildError(f"{len(empty)} ward(s) have no LSOA, so no residents: {', '.join(empty[:3])}.")
    district_names = _district_names(codes, known_names, wards)
    shared = {name for name, n in Counter(w.name for w in wards.values()).items() if n > 1}
    for ward in wards.values():  # two districts' wards of one name: each named with its district
        if ward.name in shared:
            ward.name = f"{ward.name} ({district_names.get(ward.district, ward.district)})"
    notes = _check_district_totals(codes, district_names, wards, population, population_names)

    for ward in wards.values():
        ward.committee_area = (
            (committee_areas or {}).get(ward.code)
            or (committee_areas or {}).get(ward.name)
            or (district_names.get(ward.district, ward.district))
        )
    rows = _partnership_rows(sources, codes, active)
    partnerships = sorted({(r.get("CSP19CD") or "", r.get("CSP19NM") or "") for r in rows} - {("", "")})
    derived_forces = sorted({force_name(r["PFA19NM"]) for r in rows if r.get("PFA19NM")})
    if not (forces or derived_forces):
        notes.append("No police force found for these districts: give --forces for police.uk imports.")
    area_code = next(iter(codes)) if len(codes) == 1 else (partnerships[0][0] if len(partnerships) == 1 else "")
    partnership = partnership or f"{name} Community Safety Partnership"
    return BuiltArea(
        name=name,
        partnership=partnership,
        board=board or f"{partnership} board",
        code=area_code or sorted(codes)[0],
        districts=[(code, district_names.get(code, code)) for code in sorted(codes)],
        forces=forces or derived_forces,
        wards=sorted(wards.values(), key=lambda w: w.name),
        lsoa21=placed21,
        lsoa11=placed11,
        population_total=sum(w.population for w in wards.values()),
        notes=notes,
    )


def _district_names(codes: set[str], known: dict[str, str], wards: dict[str, WardBuilt]) -> dict[str, str]:
    """District code -> name: the district-codes file's, else the ward files' (LADnnNM)."""
    from_wards = {w.district: w.district_name for w in wards.values() if w.district_name}
    return {code: name for code in codes if (name := known.get(code) or from_wards.get(code))}


def _check_district_totals(
    codes: set[str], names: dict[str, str], wards: dict, population: dict[str, int], labels: dict[str, str]
) -> list[str]:
    """Each district's ward populations against its own total: the residents of the LSOAs ONS names after it."""
    notes = []
    for code in sorted(codes):
        name = names.get(code)
        district_total = sum(n for lsoa, n in population.items() if name and _district_of(labels.get(lsoa, "")) == name)
        ward_total = sum(w.population for w in wards.values() if w.district == code)
        if not district_total:
            notes.append(f"{code}: no LSOA named after the district in the population file; total not cross-checked.")
        elif district_total != ward_total:
            raise BuildError(
                f"The wards of {name} hold {ward_total:,} residents but its LSOAs hold {district_total:,}: an LSOA "
                "is in the wrong district or missing."
            )
    return notes
