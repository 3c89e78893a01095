"""The partnership's shared priorities and delivery boards managed by admins: add, rename (update) and retire, each
change checked, written in one transaction with who and when (cataloguechange), and the data version bumped.

A priority's number is permanent: KPIs, deliverables, actions and decisions point at it. A retired priority or board
keeps its name and history and shows on meetings before its retirement only. A priority cannot be retired while
KPIs in force point at it: move them (`saferleeds kpi update CODE --priority N`) or retire them first.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import Connection, insert, update
from sqlmodel import col

from lib.area import current as current_area
from lib.core import roles
from lib.ingest.catalogue import Naming, Problems, allowed, change_words, differences, first_problem, flag, log
from lib.store import cache, db, reads
from lib.store.models import DeliveryBoard, Kpi, Priority

PRIORITY_TEXT = ("name", "silver_board")  # a summary may be empty


def priority_problems(
    number: int | None, fields: Mapping[str, object], others: Mapping[int, dict], naming: Naming = flag
) -> Problems:
    """What is wrong with a priority's fields (each checked if present); others: the other priorities by number."""
    problems: Problems = []
    if number is not None and number < 1:
        problems.append(("id", f"a priority's number is a whole number from 1 (got {number})"))
    for name in PRIORITY_TEXT:
        if name in fields and not str(fields[name] or "").strip():
            problems.append((name, f"{naming(name)} is empty"))
    wanted = str(fields.get("name") or "").strip().casefold()
    clash = next((n for n, row in others.items() if n != number and row["name"].casefold() == wanted), None)
    if wanted and clash is not None:
        problems.append(("name", f"priority {clash} is already called {fields['name']!r}"))
    return problems


def board_problems(
    board_id: int | None, fields: Mapping[str, object], boards: Mapping[int, dict], priorities: set[int]
) -> Problems:
    """What is wrong with a delivery board's fields; boards: every stored board by id."""
    problems: Problems = []
    wanted = str(fields.get("name") or "").strip()
    if "name" in fields and not wanted:
        problems.append(("name", "the board's name is empty"))
    if any(row["name"].casefold() == wanted.casefold() and i != board_id for i, row in boards.items()) and wanted:
        problems.append(("name", f"there is already a board called {wanted!r}"))
    priority = fields.get("priority_id")
    if priority is not None and priority not in priorities:
        problems.append(("priority_id", f"no priority {priority} (see `saferleeds priority list`)"))
    return problems


def kpis_in_force(connection: Connection, number: int, day: date) -> list[str]:
    """Codes of the KPIs of a priority not retired by a day."""
    return sorted(
        row["code"]
        for row in reads.all_rows(connection, Kpi)
        if row["priority_id"] == number and (row["retired_from"] is None or row["retired_from"] > day)
    )


def _priorities(connection: Connection) -> dict[int, dict]:
    """Every stored priority by number."""
    return {row["id"]: row for row in reads.all_rows(connection, Priority)}


def _boards(connection: Connection) -> dict[int, dict]:
    """Every stored delivery board by id."""
    return {row["id"]: row for row in reads.all_rows(connection, DeliveryBoard)}


def _clean(fields: Mapping[str, object]) -> dict:
    """The given fields with text stripped (None = not given)."""
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items() if v is not None}


def add_priority(url: str, fields: Mapping[str, object], actor: roles.Actor, number: int | None = None) -> dict:
    """A new shared priority (the next number unless one is given); ValueError for a bad field or a taken number or
    name, nothing written."""
    allowed(actor)
    fields = _clean(fields)
    missing = [name for name in ("name", "silver_board") if name not in fields]
    if missing:
        raise ValueError(f"{flag(missing[0])} is required")
    with db.get_engine(url).begin() as connection:
        stored = _priorities(connection)
        if number in stored:
            raise ValueError(f"priority {number} exists already ({stored[number]['name']}): numbers are permanent")
        number = number if number is not None else max(stored, default=0) + 1
        first_problem(priority_problems(number, fields, stored))
        row = {
            "id": number,
            "name": fields["name"],
            "silver_board": fields["silver_board"],
            "plan": fields.get("plan") or current_area().plan,
            "summary": fields.get("summary", ""),
        }
        connection.execute(insert(Priority), [row])
        log(connection, "priority added", number, f"{row['name']} (board: {row['silver_board']})", actor)
    cache.clear_caches()
    return row


def update_priority(url: str, number: int, changes: Mapping[str, object], actor: roles.Actor) -> dict:
    """Rename a priority or change its board, plan or summary; returns what changed (old, new). The old name stays
    in the change log."""
    allowed(actor)
    changes = _clean(changes)
    with db.get_engine(url).begin() as connection:
        stored = _priorities(connection)
        if number not in stored:
            raise ValueError(f"no priority {number} (see `saferleeds priority list`)")
        first_problem(priority_problems(number, changes, stored))
        changed = differences(stored[number], changes)
        if not changed:
            return {}
        connection.execute(
            update(Priority).where(col(Priority.id) == number).values(**{k: new for k, (_, new) in changed.items()})
        )
        log(connection, "priority updated", number, change_words(changed), actor)
    cache.clear_caches()
    return {name: {"from": old, "to": new} for name, (old, new) in changed.items()}


def retire_priority(url: str, number: int, retired_from: date, actor: roles.Actor) -> None:
    """Retire a priority from a day; refused while KPIs in force that day point at it."""
    allowed(actor)
    with db.get_engine(url).begin() as connection:
        stored = _priorities(connection)
        if number not in stored:
            raise ValueError(f"no priority {number} (see `saferleeds priority list`)")
        if stored[number]["retired_from"] is not None:
            raise ValueError(f"priority {number} was already retired from {stored[number]['retired_from']:%d %B %Y}")
        left = kpis_in_force(connection, number, retired_from)
        if left:
            raise ValueError(
                f"priority {number} still has {len(left)} KPI(s) in force on {retired_from:%d %B %Y} "
                f"({', '.join(left[:5])}): move them (`saferleeds kpi update CODE --priority N`) or retire them first"
            )
        connection.execute(update(Priority).where(col(Priority.id) == number).values(retired_from=retired_from))
        log(connection, "priority retired", number, f"retired from {retired_from.isoformat()}", actor)
    cache.clear_caches()


def _board_id(boards: Mapping[int, dict], name: str) -> int:
    """The id of the board of that name (any case); ValueError if there is none."""
    found = next((i for i, row in boards.items() if row["name"].casefold() == name.strip().casefold()), None)
    if found is None:
        raise ValueError(f"no delivery board called {name!r} (see `saferleeds board list`)")
    return found


def add_board(url: str, name: str, priority_id: int | None, actor: roles.Actor) -> dict:
    """A new delivery board of the partnership's strategy, serving a priority (or none)."""
    allowed(actor)
    fields = {"name": name.strip(), "priority_id": priority_id}
    with db.get_engine(url).begin() as connection:
        first_problem(board_problems(None, fields, _boards(connection), set(_priorities(connection))))
        row = fields | {"strategy": current_area().strategy}
        connection.execute(insert(DeliveryBoard), [row])
        log(connection, "board added", row["name"], f"serves priority {priority_id or '(none)'}", actor)
    cache.clear_caches()
    return row


def update_board(url: str, name: str, changes: Mapping[str, object], actor: roles.Actor) -> dict:
    """Rename a board (changes["name"]) or change the priority it serves; returns what changed (old, new)."""
    allowed(actor)
    changes = _clean(changes)
    with db.get_engine(url).begin() as connection:
        boards = _boards(connection)
        board_id = _board_id(boards, name)
        first_problem(board_problems(board_id, changes, boards, set(_priorities(connection))))
        changed = differences(boards[board_id], changes)
        if not changed:
            return {}
        connection.execute(
            update(DeliveryBoard)
            .where(col(DeliveryBoard.id) == board_id)
            .values(**{k: new for k, (_, new) in changed.items()})
        )
        log(connection, "board updated", boards[board_id]["name"], change_words(changed), actor)
    cache.clear_caches()
    return {field: {"from": old, "to": new} for field, (old, new) in changed.items()}


def retire_board(url: str, name: str, retired_from: date, actor: roles.Actor) -> None:
    """Retire a delivery board from a day (its deliverables and history are kept)."""
    allowed(actor)
    with db.get_engine(url).begin() as connection:
        boards = _boards(connection)
        board_id = _board_id(boards, name)
        if boards[board_id]["retired_from"] is not None:
            raise ValueError(f"{boards[board_id]['name']} was already retired from {boards[board_id]['retired_from']}")
        connection.execute(
            update(DeliveryBoard).where(col(DeliveryBoard.id) == board_id).values(retired_from=retired_from)
        )
        log(connection, "board retired", boards[board_id]["name"], f"retired from {retired_from.isoformat()}", actor)
    cache.clear_caches()
