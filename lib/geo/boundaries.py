"""Ward boundaries for the geographic map: checked, simplified once, kept small.

Every area folder holds its own simplified ward outlines (wards.geojson: `saferleeds area build` writes them; the
shipped area's were derived by scripts/derive_boundaries.py), so the map works out of the box. For an area that
reads its lookups from SAFERLEEDS_REFERENCE_DIR, a newer file there (what `saferleeds reference fetch` downloads,
or any GeoJSON of the area's wards) is used instead when present. December 2019 (WD19) and May 2025 (WD25) codes
both work: WD19 codes are translated through the ward table's crosswalk.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from shapely.geometry import mapping, shape

from lib.area import BOUNDARIES_FILE
from lib.area import current as current_area

SIMPLIFY_DEGREES = 0.0002  # about 15-20 m: invisible at ward scale, several times fewer points
DECIMALS = 5  # about 1 m
CODE_FIELDS = ("ward_code", "WD25CD", "WD24CD", "WD23CD", "WD22CD", "WD21CD", "WD20CD", "WD19CD", "wd19cd", "code")
NAME_FIELDS = ("ward_name", "WD25NM", "WD24NM", "WD19NM", "wd19nm", "name")


class BoundaryError(Exception):
    """Boundaries missing or not usable, with a message saying what to do."""


def find(folder: Path) -> Path | None:
    """The ward boundary file in the reference folder: wards.geojson, else another *ward*.geojson."""
    if not folder.is_dir():
        return None
    preferred = folder / "wards.geojson"
    if preferred.is_file():
        return preferred
    others = sorted(p for p in folder.glob("*.geojson") if "ward" in p.name.lower())
    return others[0] if others else None


def shipped() -> Path:
    """The area folder's own simplified outlines."""
    return current_area().path(BOUNDARIES_FILE)


def source() -> Path:
    """The boundaries to draw: an update in the reference folder if the area reads one, else the area's own."""
    area = current_area()
    update = None if area.self_contained else find(area.reference_dir())
    return update or shipped()


def _field(properties: dict, names: tuple[str, ...]) -> str | None:
    """The first of several possible property names present in a feature."""
    return next((str(properties[n]) for n in names if properties.get(n)), None)


def round_coordinates(value: Any) -> Any:  # noqa: ANN401 - nested coordinate lists
    """Coordinates rounded to DECIMALS, nested lists kept."""
    if isinstance(value, list | tuple):
        return [round_coordinates(v) for v in value]
    return round(float(value), DECIMALS)


@lru_cache(maxsize=4)
def _load(path: str, modified: float, crosswalk: tuple[tuple[str, str], ...]) -> dict:  # noqa: ARG001 - cache key
    """Read, translate codes, simplify and round: done once per file version."""
    try:
        collection = json.loads(Path(path).read_text(encoding="utf-8"))
        features = collection["features"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BoundaryError(f"{path} is not a GeoJSON FeatureCollection ({error}).") from error
    to_current = dict(crosswalk)
    current_codes = set(to_current.values())
    kept: list[dict[str, Any]] = []
    for feature in features:
        code = _field(feature.get("properties") or {}, CODE_FIELDS)
        code = to_current.get(code, code) if code else None
        if code is None or code not in current_codes:
            continue
        geometry = shape(feature["geometry"]).simplify(SIMPLIFY_DEGREES, preserve_topology=True)
        outline = mapping(geometry)
        kept.append(
            {
                "type": "Feature",
                "properties": {"ward_code": code},
                "geometry": {"type": outline["type"], "coordinates": round_coordinates(outline["coordinates"])},
            }
        )
    missing = current_codes - {f["properties"]["ward_code"] for f in kept}
    if missing:
        raise BoundaryError(
            f"{path} lacks {len(missing)} of the {len(current_codes)} {current_area().name} wards (for example "
            f"{sorted(missing)[0]}). Use ward boundaries with December 2019 or May 2025 codes, or run "
            "`saferleeds reference fetch`."
        )
    return {"type": "FeatureCollection", "features": sorted(kept, key=lambda f: f["properties"]["ward_code"])}


def load(path: Path, wards: list[tuple[str, str]]) -> dict:
    """Simplified ward outlines keyed by current code; wards is [(wd19_code, current_code), ...] from the database."""
    crosswalk = tuple(sorted(set(wards) | {(current, current) for _, current in wards}))
    return _load(str(path), path.stat().st_mtime, crosswalk)
