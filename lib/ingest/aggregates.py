"""Keep the crime aggregates in step with what is stored: month x ward x type from the records, and month x type
(city-wide) from that, for the affected months only, inside the caller's transaction."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, and_, delete, insert
from sqlmodel import col

from lib.store import reads
from lib.store.models import CrimeCityMonthly, CrimeMonthly


def refresh_wards(connection: Connection, months: list[date]) -> None:
    """Rebuild the real month x ward x type rows for these months from the stored police.uk records."""
    connection.execute(
        delete(CrimeMonthly).where(col(CrimeMonthly.illustrative).is_(False), col(CrimeMonthly.month).in_(months))
    )
    connection.execute(
        insert(CrimeMonthly).from_select(
            ["month", "ward_code", "crime_type", "illustrative", "count"], reads.crime_aggregate_select(months)
        )
    )


def refresh_city(connection: Connection, months: list[date] | None, illustrative: bool) -> None:
    """Rebuild the city-wide rows (real or illustrative; all months if None) by summing the ward aggregate."""
    conditions = [col(CrimeCityMonthly.illustrative).is_(illustrative)]
    if months is not None:
        conditions.append(col(CrimeCityMonthly.month).in_(months))
    condition = and_(*conditions)
    connection.execute(delete(CrimeCityMonthly).where(condition))
    connection.execute(
        insert(CrimeCityMonthly).from_select(
            ["month", "crime_type", "illustrative", "count"], reads.city_aggregate_select(months, illustrative)
        )
    )
