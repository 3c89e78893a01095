"""`saferleeds users`: who may sign in, with what role and scopes (admins, or the local operator)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from lib.cli.common import CliError, actor, emit, records, user_option
from lib.core import roles
from lib.ingest import users
from lib.store import queries


def _user_payload(url: str, email: str) -> dict:
    """One user as the users commands print it."""
    frame = queries.users(url)
    row = frame[frame["email"].str.lower() == email.lower()]
    return records(row.astype(object))[0] if not row.empty else {"email": email, "removed": True}


def _managing(url: str, args: argparse.Namespace) -> None:
    """CliError unless the acting person may manage users."""
    acting = actor(url, args)
    if not roles.may_manage_users(acting):
        raise CliError(f"{roles.is_a(acting)}: only admins manage users")


def _change_users(url: str, args: argparse.Namespace, change: Callable[[], None]) -> None:
    """Run a change to the users table as the acting admin; its ValueError becomes the one-line error."""
    queries.check_ready(url)
    _managing(url, args)
    try:
        change()
    except ValueError as error:
        raise CliError(str(error)) from error


def cmd_users_add(url: str, args: argparse.Namespace) -> None:
    """Add a user."""
    _change_users(
        url, args, lambda: users.add(url, args.email, args.role, args.name or "", args.priority, args.kpi, args.ward)
    )
    emit(_user_payload(url, args.email), args.json)


def cmd_users_update(url: str, args: argparse.Namespace) -> None:
    """Change a user."""
    if args.active and args.inactive:
        raise CliError("give --active or --inactive, not both")
    active = True if args.active else False if args.inactive else None
    _change_users(
        url,
        args,
        lambda: users.update_user(url, args.email, args.role, args.name, active, args.priority, args.kpi, args.ward),
    )
    emit(_user_payload(url, args.email), args.json)


def cmd_users_remove(url: str, args: argparse.Namespace) -> None:
    """Remove a user."""
    _change_users(url, args, lambda: users.remove(url, args.email))
    emit({"email": args.email, "removed": True}, args.json)


def cmd_users_list(url: str, args: argparse.Namespace) -> None:
    """Every user."""
    queries.check_ready(url)
    emit(records(queries.users(url).astype(object)), args.json)


def register(commands: argparse._SubParsersAction) -> None:
    """The `users` commands."""
    users_parser = commands.add_parser("users", help="who may sign in, with what role and scopes")
    users_commands = users_parser.add_subparsers(dest="users_command", required=True)
    for name, help_text, handler in (
        ("add", "add a user", cmd_users_add),
        ("update", "change a user's role, name, scopes (given scopes replace theirs) or active flag", cmd_users_update),
    ):
        sub = users_commands.add_parser(name, help=help_text)
        sub.add_argument("email")
        sub.add_argument("--role", required=name == "add", help=", ".join(roles.ROLES))
        sub.add_argument("--name")
        sub.add_argument("--priority", action="append", default=None, help="a priority number (repeat for more)")
        sub.add_argument("--kpi", action="append", default=None, help="a KPI code (repeat for more)")
        sub.add_argument("--ward", action="append", default=None, help="a ward code (repeat for more)")
        user_option(sub, "--as", "--user", help_text="act as this admin (default: the local operator)")
        sub.add_argument("--json", action="store_true", help="print the user as JSON")
        if name == "update":
            sub.add_argument("--inactive", action="store_true", help="stop them signing in (kept in the log)")
            sub.add_argument("--active", action="store_true", help="let them sign in again")
        sub.set_defaults(handler=handler)
    remove_parser = users_commands.add_parser("remove", help="remove a user")
    remove_parser.add_argument("email")
    user_option(remove_parser, "--as", "--user", help_text="act as this admin (default: the local operator)")
    remove_parser.add_argument("--json", action="store_true", help="print JSON")
    remove_parser.set_defaults(handler=cmd_users_remove)
    list_parser = users_commands.add_parser("list", help="every user with role, active and scopes")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(handler=cmd_users_list)
