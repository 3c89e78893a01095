"""`saferleeds db`: the database's schema (Alembic migrations) and its embedded default data."""

from __future__ import annotations

import argparse

from lib.area import AreaError
from lib.cli.common import CliError, group
from lib.ingest import seed
from lib.store import db, queries


def cmd_db_upgrade(url: str, _args: argparse.Namespace) -> None:
    """Apply migrations."""
    db.upgrade(url)
    print(f"Database at {db.mask_url(url)} is at revision {db.current_revision(url)}.")


def cmd_db_seed(url: str, _args: argparse.Namespace) -> None:
    """Load the embedded default data (idempotent)."""
    queries.check_ready(url)
    try:
        result = seed.seed(url)
    except AreaError as error:
        raise CliError(str(error)) from error
    print(
        f"Seeded {db.mask_url(url)}: {result.reference_rows} reference rows, {result.facts.added} documented "
        f"facts (+{result.facts.revised} revised), {result.illustrative_values.added} illustrative KPI values, "
        f"{result.crime_rows} illustrative crime rows added."
    )


def cmd_db_init(url: str, _args: argparse.Namespace) -> None:
    """Migrate, then seed only if the database holds no data yet (never touches a database in use)."""
    db.upgrade(url)
    if seed.is_empty(url):
        cmd_db_seed(url, _args)
    else:
        print(
            f"Database at {db.mask_url(url)} is up to date and already holds data; left as it is "
            "(`saferleeds db seed` adds any missing reference data and documented facts)."
        )


def register(commands: argparse._SubParsersAction) -> None:
    """The `db` commands."""
    db_commands = group(commands, "db", "database schema and default data")
    db_commands.add_parser("upgrade", help="apply migrations (safe on a database that holds data)").set_defaults(
        handler=cmd_db_upgrade
    )
    db_commands.add_parser("init", help="upgrade, and seed the default data if the database is empty").set_defaults(
        handler=cmd_db_init
    )
    db_commands.add_parser(
        "seed", help="load reference data, documented facts and the illustrative history (idempotent)"
    ).set_defaults(handler=cmd_db_seed)
