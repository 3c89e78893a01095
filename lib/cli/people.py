"""`saferleeds users`: who may sign in, with what role and scopes; `saferleeds owners`: who owns each priority and
KPI (admins, or the local operator)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from lib.cli.common import CliError, actor, command, emit, group, records, user_option
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


def cmd_owners_change(url: str, args: argparse.Namespace) -> None:
    """Make a user an owner of a priority or KPI, or no longer one (an admin)."""
    queries.check_ready(url)
    kind, value = ("kpi", args.kpi) if args.kpi else ("priority", str(args.priority))
    owns = args.command == "add"
    try:
        users.set_owner(url, args.email, kind, value, actor(url, args), owns)
    except (ValueError, roles.PermissionDeniedError) as error:
        raise CliError(str(error)) from error
    emit(
        {"email": args.email, "kind": kind, "value": value, "owns": owns}
        if args.json
        else f"{args.email} {'now owns' if owns else 'no longer owns'} {kind} {value}.",
        args.json,
    )


def cmd_owners_list(url: str, args: argparse.Namespace) -> None:
    """Who owns each priority and KPI."""
    queries.check_ready(url)
    emit(records(queries.owners(url).astype(object)), args.json)


def register_owners(commands: argparse._SubParsersAction) -> None:
    """The `owners` commands: who owns each priority and KPI (their scopes from sign-in)."""
    owners = group(commands, "owners", "who owns each priority and KPI (leads load and report on what they own)")
    for name, help_text in (("add", "make a user an owner of a priority or KPI"), ("remove", "stop them owning it")):
        sub = command(owners, name, f"{help_text} (admins)", cmd_owners_change, user=True)
        sub.add_argument("email", help="a user's e-mail (see `saferleeds users list`)")
        which = sub.add_mutually_exclusive_group(required=True)
        which.add_argument("--kpi", help="a KPI's code")
        which.add_argument("--priority", type=int, help="a priority's number")
    command(owners, "list", "who owns each priority and KPI", cmd_owners_list)


def register(commands: argparse._SubParsersAction) -> None:
    """The `users` and `owners` commands."""
    register_owners(commands)
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
