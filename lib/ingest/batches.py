"""The import log: every load, successful or not, is an ImportBatch row saying what was read, kept and refused."""

from __future__ import annotations

import getpass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, update
from sqlmodel import col

from lib.core import text
from lib.core.vocabulary import ImportStatus
from lib.ingest import versions
from lib.ingest.files import FIRST_ERRORS, Problem
from lib.store import db
from lib.store.models import ImportBatch

# The import log's columns as people read them (page table and `saferleeds imports`), oldest concern first.
LOG_COLUMNS = (
    "id",
    "kind",
    "file_name",
    "status",
    "rows_read",
    "rows_imported",
    "rows_rejected",
    "rows_outside",
    "who",
    "started_at",
)


def who() -> str:
    """The operating-system user running the load (the app passes the signed-in user instead, when there is one)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def start(
    connection: Connection,
    kind: str,
    file_name: str,
    sha256: str,
    user: str | None = None,
    is_illustrative: bool = False,
) -> int:
    """Record the start of a load inside the caller's transaction and return its batch id."""
    inserted = connection.execute(
        insert(ImportBatch).values(
            kind=kind,
            file_name=text.visible(file_name),
            sha256=sha256,
            who=user or who(),
            started_at=datetime.now(UTC),
            status=ImportStatus.RUNNING,
            illustrative=is_illustrative,
        )
    ).inserted_primary_key
    assert inserted is not None  # an INSERT of one row always has its key
    return int(inserted[0])


def finish(
    connection: Connection,
    batch_id: int,
    status: str = ImportStatus.SUCCESS,
    problems: list[Problem] | None = None,
    **counts: int,
) -> None:
    """Close a batch with its status, row counts (rows_read, rows_imported, ...) and first problems; the data version
    goes up with it (the import log is on the pages too), in the same transaction as whatever the load wrote."""
    connection.execute(
        update(ImportBatch)
        .where(col(ImportBatch.id) == batch_id)
        .values(status=status, finished_at=datetime.now(UTC), errors=summarise(problems or []), worker=None, **counts)
    )
    versions.bump(connection)


def summarise(problems: list[Problem]) -> str:
    """The first problems, one a line, with how many more there were."""
    lines = [str(p) for p in problems[:FIRST_ERRORS]]
    if len(problems) > FIRST_ERRORS:
        lines.append(f"... and {len(problems) - FIRST_ERRORS} more")
    return "\n".join(lines)


def record(
    url: str,
    kind: str,
    file_name: str,
    sha256: str,
    status: str,
    problems: list[Problem],
    user: str | None = None,
    **counts: int,
) -> int:
    """Log a load that wrote nothing (rejected or unchanged) in a transaction of its own; return its id."""
    with db.get_engine(url).begin() as connection:
        batch_id = start(connection, kind, file_name, sha256, user)
        finish(connection, batch_id, status, problems, **counts)
    return batch_id
