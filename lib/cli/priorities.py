"""The partnership's shared priorities and delivery boards on the command line: `priority add|update|retire|list`
and `board add|update|retire|list` (admins change them; anyone may list them)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from lib.cli.common import CliError, actor, command, emit, group, parse_date, records
from lib.core import roles
from lib.ingest import priorities as changes
from lib.store import queries


def _apply(url: str, change: Callable[[roles.Actor], object], args: argparse.Namespace) -> object:
    """Run one change as the acting person; a refusal or bad value as a one-line CliError."""
    queries.check_ready(url)
    try:
        return change(actor(url, args))
    except (ValueError, roles.PermissionDeniedError) as error:
        raise CliError(str(error)) from error


def _changed_words(what: str, changed: object) -> str:
    """'Priority 3: name changed.' or 'nothing changed'."""
    return f"{what}: {', '.join(changed)} changed." if isinstance(changed, dict) and changed else "nothing changed"


def cmd_priority_add(url: str, args: argparse.Namespace) -> None:
    """Add a shared priority (an admin)."""
    fields = {"name": args.name, "silver_board": args.board, "summary": args.summary or "", "plan": args.plan}
    row = _apply(url, lambda who: changes.add_priority(url, fields, who, args.number), args)
    emit(row if args.json else f"Priority {row['id']} added: {row['name']}.", args.json)  # type: ignore[index]


def cmd_priority_update(url: str, args: argparse.Namespace) -> None:
    """Rename a priority or change its board, plan or summary (an admin)."""
    fields = {"name": args.name, "silver_board": args.board, "summary": args.summary, "plan": args.plan}
    changed = _apply(url, lambda who: changes.update_priority(url, args.number, fields, who), args)
    emit(changed if args.json else _changed_words(f"Priority {args.number}", changed), args.json)


def cmd_priority_retire(url: str, args: argparse.Namespace) -> None:
    """Retire a priority from a day (an admin): earlier meetings keep it."""
    day = parse_date(args.retired_from, "--from")
    _apply(url, lambda who: changes.retire_priority(url, args.number, day, who), args)
    emit(
        {"id": args.number, "retired_from": day}
        if args.json
        else f"Priority {args.number} retired from {day:%d %B %Y}.",
        args.json,
    )


def cmd_priority_list(url: str, args: argparse.Namespace) -> None:
    """Every shared priority, retired ones too."""
    queries.check_ready(url)
    frame = queries.priorities(url)[["id", "name", "silver_board", "retired_from", "deliverables"]]
    emit(records(frame), args.json)


def cmd_board_add(url: str, args: argparse.Namespace) -> None:
    """Add a delivery board (an admin)."""
    row = _apply(url, lambda who: changes.add_board(url, args.name, args.priority, who), args)
    emit(row if args.json else f"Board added: {args.name}.", args.json)


def cmd_board_update(url: str, args: argparse.Namespace) -> None:
    """Rename a delivery board or change the priority it serves (an admin)."""
    fields = {"name": args.new_name, "priority_id": args.priority}
    changed = _apply(url, lambda who: changes.update_board(url, args.name, fields, who), args)
    emit(changed if args.json else _changed_words(args.name, changed), args.json)


def cmd_board_retire(url: str, args: argparse.Namespace) -> None:
    """Retire a delivery board from a day (an admin)."""
    day = parse_date(args.retired_from, "--from")
    _apply(url, lambda who: changes.retire_board(url, args.name, day, who), args)
    emit(
        {"name": args.name, "retired_from": day} if args.json else f"{args.name} retired from {day:%d %B %Y}.",
        args.json,
    )


def cmd_board_list(url: str, args: argparse.Namespace) -> None:
    """Every delivery board, retired ones too."""
    queries.check_ready(url)
    emit(records(queries.boards(url)), args.json)


def _retire_option(parser: argparse.ArgumentParser) -> None:
    """--from YYYY-MM-DD of a retirement."""
    parser.add_argument(
        "--from", dest="retired_from", required=True, help="YYYY-MM-DD: meetings from then leave it out"
    )


def register(commands: argparse._SubParsersAction) -> None:
    """The `priority` and `board` groups."""
    priority = group(commands, "priority", "the partnership's shared priorities (admins change them)")
    add = command(priority, "add", "add a shared priority (admins)", cmd_priority_add, user=True)
    add.add_argument("--name", required=True)
    add.add_argument("--board", required=True, help="the Silver board that leads it")
    add.add_argument("--summary", help="a sentence or two on what the priority covers")
    add.add_argument("--plan", help="the plan it belongs to (default: the area's plan)")
    add.add_argument("--number", type=int, help="its number (default: the next one); permanent")
    update = command(
        priority, "update", "rename a priority or change its board or summary", cmd_priority_update, user=True
    )
    update.add_argument("number", type=int, help="the priority's number (see `saferleeds priority list`)")
    update.add_argument("--name")
    update.add_argument("--board", help="the Silver board that leads it")
    update.add_argument("--summary")
    update.add_argument("--plan")
    retire = command(priority, "retire", "retire a priority from a day (admins)", cmd_priority_retire, user=True)
    retire.add_argument("number", type=int)
    _retire_option(retire)
    command(priority, "list", "every shared priority, retired ones too", cmd_priority_list)

    board = group(commands, "board", "the delivery boards of the partnership's strategy (admins change them)")
    add_board = command(board, "add", "add a delivery board (admins)", cmd_board_add, user=True)
    add_board.add_argument("name")
    add_board.add_argument("--priority", type=int, help="the shared priority it mainly serves")
    update_board = command(board, "update", "rename a board or change its priority", cmd_board_update, user=True)
    update_board.add_argument("name", help="the board's current name (see `saferleeds board list`)")
    update_board.add_argument("--name", dest="new_name", help="its new name")
    update_board.add_argument("--priority", type=int)
    retire_board = command(board, "retire", "retire a delivery board from a day (admins)", cmd_board_retire, user=True)
    retire_board.add_argument("name")
    _retire_option(retire_board)
    command(board, "list", "every delivery board, retired ones too", cmd_board_list)
