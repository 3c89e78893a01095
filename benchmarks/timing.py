"""What every benchmark scenario shares: a measured figure with its baseline (Row), interleaved medians, and a fresh
migrated and seeded database on either backend."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from lib.ingest import seed
from lib.store import db


@dataclass
class Row:
    """One measured figure with its baseline, ratio and target."""

    area: str
    name: str
    value: float
    unit: str
    baseline: float | None = None
    target: str = ""
    passed: bool | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """value / baseline."""
        return self.value / self.baseline if self.baseline else None


def seconds_for(fn: Callable[[], object]) -> float:
    """Seconds one call takes."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(runs: int, **fns: Callable[[], object]) -> dict[str, float]:
    """Median seconds of each function, calling them in turn `runs` times."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(runs):
        for name, fn in fns.items():
            times[name].append(seconds_for(fn))
    return {name: statistics.median(values) for name, values in times.items()}


def fresh_database(backend_url: str | None, folder: Path, name: str) -> str:
    """A migrated, seeded database: a new SQLite file, or a new schema in the PostgreSQL database."""
    if backend_url is None:
        url = f"sqlite:///{folder / f'{name}.db'}"
    else:
        schema = f"bench_{name}"
        admin = create_engine(backend_url)
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        url = f"{backend_url}{'&' if '?' in backend_url else '?'}options=-csearch_path%3D{schema}"
    db.upgrade(url)
    seed.seed(url)
    return url
