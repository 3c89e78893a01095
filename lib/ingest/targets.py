"""Effective-dated targets: a KPI's target applies from a date until the next one's (kpitarget).

Setting a target never rewrites the past: a meeting is judged against the target in force at its cut-off, so a pack
made for a past meeting after a target change has the figures and statuses it had before. Each change is checked,
written in one transaction with who and when, and bumps the data version; kpi.target, target_type and rag_rule
mirror the target in force today.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

from sqlalchemy import Connection, insert, update
from sqlmodel import col

from lib.core import roles
from lib.ingest import catalogue
from lib.store import cache, db, reads
from lib.store.models import Kpi, KpiTarget

TARGET_TYPES = ("maximum", "minimum")
CARRIED_OVER = "carried over from the catalogue"


def _now() -> datetime:
    """The moment of a change (UTC)."""
    return datetime.now(UTC)


def carry_over(connection: Connection) -> int:
    """A first target row for every KPI that has none: its catalogue target (or "no target"), in force from the start
    of its data (its earliest period, else any KPI's, else today). Returns how many were added."""
    have = reads.target_codes(connection)
    starts, earliest = reads.first_periods(connection)
    rows = [
        {
            "kpi_code": code,
            "valid_from": starts.get(code) or earliest or date.today(),
            "value": target,
            "target_type": target_type,
            "rag_rule": rag_rule or "",
            "set_by": CARRIED_OVER,
            "set_at": _now(),
        }
        for code, target, target_type, rag_rule in reads.catalogue_targets(connection)
        if code not in have
    ]
    if rows:
        connection.execute(insert(KpiTarget), rows)
    return len(rows)


def add(connection: Connection, row: dict, existing: set[date]) -> None:
    """Insert a checked target row (kpi_code, valid_from, value, target_type, rag_rule, set_by, set_at) in the caller's
    transaction; existing: the days the KPI's other targets start. The newest is mirrored in the catalogue."""
    connection.execute(insert(KpiTarget), [row])
    if row["valid_from"] >= max(existing, default=row["valid_from"]):  # the newest is the catalogue's current one
        connection.execute(
            update(Kpi)
            .where(col(Kpi.code) == row["kpi_code"])
            .values(target=row["value"], target_type=row["target_type"], rag_rule=row["rag_rule"])
        )


def rule_words(value: float, target_type: str) -> str:
    """The RAG rule in words, as lib/analysis/kpis.rag_status applies it (a 10% margin inside the target)."""
    if target_type == "maximum":
        return (
            f"Green at or below {0.9 * value:g}; amber above that up to the target of {value:g}; red above {value:g}."
        )
    return f"Green at or above {1.1 * value:g}; amber below that down to the target of {value:g}; red below {value:g}."


def set_target(
    url: str, kpi_code: str, value: float, target_type: str, valid_from: date, rule: str | None, actor: roles.Actor
) -> dict:
    """Set a KPI's target from a date; ValueError (nothing written) for an unknown KPI, a bad value or type, a date
    that already has a target, or a date before the KPI's first; PermissionDeniedError for anyone but an admin."""
    if not roles.may_manage_catalogue(actor):
        raise roles.PermissionDeniedError(f"{roles.is_a(actor)}: only admins set targets")
    if target_type not in TARGET_TYPES:
        raise ValueError(f"--type must be maximum or minimum (got {target_type!r})")
    if not math.isfinite(value):
        raise ValueError(f"--value must be a number (got {value!r})")
    with db.get_engine(url).begin() as connection:
        kpi = reads.kpi_row(connection, kpi_code)
        if kpi is None:
            raise ValueError(f"unknown KPI {kpi_code!r} (see `saferleeds kpi list`)")
        if kpi["unit"] == "percent" and not 0 <= value <= 100:
            raise ValueError(f"{kpi_code} is a percentage: --value must be between 0 and 100 (got {value:g})")
        existing = reads.target_starts(connection, kpi_code)
        if valid_from in existing:
            raise ValueError(
                f"{kpi_code} already has a target from {valid_from:%d %B %Y}: set the new one from another date "
                "(a target in force is history, never overwritten)"
            )
        row = {
            "kpi_code": kpi_code,
            "valid_from": valid_from,
            "value": float(value),
            "target_type": target_type,
            "rag_rule": rule or rule_words(value, target_type),
            "set_by": actor.label,
            "set_at": _now(),
        }
        add(connection, row, existing)
        detail = f"{value:g} {target_type} from {valid_from.isoformat()}"
        catalogue.log(connection, "target set", kpi_code, detail, actor)
    cache.clear_caches()
    return {key: (value.isoformat() if isinstance(value, date | datetime) else value) for key, value in row.items()}
