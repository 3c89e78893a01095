"""Write KPI values: new ones are added, changed ones become a new revision (the old one is kept), same ones skip."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, update

from lib.store import reads
from lib.store.models import KpiValue

VALUE_FIELDS = ("value", "numerator", "denominator", "qualifier")


@dataclass(frozen=True)
class WriteCounts:
    """What a write did: rows added as revision 1, rows that became a new revision, rows already present."""

    added: int = 0
    revised: int = 0
    unchanged: int = 0


def _key(row: dict) -> tuple:
    """The identity of a value: KPI, area, period and whether it is illustrative."""
    return (row["kpi_code"], row["area_code"], row["period_start"], row["period_end"], bool(row["illustrative"]))


def _same(existing: dict, row: dict) -> bool:
    """True when the stored value says the same as the incoming row."""
    return all((existing.get(f) or None) == (row.get(f) or None) for f in VALUE_FIELDS)


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
    for row in rows:
        existing = current.get(_key(row))
        if existing is not None and _same(existing, row):
            unchanged += 1
            continue
        record = {
            "numerator": None,
            "denominator": None,
            "qualifier": "",
            "note": "",
            "source_section": "",
            **row,
            "loaded_at": now,
            "import_batch_id": batch_id,
            "is_current": True,
            "revision": 1 if existing is None else existing["revision"] + 1,
        }
        if existing is not None:
            superseded.append(existing["id"])
        inserts.append(record)
    if superseded:
        connection.execute(update(KpiValue).where(KpiValue.id.in_(superseded)).values(is_current=False))
    if inserts:
        connection.execute(insert(KpiValue), inserts)
    return WriteCounts(
        added=sum(r["revision"] == 1 for r in inserts),
        revised=sum(r["revision"] > 1 for r in inserts),
        unchanged=unchanged,
    )
