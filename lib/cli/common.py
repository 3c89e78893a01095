"""What every command shares: the one-line error, printing JSON or a table, who is acting, dates as options."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import NoReturn

import pandas as pd

from lib.core import roles, text
from lib.ingest import batches, users
from lib.store import queries


class CliError(Exception):
    """An error to report to the user as one line, with a non-zero exit."""


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (what is wrong, and where the help is) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print one line and exit 2."""
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")


def json_default(value: object) -> object:
    """Dates as ISO strings, numpy numbers as Python numbers."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts with NaN turned into None."""
    return [
        {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def emit(payload: object, as_json: bool, compact: bool = False) -> None:
    """Print JSON (indented, or compact for large outputs: the C encoder is ten times faster), or a readable table
    for lists of dicts."""
    if as_json:  # JSON escapes every control character (\\u009b, \\u202e): nothing reaches the terminal raw
        print(json.dumps(payload, default=json_default, indent=None if compact else 2))
    elif isinstance(payload, list) and payload:
        table = pd.DataFrame(payload, dtype=object).fillna("")  # whole numbers stay whole; nothing reads None or NaN
        print(text.visible(table.to_string(index=False)))
    elif isinstance(payload, dict):
        print(text.visible("\n".join(f"{key}: {value}" for key, value in payload.items())))
    else:
        print(text.visible(payload))


def actor(url: str, args: argparse.Namespace) -> roles.Actor:
    """Who is acting: the active user named by --user (checked against the users table), or else the local operator
    (whoever runs the command on the server, as the operating-system user)."""
    email = getattr(args, "user", None)
    if not email:
        return roles.operator(batches.who())
    acting = users.actor(url, email)
    if acting is None:
        if queries.user_record(url, email) is not None:
            raise CliError(
                f"{email} is deactivated: ask an admin to let them act again "
                f"(`saferleeds users update {email} --active`)"
            )
        raise CliError(f"{email} is not a user: ask an admin to add them (`saferleeds users add {email} --role ...`)")
    return acting


def acting_email(text: str) -> str:
    """An --user or --as value: an e-mail, never empty or blank (leaving the option out means the local operator, so
    an unset shell variable must not quietly act with the operator's full power)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "needs an e-mail address (it was empty or blank); leave the option out to act as the local operator"
        )
    return text.strip()


def user_option(parser: argparse.ArgumentParser, *names: str, help_text: str) -> None:
    """The option naming who acts (--user, and --as for the users commands), checked by acting_email."""
    parser.add_argument(*names, dest="user", type=acting_email, metavar="EMAIL", help=help_text)


LARGEST_ID = 2**63 - 1  # the largest key either database stores


def positive(text: str) -> int:
    """A count option: a whole number of 1 or more (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more (got {text!r})")
    return value


def record_id(text: str) -> int:
    """A record's number (an action's, say): a whole number from 1 to LARGEST_ID (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= LARGEST_ID:
        raise argparse.ArgumentTypeError(f"{text!r} is not a record number (a whole number such as 12)")
    return value


def parse_date(text: str, option: str) -> date:
    """A YYYY-MM-DD option as a date."""
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CliError(f"{option} must be a date as YYYY-MM-DD (got {text!r})") from error


def command(
    group: argparse._SubParsersAction,
    name: str,
    help_text: str,
    handler: Callable,
    as_json: bool = True,
    user: bool = False,
) -> argparse.ArgumentParser:
    """A subcommand with its handler, usually a --json switch, and for a change made as someone, --user."""
    parser = group.add_parser(name, help=help_text)
    if as_json:
        parser.add_argument("--json", action="store_true", help="print JSON")
    if user:
        user_option(
            parser,
            "--user",
            help_text="act as this user (an e-mail in `saferleeds users list`), checked against their role; without "
            "it, the local operator (the operating-system user) acts",
        )
    parser.set_defaults(handler=handler)
    return parser


def group(commands: argparse._SubParsersAction, name: str, help_text: str) -> argparse._SubParsersAction:
    """A group of subcommands (`saferleeds NAME ...`): its parser, holding the subcommands added with command()."""
    return commands.add_parser(name, help=help_text).add_subparsers(dest="command", required=True)
