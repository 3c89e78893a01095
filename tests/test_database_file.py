"""The SQLite file deleted or replaced while the app serves (issue 27): pooled connections kept reading the unlinked
file, and a decision recorded then reported success into it and was gone. Now every rerun's readiness check, and
every connection the pool hands out, compares the file at the path with the one the connection opened. (SQLite only:
a PostgreSQL server owns its files.)"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import date

import pytest
from sqlalchemy.exc import SQLAlchemyError
from test_pages import page

from lib.core import roles
from lib.ingest import meeting_records
from lib.store import db, meeting_queries, queries

MEETING = date(2024, 11, 21)
ACTING = roles.operator("tester")


@pytest.fixture
def live(seeded_templates, tmp_path):
    """A seeded SQLite database in use: its pool holds an open connection, as a serving app's does."""
    url = seeded_templates.sqlite_copy(tmp_path)
    queries.check_ready(url)
    meeting_records.add_decision(url, ACTING, MEETING, "Written before anything happened to the file")
    return url, tmp_path / "test.db"


def _decisions_on_disk(path) -> list[str]:
    """The decisions in the file at path, read by a connection of its own."""
    with sqlite3.connect(path) as connection:
        return [text for (text,) in connection.execute("SELECT text FROM decision ORDER BY id")]


def test_a_deleted_file_is_said_in_one_line_and_no_write_reports_success(live):
    url, path = live
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    with pytest.raises(db.DatabaseUnavailableError) as refused:
        queries.check_ready(url)
    message = str(refused.value)
    assert "is missing" in message and str(path) in message and "\n" not in message
    with pytest.raises((SQLAlchemyError, db.DatabaseUnavailableError)):
        meeting_records.add_decision(url, ACTING, MEETING, "Recorded into a file nobody can read")
    assert not path.exists()  # nor was an empty database made in its place


def test_a_backup_moved_into_place_is_said_once_then_read_and_written(live, tmp_path):
    url, path = live
    backup = tmp_path / "backup.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(path, backup)
    meeting_records.add_decision(url, ACTING, MEETING, "Written after the backup was taken")
    with db.get_engine(url).connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    os.replace(backup, path)  # the backup restored while the app serves

    with pytest.raises(db.DatabaseUnavailableError, match="was replaced") as said:
        queries.check_ready(url)
    assert "\n" not in str(said.value)
    queries.check_ready(url)  # said once: the next rerun reads the file that is there
    texts = meeting_queries.decisions(url, MEETING)["text"].tolist()
    assert "Written before anything happened to the file" in texts
    assert "Written after the backup was taken" not in texts
    meeting_records.add_decision(url, ACTING, MEETING, "Written after the restore")
    assert "Written after the restore" in _decisions_on_disk(path)  # the write is in the file at the path


def test_a_page_open_when_the_file_goes_says_so_on_its_next_rerun(live, monkeypatch):
    url, path = live
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", url)
    at = page("pages/meeting.py").run()
    assert not at.exception and not at.error
    for suffix in ("", "-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    at.run()
    assert not at.exception and [e.value for e in at.error if "is missing" in e.value]
