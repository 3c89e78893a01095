"""The KPI catalogue managed by admins: add, update and retire KPIs, each change checked, written in one transaction
with who and when (cataloguechange), and the data version bumped.

The rules that keep past meetings and figures true:
- a KPI code is permanent once it has values (it is never renamed; a new code is a new KPI);
- its unit and direction cannot change while values exist: those values were measured that way, so make a new KPI;
- the sensitive flag applies at once to every period; turning it off relaxes disclosure control for all past
  figures, so it needs an explicit confirmation;
- a retired KPI keeps its values and history: it shows on meetings before its retirement and not after;
- targets change by date, never in place (lib/ingest/targets.py).

The checks are plain functions returning (field, message) pairs, so a single change from the command line and a
whole catalogue file (lib/ingest/catalogue_file.py) are held to the same rules and word them the same way; `naming`
says how a field is named to the reader ("--priority" on the command line, "priority_id" in a file).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime

from sqlalchemy import Connection, insert, update
from sqlmodel import col

from lib.area import current as current_area
from lib.core import roles
from lib.ingest import versions
from lib.store import cache, db, reads
from lib.store.models import CatalogueChange, Kpi, Priority

CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
DIRECTIONS = ("lower_is_better", "higher_is_better", "neutral")
FREQUENCIES = ("monthly", "annual", "period")  # period: one-off figures over a stated period
GEOGRAPHIES = ("city", "ward", "area")  # area: a part of the partnership (DS1's service area)
TEXT_FIELDS = ("name", "unit", "definition", "source", "owner")
REQUIRED = (*TEXT_FIELDS, "direction", "frequency", "geography")
FIXED_WHILE_VALUES = ("unit", "direction")
CHOICES = {"direction": DIRECTIONS, "frequency": FREQUENCIES, "geography": GEOGRAPHIES}
FLAGS = {"priority_id": "priority"}  # a field whose command-line option has another name

Naming = Callable[[str], str]
Problems = list[tuple[str, str]]  # (field, message)


def flag(field: str) -> str:
    """How the command line names a field: "--priority" for priority_id."""
    return f"--{FLAGS.get(field, field)}"


def allowed(actor: roles.Actor) -> None:
    """PermissionDeniedError unless the person may change the catalogue."""
    if not roles.may_manage_catalogue(actor):
        raise roles.PermissionDeniedError(f"{roles.is_a(actor)}: only admins change the catalogue")


def log(connection: Connection, kind: str, code: object, detail: str, actor: roles.Actor) -> None:
    """One line of the catalogue's change log, and the data version bumped, in the caller's transaction."""
    connection.execute(
        insert(CatalogueChange),
        [{"kind": kind, "code": str(code), "detail": detail, "changed_by": actor.label, "changed_at": _now()}],
    )
    versions.bump(connection)


def _now() -> datetime:
    """The moment of a change (UTC)."""
    return datetime.now(UTC)


def first_problem(problems: Problems) -> None:
    """ValueError with the first problem's message, if there is one."""
    if problems:
        raise ValueError(problems[0][1])


def code_problems(code: str) -> Problems:
    """Whether a text can be a KPI code."""
    if CODE.match(code):
        return []
    return [("code", f"{code!r} is not a KPI code: capitals, digits and underscores, starting with a letter")]


def field_problems(fields: Mapping[str, object], priorities: set[int], naming: Naming = flag) -> Problems:
    """What is wrong with the KPI fields given (each field checked only if present)."""
    problems: Problems = []
    for name, choices in CHOICES.items():
        if name in fields and fields[name] not in choices:
            problems.append((name, f"{naming(name)} must be one of {', '.join(choices)} (got {fields[name]!r})"))
    for name in TEXT_FIELDS:
        if name in fields and not str(fields[name] or "").strip():
            problems.append((name, f"{naming(name)} is empty"))
    priority = fields.get("priority_id")
    if priority is not None and priority not in priorities:
        problems.append(("priority_id", f"no priority {priority} (see `saferleeds priority list`)"))
    return problems


def change_problems(
    code: str, changed: Mapping[str, tuple[object, object]], has_values: bool, relax_disclosure: bool
) -> Problems:
    """What the catalogue's rules refuse in a change to a stored KPI (changed: field -> (old, new))."""
    problems: Problems = []
    fixed = [name for name in FIXED_WHILE_VALUES if name in changed]
    if fixed and has_values:
        problems.append(
            (
                fixed[0],
                f"{code} has values, so its {' and '.join(fixed)} cannot change (they were measured that way): add a "
                "new KPI with `saferleeds kpi add` and retire this one from the day the new one starts",
            )
        )
    if changed.get("sensitive") == (True, False) and not relax_disclosure:
        problems.append(
            (
                "sensitive",
                f"turning off {code}'s sensitive flag shows its ward-level counts for every past period: confirm with "
                "--relax-disclosure",
            )
        )
    return problems


def differences(current: Mapping[str, object], wanted: Mapping[str, object]) -> dict[str, tuple[object, object]]:
    """field -> (old, new) for each wanted value (None = not given) that differs from the stored one."""
    return {k: (current[k], v) for k, v in wanted.items() if v is not None and current[k] != v}


def change_words(changed: Mapping[str, tuple[object, object]]) -> str:
    """The change log's detail for an update: "owner: 'A' -> 'B'; name: ..."."""
    return "; ".join(f"{name}: {old!r} -> {new!r}" for name, (old, new) in changed.items())


def new_row(code: str, fields: Mapping[str, object]) -> dict:
    """A KPI row for the catalogue from checked fields (area from the partnership unless given; no target)."""
    area = current_area()
    return {
        "code": code,
        "name": str(fields["name"]).strip(),
        "priority_id": fields.get("priority_id"),
        "unit": str(fields["unit"]).strip(),
        "direction": fields["direction"],
        "rag_rule": "No target is set yet.",
        "frequency": fields["frequency"],
        "geography": fields["geography"],
        "area_code": fields.get("area_code") or area.code,
        "area_name": fields.get("area_name") or area.name,
        "sensitive": bool(fields.get("sensitive", False)),
        "definition": str(fields["definition"]).strip(),
        "owner": str(fields["owner"]).strip(),
        "source": str(fields["source"]).strip(),
        "headline_rank": fields.get("headline_rank"),
        "retired_from": fields.get("retired_from"),
    }


def priority_numbers(connection: Connection) -> set[int]:
    """The numbers of the stored priorities."""
    return {row["id"] for row in reads.all_rows(connection, Priority)}


def add_kpi(url: str, code: str, fields: Mapping[str, object], actor: roles.Actor) -> dict:
    """A new KPI in the catalogue (no target until one is set from a date); ValueError for a bad or taken code or a
    bad field, nothing written."""
    allowed(actor)
    first_problem(code_problems(code))
    missing = [name for name in REQUIRED if name not in fields]
    if missing:
        raise ValueError(f"{flag(missing[0])} is required")
    with db.get_engine(url).begin() as connection:
        if reads.kpi_row(connection, code) is not None:
            raise ValueError(f"{code} is already in the catalogue: use `saferleeds kpi update {code}`")
        first_problem(field_problems(fields, priority_numbers(connection)))
        row = new_row(code, fields)
        connection.execute(insert(Kpi), [row])
        log(connection, "kpi added", code, f"{row['name']} ({row['unit']}, {row['direction']})", actor)
    cache.clear_caches()
    return row


def update_kpi(
    url: str, code: str, changes: Mapping[str, object], actor: roles.Actor, relax_disclosure: bool = False
) -> dict:
    """Change a KPI's fields under the catalogue's rules (module docstring); returns what changed (old, new)."""
    allowed(actor)
    with db.get_engine(url).begin() as connection:
        current = reads.kpi_row(connection, code)
        if current is None:
            raise ValueError(f"unknown KPI {code!r} (see `saferleeds kpi list`)")
        first_problem(field_problems(changes, priority_numbers(connection)))
        changed = differences(current, changes)
        first_problem(change_problems(code, changed, reads.has_values(connection, code), relax_disclosure))
        if not changed:
            return {}
        connection.execute(
            update(Kpi).where(col(Kpi.code) == code).values(**{k: new for k, (_, new) in changed.items()})
        )
        log(connection, "kpi updated", code, change_words(changed), actor)
    cache.clear_caches()
    return {name: {"from": old, "to": new} for name, (old, new) in changed.items()}


def retire_kpi(url: str, code: str, retired_from: date, actor: roles.Actor) -> None:
    """Retire a KPI from a day: its values stay; meetings whose cut-off is before that day still show it."""
    allowed(actor)
    with db.get_engine(url).begin() as connection:
        current = reads.kpi_row(connection, code)
        if current is None:
            raise ValueError(f"unknown KPI {code!r} (see `saferleeds kpi list`)")
        if current["retired_from"] is not None:
            raise ValueError(f"{code} was already retired from {current['retired_from']:%d %B %Y}")
        connection.execute(update(Kpi).where(col(Kpi.code) == code).values(retired_from=retired_from))
        log(connection, "kpi retired", code, f"retired from {retired_from.isoformat()}", actor)
    cache.clear_caches()
