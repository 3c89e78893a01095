"""Shared fixtures: temporary SQLite files and throwaway PostgreSQL schemas, migrated and optionally seeded."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from lib.ingest import seed
from lib.store import db

SHARED = Path(__file__).resolve().parents[2] / "shared"
PG_URL = os.environ.get("SAFERLEEDS_TEST_PG_URL", "")
REQUIRE_PG = os.environ.get("SAFERLEEDS_REQUIRE_PG") == "1" or os.environ.get("CI") == "true"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _pg_schema_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema in the test PostgreSQL database; dropped afterwards."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("SAFERLEEDS_TEST_PG_URL is not set, and CI requires the PostgreSQL run")
        pytest.skip("SAFERLEEDS_TEST_PG_URL not set: PostgreSQL tests skipped on this machine")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as error:
        admin.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at {db.mask_url(PG_URL)} cannot be reached: {error.orig}")
        pytest.skip(f"PostgreSQL at {db.mask_url(PG_URL)} cannot be reached")
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        db.get_engine.cache_clear()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _sqlite_url(folder: Path) -> str:
    """A URL for a new SQLite file in folder."""
    return f"sqlite:///{folder / 'test.db'}"


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An unmigrated database on each backend."""
    if request.param == "sqlite":
        yield _sqlite_url(tmp_path)
    else:
        yield from _pg_schema_url()


@pytest.fixture
def migrated_url(empty_url: str) -> str:
    """A migrated, empty database on each backend."""
    db.upgrade(empty_url)
    return empty_url


@pytest.fixture
def seeded_url(migrated_url: str) -> str:
    """A freshly seeded database on each backend (for tests that change it)."""
    seed.seed(migrated_url)
    return migrated_url


def _seeded(backend: str, folder_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, seeded database on one backend, dropped afterwards."""
    if backend == "sqlite":
        url = _sqlite_url(folder_factory.mktemp("seeded"))
        db.upgrade(url)
        seed.seed(url)
        yield url
        return
    for url in _pg_schema_url():
        db.upgrade(url)
        seed.seed(url)
        yield url


@pytest.fixture(scope="session", params=BACKENDS)
def shared_seeded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One seeded database per backend for read-only tests (built once per session)."""
    yield from _seeded(request.param, tmp_path_factory)


@pytest.fixture(scope="module", params=BACKENDS)
def module_seeded_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One seeded database per backend per test module, for tests that must leave its data unchanged."""
    yield from _seeded(request.param, tmp_path_factory)


@pytest.fixture(scope="session")
def sqlite_seeded_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One seeded SQLite database for page tests (the app reads it through SAFERLEEDS_DATABASE_URL)."""
    url = _sqlite_url(tmp_path_factory.mktemp("pages"))
    db.upgrade(url)
    seed.seed(url)
    return url


@pytest.fixture
def shared_dir() -> Path:
    """The shared/ folder beside the project (source documents and public data), read-only."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED
