"""Test helpers shared by the import tests: a checksum of every data table and the real lookups."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import MetaData, select

from lib.ingest import lookups
from lib.store import db, queries

LOG_TABLES = {"importbatch", "alembic_version", "dataversion"}  # the log, and the counter every load increases


KPI_TABLES = ("kpivalue",)  # what a KPI return writes (besides the import log)
CRIME_TABLES = ("crimerecord", "crimerecordhistory", "crimemonthly", "crimecitymonthly")  # what police.uk writes


def table_checksums(url: str, only: tuple[str, ...] | None = None) -> dict[str, str]:
    """SHA-256 of every row of every table except the import log (or of the `only` tables), in a fixed order: equal
    means byte-for-byte equal data."""
    metadata = MetaData()
    engine = db.get_engine(url)
    metadata.reflect(engine)
    sums = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            if name in LOG_TABLES or (only is not None and name not in only):
                continue
            rows = connection.execute(select(table).order_by(*table.columns)).all()
            sums[name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return sums


def leeds_lookup(url: str, folder: Path) -> lookups.LsoaLookup:
    """The LSOA lookups in a folder, for the wards of the database at url."""
    wards = queries.wards(url)
    return lookups.load(folder, dict(zip(wards["wd19_code"], wards["code"], strict=True)), set(wards["code"]))
