"""The log of police.uk fetches: a row per run, started before anything is asked of police.uk, its progress updated
while it runs (what Data in shows), closed with how it ended. One fetch runs at a time; a run whose process has gone
is closed as failed by the next one or by a look at the log."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, update
from sqlmodel import col

from lib.core.vocabulary import FetchStatus
from lib.ingest import locking
from lib.store import db, reads
from lib.store.models import PoliceUkFetch

PROGRESS_WAIT_SECONDS = 0.05  # a progress note waits this long for the database, then is left out
STOPPED = "the fetch stopped before it finished (it was killed, or the server restarted); nothing it fetched was kept"


class FetchBusyError(Exception):
    """Another fetch is running."""


def close_stale(url: str) -> None:
    """Close running fetches whose process has gone, as failed."""
    for row in reads.policeuk_fetches(url, limit=50):
        if row["status"] == FetchStatus.RUNNING and not locking.alive(row["worker"], row["started_at"]):
            finish(url, row["id"], FetchStatus.FAILED, STOPPED)


def start(url: str, who: str, forces: list[str]) -> int:
    """Log a fetch as running, by this process; FetchBusyError if another is running. Its id."""
    close_stale(url)
    running = [row for row in reads.policeuk_fetches(url, limit=50) if row["status"] == FetchStatus.RUNNING]
    if running:
        raise FetchBusyError(
            f"another police.uk fetch is running (started by {running[0]['who']} at "
            f"{running[0]['started_at']:%d %B %Y %H:%M} UTC): wait for it to finish"
        )
    with db.get_engine(url).begin() as connection:
        result = connection.execute(
            insert(PoliceUkFetch).values(
                who=who,
                started_at=datetime.now(UTC),
                status=FetchStatus.RUNNING,
                forces=",".join(forces),
                worker=locking.worker(),
                progress_text="Starting",
            )
        )
        key = result.inserted_primary_key
        assert key is not None  # an insert of one row has its key
        return int(key[0])


def note(url: str, fetch_id: int, **fields: object) -> None:
    """Update a running fetch's fields (progress, progress_text, months, bytes_received, ...)."""
    with db.get_engine(url).begin() as connection:
        connection.execute(update(PoliceUkFetch).where(col(PoliceUkFetch.id) == fetch_id).values(**fields))


def note_progress(url: str, fetch_id: int, **fields: object) -> bool:
    """Update a running fetch's progress if the database is free now; False, and nothing written, when a writer
    holds it (the fetch's own import, whose transaction is open while it reports progress: waiting for it would
    wait for ourselves). Progress is a courtesy to the person watching; the closing note is always written."""
    try:
        with db.writing(url, wait_seconds=PROGRESS_WAIT_SECONDS) as connection:
            connection.execute(update(PoliceUkFetch).where(col(PoliceUkFetch.id) == fetch_id).values(**fields))
    except db.DatabaseBusyError:
        return False
    return True


def finish(url: str, fetch_id: int, status: str, message: str, **fields: object) -> None:
    """Close a fetch with how it ended."""
    note(
        url,
        fetch_id,
        status=status,
        message=message,
        finished_at=datetime.now(UTC),
        progress=1.0,
        progress_text="",
        **fields,
    )
