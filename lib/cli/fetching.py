"""`saferleeds fetch policeuk`: police.uk crime fetched from the monthly archive by itself, and `fetch log`."""

from __future__ import annotations

import argparse

from lib.cli.common import CliError, actor, command, emit, group, positive
from lib.cli.loading import ProgressBar
from lib.ingest.policeuk import fetch, fetch_log
from lib.store import queries, reads

LOG_COLUMNS = ("id", "started_at", "who", "status", "forces", "months", "bytes_received", "archive_bytes", "message")


def _megabytes(count: int) -> str:
    """Bytes in words."""
    return f"{count / 1e6:,.1f} MB"


def cmd_fetch_policeuk(url: str, args: argparse.Namespace) -> None:
    """Fetch the forces' new months from police.uk's archive and import them."""
    queries.check_ready(url)
    acting = actor(url, args)
    forces = [f.strip() for f in args.forces.split(",") if f.strip()] if args.forces else None
    bar = ProgressBar()
    try:
        months = fetch.month_range(args.months) if args.months else None
        result = fetch.fetch(
            url,
            months,
            forces,
            due=args.due,
            user=acting.label,
            actor=acting,
            progress=bar,
            accept_unusual=args.accept_unusual,
        )
    except (fetch.FetchError, fetch_log.FetchBusyError) as error:
        raise CliError(str(error)) from error
    finally:
        bar.close()
    if args.json:
        emit(result.as_json(), True)
    else:
        print(f"{result.status}: {result.message}")
        if result.fetched:
            print(
                f"fetched {len(result.fetched)} file(s), {_megabytes(result.bytes_received)} received of archives "
                f"totalling {_megabytes(result.archive_bytes)} ({', '.join(result.archives)})"
            )
        print(f"newest published: {result.newest_published or 'unknown'}; newest imported: {result.newest_imported}")
    if not result.ok:
        raise CliError(f"police.uk fetch {result.status}: {result.message}")


def cmd_fetch_log(url: str, args: argparse.Namespace) -> None:
    """The fetch log, newest first."""
    queries.check_ready(url)
    fetch_log.close_stale(url)
    rows = [{key: row[key] for key in LOG_COLUMNS} for row in reads.policeuk_fetches(url, args.limit)]
    emit(rows if rows or args.json else "No police.uk fetch yet.", args.json)


def register(commands: argparse._SubParsersAction) -> None:
    """The `fetch` commands."""
    fetch_commands = group(commands, "fetch", "get data from its publisher by itself")
    police = command(
        fetch_commands,
        "policeuk",
        "the partnership's forces' street crime from police.uk's monthly archive: only the files needed, read with "
        "range requests, then imported as `import policeuk` does (checked first; all or nothing)",
        cmd_fetch_policeuk,
        user=True,
    )
    police.add_argument(
        "--months", metavar="YYYY-MM..YYYY-MM", help="these months (default: every month offered not yet imported)"
    )
    police.add_argument(
        "--forces", metavar="FORCE,...", help="police.uk force names (default: the partnership's own, area.toml)"
    )
    police.add_argument(
        "--due",
        action="store_true",
        help="do nothing until a new month can be expected (for a daily schedule: police.uk publishes a month about "
        "6 to 8 weeks after it ends, and its API says when)",
    )
    police.add_argument(
        "--accept-unusual", action="store_true", help="import files that look unusual for one force's month"
    )
    log = command(fetch_commands, "log", "the police.uk fetch log, newest first", cmd_fetch_log)
    log.add_argument("--limit", type=positive, default=20, help="how many fetches (default 20)")
