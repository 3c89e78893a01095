"""`saferleeds reference fetch`: download ward boundaries and LSOA-to-ward lookups from the ONS Open Geography Portal.

Each file comes from a public ArcGIS feature service of the portal, filtered to the area's districts, checked (every
ward of the area, every row coded), and written into the reference folder only when complete: a failed or partial
download leaves what was there before. Service names change with each ONS release, so the base URL and each service
are settings.
"""

from __future__ import annotations

import csv
import json
import os
import re
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lib.area import BOUNDARIES_FILE, LOOKUP_2011_FILE, LOOKUP_2021_FILE
from lib.area import current as current_area
from lib.core import config

ONS_BASE_URL = config.Setting(
    "SAFERLEEDS_ONS_URL",
    "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services",
    "Base address of the ONS Open Geography Portal's ArcGIS services (change only for a mirror or a test server).",
)
WARD_SERVICE = config.Setting(
    "SAFERLEEDS_ONS_WARD_SERVICE",
    "WD_MAY_2025_UK_BGC",
    "Feature service of ward boundaries (generalised, clipped), with WDxxCD and LADxxCD fields.",
)
LOOKUP_SERVICE = config.Setting(
    "SAFERLEEDS_ONS_LOOKUP_SERVICE",
    "LSOA21_WD25_LAD25_EW_LU",
    "Feature service of the LSOA (2021) to ward to local authority lookup.",
)
LOOKUP_2011_SERVICE = config.Setting(
    "SAFERLEEDS_ONS_LOOKUP_2011_SERVICE",
    "LSOA11_WD19_LAD19_EW_LU",
    "Feature service of the LSOA (2011) to ward (December 2019) lookup, for crime files still on 2011 codes.",
)
POPULATION_URL = config.Setting(
    "SAFERLEEDS_POPULATION_URL",
    "https://www.nomisweb.co.uk/api/v01/dataset/NM_2021_1.data.csv?date=latest&geography=TYPE151&c2021_restype_3=0"
    "&measures=20100&select=geography_code,obs_value",
    "CSV of Census 2021 usual residents by LSOA 2021 (Nomis TS001), for `saferleeds area build` without --from.",
)
SETTINGS = (ONS_BASE_URL, WARD_SERVICE, LOOKUP_SERVICE, LOOKUP_2011_SERVICE, POPULATION_URL)
PAGE_SIZE = 1000
TIMEOUT_SECONDS = 60
WARD_FILE, LOOKUP_FILE = BOUNDARIES_FILE, LOOKUP_2021_FILE  # the names an area folder uses


class FetchError(Exception):
    """A download that could not be completed, with what to do about it."""


@dataclass(frozen=True)
class Fetched:
    """One file written: where, how many rows, from which address."""

    path: Path
    rows: int
    source: str


def _query_url(
    service: str, fields: str, lad_field: str, page_offset: int, geometry: bool, codes: tuple[str, ...] = ()
) -> str:
    """The feature-service query for rows whose lad_field is one of codes (default: the area's districts), one page
    at a time; every row when lad_field is blank."""
    listed = ",".join(f"'{code}'" for code in (codes or (current_area().district_codes if lad_field else ())))
    params = {
        "where": f"{lad_field} IN ({listed})" if lad_field else "1=1",
        "outFields": fields,
        "outSR": "4326",
        "returnGeometry": "true" if geometry else "false",
        "resultOffset": str(page_offset),
        "resultRecordCount": str(PAGE_SIZE),
        "f": "geojson" if geometry else "json",
    }
    return f"{config.get(ONS_BASE_URL).rstrip('/')}/{service}/FeatureServer/0/query?{urllib.parse.urlencode(params)}"


def _get_json(url: str) -> dict:
    """GET and parse JSON, turning network and format problems into one plain message."""
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - https/http only
            payload = json.load(response)
    except urllib.error.HTTPError as error:
        raise FetchError(
            f"The ONS Open Geography Portal answered {error.code} for {url.split('?')[0]}: the "
            "service name may have changed (see `saferleeds config`)."
        ) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FetchError(
            f"Cannot reach the ONS Open Geography Portal ({getattr(error, 'reason', error)}). This "
            "machine may be offline or behind a proxy: connect and retry, or download the "
            f"{current_area().name} ward boundaries and LSOA lookups by hand into the reference folder "
            "(SAFERLEEDS_REFERENCE_DIR)."
        ) from error
    except ValueError as error:
        raise FetchError(f"The answer from {url.split('?')[0]} is not JSON.") from error
    if "error" in payload:
        raise FetchError(f"The ONS service reported an error: {payload['error'].get('message', payload['error'])}.")
    return payload


def _all_features(service: str, fields: str, lad_field: str, geometry: bool, codes: tuple[str, ...] = ()) -> list[dict]:
    """Every feature of a service whose lad_field is one of codes (default: the area's districts), following the
    service's paging."""
    features: list[dict] = []
    while True:
        page = _get_json(_query_url(service, fields, lad_field, len(features), geometry, codes))
        batch = page.get("features", [])
        features.extend(batch)
        more = page.get("exceededTransferLimit") or page.get("properties", {}).get("exceededTransferLimit")
        if not batch or not more:
            return features


def all_rows(service: str, fields: str) -> list[dict]:
    """Every row of a (non-geometry) feature service, all of England and Wales, following the service's paging."""
    return _all_features(service, fields, "", geometry=False)


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write to a temporary file beside the target, then rename, so a failure never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def year_field(service: str, prefix: str) -> str:
    """'WD25' from a service named like WD_MAY_2025_UK_BGC or LSOA21_WD25_LAD25_EW_LU."""
    short = re.search(rf"(?<![A-Z]){prefix}(\d{{2}})(?!\d)", service)
    if short:
        return f"{prefix}{short.group(1)}"
    year = re.search(r"(?:19|20)(\d{2})", service)
    if not year:
        raise FetchError(f"Cannot tell the year of the codes in service {service!r}: name it like WD_MAY_2025_UK_BGC.")
    return f"{prefix}{year.group(1)}"


def fetch_wards(folder: Path) -> Fetched:
    """The area's ward boundaries as GeoJSON with ward_code and ward_name."""
    service = config.get(WARD_SERVICE)
    code = year_field(service, "WD")
    lad = code.replace("WD", "LAD")
    features = _all_features(service, f"{code}CD,{code}NM", f"{lad}CD", geometry=True)
    cleaned = []
    for feature in features:
        properties = feature.get("properties") or {}
        ward = properties.get(f"{code}CD") or properties.get("ward_code")
        if ward and feature.get("geometry"):
            cleaned.append(
                {
                    "type": "Feature",
                    "geometry": feature["geometry"],
                    "properties": {
                        "ward_code": ward,
                        "ward_name": properties.get(f"{code}NM") or properties.get("ward_name"),
                    },
                }
            )
    area = current_area()
    if len({f["properties"]["ward_code"] for f in cleaned}) != area.ward_count:
        raise FetchError(
            f"Expected the {area.ward_count} {area.name} wards from {service}, got {len(cleaned)}; nothing was written."
        )
    target = folder / WARD_FILE
    _write_atomically(
        target, lambda p: p.write_text(json.dumps({"type": "FeatureCollection", "features": cleaned}), encoding="utf-8")
    )
    return Fetched(target, len(cleaned), service)


def _fetch_lookup(folder: Path, service: str, file_name: str, lsoa: str) -> Fetched:
    """An LSOA-to-ward lookup for the area as CSV with LSOA code and name, ward code and name."""
    ward = year_field(service, "WD")
    lad = year_field(service, "LAD")
    fields = [f"{lsoa}CD", f"{lsoa}NM", f"{ward}CD", f"{ward}NM"]
    features = _all_features(service, ",".join(fields), f"{lad}CD", geometry=False)
    rows = [feature.get("attributes") or feature.get("properties") or {} for feature in features]
    rows = [r for r in rows if r.get(fields[0]) and r.get(fields[2])]
    area = current_area()
    if not rows or len({r[fields[2]] for r in rows}) != area.ward_count:
        raise FetchError(
            f"The lookup from {service} does not cover the {area.ward_count} {area.name} wards ({len(rows)} rows); "
            "nothing was written."
        )

    def write(path: Path) -> None:
        """The lookup rows as CSV, sorted by LSOA code."""
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(fields)
            writer.writerows([r[f] for f in fields] for r in sorted(rows, key=lambda r: r[fields[0]]))

    target = folder / file_name
    _write_atomically(target, write)
    return Fetched(target, len(rows), service)


def fetch(folder: Path | None = None) -> list[Fetched]:
    """Download ward boundaries and both LSOA lookups into the reference folder."""
    folder = folder or current_area().reference_dir()
    return [
        fetch_wards(folder),
        _fetch_lookup(folder, config.get(LOOKUP_SERVICE), LOOKUP_FILE, "LSOA21"),
        _fetch_lookup(folder, config.get(LOOKUP_2011_SERVICE), LOOKUP_2011_FILE, "LSOA11"),
    ]


def rows_of(features: list[dict], fields: list[str]) -> list[list[str]]:
    """The attribute rows of a feature-service answer, in field order, rows lacking the first two fields dropped."""
    rows = [feature.get("attributes") or feature.get("properties") or {} for feature in features]
    return [[str(r.get(f) or "") for f in fields] for r in rows if r.get(fields[0]) and r.get(fields[2])]


def fetch_for_build(folder: Path, lad_codes: list[str]) -> list[Fetched]:
    """What `saferleeds area build` needs for these districts, downloaded into folder: ward boundaries with their
    district code, the LSOA (2021) and (2011) to ward lookups, and Census 2021 population by LSOA."""
    codes = tuple(lad_codes)
    service = config.get(WARD_SERVICE)
    ward, lad = year_field(service, "WD"), year_field(service, "WD").replace("WD", "LAD")
    features = _all_features(service, f"{ward}CD,{ward}NM,{lad}CD", f"{lad}CD", True, codes)
    kept = [
        {"type": "Feature", "geometry": f["geometry"], "properties": dict(f.get("properties") or {})}
        for f in features
        if f.get("geometry") and (f.get("properties") or {}).get(f"{ward}CD")
    ]
    if not kept:
        raise FetchError(f"The ONS ward boundaries ({service}) hold no ward of {', '.join(codes)}; check the codes.")
    written = [folder / "wards.geojson"]
    written[0].write_text(json.dumps({"type": "FeatureCollection", "features": kept}), encoding="utf-8")
    ward_codes = tuple(sorted({f["properties"][f"{ward}CD"] for f in kept}))
    lookups = []
    for setting, lsoa, file_name in (
        (LOOKUP_SERVICE, "LSOA21", LOOKUP_FILE),
        (LOOKUP_2011_SERVICE, "LSOA11", LOOKUP_2011_FILE),
    ):
        name = config.get(setting)
        wd, district = year_field(name, "WD"), year_field(name, "LAD")
        fields = [f"{lsoa}CD", f"{lsoa}NM", f"{wd}CD", f"{wd}NM", f"{district}CD"]
        # the 2011 lookup has December 2019 district codes, some since replaced: its rows are asked for by ward
        by, among = (f"{district}CD", codes) if lsoa == "LSOA21" else (f"{wd}CD", ward_codes)
        rows = rows_of(_all_features(name, ",".join(fields), by, False, among), fields)
        path = folder / file_name
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(fields)
            writer.writerows(sorted(rows))
        lookups.append(Fetched(path, len(rows), name))
    population = folder / "population.csv"
    url = config.get(POPULATION_URL)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - https/http only
            population.write_bytes(response.read())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FetchError(
            f"Cannot download the Census 2021 population ({getattr(error, 'reason', error)}): set "
            f"{POPULATION_URL.name}, or build --from a folder holding it."
        ) from error
    return [Fetched(written[0], len(kept), service), *lookups, Fetched(population, 0, url.split("?")[0])]
