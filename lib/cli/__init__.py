"""The `saferleeds` command line: thin over the same functions the pages call."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from lib.cli import area, catalogue, database, fetching, figures, loading, meeting, peers, people, priorities, service
from lib.cli.common import CliError, Parser
from lib.core import config, roles, text
from lib.store import db


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand, each group registered by the module that does its job."""
    parser = Parser(
        prog="saferleeds", description="Community Safety Partnership dashboard tools (the partnership: SAFERLEEDS_AREA)"
    )
    parser.add_argument("--database-url", help=f"override {config.DATABASE_URL.name}")
    commands = parser.add_subparsers(dest="group", required=True)
    for group in (area, catalogue, database, fetching, figures, loading, peers, people, priorities, service, meeting):
        group.register(commands)
    return parser


def _database_url_first(argv: list[str]) -> list[str]:
    """The arguments with --database-url moved to the front, wherever it was given (before or after the command)."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--database-url" and index + 1 < len(argv):
            front += argv[index : index + 2]
            index += 2
            continue
        (front if token.startswith("--database-url=") else rest).append(token)
        index += 1
    return front + rest


def _not_text(argv: list[str]) -> str | None:
    """The usage error for an argument that is not valid UTF-8 (the terminal sent other bytes), else None."""
    for number, argument in enumerate(argv, start=1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            shown = argument.encode("utf-8", "replace").decode("utf-8")
            return f"argument {number} ({shown!r}) is not valid UTF-8 text: check the terminal's character encoding"
    return None


def _quiet_stdout() -> None:
    """After a reader such as `head` closed the pipe: send what is left to /dev/null, so nothing more is said."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a real file (a test's capture)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 success, 1 error, 2 usage)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    problem = _not_text(arguments)
    if problem:
        parser.error(problem)
    args = parser.parse_args(_database_url_first(arguments))
    url = args.database_url or config.database_url()
    try:
        args.handler(url, args)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except (CliError, db.DatabaseUnavailableError, db.DatabaseBusyError, roles.PermissionDeniedError) as error:
        print(f"saferleeds: {text.visible(error)}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - the user gets one line, never a traceback or an exception's name
        detail = text.visible(str(error).splitlines()[0]) if str(error) else "no details"
        print(f"saferleeds: the command failed unexpectedly ({detail}); nothing more was done", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
