"""Reads a writer makes inside its own transaction (importers, the seed): plain SQLAlchemy, never cached.

Pages read through lib.store.queries instead, which caches small aggregates for the app.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, func, literal, select, text
from sqlmodel import col

from lib.core.vocabulary import ImportStatus
from lib.store import db
from lib.store.models import (
    CatalogueChange,
    CrimeCityMonthly,
    CrimeMonthFingerprint,
    CrimeMonthly,
    CrimeRecord,
    Decision,
    DeliveryBoard,
    ImportBatch,
    Kpi,
    KpiReport,
    KpiTarget,
    KpiValue,
    MeetingAction,
    PeerArea,
    PeerGroup,
    PoliceUkFetch,
    Priority,
    Ward,
)


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per table, to tell an empty database from one that holds data."""
    return {
        str(model.__tablename__): connection.execute(select(func.count()).select_from(model)).scalar_one()
        for model in (Ward, Priority, Kpi, KpiValue, CrimeMonthly, ImportBatch)
    }


def batch_with_sha(connection: Connection, kind: str, sha256: str) -> int | None:
    """The id of a successful import batch of this kind and content, if one exists."""
    return connection.execute(
        select(col(ImportBatch.id)).where(
            col(ImportBatch.kind) == kind,
            col(ImportBatch.sha256) == sha256,
            col(ImportBatch.status) == ImportStatus.SUCCESS,
        )
    ).scalar()


def existing_codes(connection: Connection, column: Any) -> set:  # noqa: ANN401 - a mapped column
    """The set of values already stored in one column (primary keys of a reference table)."""
    return set(connection.execute(select(column)).scalars())


def existing_board_names(connection: Connection) -> list[tuple[int, str]]:
    """(id, name) of every delivery board."""
    return [
        (int(i or 0), str(n)) for i, n in connection.execute(select(col(DeliveryBoard.id), col(DeliveryBoard.name)))
    ]


def current_kpi_values(connection: Connection, kpi_codes: list[str]) -> dict[tuple, dict]:
    """Current revisions of the given KPIs keyed by (kpi, area, start, end, illustrative)."""
    rows = connection.execute(
        select(
            col(KpiValue.id),
            col(KpiValue.kpi_code),
            col(KpiValue.area_code),
            col(KpiValue.period_start),
            col(KpiValue.period_end),
            col(KpiValue.illustrative),
            col(KpiValue.value),
            col(KpiValue.numerator),
            col(KpiValue.denominator),
            col(KpiValue.qualifier),
            col(KpiValue.revision),
        ).where(col(KpiValue.is_current), col(KpiValue.kpi_code).in_(kpi_codes))
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
                select(col(ImportBatch.id))
                .where(
                    col(ImportBatch.kind) == kind,
                    col(ImportBatch.sha256) == sha256,
                    col(ImportBatch.status).in_((ImportStatus.SUCCESS, ImportStatus.UNCHANGED)),
                    col(ImportBatch.rows_rejected) == 0,
                )
                .limit(1)
            ).first()
            is not None
        )


def _as_date(value: object) -> date:
    """A DATE column's value as a date (SQLite gives text through some paths, PostgreSQL a date)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def months_with_fingerprints(url: str, months: set[date]) -> set[date]:
    """Which of these months have a police.uk file's fingerprint stored (lib/ingest/policeuk/fingerprint.py)."""
    with db.get_engine(url).connect() as connection:
        found = connection.execute(
            select(col(CrimeMonthFingerprint.month)).where(col(CrimeMonthFingerprint.month).in_(months)).distinct()
        ).scalars()
        return {_as_date(month) for month in found}


def _fingerprint_rows(url: str, condition: Any) -> list[tuple[date, str, int, bool, str]]:  # noqa: ANN401
    """(month, fingerprint, rows, whether its import counted the peers, the file it came from) of the stored
    fingerprints meeting condition."""
    table = CrimeMonthFingerprint
    with db.get_engine(url).connect() as connection:
        rows = connection.execute(
            select(col(table.month), col(table.fingerprint), col(table.rows), col(table.peers_counted),
                   col(ImportBatch.file_name))
            .join(ImportBatch, col(ImportBatch.id) == col(table.import_batch_id))
            .where(condition)
        ).all()  # fmt: skip
    return [(_as_date(month), key, count, counted, name) for month, key, count, counted, name in rows]


def month_fingerprints(url: str, months: set[date]) -> dict[tuple[date, str], tuple[int, bool, str]]:
    """(month, fingerprint) -> (rows, whether its import counted the peers, the file it came from), for these
    months' stored fingerprints."""
    found = _fingerprint_rows(url, col(CrimeMonthFingerprint.month).in_(months))
    return {(month, key): (count, counted, name) for month, key, count, counted, name in found}


def text_fingerprints(url: str, prefix: str) -> list[tuple[str, int, bool, str]]:
    """(fingerprint, rows, whether its import counted the peers, file) of the stored fingerprints that begin with
    prefix: one a month of the file a text fingerprint was taken of (lib/ingest/policeuk/fingerprint.py)."""
    found = _fingerprint_rows(url, col(CrimeMonthFingerprint.fingerprint).startswith(prefix, autoescape=True))
    return [(key, count, counted, name) for _month, key, count, counted, name in found]


def crime_record_state(connection: Connection, months: list[date]) -> dict[str, tuple[str, str, str]]:
    """record_key -> (crime type, last outcome, context) of the stored police.uk records in these months."""
    rows = connection.execute(
        select(
            col(CrimeRecord.record_key),
            col(CrimeRecord.crime_type),
            col(CrimeRecord.last_outcome),
            col(CrimeRecord.context),
        ).where(col(CrimeRecord.month).in_(months))
    )
    return {key: (crime_type, outcome, context) for key, crime_type, outcome, context in rows}


def crime_aggregate_select(months: list[date]) -> Any:  # noqa: ANN401 - a SQLAlchemy selectable
    """month, ward, type, illustrative=false, count over the stored records of these months (the aggregate's rows)."""
    return (
        select(
            col(CrimeRecord.month),
            col(CrimeRecord.ward_code),
            col(CrimeRecord.crime_type),
            literal(False),
            func.count(),
        )
        .where(col(CrimeRecord.month).in_(months))
        .group_by(col(CrimeRecord.month), col(CrimeRecord.ward_code), col(CrimeRecord.crime_type))
    )


def city_aggregate_select(months: list[date] | None, illustrative: bool) -> Any:  # noqa: ANN401 - a selectable
    """month, type, illustrative, count summed over wards: the city aggregate's rows for these months (None = all)."""
    statement = (
        select(
            col(CrimeMonthly.month),
            col(CrimeMonthly.crime_type),
            literal(illustrative),
            func.sum(col(CrimeMonthly.count)),
        )
        .where(col(CrimeMonthly.illustrative).is_(illustrative))
        .group_by(col(CrimeMonthly.month), col(CrimeMonthly.crime_type))
    )
    return statement if months is None else statement.where(col(CrimeMonthly.month).in_(months))


def existing_crime_keys(connection: Connection, illustrative: bool) -> set[tuple]:
    """(month, ward, crime type) keys already in the crime aggregate for real or illustrative rows."""
    rows = connection.execute(
        select(col(CrimeMonthly.month), col(CrimeMonthly.ward_code), col(CrimeMonthly.crime_type)).where(
            col(CrimeMonthly.illustrative) == illustrative
        )
    )
    return {tuple(r) for r in rows}


def month_sizes(url: str) -> dict[date, tuple[int, int]]:
    """Per month with crime: (the area's rows a month holds: the real count where police.uk data are loaded, else the
    illustrative one; police.uk records already stored), for judging whether a new file is plausible."""
    with db.get_engine(url).connect() as connection:
        totals = connection.execute(
            select(
                col(CrimeCityMonthly.month), col(CrimeCityMonthly.illustrative), func.sum(col(CrimeCityMonthly.count))
            ).group_by(col(CrimeCityMonthly.month), col(CrimeCityMonthly.illustrative))
        ).all()
        stored = dict(
            connection.execute(select(col(CrimeRecord.month), func.count()).group_by(col(CrimeRecord.month))).all()
        )
    sizes: dict[date, tuple[int, int]] = {}
    for month, _illustrative, count in sorted(totals, key=lambda row: not row[1]):  # real rows last: they win
        month = _as_date(month)
        sizes[month] = (int(count), 0)
    for month, count in stored.items():
        month = _as_date(month)
        sizes[month] = (sizes.get(month, (int(count), 0))[0], int(count))
    return sizes


def running_batches(url: str) -> list[dict]:
    """Import batches still marked running, oldest first: id, kind, file name, who, started_at, worker."""
    with db.get_engine(url).connect() as connection:
        rows = connection.execute(
            select(
                col(ImportBatch.id),
                col(ImportBatch.kind),
                col(ImportBatch.file_name),
                col(ImportBatch.who),
                col(ImportBatch.started_at),
                col(ImportBatch.worker),
            )
            .where(col(ImportBatch.status) == ImportStatus.RUNNING)
            .order_by(col(ImportBatch.id))
        ).all()
    return [row._asdict() for row in rows]


IMPORT_LOCK_KEY = 0x5AFE1EED5  # the import lock's advisory-lock number on PostgreSQL (no other application uses it)


def try_import_lock(connection: Connection) -> bool:
    """PostgreSQL: take the import lock for the rest of the transaction if it is free (a SELECT, hence here)."""
    return bool(connection.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY}).scalar())


def wait_import_lock(connection: Connection, timeout_ms: int) -> None:
    """PostgreSQL: wait up to timeout_ms for the import lock, then hold it for the rest of the transaction
    (OperationalError when the wait is over)."""
    connection.execute(text(f"SET LOCAL lock_timeout = '{int(timeout_ms)}ms'"))
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": IMPORT_LOCK_KEY})
    connection.execute(text("SET LOCAL lock_timeout = 0"))


def current_report(connection: Connection, meeting_date: date, kpi_code: str) -> dict | None:
    """The current revision of a KPI's report for a meeting, as a dict, or None."""
    row = connection.execute(
        select(KpiReport).where(
            col(KpiReport.meeting_date) == meeting_date,
            col(KpiReport.kpi_code) == kpi_code,
            col(KpiReport.is_current).is_(True),
        )
    ).first()
    return dict(row._mapping) if row is not None else None


def action_row(connection: Connection, action_id: int) -> dict | None:
    """One action as a dict, or None."""
    row = connection.execute(select(MeetingAction).where(col(MeetingAction.id) == action_id)).first()
    return dict(row._mapping) if row is not None else None


def meeting_references(connection: Connection, meeting_date: date) -> list[str]:
    """What refers to a meeting (reports, actions raised at it, decisions), in words; empty when nothing does."""
    counts = {
        "exception reports or commentary": select(func.count()).where(col(KpiReport.meeting_date) == meeting_date),
        "actions raised at it": select(func.count()).where(col(MeetingAction.meeting_raised) == meeting_date),
        "decisions": select(func.count()).where(col(Decision.meeting_date) == meeting_date),
    }
    found = {name: connection.execute(query).scalar_one() for name, query in counts.items()}
    return [f"{n} {name}" for name, n in found.items() if n]


def target_codes(connection: Connection) -> set[str]:
    """KPIs that have at least one target row."""
    return set(connection.execute(select(col(KpiTarget.kpi_code)).distinct()).scalars())


def first_periods(connection: Connection) -> tuple[dict[str, date], date | None]:
    """Each KPI's earliest period start, and the earliest of any KPI (None with no values)."""
    starts = dict(
        connection.execute(
            select(col(KpiValue.kpi_code), func.min(col(KpiValue.period_start))).group_by(col(KpiValue.kpi_code))
        ).all()
    )
    return starts, min(starts.values()) if starts else None


def catalogue_targets(connection: Connection) -> list[tuple[str, float | None, str | None, str]]:
    """(code, target, target_type, rag_rule) of every KPI as the catalogue holds them."""
    rows = connection.execute(select(col(Kpi.code), col(Kpi.target), col(Kpi.target_type), col(Kpi.rag_rule))).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def kpi_row(connection: Connection, code: str) -> dict | None:
    """Every column of one KPI, or None when there is no such KPI."""
    row = connection.execute(select(Kpi).where(col(Kpi.code) == code)).mappings().first()
    return dict(row) if row is not None else None


def target_starts(connection: Connection, code: str) -> set[date]:
    """The days a KPI's targets apply from."""
    return set(connection.execute(select(col(KpiTarget.valid_from)).where(col(KpiTarget.kpi_code) == code)).scalars())


def priority_exists(connection: Connection, priority_id: object) -> bool:
    """Whether a shared priority of that number exists."""
    return connection.execute(select(col(Priority.id)).where(col(Priority.id) == priority_id)).first() is not None


def has_values(connection: Connection, code: str) -> bool:
    """Whether any value (of any revision) is stored for a KPI."""
    return bool(connection.execute(select(func.count()).where(col(KpiValue.kpi_code) == code)).scalar())


def all_rows(connection: Connection, model: type) -> list[dict]:
    """Every row of a small catalogue table (priorities, boards, KPIs, targets), every column."""
    return [dict(row) for row in connection.execute(select(model)).mappings()]


def codes_with_values(connection: Connection) -> set[str]:
    """The KPIs that have at least one value (of any revision)."""
    return set(connection.execute(select(col(KpiValue.kpi_code)).distinct()).scalars())


def policeuk_file_names(url: str) -> list[str]:
    """The names of every police.uk file imported or already in (success or unchanged), for telling which force's
    months are in: a file is named YYYY-MM-<force>-street.csv, whether loaded by hand or fetched."""
    with db.get_engine(url).connect() as connection:
        return list(
            connection.execute(
                select(col(ImportBatch.file_name))
                .where(
                    col(ImportBatch.kind) == "policeuk",
                    col(ImportBatch.status).in_((ImportStatus.SUCCESS, ImportStatus.UNCHANGED)),
                )
                .distinct()
            ).scalars()
        )


def policeuk_fetches(url: str, limit: int = 20) -> list[dict[str, Any]]:
    """The fetch log, newest first."""
    with db.get_engine(url).connect() as connection:
        table = PoliceUkFetch.__table__  # type: ignore[attr-defined] # SQLModel sets it when the class is made
        rows = connection.execute(select(table).order_by(table.c.id.desc()).limit(limit)).mappings()
        return [dict(row) for row in rows]


def peer_group_ids(connection: Connection) -> dict[str, int]:
    """Every peer group's name -> id."""
    return {str(n): int(i or 0) for i, n in connection.execute(select(col(PeerGroup.id), col(PeerGroup.name)))}


def peer_area_notes(connection: Connection, group_id: int) -> dict[str, str]:
    """A group's area codes -> their notes (kept when the group's areas are set again)."""
    return {
        str(c): str(n)
        for c, n in connection.execute(
            select(col(PeerArea.code), col(PeerArea.note)).where(col(PeerArea.group_id) == group_id)
        )
    }


def catalogue_change_count(connection: Connection, kinds: tuple[str, ...]) -> int:
    """How many catalogue changes of these kinds were ever logged."""
    return int(
        connection.execute(
            select(func.count()).select_from(CatalogueChange).where(col(CatalogueChange.kind).in_(kinds))
        ).scalar_one()
    )
