"""What a partnership is: its names, districts, forces, wards and catalogue, read from one area folder.

One setting names the partnership: SAFERLEEDS_AREA, either a shipped area (data/areas/<name>; unset, the default
that data/areas/DEFAULT names) or the folder `saferleeds area build` wrote. Every layer asks
`current()` for it; nothing else knows which place this is.

An area folder holds:
- area.toml: the names (place, partnership, board), the partnership-wide area code, districts, police forces;
- wards.csv (code, WD19 code, name, committee area, population, centroid), ward_hexes.csv (the hex map's cells),
  wards.geojson (simplified outlines);
- lsoa21_ward.csv and lsoa11_ward.csv (LSOA to ward), in a built area; a shipped area may read them from
  SAFERLEEDS_REFERENCE_DIR;
- the catalogue, where the partnership has one: priorities.csv, boards.csv, deliverables.csv, kpis.csv,
  seed_facts.csv, documents.csv. A file that is absent is an empty table.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lib.core import config

SETTING = config.AREA
MANIFEST = "area.toml"
WARDS_FILE = "wards.csv"
HEXES_FILE = "ward_hexes.csv"
BOUNDARIES_FILE = "wards.geojson"
LOOKUP_2021_FILE = "lsoa21_ward.csv"
LOOKUP_2011_FILE = "lsoa11_ward.csv"
WARD_COLUMNS = (
    "code",
    "wd19_code",
    "name",
    "committee_area",
    "population",
    "population_year",
    "centroid_lat",
    "centroid_lon",
)  # wards.csv; a built area adds lad_code and lsoas


class AreaError(Exception):
    """An area folder that is missing or not usable, with what to do about it."""


@dataclass(frozen=True)
class District:
    """One local authority district of the partnership (ONS LAD code and name)."""

    code: str
    name: str


@dataclass(frozen=True)
class Area:
    """One partnership, as configured in its folder."""

    folder: Path
    name: str  # the place, in running text: "Map of Bradford", "outside Bradford"
    partnership: str  # the partnership's short name
    board: str  # the board whose meetings the dashboard serves
    code: str  # the area code partnership-wide values are stored under
    districts: tuple[District, ...]
    forces: tuple[str, ...]  # police.uk force names, e.g. west-yorkshire
    demo: bool = False  # an empty database gets the flagged illustrative history (the shipped demo only)
    self_contained: bool = True  # lookups and boundaries are in the folder (else SAFERLEEDS_REFERENCE_DIR)
    centre: tuple[float, float] = (0.0, 0.0)  # (lat, lon) the maps are drawn around
    hex_degrees: float = 0.02  # the hex map's cell circumradius, in degrees of latitude
    plan: str = ""
    strategy: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def path(self, name: str) -> Path:
        """A file of the area folder."""
        return self.folder / name

    def rows(self, name: str) -> list[dict[str, str]]:
        """The rows of one of the area's CSV files ([] when the area has no such file)."""
        return _rows(str(self.path(name)))

    @property
    def wards(self) -> list[dict[str, str]]:
        """The area's wards as in wards.csv (code, wd19_code, name, committee_area, population, centroid)."""
        return self.rows(WARDS_FILE)

    @property
    def ward_count(self) -> int:
        """How many wards the area has."""
        return len(self.wards)

    @property
    def ward_codes(self) -> frozenset[str]:
        """Every current ward code of the area."""
        return frozenset(w["code"] for w in self.wards)

    @property
    def district_codes(self) -> tuple[str, ...]:
        """The districts' ONS codes."""
        return tuple(d.code for d in self.districts)

    def text(self, page: str, key: str, default: str = "") -> str:
        """A page's own words for this partnership (area.toml's [pages.<address>] table), or the default."""
        return str(self.extra.get("pages", {}).get(page, {}).get(key, default))

    def reference_dir(self) -> Path:
        """Where the area's LSOA lookups (and boundary updates) are: its own folder when built, else the configured
        reference folder."""
        return self.folder if self.self_contained else config.reference_dir()


@cache
def _rows(path: str) -> list[dict[str, str]]:
    """A CSV file's rows, read once per process ([] for a missing file)."""
    file = Path(path)
    if not file.is_file():
        return []
    with file.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load(folder: Path) -> Area:
    """The area defined by a folder's area.toml, checked for the fields every page needs."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise AreaError(
            f"{folder} is not an area folder (no {MANIFEST}). Set SAFERLEEDS_AREA to a shipped area's name or to a "
            "folder `saferleeds area build` wrote."
        )
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise AreaError(f"{manifest} cannot be read: {error}.") from error
    missing = [key for key in ("name", "partnership", "board", "code", "districts", "centre") if not data.get(key)]
    if missing:
        raise AreaError(f"{manifest} lacks {', '.join(missing)}.")
    if not (folder / WARDS_FILE).is_file():
        raise AreaError(f"{folder} has no {WARDS_FILE}: rebuild it with `saferleeds area build`.")
    known = {
        "name",
        "partnership",
        "board",
        "code",
        "districts",
        "forces",
        "demo",
        "self_contained",
        "plan",
        "strategy",
    }
    return Area(
        folder=folder,
        name=data["name"],
        partnership=data["partnership"],
        board=data["board"],
        code=data["code"],
        districts=tuple(District(d["code"], d["name"]) for d in data["districts"]),
        forces=tuple(data.get("forces", ())),
        demo=bool(data.get("demo", False)),
        self_contained=bool(data.get("self_contained", True)),
        centre=(float(data["centre"][0]), float(data["centre"][1])),
        hex_degrees=float(data.get("hex_degrees", Area.hex_degrees)),
        plan=data.get("plan", ""),
        strategy=data.get("strategy", ""),
        extra={k: v for k, v in data.items() if k not in known},
    )


@cache
def _current(folder: Path) -> Area:
    """The area of one folder, loaded once."""
    return load(folder)


def current() -> Area:
    """The partnership this process serves (SAFERLEEDS_AREA; unset, the shipped default)."""
    return _current(config.area_dir())


def clear() -> None:
    """Forget loaded areas and files (after `area build` rewrote a folder, or in tests that switch area)."""
    _current.cache_clear()
    _rows.cache_clear()
