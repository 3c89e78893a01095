"""England and Wales as the ONS describes it: every LSOA's district, every district's name, population, police force
and Community Safety Partnership, read from the national files in the reference folder (recognised by their columns,
lib/area/sources.py), for comparing a partnership with its peers.

- LSOA -> district uses every lookup with a district column, both LSOA vintages (2011 codes and the 2021 codes that
  did not change are in the national 2011 lookup). A 2021 code in none of them goes to the district its ONS name
  starts with ("Sheffield 073F"; ONS names every LSOA after its district): `placed_by_name` counts them.
- District codes are translated to the code in force today (LADCD -> LADCD_ACTIVE: Sheffield E08000019 ->
  E08000039), and everything is reported under today's codes.
- Populations are Census 2021 usual residents summed over each district's LSOAs (2021).
- A district's police force is its police force area in the district -> partnership -> force lookup; a police.uk
  file names forces in its own words ("South Yorkshire Police"), matched by `force_key`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lib.area import sources

LSOA_NAME = re.compile(r"^(?P<district>.+?)\s+\d{3}[A-Z]$")  # "Newcastle upon Tyne 001A"
FORCE_WORDS = {"police", "constabulary", "service"}


class NationalDataError(Exception):
    """The national files are not in the reference folder, with what to do about it."""


def force_key(name: str) -> str:
    """A force's name reduced to compare ONS and police.uk wording: "Devon & Cornwall" and "Devon & Cornwall Police"
    give the same key, as do "London, City of" and "City of London Police"."""
    words = re.findall(r"[a-z-]+", name.lower().replace("&", " and "))
    return " ".join(sorted(w for w in words if w not in FORCE_WORDS))


def _short(name: str) -> str:
    """A district's name as its LSOAs are named: "Bristol, City of" -> "Bristol"."""
    return name.split(",")[0].strip()


@dataclass
class National:
    """LSOA -> district, and each district's name, population, force and partnership, under today's codes."""

    lsoa_district: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    population: Counter = field(default_factory=Counter)
    forces: dict[str, str] = field(default_factory=dict)  # district -> police force area name (ONS wording)
    partnerships: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # CSP code -> (name, districts)
    active: dict[str, str] = field(default_factory=dict)  # any district code since 2011 -> the one in force today
    placed_by_name: int = 0  # 2021 LSOAs in no lookup, placed by their name
    files: list[Path] = field(default_factory=list)
    _prefixes: dict[str, str] = field(default_factory=dict, repr=False)

    def today(self, code: str) -> str:
        """The district code in force today for any code used since 2011 (unknown codes unchanged)."""
        return self.active.get(code, code)

    def by_name(self, lsoa_name: str) -> str | None:
        """The district an LSOA's ONS name starts with, or None."""
        match = LSOA_NAME.match(lsoa_name.strip())
        return self._prefixes.get(match.group("district").lower()) if match else None

    def district(self, lsoa_code: str, lsoa_name: str = "") -> str | None:
        """The district (today's code) an LSOA is in, by its code, else by its name; None when neither is known."""
        return self.lsoa_district.get(lsoa_code) or (self.by_name(lsoa_name) if lsoa_name else None)

    def force_of(self, district: str) -> str | None:
        """The police force area a district is in (ONS wording), or None."""
        return self.forces.get(self.today(district))

    def name_of(self, district: str) -> str:
        """A district's name today ("" when unknown)."""
        return self.names.get(self.today(district), "")


def _add_codes(national: National, path: Path) -> None:
    """Every district code since 2011 -> today's, and today's names."""
    for row in sources.rows(path):
        old, new = row["LADCD"].strip(), (row.get("LADCD_ACTIVE") or row["LADCD"]).strip()
        national.active[old] = new
        if row.get("LADNM_ACTIVE"):
            national.names[new] = row["LADNM_ACTIVE"].strip()
        for name in (row.get("LADNM") or "", row.get("LADNM_ACTIVE") or ""):  # LSOAs keep the 2021 district names
            if name.strip():
                national._prefixes.setdefault(name.strip().lower(), new)
                national._prefixes.setdefault(_short(name).lower(), new)


def _add_partnerships(national: National, path: Path) -> None:
    """District -> partnership -> force area."""
    header = sources.rows(path)
    if not header:
        return
    keys = header[0].keys()
    lad = next(k for k in keys if sources.LAD_COLUMN.match(k.upper()))
    csp_code = next((k for k in keys if re.match(r"^CSP\d\dCD$", k.upper())), None)
    csp_name = next((k for k in keys if re.match(r"^CSP\d\dNM$", k.upper())), None)
    force = next((k for k in keys if re.match(r"^PFA\d\dNM$", k.upper())), None)
    members: dict[str, tuple[str, list[str]]] = {}
    for row in header:
        district = national.today(row[lad].strip())
        national.names.setdefault(district, (row.get(lad[:-2] + "NM") or "").strip())
        if force and row.get(force):
            national.forces[district] = row[force].strip()
        if csp_code and row.get(csp_code):
            name = (row.get(csp_name) or "").strip() if csp_name else ""
            members.setdefault(row[csp_code].strip(), (name, []))[1].append(district)
    for code, (name, districts) in members.items():
        national.partnerships[code] = (name, tuple(sorted(set(districts))))


def _add_lookup(national: National, lookup: sources.Lookup) -> None:
    """LSOA -> today's district from one lookup with a district column."""
    assert lookup.lad is not None
    for row in sources.rows(lookup.path):
        code, district = (row.get(lookup.lsoa) or "").strip(), (row.get(lookup.lad) or "").strip()
        if code and district:
            today = national.lsoa_district[code] = national.today(district)
            if today not in national.names and row.get(lookup.lad[:-2] + "NM"):
                national.names[today] = row[lookup.lad[:-2] + "NM"].strip()


def _add_population(national: National, populations: list[sources.Population]) -> None:
    """Census 2021 residents summed by district (each LSOA once, whichever files hold it); 2021 LSOAs in no lookup
    placed by their name."""
    residents: dict[str, int] = {}
    names: dict[str, str] = {}
    tables = sorted(((sources.rows(p.path), p) for p in populations), key=lambda item: -len(item[0]))
    for rows, population in tables:  # the fullest file first (the national one): one method for every district
        for row in rows:
            code = (row.get(population.lsoa) or "").strip()
            if code in residents:
                continue
            try:
                residents[code] = int(float(row.get(population.count) or ""))
            except ValueError:
                continue
            if population.name and row.get(population.name):
                names[code] = row[population.name].strip()
    for code, count in residents.items():
        district = national.lsoa_district.get(code)
        if district is None and (district := national.by_name(names.get(code, ""))):
            national.lsoa_district[code] = district
            national.placed_by_name += 1
        if district:
            national.population[district] += count


def read(folder: Path) -> National:
    """The national picture from the files in folder (searched recursively); NationalDataError when the district
    lookup or the populations are missing."""
    found = sources.find(folder) if folder.is_dir() else sources.Sources(folder)
    national = National()
    for path in found.district_codes:
        _add_codes(national, path)
    for path in found.partnerships:
        _add_partnerships(national, path)
    with_district = [lookup for lookup in found.lookups if lookup.lad]
    for lookup in sorted(with_district, key=lambda item: item.vintage):  # 2011 first: 2021 codes override
        _add_lookup(national, lookup)
    for code, name in national.names.items():
        national._prefixes.setdefault(name.lower(), code)
        national._prefixes.setdefault(_short(name).lower(), code)
    _add_population(national, found.populations)
    missing = [
        what
        for what, have in (
            ("an LSOA to district lookup (LSOA11CD or LSOA21CD with LADnnCD)", national.lsoa_district),
            ("Census 2021 populations by LSOA (LSOA21CD with a count)", national.population),
        )
        if not have
    ]
    if missing:
        raise NationalDataError(
            f"The reference folder {folder} lacks {' and '.join(missing)}: run `saferleeds reference fetch "
            "--national`, or put the ONS files there."
        )
    national.files = [
        *found.district_codes,
        *found.partnerships,
        *(lookup.path for lookup in with_district),
        *(p.path for p in found.populations),
    ]
    return national


@cache
def _cached(folder: str, stamp: tuple) -> National:  # noqa: ARG001 - the stamp is part of the cache key
    """read(), once per folder and set of file times."""
    return read(Path(folder))


def load(folder: Path) -> National:
    """read(), cached for as long as no CSV in the folder changes."""
    stamp = tuple(sorted((str(p), p.stat().st_mtime_ns) for p in folder.rglob("*.csv"))) if folder.is_dir() else ()
    return _cached(str(folder), stamp)


def available(folder: Path) -> National | None:
    """The national picture, or None when its files are not in the folder."""
    try:
        return load(folder)
    except NationalDataError:
        return None
