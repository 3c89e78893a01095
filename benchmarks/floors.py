"""The floors an import is held against (issue 33): the parse floor (a plain csv.reader pass over the files) and the
insert floor (the import's final records written into an empty copy of the same tables by the backend's fastest
path, with no checks: SQLite's executemany of prepared tuples in one transaction, PostgreSQL's COPY).

Both are measured in the same run as the import they judge, so a busy machine slows all three alike.
"""

from __future__ import annotations

import cProfile
import csv
import io
import pstats
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Connection

from lib.store import db

# What an import writes, table by table: its records and the real rows of the two aggregates it rebuilds.
WRITTEN = {
    "crimerecord": (
        "record_key, crime_id, month, reported_by, falls_within, longitude, latitude, location, lsoa_code, "
        "lsoa_name, crime_type, last_outcome, context, ward_code, import_batch_id",
        "import_batch_id IS NOT NULL",
    ),
    "crimemonthly": ("month, ward_code, crime_type, illustrative, count", "NOT illustrative"),
    "crimecitymonthly": ("month, crime_type, illustrative, count", "NOT illustrative"),
}


def parse_floor(files: list[Path]) -> int:
    """A plain csv.reader pass over the files (nothing checked, nothing kept); the rows read."""
    rows = 0
    for path in files:
        with path.open(newline="", encoding="utf-8") as handle:
            rows += sum(1 for _ in csv.reader(handle))
    return rows


def final_records(url: str) -> dict[str, list[tuple]]:
    """Table -> the rows an import wrote into the database at url, as the driver gives them back (ready to write)."""
    with db.get_engine(url).connect() as connection:
        return {
            table: [tuple(row) for row in connection.exec_driver_sql(f"SELECT {columns} FROM {table} WHERE {where}")]
            for table, (columns, where) in WRITTEN.items()
        }


def copy_batches(source_url: str, target_url: str) -> None:
    """Give the database at target_url (freshly migrated and seeded: the tables as the import found them) the import
    log rows of source_url's police.uk batches, so the records' import_batch_id finds its batch (not timed)."""
    with db.get_engine(source_url).connect() as connection:
        result = connection.exec_driver_sql("SELECT * FROM importbatch WHERE kind = 'policeuk'")
        names, batches = list(result.keys()), [tuple(row) for row in result]
    with db.get_engine(target_url).begin() as connection:
        _write(connection, "importbatch", ", ".join(names), batches)


def insert_floor(url: str, records: dict[str, list[tuple]]) -> None:
    """Write the records into the (empty) tables at url by the backend's fastest path, in one transaction."""
    with db.get_engine(url).begin() as connection:
        for table, rows in records.items():
            _write(connection, table, WRITTEN[table][0], rows)


def _write(connection: Connection, table: str, columns: str, rows: list[tuple]) -> None:
    """executemany of prepared tuples on SQLite; COPY on PostgreSQL."""
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" * len(columns.split(",")))
        connection.exec_driver_sql(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
        return
    raw = connection.connection.dbapi_connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(row)


def profile(fn: Callable[[], object], out: Path, title: str, top: int = 30) -> None:
    """Run fn once under cProfile and write its `top` functions by cumulative time to out (paths relative to the
    project), with the title: the profile that explains a missed import target."""
    profiler = cProfile.Profile()
    profiler.runcall(fn)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    body = text.getvalue().replace(str(Path(__file__).resolve().parents[1]) + "/", "")
    out.write_text(f"# {title}\n\n```\n{body.strip()}\n```\n", encoding="utf-8")
