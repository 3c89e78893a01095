"""Database access: the engine from the configured URL, sessions, and the migrations entry point (no Streamlit)."""

from __future__ import annotations

import sqlite3
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool
from sqlmodel import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_CACHE_KIB = 65_536  # 64 MiB page cache per connection (the default 2 MiB thrashes on 100k-row imports)


WRITE_WAIT_SECONDS = 5.0  # how long a person's save waits for another writer before it is refused as busy
BUSY_MESSAGE = "The database is busy: nothing was saved. Try again in a moment."
_BUSY_CODES = {"55P03", "40001", "40P01", "23505"}  # PostgreSQL: lock timeout, serialisation, deadlock, unique clash
_BUSY_WORDS = ("database is locked", "database table is locked", "database is busy", "unique constraint failed")


class DatabaseUnavailableError(RuntimeError):
    """The configured database cannot be reached or is not set up; the message says what to do."""


class DatabaseBusyError(RuntimeError):
    """A write met another writer (a long lock, or a simultaneous change to the same record) and was rolled back:
    nothing was saved and trying again is safe."""


def mask_url(url: str) -> str:
    """The URL with any password replaced by ***, safe to show a user."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as a placeholder, never raw
        return "<unparseable database URL>"


def _on_sqlite_connect(dbapi_connection: object, _record: object) -> None:
    """WAL lets readers (the app) and a writer (an import) work at once; the busy timeout waits out locks."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a power cut may lose the last commit, never corrupts
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")  # imports insert into large key indexes
    cursor.close()


def sqlite_file(url: str) -> Path | None:
    """The database file of a file-backed SQLite URL, else None (PostgreSQL, in-memory SQLite)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(str(parsed.database)).resolve()


def file_identity(path: Path) -> tuple[int, int] | None:
    """The (device, inode) of the file at path now, or None when nothing is there."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


class _FileGuard:
    """A pooled SQLite connection stays bound to the file it opened, even after that file is deleted or replaced
    (a backup moved into place): reads would come from the old file and writes would vanish with it. Each new
    connection notes the file's (device, inode); each checkout compares it with the file at the path now and, when
    they differ, makes the pool drop the connection and open the file that is there (or fail, if none is)."""

    def __init__(self, path: Path) -> None:
        """Guard connections to the file at path."""
        self.path = path

    def connected(self, _dbapi_connection: object, record: ConnectionPoolEntry) -> None:
        """Note which file this connection opened."""
        record.info["file_identity"] = file_identity(self.path)

    def checkout(self, _dbapi_connection: object, record: ConnectionPoolEntry, _proxy: object) -> None:
        """Refuse a connection to a file that is no longer the one at the path (the pool then opens a new one)."""
        if record.info.get("file_identity") != file_identity(self.path):
            raise DisconnectionError(f"{self.path} was replaced or removed since this connection opened it")


def make_engine(url: str) -> Engine:
    """A new engine for the URL: SQLite gets WAL, a busy timeout and foreign keys; in-memory SQLite one pool. A file
    that exists is opened read-write but never created again (deleted while the app runs, it is missing, not an
    empty new database), and every checkout checks it is still the file at the path (_FileGuard)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
    kwargs: dict = {"connect_args": {"check_same_thread": False, "timeout": timeout}}
    path = sqlite_file(url)
    if path is None:
        kwargs["poolclass"] = StaticPool
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            uri = f"file:{urllib.parse.quote(str(path))}?mode=rw"
            kwargs["creator"] = lambda: sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=timeout)
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _on_sqlite_connect)
    if path is not None:
        guard = _FileGuard(path)
        event.listen(engine, "connect", guard.connected)
        event.listen(engine, "checkout", guard.checkout)
    return engine


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    """The shared engine for a URL (one pool per process)."""
    return make_engine(url)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(get_engine(url)) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


def _is_busy(error: DBAPIError) -> bool:
    """True when the database refused a write because of another writer, not because of what was written."""
    original = error.orig
    code = getattr(getattr(original, "diag", None), "sqlstate", None) or getattr(original, "sqlstate", None)
    return code in _BUSY_CODES or any(words in str(original).lower() for words in _BUSY_WORDS)


@contextmanager
def writing(url: str, wait_seconds: float | None = None) -> Iterator[Connection]:
    """One transaction for a person's change: it waits at most wait_seconds (WRITE_WAIT_SECONDS) for another
    writer's lock, instead of the 30 s an import may wait, and a lock that outlasts it, or a simultaneous change
    to the same record (a unique-key clash), rolls everything back and raises DatabaseBusyError."""
    wait = WRITE_WAIT_SECONDS if wait_seconds is None else wait_seconds
    engine = get_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            raw = connection.connection.driver_connection
            if sqlite:
                raw.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")  # type: ignore[union-attr]
            try:
                with connection.begin():
                    if not sqlite:
                        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{int(wait * 1000)}ms'")
                    yield connection
            finally:
                if sqlite:
                    raw.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")  # type: ignore[union-attr]
    except DBAPIError as error:
        if _is_busy(error):
            raise DatabaseBusyError(BUSY_MESSAGE) from error
        raise


def _alembic_config(url: str) -> Config:
    """Alembic configuration pointing at lib/store/migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    """The newest migration revision this code ships (read once per process)."""
    return ScriptDirectory.from_config(_alembic_config("sqlite://")).get_current_head() or ""


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    """Every migration revision this code ships."""
    return frozenset(rev.revision for rev in ScriptDirectory.from_config(_alembic_config("sqlite://")).walk_revisions())


def revision_problem(url: str, revision: str | None) -> str | None:
    """Why a database at this migration revision cannot be used by this code (one plain line), or None."""
    head = head_revision()
    if revision == head:
        return None
    shown = mask_url(url)
    if revision is None or revision in known_revisions():
        return (
            f"The database at {shown} is at migration {revision or 'none'}, older than this version of the dashboard "
            f"needs ({head}). Run `saferleeds db upgrade` (safe on a database in use), then reload."
        )
    return (
        f"The database at {shown} is at migration {revision}, which this version of the dashboard does not know "
        "(it was upgraded by a newer version). Update the dashboard, then reload."
    )


def current_revision(url: str) -> str | None:
    """The migration revision the database is at, or None if it has never been migrated."""
    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(url: str) -> None:
    """Bring the database schema up to the newest migration (never drops data)."""
    config = _alembic_config(url)
    with get_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
