"""Write KPI values: new ones are added, changed ones become a new revision (the old one is kept), same ones skip.

`classify` is the one place that decides which: the return preview shows its outcome for every row and the write
does exactly what it said.

A row's qualifier ("more than", "about") of None means the row does not state one (a KPI return has no qualifier
column): such a row is unchanged when its figures equal the stored ones, whatever qualifier the stored value has,
and when its figures differ the new revision is an exact figure (no qualifier). A row that states a qualifier
(the seed's documented facts) is compared on it too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, update
from sqlmodel import col

from lib.store import reads
from lib.store.models import KpiValue

FIGURES = ("value", "numerator", "denominator")
NEW, REVISES, UNCHANGED = "new", "revises", "unchanged"


@dataclass(frozen=True)
class WriteCounts:
    """What a write did: rows added as revision 1, rows that became a new revision, rows already present."""

    added: int = 0
    revised: int = 0
    unchanged: int = 0


def _key(row: dict) -> tuple:
    """The identity of a value: KPI, area, period and whether it is illustrative."""
    return (row["kpi_code"], row["area_code"], row["period_start"], row["period_end"], bool(row["illustrative"]))


@dataclass(frozen=True)
class Change:
    """What writing one row would do, and the current stored revision it compares with (None when new)."""

    outcome: str  # NEW | REVISES | UNCHANGED
    stored: dict | None


def _same(stored: dict, row: dict) -> bool:
    """True when the stored value says the same as the incoming row (a qualifier of None is not stated)."""
    figures_equal = all((stored.get(f) or None) == (row.get(f) or None) for f in FIGURES)
    qualifier = row.get("qualifier")
    return figures_equal and (qualifier is None or (stored.get("qualifier") or "") == qualifier)


def classify(current: dict[tuple, dict], rows: list[dict]) -> list[Change]:
    """For each row, whether writing it adds a value, revises the current one or changes nothing.

    current: reads.current_kpi_values for the rows' KPIs (keyed by KPI, area, period and illustrative)."""
    changes = []
    for row in rows:
        stored = current.get(_key(row))
        if stored is None:
            changes.append(Change(NEW, None))
        else:
            changes.append(Change(UNCHANGED if _same(stored, row) else REVISES, stored))
    return changes


def write_kpi_values(connection: Connection, rows: Iterable[dict], batch_id: int) -> WriteCounts:
    """Insert rows (KpiValue fields) inside the caller's transaction, revising changed values, never overwriting."""
    rows = list(rows)
    if not rows:
        return WriteCounts()
    if len({_key(r) for r in rows}) != len(rows):
        raise ValueError("the same KPI, area and period appears more than once in one write")
    current = reads.current_kpi_values(connection, sorted({r["kpi_code"] for r in rows}))
    now = datetime.now(UTC)
    inserts, superseded, unchanged = [], [], 0
    for row, change in zip(rows, classify(current, rows), strict=True):
        if change.outcome == UNCHANGED:
            unchanged += 1
            continue
        record = {
            "numerator": None,
            "denominator": None,
            "note": "",
            "source_section": "",
            **row,
            "qualifier": row.get("qualifier") or "",
            "loaded_at": now,
            "import_batch_id": batch_id,
            "is_current": True,
            "revision": 1 if change.stored is None else change.stored["revision"] + 1,
        }
        if change.stored is not None:
            superseded.append(change.stored["id"])
        inserts.append(record)
    if superseded:
        connection.execute(update(KpiValue).where(col(KpiValue.id).in_(superseded)).values(is_current=False))
    if inserts:
        connection.execute(insert(KpiValue), inserts)
    return WriteCounts(
        added=sum(r["revision"] == 1 for r in inserts),
        revised=sum(r["revision"] > 1 for r in inserts),
        unchanged=unchanged,
    )
