"""Migrations and connections behave the same on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import inspect, text

from lib.core import config
from lib.store import db, queries, reads


def test_upgrade_creates_every_table_and_reaches_head(empty_url):
    db.upgrade(empty_url)
    tables = set(inspect(db.get_engine(empty_url)).get_table_names())
    assert {
        "ward",
        "priority",
        "deliveryboard",
        "deliverable",
        "kpi",
        "kpivalue",
        "meeting",
        "crimerecord",
        "crimemonthly",
        "importbatch",
        "alembic_version",
    } <= tables
    assert db.current_revision(empty_url) == db.head_revision()


def test_upgrade_twice_is_harmless(seeded_url):
    with db.get_engine(seeded_url).connect() as connection:
        before = reads.table_counts(connection)
    db.upgrade(seeded_url)
    with db.get_engine(seeded_url).connect() as connection:
        assert reads.table_counts(connection) == before


def test_indexes_cover_the_page_queries(migrated_url):
    inspector = inspect(db.get_engine(migrated_url))
    kpivalue = {tuple(ix["column_names"]) for ix in inspector.get_indexes("kpivalue")}
    assert ("kpi_code", "area_code", "is_current", "period_end") in kpivalue
    crime = {tuple(ix["column_names"]) for ix in inspector.get_indexes("crimemonthly")}
    assert ("ward_code", "month") in crime


def test_sqlite_runs_with_wal_and_busy_timeout(tmp_path):
    url = f"sqlite:///{tmp_path / 'wal.db'}"
    with db.make_engine(url).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == db.SQLITE_BUSY_TIMEOUT_MS
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_unreachable_database_gives_a_plain_message_with_the_password_masked():
    url = "postgresql+psycopg://analyst:s3cret@127.0.0.1:1/saferleeds"
    with pytest.raises(db.DatabaseUnavailableError) as error:
        queries.check_ready(url)
    assert "s3cret" not in str(error.value)
    assert "analyst:***@127.0.0.1:1/saferleeds" in str(error.value)
    assert "SAFERLEEDS_DATABASE_URL" in str(error.value)


def test_unmigrated_database_says_what_to_run(empty_url):
    with pytest.raises(db.DatabaseUnavailableError, match="saferleeds db upgrade"):
        queries.check_ready(empty_url)


def test_default_url_is_the_embedded_sqlite_file_in_the_project(monkeypatch):
    monkeypatch.delenv(config.DATABASE_URL.name, raising=False)
    monkeypatch.setattr(config, "_secrets", dict)
    assert config.database_url() == f"sqlite:///{config.PROJECT_ROOT / 'data' / 'saferleeds.db'}"


def test_environment_overrides_and_plain_postgres_scheme_uses_psycopg(monkeypatch):
    monkeypatch.setenv(config.DATABASE_URL.name, "postgresql://u@h/d")
    assert config.database_url() == "postgresql+psycopg://u@h/d"


def test_secrets_file_is_read_when_no_environment_value(monkeypatch, tmp_path):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text('SAFERLEEDS_REFERENCE_DIR = "/srv/reference"\n')
    monkeypatch.setattr(config, "PROJECT_ROOT", tmp_path)
    monkeypatch.delenv(config.REFERENCE_DIR.name, raising=False)
    assert str(config.reference_dir()) == "/srv/reference"


def test_every_setting_has_help():
    assert all(s.name.startswith("SAFERLEEDS_") and s.default and len(s.help) > 20 for s in config.SETTINGS)


def test_migration_0007_keys_records_by_month_and_keeps_every_row_and_change(empty_url):
    """Issue 19: one unique index on (month, record_key) replaces UNIQUE(record_key) and the month index; records and
    the history of changes survive, and each change learns its record's month."""
    from alembic import command

    command.upgrade(db._alembic_config(empty_url), "0006")
    engine = db.get_engine(empty_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO crimerecord (record_key, crime_id, month, reported_by, falls_within, location, lsoa_code, "
                "lsoa_name, crime_type, last_outcome, context, ward_code) VALUES ('c1', 'c1', '2024-05-01', 'WYP', "
                "'WYP', 'On or near X', 'E01', 'Leeds 001A', 'Burglary', 'Local resolution', '', 'E05')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO crimerecordhistory (record_key, crime_type, last_outcome, context, replaced_at) "
                "VALUES ('c1', 'Burglary', 'Under investigation', '', '2024-06-01 10:00:00')"
            )
        )
    db.upgrade(empty_url)
    inspector = inspect(db.get_engine(empty_url))
    indexes = {tuple(ix["column_names"]): ix["unique"] for ix in inspector.get_indexes("crimerecord")}
    assert indexes == {("month", "record_key"): True}
    assert not [u for u in inspector.get_unique_constraints("crimerecord") if u["column_names"] == ["record_key"]]
    history = queries.crime_record_history(empty_url)
    assert history[["record_key", "last_outcome", "earlier_outcome"]].values.tolist() == [
        ["c1", "Local resolution", "Under investigation"]
    ]
    with engine.connect() as connection:
        assert str(connection.execute(text("SELECT month FROM crimerecordhistory")).scalar_one())[:10] == "2024-05-01"


def test_migration_0009_removes_invisible_controls_from_stored_text(empty_url):
    """Issue 27: text stored before the rule could hold bidi overrides and C1 controls; the upgrade removes them and
    leaves every other character (accents, line breaks) as it was."""
    from alembic import command

    command.upgrade(db._alembic_config(empty_url), "0008")
    with db.get_engine(empty_url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO meeting (meeting_date, data_cutoff, illustrative, note) "
                "VALUES ('2024-11-21', '2024-10-31', false, 'plain')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO decision (meeting_date, text, proposed_by, recorded_by, recorded_at) "
                "VALUES ('2024-11-21', :body, :who, 'tester', '2024-11-21 10:00:00')"
            ),
            {"body": "pay \u202e0001\u202c pounds\n\u2066caf\u00e9\u2069 \x9b31m", "who": "Ms \u202eX"},
        )
    db.upgrade(empty_url)
    with db.get_engine(empty_url).connect() as connection:
        row = connection.execute(text("SELECT text, proposed_by FROM decision")).one()
        note = connection.execute(text("SELECT note FROM meeting")).scalar_one()
    assert tuple(row) == ("pay 0001 pounds\ncaf\u00e9 31m", "Ms X") and note == "plain"
