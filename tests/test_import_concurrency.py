"""Imports that queue, not crash, and leave nothing behind when killed (issue 15), on SQLite and PostgreSQL.

Two command-line imports at once both go in, exactly once; an import killed (SIGKILL) before writing, mid-write or
while rebuilding the aggregates leaves no partial data, its batch is marked failed by the next import, and the
aggregates equal the raw records.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from helpers import CRIME_TABLES, table_checksums
from sqlalchemy import text
from test_import_policeuk import FEBRUARY, MARCH, _expected_counts, _stored_counts

from lib.core import failpoints
from lib.ingest import locking
from lib.store import db, queries

ROOT = Path(__file__).resolve().parents[1]


def _import(url: str, shared_data: Path, name: str, failpoint: str | None = None) -> subprocess.Popen:
    """`saferleeds import policeuk` of one real month in its own process."""
    env = {**os.environ, "SAFERLEEDS_REFERENCE_DIR": str(shared_data / "lookups"), "PYTHONPATH": str(ROOT)}
    env.pop(failpoints.ENVIRONMENT, None)
    if failpoint:
        env[failpoints.ENVIRONMENT] = failpoint
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "lib.cli",
            "--database-url",
            url,
            "import",
            "policeuk",
            str(shared_data / "policeuk" / name),
            "--json",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def shared_data(shared_dir) -> Path:
    return shared_dir / "data"


def _aggregates_match_records(url: str) -> None:
    """The real ward aggregate equals a count of the stored records, and the city aggregate its sum."""
    with db.get_engine(url).connect() as connection:
        raw = connection.execute(
            text("SELECT month, ward_code, crime_type, COUNT(*) FROM crimerecord GROUP BY month, ward_code, crime_type")
        ).all()
        ward = connection.execute(
            text("SELECT month, ward_code, crime_type, count FROM crimemonthly WHERE NOT illustrative")
        ).all()
        city = connection.execute(
            text("SELECT month, crime_type, count FROM crimecitymonthly WHERE NOT illustrative")
        ).all()
    assert sorted((str(m), w, t, int(n)) for m, w, t, n in raw) == sorted((str(m), w, t, int(n)) for m, w, t, n in ward)
    summed: dict[tuple, int] = {}
    for month, _ward, crime_type, count in ward:
        summed[(str(month), crime_type)] = summed.get((str(month), crime_type), 0) + int(count)
    assert summed == {(str(m), t): int(n) for m, t, n in city}


@pytest.mark.parametrize("other", [FEBRUARY, MARCH], ids=["another month", "the same month"])
def test_two_imports_at_once_both_go_in_exactly_once(seeded_url, shared_data, other):
    """The same month twice at once used to die on PostgreSQL with a duplicate key, and on SQLite with "database is
    locked" once the first took longer than the busy timeout."""
    first = _import(seeded_url, shared_data, MARCH, f"{failpoints.WRITING}=4")  # holds the lock for 4 s mid-write
    time.sleep(2.5)
    started = time.monotonic()
    second = _import(seeded_url, shared_data, other)
    outputs = [process.communicate(timeout=180) for process in (first, second)]
    waited = time.monotonic() - started
    for process, (out, err) in zip((first, second), outputs, strict=True):
        assert process.returncode == 0, err
        assert "Traceback" not in err and json.loads(out)["ok"]
    assert waited > 1.0  # the second waited for the first rather than failing
    for name, month in {(MARCH, "2024-03"), (other, "2025-02" if other == FEBRUARY else "2024-03")}:
        pd.testing.assert_frame_equal(
            _stored_counts(seeded_url, month), _expected_counts(shared_data, name), check_dtype=False
        )
    statuses = sorted(queries.import_log(seeded_url).head(2)["status"])
    assert statuses == (["success", "success"] if other == FEBRUARY else ["success", "unchanged"])
    _aggregates_match_records(seeded_url)


def test_a_waiting_import_says_whose_it_waits_for_and_gives_up_plainly(seeded_url):
    ours = locking.start_running(seeded_url, "policeuk", "mine.csv", "", "me")
    theirs = locking.start_running(seeded_url, "policeuk", "2024-03-west-yorkshire-street.csv", "", "analyst@leeds")
    engine = db.get_engine(seeded_url)
    with engine.connect() as holder:
        holding = holder.begin()
        locking.acquire(holder, seeded_url, {theirs})  # "their" import holds the lock
        messages = []
        with engine.connect() as connection, connection.begin():
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("PRAGMA busy_timeout = 200")
            with pytest.raises(locking.ImportBusyError, match="nothing was written") as busy:
                locking.acquire(connection, seeded_url, {ours}, lambda _f, text: messages.append(text), 1.0)
        holding.rollback()
    assert "2024-03-west-yorkshire-street.csv" in messages[0] and "analyst@leeds" in messages[0]
    assert "analyst@leeds" in str(busy.value)


@pytest.mark.parametrize("point", [failpoints.CHECKED, failpoints.WRITING, failpoints.AGGREGATES])
def test_an_import_killed_anywhere_leaves_nothing_half_written_and_no_batch_stuck(seeded_url, shared_data, point):
    before = table_checksums(seeded_url, CRIME_TABLES)
    killed = _import(seeded_url, shared_data, MARCH, point)
    killed.communicate(timeout=180)
    assert killed.returncode == -9
    assert table_checksums(seeded_url, CRIME_TABLES) == before  # no partial data
    running = [b["id"] for b in locking.reads.running_batches(seeded_url)]
    assert len(running) == 1  # the log shows the import that was killed
    again = _import(seeded_url, shared_data, MARCH)  # the next import marks it failed, then goes in whole
    out, err = again.communicate(timeout=180)
    assert again.returncode == 0, err
    assert locking.reads.running_batches(seeded_url) == []
    log = queries.import_log(seeded_url).set_index("id")
    assert log.loc[running[0], "status"] == "failed" and "stopped before it finished" in log.loc[running[0], "errors"]
    pd.testing.assert_frame_equal(
        _stored_counts(seeded_url, "2024-03"), _expected_counts(shared_data, MARCH), check_dtype=False
    )
    _aggregates_match_records(seeded_url)
