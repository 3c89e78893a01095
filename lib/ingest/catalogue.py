"""The KPI catalogue managed by admins: add, update and retire KPIs, each change checked, written in one transaction
with who and when (cataloguechange), and the data version bumped.

The rules that keep past meetings and figures true:
- a KPI code is permanent once it has values (it is never renamed; a new code is a new KPI);
- its unit and direction cannot change while values exist: those values were measured that way, so make a new KPI;
- the sensitive flag applies at once to every period; turning it off relaxes disclosure control for all past
  figures, so it needs an explicit confirmation;
- a retired KPI keeps its values and history: it shows on meetings before its retirement and not after;
- targets change by date, never in place (lib/ingest/targets.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime

from sqlalchemy import Connection, insert, update
from sqlmodel import col

from lib.area import current as current_area
from lib.core import roles
from lib.ingest import versions
from lib.store import cache, db, reads
from lib.store.models import CatalogueChange, Kpi

CODE = re.compile(r"^[A-Z][A-Z0-9_]{1,39}$")
DIRECTIONS = ("lower_is_better", "higher_is_better", "neutral")
FREQUENCIES = ("monthly", "annual")
GEOGRAPHIES = ("city", "ward")
TEXT_FIELDS = ("name", "unit", "definition", "source", "owner")
UPDATABLE = ("name", "priority_id", "unit", "direction", "frequency", "geography", "definition", "source", "owner")
FIXED_WHILE_VALUES = ("unit", "direction")


def _allowed(actor: roles.Actor) -> None:
    """PermissionDeniedError unless the person may change the catalogue."""
    if not roles.may_manage_catalogue(actor):
        raise roles.PermissionDeniedError(f"{roles.is_a(actor)}: only admins change the catalogue")


def _log(connection: Connection, kind: str, code: str, detail: str, actor: roles.Actor) -> None:
    """One line of the catalogue's change log, and the data version bumped, in the caller's transaction."""
    connection.execute(
        insert(CatalogueChange),
        [{"kind": kind, "code": code, "detail": detail, "changed_by": actor.label, "changed_at": datetime.now(UTC)}],
    )
    versions.bump(connection)


def _check_fields(connection: Connection, fields: Mapping[str, object]) -> None:
    """ValueError naming the first field that is not allowed."""
    if "direction" in fields and fields["direction"] not in DIRECTIONS:
        raise ValueError(f"--direction must be one of {', '.join(DIRECTIONS)} (got {fields['direction']!r})")
    if "frequency" in fields and fields["frequency"] not in FREQUENCIES:
        raise ValueError(f"--frequency must be monthly or annual (got {fields['frequency']!r})")
    if "geography" in fields and fields["geography"] not in GEOGRAPHIES:
        raise ValueError(f"--geography must be city or ward (got {fields['geography']!r})")
    for name in TEXT_FIELDS:
        if name in fields and not str(fields[name] or "").strip():
            raise ValueError(f"--{name} is empty")
    priority = fields.get("priority_id")
    if priority is not None and not reads.priority_exists(connection, priority):
        raise ValueError(f"no priority {priority} (see `saferleeds kpi list`)")


def add_kpi(url: str, code: str, fields: Mapping[str, object], actor: roles.Actor) -> dict:
    """A new KPI in the catalogue (no target until one is set from a date); ValueError for a bad or taken code or a
    bad field, nothing written."""
    _allowed(actor)
    if not CODE.match(code):
        raise ValueError(f"{code!r} is not a KPI code: capitals, digits and underscores, starting with a letter")
    missing = [name for name in (*TEXT_FIELDS, "direction", "frequency", "geography") if name not in fields]
    if missing:
        raise ValueError(f"--{missing[0]} is required")
    area = current_area()
    with db.get_engine(url).begin() as connection:
        if reads.kpi_row(connection, code) is not None:
            raise ValueError(f"{code} is already in the catalogue: use `saferleeds kpi update {code}`")
        _check_fields(connection, fields)
        row = {
            "code": code,
            "name": str(fields["name"]).strip(),
            "priority_id": fields.get("priority_id"),
            "unit": str(fields["unit"]).strip(),
            "direction": fields["direction"],
            "rag_rule": "No target is set yet.",
            "frequency": fields["frequency"],
            "geography": fields["geography"],
            "area_code": area.code,
            "area_name": area.name,
            "sensitive": bool(fields.get("sensitive", False)),
            "definition": str(fields["definition"]).strip(),
            "owner": str(fields["owner"]).strip(),
            "source": str(fields["source"]).strip(),
        }
        connection.execute(insert(Kpi), [row])
        _log(connection, "kpi added", code, f"{row['name']} ({row['unit']}, {row['direction']})", actor)
    cache.clear_caches()
    return row


def update_kpi(
    url: str, code: str, changes: Mapping[str, object], actor: roles.Actor, relax_disclosure: bool = False
) -> dict:
    """Change a KPI's fields under the catalogue's rules (module docstring); returns what changed (old, new)."""
    _allowed(actor)
    with db.get_engine(url).begin() as connection:
        current = reads.kpi_row(connection, code)
        if current is None:
            raise ValueError(f"unknown KPI {code!r} (see `saferleeds kpi list`)")
        _check_fields(connection, changes)
        changed = {k: (current[k], v) for k, v in changes.items() if v is not None and current[k] != v}
        fixed = [name for name in FIXED_WHILE_VALUES if name in changed]
        if fixed and reads.has_values(connection, code):
            raise ValueError(
                f"{code} has values, so its {' and '.join(fixed)} cannot change (they were measured that way): add a "
                "new KPI with `saferleeds kpi add` and retire this one from the day the new one starts"
            )
        if "sensitive" in changed and changed["sensitive"] == (True, False) and not relax_disclosure:
            raise ValueError(
                f"turning off {code}'s sensitive flag shows its ward-level counts for every past period: confirm with "
                "--relax-disclosure"
            )
        if not changed:
            return {}
        connection.execute(
            update(Kpi).where(col(Kpi.code) == code).values(**{k: new for k, (_, new) in changed.items()})
        )
        detail = "; ".join(f"{name}: {old!r} -> {new!r}" for name, (old, new) in changed.items())
        _log(connection, "kpi updated", code, detail, actor)
    cache.clear_caches()
    return {name: {"from": old, "to": new} for name, (old, new) in changed.items()}


def retire_kpi(url: str, code: str, retired_from: date, actor: roles.Actor) -> None:
    """Retire a KPI from a day: its values stay; meetings whose cut-off is before that day still show it."""
    _allowed(actor)
    with db.get_engine(url).begin() as connection:
        current = reads.kpi_row(connection, code)
        if current is None:
            raise ValueError(f"unknown KPI {code!r} (see `saferleeds kpi list`)")
        if current["retired_from"] is not None:
            raise ValueError(f"{code} was already retired from {current['retired_from']:%d %B %Y}")
        connection.execute(update(Kpi).where(col(Kpi.code) == code).values(retired_from=retired_from))
        _log(connection, "kpi retired", code, f"retired from {retired_from.isoformat()}", actor)
    cache.clear_caches()
