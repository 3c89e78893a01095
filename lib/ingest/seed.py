"""Build a partnership's starting data from its area folder (lib/area): wards, catalogue, documented facts and, for
the shipped demo only, the flagged illustrative history.

Idempotent: running it again adds nothing. It never deletes or overwrites: a documented fact whose value changed in
the area's seed_facts.csv becomes a new revision, and rows a user loaded are left alone. A database holds one
partnership: seeding one that holds another area's wards is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import Connection, insert

from lib.area import Area, AreaError
from lib.area import current as current_area
from lib.ingest import aggregates, batches, illustrative, peer_groups, targets, versions
from lib.ingest.kpi_values import WriteCounts, write_kpi_values
from lib.store import cache, db, reads
from lib.store.models import CrimeMonthly, Deliverable, DeliveryBoard, Kpi, Meeting, Priority, Ward

POPULATION_SOURCE = "Census 2021 usual residents summed over LSOA 2021 best-fit to ward (the area folder's README)"


@dataclass(frozen=True)
class SeedResult:
    """What a seed run added."""

    reference_rows: int
    facts: WriteCounts
    illustrative_values: WriteCounts
    crime_rows: int


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of one of the area's CSV files ([] when the area has none)."""
    return current_area().rows(name)


def check_same_area(connection: Connection, area: Area) -> None:
    """Refuse to seed a database that already holds another partnership's wards."""
    stored = reads.existing_codes(connection, Ward.code)
    if stored and stored != set(area.ward_codes):
        raise AreaError(
            f"This database holds another area's {len(stored)} wards, not {area.name}'s {area.ward_count}: use a "
            "database of its own for each partnership (SAFERLEEDS_DATABASE_URL)."
        )


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _optional(text: str) -> str | None:
    """An empty CSV cell as None."""
    return text or None


def _insert_missing(connection: Connection, model: type, key: str, rows: list[dict]) -> int:
    """Insert the reference rows whose key is not stored yet; return how many were added."""
    present = reads.existing_codes(connection, getattr(model, key))
    new = [row for row in rows if row[key] not in present]
    if new:
        connection.execute(insert(model), new)
    return len(new)


def seed_reference(connection: Connection) -> int:
    """Wards, priorities, delivery boards, deliverables and the KPI catalogue (missing rows only)."""
    area = current_area()
    check_same_area(connection, area)
    added = _insert_missing(
        connection,
        Ward,
        "code",
        [
            {
                "code": r["code"],
                "wd19_code": r["wd19_code"],
                "name": r["name"],
                "committee_area": r["committee_area"],
                "population": int(r["population"]),
                "population_year": int(r["population_year"]),
                "population_source": POPULATION_SOURCE,
                "centroid_lat": float(r["centroid_lat"]),
                "centroid_lon": float(r["centroid_lon"]),
            }
            for r in read_csv("wards.csv")
        ],
    )
    added += _insert_missing(
        connection,
        Priority,
        "id",
        [
            {
                "id": int(r["id"]),
                "name": r["name"],
                "silver_board": r["silver_board"],
                "plan": area.plan,
                "summary": r["summary"],
            }
            for r in read_csv("priorities.csv")
        ],
    )
    added += _insert_missing(
        connection,
        DeliveryBoard,
        "name",
        [
            {
                "name": r["name"],
                "strategy": area.strategy,
                "priority_id": int(r["priority_id"]) if r["priority_id"] else None,
            }
            for r in read_csv("boards.csv")
        ],
    )
    board_ids = {name: id_ for id_, name in reads.existing_board_names(connection)}
    added += _insert_missing(
        connection,
        Deliverable,
        "ref",
        [
            {
                "ref": r["ref"],
                "priority_id": int(r["priority_id"]) if r["priority_id"] else None,
                "board_id": board_ids.get(r["board"]),
                "title": r["title"],
                "summary": r["summary"],
                "status": r["status"],
                "status_basis": r["status_basis"],
                "source": r["source"],
            }
            for r in read_csv("deliverables.csv")
        ],
    )
    added += _insert_missing(
        connection,
        Kpi,
        "code",
        [
            {
                "code": r["code"],
                "name": r["name"],
                "priority_id": int(r["priority_id"]) if r["priority_id"] else None,
                "unit": r["unit"],
                "direction": r["direction"],
                "target": float(r["target"]) if r["target"] else None,
                "target_type": _optional(r["target_type"]),
                "rag_rule": r["rag_rule"],
                "frequency": r["frequency"],
                "geography": r["geography"],
                "area_code": r["area_code"],
                "area_name": r["area_name"],
                "sensitive": r["sensitive"] == "true",
                "definition": r["definition"],
                "owner": r["owner"],
                "source": r["source"],
                "headline_rank": int(r["headline_rank"]) if r["headline_rank"] else None,
            }
            for r in read_csv("kpis.csv")
        ],
    )
    if area.demo:
        added += _insert_missing(connection, Meeting, "meeting_date", illustrative_meetings())
    added += peer_groups.seed_groups(connection, area)
    return added


def illustrative_meetings() -> list[dict]:
    """Bi-monthly Executive meetings across the data's span (the real dates are not published: flagged illustrative).

    Third Thursday of every odd month from May 2021 to November 2024; the data cut-off is the end of the month
    before the meeting.
    """
    meetings = []
    for year in range(2021, 2025):
        for month in (1, 3, 5, 7, 9, 11):
            first = date(year, month, 1)
            if not date(2021, 5, 1) <= first <= date(2024, 11, 1):
                continue
            third_thursday = first + timedelta(days=(3 - first.weekday()) % 7 + 14)
            meetings.append(
                {
                    "meeting_date": third_thursday,
                    "data_cutoff": first - timedelta(days=1),
                    "illustrative": True,
                    "note": "Illustrative date: the Executive meets bi-monthly "
                    "(000_274d76e3dc4e1983.txt § What are the key risks); actual dates are not published.",
                }
            )
    return meetings


def seed_facts(connection: Connection) -> WriteCounts:
    """The documented figures from the area's seed_facts.csv, each with its source file and section (not
    illustrative)."""
    path = current_area().path("seed_facts.csv")
    if not path.is_file():
        return WriteCounts()
    sha = file_sha256(path)
    if reads.batch_with_sha(connection, "seed", sha) is not None:
        return WriteCounts()
    rows = [
        {
            "kpi_code": r["kpi_code"],
            "area_code": r["area_code"],
            "period_start": date.fromisoformat(r["period_start"]),
            "period_end": date.fromisoformat(r["period_end"]),
            "value": float(r["value"]),
            "qualifier": r["qualifier"],
            "note": r["note"],
            "source": r["source"],
            "source_section": r["source_section"],
            "illustrative": False,
        }
        for r in read_csv("seed_facts.csv")
    ]
    batch_id = batches.start(connection, "seed", path.name, sha)
    counts = write_kpi_values(connection, rows, batch_id)
    batches.finish(connection, batch_id, rows_read=len(rows), rows_imported=counts.added + counts.revised)
    return counts


def seed_illustrative(connection: Connection) -> tuple[WriteCounts, int]:
    """The generated history (flagged illustrative), written once per generator version and seed: the shipped demo's
    only (an area whose area.toml says demo = true); any other partnership starts with no illustrative data."""
    if not current_area().demo:
        return WriteCounts(), 0
    sha = hashlib.sha256(f"illustrative:{illustrative.GENERATOR_VERSION}:{illustrative.SEED}".encode()).hexdigest()
    if reads.batch_with_sha(connection, "illustrative", sha) is not None:
        return WriteCounts(), 0
    ward_codes = sorted(reads.existing_codes(connection, Ward.code))
    data = illustrative.generate(ward_codes)
    batch_id = batches.start(connection, "illustrative", illustrative.BATCH_NAME, sha, is_illustrative=True)
    source = illustrative.SOURCE
    rows = [
        {
            **row,
            "illustrative": True,
            "source": source,
            "source_section": illustrative.SOURCE_SECTION,
        }
        for row in data.kpi_values
    ]
    counts = write_kpi_values(connection, rows, batch_id)
    present = reads.existing_crime_keys(connection, illustrative=True)
    crime = [
        {**row, "illustrative": True}
        for row in data.crime_monthly
        if (row["month"], row["ward_code"], row["crime_type"]) not in present
    ]
    if crime:
        connection.execute(insert(CrimeMonthly), crime)
        aggregates.refresh_city(connection, None, illustrative=True)
    batches.finish(
        connection, batch_id, rows_read=len(rows) + len(data.crime_monthly), rows_imported=counts.added + len(crime)
    )
    return counts, len(crime)


def is_empty(url: str) -> bool:
    """True when no KPI, value, crime or import rows exist (a brand-new database)."""
    with db.get_engine(url).connect() as connection:
        counts = reads.table_counts(connection)
    return not any(counts[name] for name in ("kpi", "kpivalue", "crimemonthly", "importbatch"))


def seed(url: str) -> SeedResult:
    """Seed the database at url in one transaction (reference data, documented facts, illustrative history)."""
    with db.get_engine(url).begin() as connection:
        reference = seed_reference(connection)
        facts = seed_facts(connection)
        values, crime = seed_illustrative(connection)
        targets.carry_over(connection)  # each KPI's target, in force from the start of its data
        versions.bump(connection)
    cache.clear_caches()
    return SeedResult(reference, facts, values, crime)
