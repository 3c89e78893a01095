"""Known events: chart annotations, and change points where a KPI's SPC limits are re-based."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Event:
    """Something that changed how a KPI behaves, with the KPIs it affects and whether SPC limits restart there."""

    when: date
    label: str
    source: str
    kpi_codes: tuple[str, ...]
    rebase: bool


HAREHILLS_WARD = "E05011394"  # Gipton & Harehills, where Clear-Hold-Build began
CLEAR_HOLD_BUILD = Event(
    date(2023, 5, 1),
    "Clear-Hold-Build begins in Harehills",
    "000_274d76e3dc4e1983.txt § paragraph 4",
    ("CRIME_TOTAL",),
    rebase=False,
)

EVENTS: tuple[Event, ...] = (
    Event(
        date(2022, 2, 1),
        "DS1 dedicated noise service starts",
        "001_cf5d9940d488cdb5.txt § DS1",
        ("DS1_RESPONSE", "DS1_TRIAGE", "DS1_ATTENDANCE", "DS1_CALLS"),
        rebase=True,
    ),
    Event(
        date(2023, 4, 1),
        "Student-area dedicated response (2023/24)",
        "000_274d76e3dc4e1983.txt § paragraph 4",
        ("DS1_CALLS",),
        rebase=True,
    ),
    CLEAR_HOLD_BUILD,
    Event(
        date(2023, 9, 1),
        "WalkSafe Leeds app launched",
        "000_274d76e3dc4e1983.txt § paragraph 4",
        ("WALKSAFE_DOWNLOADS", "WALKSAFE_USES"),
        rebase=False,
    ),
)


def change_points(kpi_code: str) -> list[date]:
    """Dates where the KPI's SPC limits are re-based."""
    return [e.when for e in EVENTS if e.rebase and kpi_code in e.kpi_codes]


def events_for(kpi_code: str) -> list[Event]:
    """Events to annotate on the KPI's charts."""
    return [e for e in EVENTS if kpi_code in e.kpi_codes]
