"""Known events of the partnership (its area folder's events.csv): chart annotations, change points where a KPI's
SPC limits are re-based, and place-based initiatives (an event with a ward: the crime page compares the months after
it with as many before)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lib.area import current as current_area

EVENTS_FILE = "events.csv"


@dataclass(frozen=True)
class Event:
    """Something that changed how a KPI behaves, with the KPIs it affects and whether SPC limits restart there."""

    when: date
    label: str
    source: str
    kpi_codes: tuple[str, ...]
    rebase: bool
    ward_code: str = ""  # a place-based initiative's ward
    months_each_side: int = 0  # its before-and-after windows
    note: str = ""  # what the documents say of its result


def all_events() -> tuple[Event, ...]:
    """Every event of the area, oldest first ([] when it has none)."""
    return tuple(
        Event(
            date.fromisoformat(row["when"]),
            row["label"],
            row["source"],
            tuple(row["kpi_codes"].split()),
            row["rebase"].strip().lower() == "true",
            row.get("ward_code", "").strip(),
            int(row["months_each_side"]) if row.get("months_each_side", "").strip() else 0,
            row.get("note", "").strip(),
        )
        for row in sorted(current_area().rows(EVENTS_FILE), key=lambda r: r["when"])
    )


def initiatives() -> list[Event]:
    """The place-based initiatives: events with a ward and before-and-after windows."""
    return [e for e in all_events() if e.ward_code and e.months_each_side]


def change_points(kpi_code: str) -> list[date]:
    """Dates where the KPI's SPC limits are re-based."""
    return [e.when for e in all_events() if e.rebase and kpi_code in e.kpi_codes]


def events_for(kpi_code: str) -> list[Event]:
    """Events to annotate on the KPI's charts."""
    return [e for e in all_events() if kpi_code in e.kpi_codes]
