"""`saferleeds reference fetch --national`: the national files peer comparisons need, for all of England and Wales.

- LSOA (2021) to district and LSOA (2011) to district, from the ONS lookups (the same feature services as the
  partnership's own lookups, asked for every row, not one area's);
- district to Community Safety Partnership to police force area, from the ONS lookup;
- every district code used since 2011 with the code covering it today (LADCD -> LADCD_ACTIVE);
- Census 2021 usual residents by LSOA (Nomis TS001).

All five are downloaded into a staging folder inside the reference folder, recognised by their columns (as the app
recognises them: lib/area/sources.py), checked for national coverage and read together as the app will read them;
only then are they moved into place. A failed or partial download leaves the folder as it was.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from lib.area import national, sources
from lib.core import config
from lib.geo import reference
from lib.geo.reference import Fetched, FetchError

CSP_SERVICE = config.Setting(
    "SAFERLEEDS_ONS_CSP_SERVICE",
    "LAD19_CSP19_PFA19_EW_LU",
    "Feature service of the local authority district to Community Safety Partnership to police force area lookup "
    "(for peer comparisons: `saferleeds reference fetch --national`).",
)
DISTRICT_CODES_URL = config.Setting(
    "SAFERLEEDS_DISTRICT_CODES_URL",
    "https://raw.githubusercontent.com/drkane/geo-lookups/master/la_all_codes.csv",
    "CSV of every local authority district code used since 2011 with the code covering it today (LADCD, "
    "LADCD_ACTIVE), for peer comparisons under today's codes.",
)
SETTINGS = (CSP_SERVICE, DISTRICT_CODES_URL)
LSOA21_FILE = "national_lsoa21_lad.csv"
LSOA11_FILE = "national_lsoa11_lad.csv"
PARTNERSHIPS_FILE = "national_lad_csp_pfa.csv"
DISTRICT_CODES_FILE = "national_lad_codes_active.csv"
POPULATION_FILE = "national_population_lsoa21.csv"
# Fewer rows than these is not England and Wales (35,672 LSOAs 2021, 34,753 LSOAs 2011, 331 districts in 2021).
MINIMUM_ROWS = {LSOA21_FILE: 35_000, LSOA11_FILE: 34_000, PARTNERSHIPS_FILE: 300, DISTRICT_CODES_FILE: 300,
                POPULATION_FILE: 35_000}  # fmt: skip
KIND = {
    LSOA21_FILE: "lookups",
    LSOA11_FILE: "lookups",
    PARTNERSHIPS_FILE: "partnerships",
    DISTRICT_CODES_FILE: "district_codes",
    POPULATION_FILE: "populations",
}


def _write_rows(path: Path, fields: list[str], rows: list[list[str]]) -> None:
    """Rows as CSV under a header, sorted."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows(sorted(rows))


def _service_file(staged: Path, name: str, service: str, fields: list[str]) -> Fetched:
    """Every row of a feature service (fields in order) as CSV; rows lacking the first or third field dropped."""
    features = reference.all_rows(service, ",".join(fields))
    rows = reference.rows_of(features, fields)
    _write_rows(staged / name, fields, rows)
    return Fetched(staged / name, len(rows), service)


def _download(staged: Path, name: str, setting: config.Setting) -> Fetched:
    """A CSV from an address (a setting), as it is."""
    address = config.get(setting)
    try:
        with urllib.request.urlopen(address, timeout=reference.TIMEOUT_SECONDS) as response:  # noqa: S310
            (staged / name).write_bytes(response.read())
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FetchError(
            f"Cannot download {address.split('?')[0]} ({getattr(error, 'reason', error)}): this machine may be "
            f"offline; set {setting.name} to a mirror, or put the file in the reference folder by hand."
        ) from error
    with (staged / name).open(encoding="utf-8-sig", newline="") as handle:
        rows = max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    return Fetched(staged / name, rows, address.split("?")[0])


def _check(fetched: Fetched) -> None:
    """The file is of the kind the app will take it for, and national."""
    found = sources.Sources(fetched.path.parent)
    sources.classify(fetched.path, found)  # recognised exactly as the app will recognise it
    kind = KIND[fetched.path.name]
    if not getattr(found, kind):
        raise FetchError(
            f"{fetched.source} did not give the expected columns for {fetched.path.name}; nothing was written."
        )
    if fetched.rows < MINIMUM_ROWS[fetched.path.name]:
        raise FetchError(
            f"{fetched.source} gave {fetched.rows:,} rows for {fetched.path.name}, fewer than England and Wales "
            f"have ({MINIMUM_ROWS[fetched.path.name]:,} or more); nothing was written."
        )


def _steps(staged: Path) -> list[Callable[[], Fetched]]:
    """The five downloads, in order, each writing into staged."""
    lookup21, lookup11 = config.get(reference.LOOKUP_SERVICE), config.get(reference.LOOKUP_2011_SERVICE)
    csp = config.get(CSP_SERVICE)
    lad21, lad11 = reference.year_field(lookup21, "LAD"), reference.year_field(lookup11, "LAD")
    csp_year = reference.year_field(csp, "CSP")
    lad_csp, pfa = reference.year_field(csp, "LAD"), reference.year_field(csp, "PFA")
    return [
        lambda: _service_file(staged, LSOA21_FILE, lookup21, ["LSOA21CD", "LSOA21NM", f"{lad21}CD", f"{lad21}NM"]),
        lambda: _service_file(staged, LSOA11_FILE, lookup11, ["LSOA11CD", "LSOA11NM", f"{lad11}CD", f"{lad11}NM"]),
        lambda: _service_file(
            staged,
            PARTNERSHIPS_FILE,
            csp,
            [f"{lad_csp}CD", f"{lad_csp}NM", f"{csp_year}CD", f"{csp_year}NM", f"{pfa}CD", f"{pfa}NM"],
        ),
        lambda: _download(staged, DISTRICT_CODES_FILE, DISTRICT_CODES_URL),
        lambda: _download(staged, POPULATION_FILE, reference.POPULATION_URL),
    ]


def fetch(folder: Path) -> list[Fetched]:
    """Download, check and then place the five national files in folder; FetchError (folder unchanged) otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".national-", dir=folder))
    try:
        fetched = []
        for step in _steps(staged):
            item = step()
            _check(item)
            fetched.append(item)
        try:
            whole = national.read(staged)
        except national.NationalDataError as error:
            raise FetchError(f"The national files do not read together: {error}") from error
        if len(whole.population) < MINIMUM_ROWS[DISTRICT_CODES_FILE]:
            raise FetchError(
                f"The national files give residents for only {len(whole.population)} districts; nothing was written."
            )
        placed = []
        for item in fetched:
            target = folder / item.path.name
            os.replace(item.path, target)
            placed.append(Fetched(target, item.rows, item.source))
        return placed
    finally:
        shutil.rmtree(staged, ignore_errors=True)
