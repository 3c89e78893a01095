"""A save that meets another writer (issue 27): a long lock made the Meeting page wait 30 s and then show Streamlit's
exception box, with the form emptied; two simultaneous revisions of one report clashed on their unique key the same
way. Now the save is refused in plain words ("the database is busy, nothing was saved, try again"), within
db.WRITE_WAIT_SECONDS, and the form keeps what was typed. Both backends, with a real lock held by another
connection."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import create_engine
from test_pages import page

from lib import cli
from lib.core import roles
from lib.ingest import meeting_records
from lib.store import db, meeting_queries, reads

MEETING = date(2024, 11, 21)
ACTING = roles.operator("tester")
WAIT = 1.0


@contextmanager
def _another_writer(url: str) -> Iterator[None]:
    """Another process's write transaction, held open: on SQLite the database's write lock, on PostgreSQL the data
    version's row (every change updates it; readers are not blocked)."""
    path = db.sqlite_file(url)
    if path is not None:
        connection = sqlite3.connect(path, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            connection.execute("ROLLBACK")
            connection.close()
        return
    engine = create_engine(url)
    with engine.connect() as connection, connection.begin():
        connection.exec_driver_sql("SELECT version FROM dataversion WHERE id = 1 FOR UPDATE")
        yield
    engine.dispose()


@pytest.fixture
def quick(monkeypatch):
    """A person's save waits WAIT seconds for a lock (5 in service), to keep the tests short."""
    monkeypatch.setattr(db, "WRITE_WAIT_SECONDS", WAIT)


@pytest.mark.usefixtures("quick")
def test_a_save_during_a_long_lock_is_refused_in_words_and_writes_nothing(seeded_url, capsys):
    before = len(meeting_queries.decisions(seeded_url))
    with _another_writer(seeded_url):
        started = time.monotonic()
        with pytest.raises(db.DatabaseBusyError, match="busy: nothing was saved. Try again"):
            meeting_records.add_decision(seeded_url, ACTING, MEETING, "Fund a second noise officer")
        waited = time.monotonic() - started
        code = cli.main(["--database-url", seeded_url, "decisions", "add", "--meeting", "2024-11-21", "--text", "x"])
        err = capsys.readouterr().err
    assert WAIT * 0.8 <= waited < WAIT + 5, waited
    assert code == 1 and err.strip() == f"saferleeds: {db.BUSY_MESSAGE}"
    assert len(meeting_queries.decisions(seeded_url)) == before
    meeting_records.add_decision(seeded_url, ACTING, MEETING, "Fund a second noise officer")  # once the lock is gone
    assert len(meeting_queries.decisions(seeded_url)) == before + 1


def test_two_simultaneous_revisions_clash_in_words_and_the_first_stands(seeded_url, monkeypatch):
    meeting_records.set_report(seeded_url, ACTING, "DS1_CALLS", MEETING, "First words.", submit=True)
    with db.get_engine(seeded_url).connect() as connection:
        seen = reads.current_report(connection, MEETING, "DS1_CALLS")  # what the second writer read
    meeting_records.set_report(seeded_url, ACTING, "DS1_CALLS", MEETING, "The first writer's revision.")
    monkeypatch.setattr(reads, "current_report", lambda *_args: dict(seen))  # the second writer's stale read
    with pytest.raises(db.DatabaseBusyError):
        meeting_records.set_report(seeded_url, ACTING, "DS1_CALLS", MEETING, "The second writer's revision.")
    monkeypatch.undo()
    stored = meeting_queries.reports(seeded_url, MEETING, current_only=False)
    stored = stored[stored["kpi_code"] == "DS1_CALLS"]
    assert stored["revision"].tolist() == [1, 2]
    assert stored.loc[stored["is_current"], "happening"].tolist() == ["The first writer's revision."]


@pytest.mark.usefixtures("quick")
def test_the_meeting_page_says_busy_and_keeps_the_typed_decision(seeded_url, monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", seeded_url)
    at = page("pages/meeting.py")
    at.query_params["meeting"] = MEETING.isoformat()
    at.run()
    typed = "Fund a second noise officer for the summer, reviewed in March."
    next(t for t in at.text_area if t.label == "Decision").input(typed)
    before = len(meeting_queries.decisions(seeded_url))
    with _another_writer(seeded_url):
        next(b for b in at.button if b.label == "Record the decision").click()
        at.run()
    assert not at.exception
    assert [e.value for e in at.error if db.BUSY_MESSAGE in e.value and "still in the form" in e.value]
    assert next(t for t in at.text_area if t.label == "Decision").value == typed
    assert len(meeting_queries.decisions(seeded_url)) == before

    next(b for b in at.button if b.label == "Record the decision").click()  # trying again, the lock gone
    at.run()
    assert not at.exception and len(meeting_queries.decisions(seeded_url)) == before + 1
    assert next(t for t in at.text_area if t.label == "Decision").value == ""  # saved: the form is fresh
