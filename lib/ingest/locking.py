"""One import writes at a time: a second waits for the first (saying whose it is), then goes in after it, so both
files end up in exactly once, on SQLite and PostgreSQL alike.

PostgreSQL: a transaction-level advisory lock, taken first thing in the import's transaction and released when it
commits or rolls back (a killed process's connection ends, and the lock with it). SQLite: the database's own write
lock, taken first thing by a no-op update; SQLite allows one writer at a time anyway, and the busy timeout waits for
it. Either way a wait longer than IMPORT_WAIT_SECONDS ends with a plain message and nothing written.

Every import's batches are logged as "running" in a transaction of their own before it waits or writes, so the log
always shows it; a batch whose process has gone (killed, or the machine restarted) is marked failed by the next
import or look at the log (close_stale).
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, update
from sqlalchemy.exc import OperationalError
from sqlmodel import col

from lib.core.vocabulary import ImportStatus
from lib.ingest import batches
from lib.ingest.files import Problem
from lib.store import db, reads
from lib.store.models import DataVersion, ImportBatch

IMPORT_WAIT_SECONDS = 900  # how long an import waits for another before giving up
STALE_ELSEWHERE = timedelta(hours=12)  # a batch running this long from another machine is taken as dead
Progress = Callable[[float, str], None]


class ImportBusyError(Exception):
    """Another import held the lock for longer than an import waits; nothing was written."""


def worker() -> str:
    """This process, as a running batch records it: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def alive(worker_id: str | None, started_at: datetime | None) -> bool:
    """Whether the process writing a running batch is still there (a process on another machine is assumed alive
    until STALE_ELSEWHERE has passed)."""
    if not worker_id or ":" not in worker_id:
        return False
    host, _, pid = worker_id.rpartition(":")
    if host != socket.gethostname():
        started = started_at.replace(tzinfo=UTC) if started_at and started_at.tzinfo is None else started_at
        return started is not None and datetime.now(UTC) - started < STALE_ELSEWHERE
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError):
        return False
    return True


def close_stale(url: str) -> list[int]:
    """Mark running batches whose process has gone as failed (nothing they wrote was kept: their transaction never
    committed); their ids."""
    stale = [b for b in reads.running_batches(url) if not alive(b["worker"], b["started_at"])]
    for batch in stale:
        mark(
            url,
            batch["id"],
            ImportStatus.FAILED,
            [
                Problem(
                    "the process importing this file stopped before it finished (it was killed, or the server "
                    "restarted); nothing it wrote was kept. Import the file again."
                )
            ],
        )
    return [b["id"] for b in stale]


def start_running(url: str, kind: str, file_name: str, sha256: str, user: str | None) -> int:
    """Log a batch as running, with this process as its worker, in a transaction of its own; its id."""
    return start_all_running(url, kind, [(file_name, sha256)], user)[0]


def start_all_running(url: str, kind: str, files: list[tuple[str, str]], user: str | None) -> list[int]:
    """Log the batches of an import's files (name, sha256) as running, with this process as their worker, in one
    transaction of its own (one commit, not one a file: each costs a disk flush); their ids."""
    with db.get_engine(url).begin() as connection:
        ids = [batches.start(connection, kind, file_name, sha256, user) for file_name, sha256 in files]
        connection.execute(update(ImportBatch).where(col(ImportBatch.id).in_(ids)).values(worker=worker()))
    return ids


def mark(url: str, batch_id: int, status: str, problems: list[Problem], **counts: int) -> None:
    """Close a batch that wrote nothing (failed, not imported) in a transaction of its own."""
    with db.get_engine(url).begin() as connection:
        batches.finish(connection, batch_id, status, problems, **counts)


def _waiting_for(url: str, own: set[int]) -> str:
    """Whose import this one waits for, in words."""
    others = [b for b in reads.running_batches(url) if b["id"] not in own]
    if not others:
        return "waiting for another import to finish"
    first = others[0]
    started = first["started_at"]
    when = f"{started:%d %b %Y %H:%M}" if started else "an unknown time"
    return f"waiting for the import of {first['file_name']} started at {when} by {first['who']}"


def acquire(
    connection: Connection,
    url: str,
    own: set[int],
    progress: Progress | None = None,
    wait_seconds: float = IMPORT_WAIT_SECONDS,
) -> None:
    """Hold the import lock for the rest of the caller's transaction, waiting for another import if one holds it
    (progress says whose); ImportBusyError after wait_seconds. `own` are this import's running batches."""
    progress = progress or (lambda _fraction, _text: None)
    if connection.dialect.name == "postgresql":
        if reads.try_import_lock(connection):
            return
        progress(0.0, _waiting_for(url, own))
        try:
            reads.wait_import_lock(connection, int(wait_seconds * 1000))
        except OperationalError as error:
            raise ImportBusyError(_busy_message(url, own, wait_seconds)) from error
        return
    deadline = time.monotonic() + wait_seconds
    while True:
        try:  # a no-op write takes SQLite's write lock (the busy timeout waits up to 30 s each time)
            connection.execute(
                update(DataVersion).where(col(DataVersion.id) == 1).values(version=col(DataVersion.version))
            )
            return
        except OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            if time.monotonic() > deadline:
                raise ImportBusyError(_busy_message(url, own, wait_seconds)) from error
            progress(0.0, _waiting_for(url, own))


def _busy_message(url: str, own: set[int], wait_seconds: float) -> str:
    """The plain message when the wait is over."""
    return (
        f"another import is still writing after {wait_seconds / 60:.0f} minutes ({_waiting_for(url, own)}); "
        "nothing was written. Try again when it has finished (the import log says when)."
    )
