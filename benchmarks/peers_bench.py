"""Peers (issue 32): counting other districts' rows at import, and answering the Peers page from those counts.

- A West Yorkshire force-month of 30,000 rows on real LSOA codes (6,000 in each of Leeds, Bradford, Calderdale,
  Kirklees and Wakefield) imported with the national lookup (Leeds's rows stored, the others counted by district),
  against the same file imported for the partnership only (no national lookup: the others are just outside).
- The page's reads for 10 areas x 36 months of district counts, against the data-version check.

The national ONS files are read from ../shared/data/areas (or SAFERLEEDS_SHARED_DIR), the Leeds lookups from
../shared/data/lookups; without them the scenario reports why and measures nothing.
"""

from __future__ import annotations

import os
import random
import statistics
from datetime import date
from pathlib import Path

import peer_files
from sqlalchemy import insert
from timing import Row, fresh_database, interleaved, seconds_for

from lib.analysis import peers
from lib.area import national
from lib.core import periods, roles
from lib.ingest import peer_groups, policeuk
from lib.store import db, queries
from lib.store.models import DistrictCrimeMonthly

AREA = "Peers"
WEST_YORKSHIRE = {"Leeds": "E08000035", "Bradford": "E08000032", "Calderdale": "E08000033",
                  "Kirklees": "E08000034", "Wakefield": "E08000036"}  # fmt: skip
TEN = ("E08000032", "E08000033", "E08000034", "E08000036", "E08000025", "E06000023", "E08000012", "E08000021",
       "E06000018", "E08000039")  # fmt: skip
ROWS_PER_DISTRICT = 6_000
FORCE_MONTH_ROWS = ROWS_PER_DISTRICT * len(WEST_YORKSHIRE)
MONTHS = 36
FORCE = "West Yorkshire Police"


def shared_dir(root: Path) -> Path:
    """Where the shared public data are."""
    return Path(os.environ.get("SAFERLEEDS_SHARED_DIR", root.parent / "shared"))


def reference_folders(shared: Path, work: Path) -> tuple[Path, Path]:
    """Two reference folders of links: the Leeds lookups alone, and the Leeds lookups with the national files."""
    data = shared / "data"
    local, full = work / "reference-leeds", work / "reference-national"
    for folder, paths in (
        (local, list((data / "lookups").glob("*.csv"))),
        (
            full,
            [
                *(data / "lookups").glob("*.csv"),
                *(data / "areas" / "lookups").glob("*.csv"),
                *(data / "areas" / "population").glob("*.csv"),
            ],
        ),  # fmt: skip
    ):
        folder.mkdir(exist_ok=True)
        for path in paths:
            if not (folder / path.name).exists():
                (folder / path.name).symlink_to(path)
    return local, full


def force_month(shared: Path, work: Path) -> Path:
    """The 30,000-row West Yorkshire force-month on real LSOA codes, districts mixed (peer_files, fixed seed)."""
    lsoas = {name: peer_files.lsoas_of(shared, name) for name in WEST_YORKSHIRE}
    rows = peer_files.street_rows("2024-03", FORCE, lsoas, ROWS_PER_DISTRICT * 5 // 4, "bench")  # >= 6,000 each
    random.Random(0).shuffle(rows)
    rows = rows[:FORCE_MONTH_ROWS]
    return peer_files.write(work / "peers" / "2024-03-west-yorkshire-street.csv", rows)


def _import(url: str, path: Path, reference: Path) -> policeuk.ImportResult:
    os.environ["SAFERLEEDS_REFERENCE_DIR"] = str(reference)
    return policeuk.import_paths(url, [path], accept_unusual=True)


def bench_import(shared: Path, work: Path, runs: int) -> list[Row]:
    """The force-month imported with and without counting the other districts, on fresh databases, in turns."""
    local, full = reference_folders(shared, work)
    path = force_month(shared, work)
    national.load(full)  # read once per process (cached by file times), as in the app: not part of an import
    alone, together, stored = [], [], 0
    for run in range(runs):
        for reference, times in ((local, alone), (full, together)):
            url = fresh_database(None, work, f"peers-{run}-{reference.name}")
            times.append(seconds_for(lambda u=url, r=reference: _import(u, path, r)))
            if reference == full:
                counted = queries.district_crime(url, tuple(sorted(WEST_YORKSHIRE.values())), date(2024, 3, 1),
                                                 date(2024, 3, 1))  # fmt: skip
                stored = int(counted["count"].sum())
    seconds, baseline = statistics.median(together), statistics.median(alone)
    rows = len(peer_files.read(path))
    return [
        Row(
            AREA,
            f"import a force-month of {rows:,} rows for five districts, peers counted",
            seconds,
            "s",
            baseline,
            "≤ 1.5× the partnership-only import of the same file",
            seconds / baseline <= 1.5,
            f"baseline: the same file with no national lookup (only Leeds's rows kept); {stored:,} other districts' "
            "crimes counted by district, no row of theirs stored",
        )
    ]


def _fill(url: str) -> tuple[date, date]:
    """36 months x 10 districts x 14 crime types of district counts (fixed seed), as imports would leave them."""
    last = date(2024, 12, 1)
    first = periods.add_months(last, -(MONTHS - 1))
    chance = random.Random(32)
    records = [
        {
            "month": month,
            "district_code": code,
            "force": f"Force {code}",
            "crime_type": kind,
            "count": chance.randint(50, 900),
            "import_batch_id": None,
        }  # fmt: skip
        for month in periods.month_starts(first, last)
        for code in TEN
        for kind in peers.ALL_CRIME_TYPES
    ]
    with db.get_engine(url).begin() as connection:
        connection.execute(insert(DistrictCrimeMonthly), records)
    return first, last


def bench_page(shared: Path, work: Path, runs: int) -> list[Row]:
    """The Peers page's reads of district counts for 10 areas x 36 months, and the whole comparison."""
    _, full = reference_folders(shared, work)
    os.environ["SAFERLEEDS_REFERENCE_DIR"] = str(full)
    url = fresh_database(None, work, "peers-page")
    first, last = _fill(url)
    nation = national.load(full)
    group = peer_groups.set_group(url, "Ten", list(TEN), nation, roles.operator("bench"))
    districts = tuple(sorted(TEN))

    def reads() -> None:
        queries.district_crime(url, districts, first, last, None)
        queries.district_months(url, districts)

    period = periods.parse(f"12m:{last:%Y-%m}")
    timed = interleaved(runs * 10, check=lambda: queries.check_ready(url), reads=reads,
                        compare=lambda: peers.compare(url, group, period, None))  # fmt: skip
    return [
        Row(
            AREA,
            f"Peers page: district counts for 10 areas x {MONTHS} months (`district_crime` + `district_months`)",
            timed["reads"] * 1000,
            "ms",
            timed["check"] * 1000,
            "≤ 15 ms",
            timed["reads"] * 1000 <= 15,
            f"{len(TEN) * MONTHS * len(peers.ALL_CRIME_TYPES):,} count rows; the whole comparison (ranks, "
            f"verdicts, 36-month trend) {timed['compare'] * 1000:,.1f} ms",
        )
    ]


def bench(root: Path, work: Path, runs: int) -> list[Row]:
    """Both peer scenarios, or one row saying why they could not run."""
    shared = shared_dir(root)
    if not (shared / "data" / "areas" / "lookups").is_dir():
        return [Row(AREA, "peer scenarios", 0, "", note=f"not run: the national ONS files are not in {shared}")]
    saved = os.environ.get("SAFERLEEDS_REFERENCE_DIR")
    try:
        return bench_import(shared, work, runs) + bench_page(shared, work, runs)
    finally:
        if saved is None:
            os.environ.pop("SAFERLEEDS_REFERENCE_DIR", None)
        else:
            os.environ["SAFERLEEDS_REFERENCE_DIR"] = saved
