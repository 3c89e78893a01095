"""The data version: every write that changes what pages show increases it in its own transaction (lib/store/cache.py
says how the app's cached reads use it)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, update
from sqlmodel import col

from lib.store.models import DataVersion


def bump(connection: Connection) -> None:
    """Increase the data version inside the caller's transaction (so it changes exactly when the write commits)."""
    connection.execute(
        update(DataVersion)
        .where(col(DataVersion.id) == 1)
        .values(version=col(DataVersion.version) + 1, changed_at=datetime.now(UTC))
    )
