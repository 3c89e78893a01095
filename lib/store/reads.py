"""Reads a writer makes inside its own transaction (importers, the seed): plain SQLAlchemy, never cached.

Pages read through lib.store.queries instead, which caches small aggregates for the app.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, func, literal, select

from lib.core.vocabulary import ImportStatus
from lib.store import db
from lib.store.models import (
    CrimeMonthly,
    CrimeRecord,
    DeliveryBoard,
    ImportBatch,
    Kpi,
    KpiValue,
    Priority,
    Ward,
)


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per table, to tell an empty database from one that holds data."""
    return {
        model.__tablename__: connection.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Ward, Priority, Kpi, KpiValue, CrimeMonthly, ImportBatch)
    }


def batch_with_sha(connection: Connection, kind: str, sha256: str) -> int | None:
    """The id of a successful import batch of this kind and content, if one exists."""
    return connection.execute(
        select(ImportBatch.id).where(
            ImportBatch.kind == kind, ImportBatch.sha256 == sha256, ImportBatch.status == ImportStatus.SUCCESS
        )
    ).scalar()


def existing_codes(connection: Connection, column: Any) -> set:  # noqa: ANN401 - a mapped column
    """The set of values already stored in one column (primary keys of a reference table)."""
    return set(connection.execute(select(column)).scalars())


def existing_board_names(connection: Connection) -> list[tuple[int, str]]:
    """(id, name) of every delivery board."""
    return [tuple(r) for r in connection.execute(select(DeliveryBoard.id, DeliveryBoard.name))]


def current_kpi_values(connection: Connection, kpi_codes: list[str]) -> dict[tuple, dict]:
    """Current revisions of the given KPIs keyed by (kpi, area, start, end, illustrative)."""
    rows = connection.execute(
        select(
            KpiValue.id,
            KpiValue.kpi_code,
            KpiValue.area_code,
            KpiValue.period_start,
            KpiValue.period_end,
            KpiValue.illustrative,
            KpiValue.value,
            KpiValue.numerator,
            KpiValue.denominator,
            KpiValue.qualifier,
            KpiValue.revision,
        ).where(KpiValue.is_current, KpiValue.kpi_code.in_(kpi_codes))
    ).mappings()
    return {
        (r["kpi_code"], r["area_code"], r["period_start"], r["period_end"], bool(r["illustrative"])): dict(r)
        for r in rows
    }


def clean_batch_with_sha(url: str, kind: str, sha256: str) -> bool:
    """True when a file with this content was imported before with no row refused."""
    with db.get_engine(url).connect() as connection:
        return (
            connection.execute(
                select(ImportBatch.id)
                .where(
                    ImportBatch.kind == kind,
                    ImportBatch.sha256 == sha256,
                    ImportBatch.status.in_((ImportStatus.SUCCESS, ImportStatus.UNCHANGED)),
                    ImportBatch.rows_rejected == 0,
                )
                .limit(1)
            ).first()
            is not None
        )


def crime_record_state(connection: Connection, months: list[date]) -> dict[str, tuple[str, str, str]]:
    """record_key -> (crime type, last outcome, context) of the stored police.uk records in these months."""
    rows = connection.execute(
        select(CrimeRecord.record_key, CrimeRecord.crime_type, CrimeRecord.last_outcome, CrimeRecord.context).where(
            CrimeRecord.month.in_(months)
        )
    )
    return {key: (crime_type, outcome, context) for key, crime_type, outcome, context in rows}


def crime_aggregate_select(months: list[date]) -> Any:  # noqa: ANN401 - a SQLAlchemy selectable
    """month, ward, type, illustrative=false, count over the stored records of these months (the aggregate's rows)."""
    return (
        select(CrimeRecord.month, CrimeRecord.ward_code, CrimeRecord.crime_type, literal(False), func.count())
        .where(CrimeRecord.month.in_(months))
        .group_by(CrimeRecord.month, CrimeRecord.ward_code, CrimeRecord.crime_type)
    )


def city_aggregate_select(months: list[date] | None, illustrative: bool) -> Any:  # noqa: ANN401 - a selectable
    """month, type, illustrative, count summed over wards: the city aggregate's rows for these months (None = all)."""
    statement = (
        select(CrimeMonthly.month, CrimeMonthly.crime_type, literal(illustrative), func.sum(CrimeMonthly.count))
        .where(CrimeMonthly.illustrative.is_(illustrative))
        .group_by(CrimeMonthly.month, CrimeMonthly.crime_type)
    )
    return statement if months is None else statement.where(CrimeMonthly.month.in_(months))


def existing_crime_keys(connection: Connection, illustrative: bool) -> set[tuple]:
    """(month, ward, crime type) keys already in the crime aggregate for real or illustrative rows."""
    rows = connection.execute(
        select(CrimeMonthly.month, CrimeMonthly.ward_code, CrimeMonthly.crime_type).where(
            CrimeMonthly.illustrative == illustrative
        )
    )
    return {tuple(r) for r in rows}
