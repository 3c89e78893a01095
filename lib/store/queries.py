"""What pages and the command line read: small aggregates as DataFrames, cached inside the app.

Every function takes the database URL (so caches are per database) and returns plain data. Pages and the command
line read through here, so they always agree; writers read inside their own transaction through lib.store.reads.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, case, exists, func, inspect, literal, or_, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import aliased
from sqlmodel import col

from lib.area import current as current_area
from lib.core import periods
from lib.core.vocabulary import ASB
from lib.store import cache, db
from lib.store.cache import cached
from lib.store.models import (
    AppUser,
    CatalogueChange,
    CrimeCityMonthly,
    CrimeMonthly,
    CrimeRecord,
    CrimeRecordHistory,
    DataVersion,
    Deliverable,
    DeliveryBoard,
    DistrictCrimeMonthly,
    ImportBatch,
    Kpi,
    KpiTarget,
    KpiValue,
    Meeting,
    PeerArea,
    PeerGroup,
    PoliceUkFetch,
    Priority,
    SignIn,
    UserScope,
    Ward,
)


def select_frame(url: str, statement: Any) -> pd.DataFrame:  # noqa: ANN401 - any SQLAlchemy selectable
    """Run a SELECT and return its rows as a DataFrame (every read module's one way to do so)."""
    with db.get_engine(url).connect() as connection:
        return pd.read_sql(statement, connection)


_FILES_SEEN: dict[str, tuple[int, int]] = {}  # SQLite URL -> the (device, inode) of its file at the last check


def _check_file(url: str) -> None:
    """DatabaseUnavailableError, in one line, when a SQLite database's file is missing, or is not the file this
    process read at its last check (then caches are dropped: the next rerun reads the new file afresh)."""
    path = db.sqlite_file(url)
    if path is None:
        return
    now = db.file_identity(path)
    if now is None and url not in _FILES_SEEN:
        raise db.DatabaseUnavailableError(
            f"There is no database at {path} yet. Run `saferleeds db upgrade` and `saferleeds db seed` (or `make run`, "
            "which does both)."
        )
    if now is None:
        raise db.DatabaseUnavailableError(
            f"The database file {path} is missing: it was deleted or moved while the dashboard was running. Nothing "
            "can be shown or saved until it is back: restore it (or a backup) to that path, then reload."
        )
    before = _FILES_SEEN.setdefault(url, now)
    if before != now:
        _FILES_SEEN[url] = now
        cache.clear_caches()
        raise db.DatabaseUnavailableError(
            f"The database file {path} was replaced while the dashboard was running (a backup restored?); pages now "
            "read the file that is there. Reload the page."
        )


def check_ready(url: str) -> int:
    """The database's data version, read afresh (every page starts here, so every rerun sees new data); raise
    db.DatabaseUnavailableError with a plain message unless the database answers and is at this code's migration.

    One small query when all is well (about a tenth of a millisecond on SQLite); the catalogue is only inspected to
    say what is wrong when it fails. A SQLite file deleted, or replaced (a backup moved into place), while the app
    runs is said in one line (_check_file).
    """
    _check_file(url)
    try:
        with db.get_engine(url).connect() as connection:
            revision, version = connection.execute(
                text("SELECT (SELECT version_num FROM alembic_version), (SELECT version FROM dataversion WHERE id = 1)")
            ).one()
        if revision == db.head_revision() and isinstance(version, int):
            cache.note_version(url, version)
            return version
    except SQLAlchemyError:
        pass  # a missing table or an unreachable server: say which below
    shown = db.mask_url(url)
    try:
        with db.get_engine(url).connect() as connection:
            connection.execute(text("SELECT 1"))
            has_schema = inspect(connection).has_table("kpi")
            revision = (
                connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
                if has_schema and inspect(connection).has_table("alembic_version")
                else None
            )
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0][:200]
        raise db.DatabaseUnavailableError(
            f"Cannot reach the database at {shown} ({reason}). Check SAFERLEEDS_DATABASE_URL and that the "
            "server is running, then reload."
        ) from error
    if not has_schema:
        raise db.DatabaseUnavailableError(
            f"The database at {shown} has no dashboard tables yet. Run `saferleeds db upgrade` and "
            "`saferleeds db seed` (or `make run`, which does both)."
        )
    # else every page fails on a missing column or table
    raise db.DatabaseUnavailableError(db.revision_problem(url, revision) or f"The database at {shown} is not ready.")


def data_version(url: str) -> int:
    """The data version: increased by every write that changes what pages show."""
    with db.get_engine(url).connect() as connection:
        return int(connection.execute(select(col(DataVersion.version)).where(col(DataVersion.id) == 1)).scalar_one())


cache.set_version_reader(data_version)


def _month_counts(url: str, statement: Select) -> pd.DataFrame:
    """A statement's rows with its month column as dates and its count column as whole numbers."""
    frame = select_frame(url, statement)
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    frame["count"] = frame["count"].astype(int)
    return frame


@cached
def kpi_catalogue(url: str) -> pd.DataFrame:
    """Every KPI with its priority name, unit, direction, target, owner and source."""
    statement: Select[*tuple[Any, ...]] = (
        select(
            col(Kpi.code),
            col(Kpi.name),
            col(Kpi.priority_id),
            col(Priority.name).label("priority"),
            col(Kpi.unit),
            col(Kpi.direction),
            col(Kpi.target),
            col(Kpi.target_type),
            col(Kpi.rag_rule),
            col(Kpi.frequency),
            col(Kpi.geography),
            col(Kpi.area_code),
            col(Kpi.area_name),
            col(Kpi.sensitive),
            col(Kpi.definition),
            col(Kpi.owner),
            col(Kpi.source),
            col(Kpi.headline_rank),
            col(Kpi.retired_from),
        )
        .join(Priority, col(Priority.id) == col(Kpi.priority_id), isouter=True)
        .order_by(col(Kpi.priority_id).is_(None), col(Kpi.priority_id), col(Kpi.code))
    )
    frame = select_frame(url, statement)
    frame["priority_id"] = frame["priority_id"].astype("Int64")
    frame["headline_rank"] = frame["headline_rank"].astype("Int64")
    frame["sensitive"] = frame["sensitive"].astype(bool)
    return frame


@cached
def kpi_targets(url: str, kpi_code: str | None = None) -> pd.DataFrame:
    """Every target each KPI has had: kpi_code, valid_from, valid_to (the day before the next one's start; None for the
    one in force now), value, target_type, rag_rule, set_by, set_at; oldest first."""
    statement = select(
        col(KpiTarget.kpi_code),
        col(KpiTarget.valid_from),
        col(KpiTarget.value),
        col(KpiTarget.target_type),
        col(KpiTarget.rag_rule),
        col(KpiTarget.set_by),
        col(KpiTarget.set_at),
    ).order_by(col(KpiTarget.kpi_code), col(KpiTarget.valid_from))
    if kpi_code is not None:
        statement = statement.where(col(KpiTarget.kpi_code) == kpi_code)
    frame = select_frame(url, statement)
    frame["valid_from"] = pd.to_datetime(frame["valid_from"]).dt.date
    following = frame.groupby("kpi_code")["valid_from"].shift(-1)
    frame["valid_to"] = [None if pd.isna(d) else d - timedelta(days=1) for d in following]
    return frame[["kpi_code", "valid_from", "valid_to", "value", "target_type", "rag_rule", "set_by", "set_at"]]


@cached
def catalogue_changes(url: str) -> pd.DataFrame:
    """Every change to the catalogue, newest first: when, who, what (kind), KPI code and detail."""
    return select_frame(
        url,
        select(
            col(CatalogueChange.changed_at),
            col(CatalogueChange.changed_by),
            col(CatalogueChange.kind),
            col(CatalogueChange.code),
            col(CatalogueChange.detail),
        ).order_by(col(CatalogueChange.id).desc()),
    )


def target_history(url: str) -> pd.DataFrame:
    """For Data & sources: every target of the KPIs that have had one, by KPI name, with the dates it was in force
    and who set it (KPIs that never had a target are left out)."""
    rows = kpi_targets(url)
    if rows.empty:
        return pd.DataFrame(
            columns=["name", "in force from", "until", "target", "type", "rag_rule", "set_by", "set_at"]
        )
    named = rows[rows.groupby("kpi_code")["value"].transform(lambda v: v.notna().any())]
    names = kpi_catalogue(url).set_index("code")["name"]
    return named.assign(name=named["kpi_code"].map(names))[
        ["name", "valid_from", "valid_to", "value", "target_type", "rag_rule", "set_by", "set_at"]
    ].rename(columns={"valid_from": "in force from", "valid_to": "until", "value": "target", "target_type": "type"})


def kpi_catalogue_as_at(url: str, as_at: date) -> pd.DataFrame:
    """The catalogue with each KPI's target, type and RAG rule as in force at as_at (a meeting's cut-off), and the
    date it applied from (target_from). A KPI whose first target starts later keeps its earliest one."""
    catalogue = kpi_catalogue(url)
    catalogue = catalogue[in_force(catalogue["retired_from"], as_at)].copy()  # a retired KPI: on earlier meetings only
    targets = kpi_targets(url)
    current = targets[targets["valid_from"] <= as_at].groupby("kpi_code").tail(1).set_index("kpi_code")
    first = targets.groupby("kpi_code").head(1).set_index("kpi_code")
    chosen = pd.concat([current, first[~first.index.isin(current.index)]])
    known = catalogue["code"].isin(chosen.index)
    for column in ("value", "target_type", "rag_rule", "valid_from"):
        name = {"value": "target", "valid_from": "target_from"}.get(column, column)
        picked = catalogue.loc[known, "code"].map(chosen[column])
        if name not in catalogue:
            catalogue[name] = None
        catalogue[name] = catalogue[name].astype(object)
        catalogue.loc[known, name] = picked.astype(object).where(picked.notna(), None)
    return catalogue


@cached
def priorities(url: str) -> pd.DataFrame:
    """Every shared priority, retired ones too (retired_from), with its Silver board and deliverable count."""
    statement = (
        select(
            col(Priority.id),
            col(Priority.name),
            col(Priority.silver_board),
            col(Priority.summary),
            col(Priority.plan),
            col(Priority.retired_from),
            func.count(col(Deliverable.id)).label("deliverables"),
        )
        .join(Deliverable, col(Deliverable.priority_id) == col(Priority.id), isouter=True)
        .group_by(
            col(Priority.id),
            col(Priority.name),
            col(Priority.silver_board),
            col(Priority.summary),
            col(Priority.plan),
            col(Priority.retired_from),
        )
        .order_by(col(Priority.id))
    )
    frame = select_frame(url, statement)
    frame["retired_from"] = _dates(frame["retired_from"])
    return frame


def _dates(column: pd.Series) -> pd.Series:
    """A date column as datetime.date or None (SQLite returns text, PostgreSQL dates)."""
    return pd.Series([None if pd.isna(d) else pd.Timestamp(d).date() for d in column], index=column.index, dtype=object)


def in_force(retired_from: pd.Series, as_at: date) -> pd.Series:
    """Which rows are not retired by a day (a retired row shows on meetings before its retirement only)."""
    return pd.Series([r is None or r > as_at for r in _dates(retired_from)], index=retired_from.index, dtype=bool)


def priorities_as_at(url: str, as_at: date) -> pd.DataFrame:
    """The shared priorities in force at a day (a meeting's cut-off): retired ones show before their retirement."""
    frame = priorities(url)
    return frame[in_force(frame["retired_from"], as_at)]


@cached
def boards(url: str) -> pd.DataFrame:
    """Every delivery board: id, name, the priority it mainly serves, strategy and retired_from."""
    frame = select_frame(
        url,
        select(
            col(DeliveryBoard.id),
            col(DeliveryBoard.name),
            col(DeliveryBoard.priority_id),
            col(DeliveryBoard.strategy),
            col(DeliveryBoard.retired_from),
        ).order_by(col(DeliveryBoard.id)),
    )
    frame["priority_id"] = frame["priority_id"].astype("Int64")
    frame["retired_from"] = _dates(frame["retired_from"])
    return frame


@cached
def deliverables(url: str) -> pd.DataFrame:
    """Key deliverables of the 2021-24 priorities and the 2024-27 delivery boards, with status."""
    statement: Select[*tuple[Any, ...]] = (
        select(
            col(Deliverable.ref),
            col(Deliverable.priority_id),
            col(DeliveryBoard.name).label("board"),
            col(Deliverable.title),
            col(Deliverable.summary),
            col(Deliverable.status),
            col(Deliverable.status_basis),
            col(Deliverable.source),
        )
        .join(DeliveryBoard, col(DeliveryBoard.id) == col(Deliverable.board_id), isouter=True)
        .order_by(col(Deliverable.id))
    )
    return select_frame(url, statement)


def _preferred_values(real_only: bool) -> Any:  # noqa: ANN401 - a SQLAlchemy selectable
    """Current KPI values, dropping an illustrative value wherever a real one covers the same KPI, area and period."""
    real = aliased(KpiValue)
    shadowed = exists().where(
        col(real.kpi_code) == col(KpiValue.kpi_code),
        col(real.area_code) == col(KpiValue.area_code),
        col(real.period_start) == col(KpiValue.period_start),
        col(real.period_end) == col(KpiValue.period_end),
        col(real.is_current),
        col(real.illustrative).is_(False),
    )
    condition = (
        col(KpiValue.illustrative).is_(False) if real_only else or_(col(KpiValue.illustrative).is_(False), ~shadowed)
    )
    return select(
        col(KpiValue.kpi_code),
        col(KpiValue.area_code),
        col(KpiValue.period_start),
        col(KpiValue.period_end),
        col(KpiValue.value),
        col(KpiValue.numerator),
        col(KpiValue.denominator),
        col(KpiValue.qualifier),
        col(KpiValue.illustrative),
        col(KpiValue.source),
        col(KpiValue.source_section),
        col(KpiValue.note),
        col(KpiValue.revision),
        col(KpiValue.loaded_at),
        col(KpiValue.import_batch_id),
    ).where(col(KpiValue.is_current), condition)


CrimeTable = type[CrimeMonthly] | type[CrimeCityMonthly]


def _crime_table(ward_code: str | None) -> CrimeTable:
    """The aggregate to read: month x type for the whole area (a few hundred rows), month x ward x type for one ward."""
    return CrimeMonthly if ward_code else CrimeCityMonthly


def _crime_keep(real_only: bool, table: CrimeTable = CrimeMonthly) -> Any:  # noqa: ANN401 - a SQLAlchemy condition
    """Crime aggregate rows to use: real months always, illustrative only for months with no real data."""
    real_months = select(col(CrimeCityMonthly.month)).where(col(CrimeCityMonthly.illustrative).is_(False)).distinct()
    return (
        col(table.illustrative).is_(False)
        if real_only
        else or_(col(table.illustrative).is_(False), col(table.month).not_in(real_months))
    )


def _crime_total_values(real_only: bool) -> Any:  # noqa: ANN401 - a SQLAlchemy selectable
    """Monthly city-wide crime (excluding ASB) from the city aggregate, real months replacing illustrative ones."""
    table = CrimeCityMonthly
    return (
        select(
            literal("CRIME_TOTAL").label("kpi_code"),
            literal(current_area().code).label("area_code"),
            col(table.month).label("period_start"),
            func.sum(col(table.count)).label("value"),
            col(table.illustrative),
        )
        .where(col(table.crime_type) != ASB, _crime_keep(real_only, table))
        .group_by(col(table.month), col(table.illustrative))
        .order_by(col(table.month))
    )


def _with_crime_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Give crime-aggregate rows the same columns as stored KPI values."""
    if frame.empty:
        return frame
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    frame["period_end"] = [periods.month_end(d) for d in frame["period_start"]]
    frame["value"] = frame["value"].astype(float)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    frame["source"] = "police.uk street-level crime"
    frame["source_section"] = "month x ward x crime type aggregate (all types except anti-social behaviour)"
    frame["qualifier"] = ""
    return frame


def _ended_by(frame: pd.DataFrame, until: date | None) -> pd.DataFrame:
    """Rows whose period had ended by `until` (a meeting's cut-off); all rows when it is None."""
    if until is None or frame.empty:
        return frame
    return frame[frame["period_end"] <= until].reset_index(drop=True)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Consistent column types for KPI values whichever backend they came from."""
    frame["illustrative"] = frame["illustrative"].astype(bool)
    for column in ("value", "numerator", "denominator"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column]).astype(float)
    return frame


@cached
def kpi_series(
    url: str, code: str, area_code: str | None = None, real_only: bool = False, until: date | None = None
) -> pd.DataFrame:
    """Current values of one KPI for one area (default: the KPI's own area), oldest first; with `until` (a meeting's
    cut-off), only periods that had ended by then."""
    if code == "CRIME_TOTAL":
        return _ended_by(_with_crime_columns(select_frame(url, _crime_total_values(real_only))), until)
    values = _preferred_values(real_only).subquery()
    statement = select(values).where(values.c.kpi_code == code)
    if area_code is None:
        statement = statement.join(
            Kpi, and_(col(Kpi.code) == values.c.kpi_code, col(Kpi.area_code) == values.c.area_code)
        )
    else:
        statement = statement.where(values.c.area_code == area_code)
    if until is not None:
        statement = statement.where(values.c.period_end <= until)
    return _typed(select_frame(url, statement.order_by(values.c.period_end, values.c.period_start)))


@cached
def headline_values(url: str, until: date | None = None) -> pd.DataFrame:
    """Every current value at each KPI's own area (the series the Overview and freshness table summarise); with
    `until`, only periods that had ended by then."""
    values = _preferred_values(real_only=False).subquery()
    statement = (
        select(values)
        .join(Kpi, and_(col(Kpi.code) == values.c.kpi_code, col(Kpi.area_code) == values.c.area_code))
        .order_by(values.c.kpi_code, values.c.period_end)
    )
    stored = select_frame(url, statement)
    crime = _with_crime_columns(select_frame(url, _crime_total_values(real_only=False)))
    frames = [f for f in (stored, crime) if not f.empty]
    return _ended_by(_typed(pd.concat(frames, ignore_index=True) if frames else stored), until)


@cached
def provenance(url: str, kpi_code: str | None = None) -> pd.DataFrame:
    """Every stored KPI value, superseded revisions included, with its source, batch and load time."""
    statement = select(
        col(KpiValue.kpi_code),
        col(KpiValue.area_code),
        col(KpiValue.period_start),
        col(KpiValue.period_end),
        col(KpiValue.value),
        col(KpiValue.qualifier),
        col(KpiValue.illustrative),
        col(KpiValue.source),
        col(KpiValue.source_section),
        col(KpiValue.note),
        col(KpiValue.revision),
        col(KpiValue.is_current),
        col(KpiValue.import_batch_id),
        col(KpiValue.loaded_at),
    ).order_by(col(KpiValue.kpi_code), col(KpiValue.period_end), col(KpiValue.area_code), col(KpiValue.revision))
    if kpi_code:
        statement = statement.where(col(KpiValue.kpi_code) == kpi_code)
    frame = select_frame(url, statement)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    frame["is_current"] = frame["is_current"].astype(bool)
    return frame


@cached
def import_log(url: str) -> pd.DataFrame:
    """Every import batch, newest first."""
    statement = select(ImportBatch).order_by(col(ImportBatch.started_at).desc(), col(ImportBatch.id).desc())
    return select_frame(url, statement)


def policeuk_fetches(url: str, limit: int = 20) -> pd.DataFrame:
    """The police.uk fetch log, newest first (not cached: a running fetch's progress changes every second)."""
    statement = select(PoliceUkFetch).order_by(col(PoliceUkFetch.id).desc()).limit(limit)
    return select_frame(url, statement)


@cached
def crime_months(url: str) -> pd.DataFrame:
    """Each month in the crime aggregate with whether real police.uk rows exist for it."""
    table = CrimeCityMonthly
    statement = (
        select(col(table.month), func.max(case((col(table.illustrative).is_(False), 1), else_=0)).label("has_real"))
        .group_by(col(table.month))
        .order_by(col(table.month))
    )
    return select_frame(url, statement)


@cached
def wards(url: str) -> pd.DataFrame:
    """The area's wards with codes, committee area, population and centroid."""
    return select_frame(url, select(Ward).order_by(col(Ward.name)))


@cached
def meetings(url: str) -> pd.DataFrame:
    """Executive meetings with their data cut-off, oldest first."""
    frame = select_frame(url, select(Meeting).order_by(col(Meeting.meeting_date)))
    frame["illustrative"] = frame["illustrative"].astype(bool)
    return frame


@cached
def first_data_month(url: str) -> date | None:
    """The first month of any stored KPI value or crime count (None when there is none)."""
    with db.get_engine(url).connect() as connection:
        starts = [
            connection.execute(select(func.min(col(KpiValue.period_start)))).scalar(),
            connection.execute(select(func.min(col(CrimeMonthly.month)))).scalar(),
        ]
    found = [date.fromisoformat(str(d)[:10]) for d in starts if d is not None]
    return min(found).replace(day=1) if found else None


def boards_for_priority(url: str, priority_id: int, as_at: date | None = None) -> list[str]:
    """Names of the delivery boards that mainly serve a priority (those in force at as_at, when given)."""
    frame = boards(url)
    frame = frame[frame["priority_id"] == priority_id]
    if as_at is not None:
        frame = frame[in_force(frame["retired_from"], as_at)]
    return frame["name"].tolist()


@cached
def crime_by_type(url: str, first: date, last: date, ward_code: str | None = None) -> pd.DataFrame:
    """Counts by police.uk crime type for the months first..last, city-wide or for one ward."""
    table = _crime_table(ward_code)
    statement = (
        select(
            col(table.crime_type),
            func.sum(col(table.count)).label("count"),
            func.count(func.distinct(col(table.month))).label("months"),
        )
        .where(_crime_keep(False, table), col(table.month) >= first, col(table.month) <= last)
        .group_by(col(table.crime_type))
        .order_by(col(table.crime_type))
    )
    if ward_code:
        statement = statement.where(col(CrimeMonthly.ward_code) == ward_code)
    frame = select_frame(url, statement)
    frame["count"] = frame["count"].astype(int)
    return frame


@cached
def crime_monthly_totals(
    url: str, ward_code: str | None = None, include_asb: bool = False, exclude: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Monthly crime totals, city-wide or for one ward, with whether each month is illustrative; ASB and the crime
    types in exclude left out."""
    table = _crime_table(ward_code)
    statement = (
        select(col(table.month), func.sum(col(table.count)).label("count"), col(table.illustrative))
        .where(_crime_keep(False, table))
        .group_by(col(table.month), col(table.illustrative))
        .order_by(col(table.month))
    )
    if ward_code:
        statement = statement.where(col(CrimeMonthly.ward_code) == ward_code)
    left_out = (*exclude, *(() if include_asb else (ASB,)))
    if left_out:
        statement = statement.where(col(table.crime_type).not_in(left_out))
    frame = _month_counts(url, statement)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    return frame


def _ward_crime_statement(crime_types: tuple[str, ...], first: date, last: date) -> Any:  # noqa: ANN401
    """Crime aggregate rows for some crime types between two months (real months replacing illustrative)."""
    return select(col(CrimeMonthly.ward_code), func.sum(col(CrimeMonthly.count)).label("count")).where(
        _crime_keep(False),
        col(CrimeMonthly.crime_type).in_(crime_types),
        col(CrimeMonthly.month) >= first,
        col(CrimeMonthly.month) <= last,
    )


@cached
def ward_crime_monthly(url: str, crime_types: tuple[str, ...], first: date, last: date) -> pd.DataFrame:
    """Crimes of the given types per ward and month over first..last: the input to ward trends."""
    statement = (
        _ward_crime_statement(crime_types, first, last)
        .add_columns(col(CrimeMonthly.month))
        .group_by(col(CrimeMonthly.month), col(CrimeMonthly.ward_code))
    )
    frame = _month_counts(url, statement)
    return frame


@cached
def ward_kpi_codes(url: str) -> list[str]:
    """KPIs with values for more than one ward: the KPIs a ward map can show."""
    statement = (
        select(col(KpiValue.kpi_code))
        .join(Ward, col(Ward.code) == col(KpiValue.area_code))
        .where(col(KpiValue.is_current))
        .group_by(col(KpiValue.kpi_code))
        .having(func.count(func.distinct(col(KpiValue.area_code))) > 1)
        .order_by(col(KpiValue.kpi_code))
    )
    with db.get_engine(url).connect() as connection:
        return list(connection.execute(statement).scalars())


@cached
def ward_kpi_values(url: str, code: str) -> pd.DataFrame:
    """Current values of one KPI for each ward (real values shadowing illustrative ones), by month."""
    values = _preferred_values(real_only=False).subquery()
    statement = (
        select(
            values.c.area_code.label("ward_code"),
            values.c.period_start,
            values.c.period_end,
            values.c.value,
            values.c.illustrative,
        )
        .join(Ward, col(Ward.code) == values.c.area_code)
        .where(values.c.kpi_code == code)
        .order_by(values.c.period_start)
    )
    frame = _typed(select_frame(url, statement))
    frame["period_start"] = pd.to_datetime(frame["period_start"]).dt.date
    return frame


@cached
def crime_counts(url: str, first: date | None, last: date | None, real_only: bool = False) -> pd.DataFrame:
    """month, ward, crime type, count and whether illustrative, for months first..last (None = no limit)."""
    statement = (
        select(
            col(CrimeMonthly.month),
            col(CrimeMonthly.ward_code),
            col(CrimeMonthly.crime_type),
            func.sum(col(CrimeMonthly.count)).label("count"),
            col(CrimeMonthly.illustrative),
        )
        .where(_crime_keep(real_only))
        .group_by(
            col(CrimeMonthly.month),
            col(CrimeMonthly.ward_code),
            col(CrimeMonthly.crime_type),
            col(CrimeMonthly.illustrative),
        )
    )
    if first:
        statement = statement.where(col(CrimeMonthly.month) >= first)
    if last:
        statement = statement.where(col(CrimeMonthly.month) <= last)
    frame = _month_counts(url, statement)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    return frame


@cached
def revision_history(url: str) -> pd.DataFrame:
    """KPI values that have been revised: every revision of each, oldest first, with the batch that loaded it."""
    revised = (
        select(col(KpiValue.kpi_code), col(KpiValue.area_code), col(KpiValue.period_start), col(KpiValue.period_end))
        .where(col(KpiValue.revision) > 1)
        .distinct()
        .subquery()
    )
    statement = (
        select(
            col(KpiValue.kpi_code),
            col(KpiValue.area_code),
            col(KpiValue.period_start),
            col(KpiValue.period_end),
            col(KpiValue.revision),
            col(KpiValue.value),
            col(KpiValue.is_current),
            col(KpiValue.illustrative),
            col(KpiValue.source),
            col(KpiValue.loaded_at),
            col(ImportBatch.file_name),
            col(ImportBatch.who),
        )
        .join(
            revised,
            and_(
                revised.c.kpi_code == col(KpiValue.kpi_code),
                revised.c.area_code == col(KpiValue.area_code),
                revised.c.period_start == col(KpiValue.period_start),
                revised.c.period_end == col(KpiValue.period_end),
            ),
        )
        .join(ImportBatch, col(ImportBatch.id) == col(KpiValue.import_batch_id), isouter=True)
        .order_by(
            col(KpiValue.kpi_code),
            col(KpiValue.period_end),
            col(KpiValue.area_code),
            col(KpiValue.illustrative),
            col(KpiValue.revision),
        )
    )
    frame = select_frame(url, statement)
    frame["is_current"] = frame["is_current"].astype(bool)
    frame["illustrative"] = frame["illustrative"].astype(bool)
    return frame


@cached
def crime_record_history(url: str) -> pd.DataFrame:
    """Earlier outcomes and types of police.uk crimes that a later file changed, newest change first."""
    statement: Select[*tuple[Any, ...]] = (
        select(
            col(CrimeRecordHistory.record_key),
            col(CrimeRecord.month),
            col(CrimeRecord.crime_type),
            col(CrimeRecordHistory.crime_type).label("earlier_crime_type"),
            col(CrimeRecord.last_outcome),
            col(CrimeRecordHistory.last_outcome).label("earlier_outcome"),
            col(CrimeRecordHistory.replaced_at),
            col(ImportBatch.file_name).label("changed_by_file"),
        )
        .join(
            CrimeRecord,
            (col(CrimeRecord.month) == col(CrimeRecordHistory.month))
            & (col(CrimeRecord.record_key) == col(CrimeRecordHistory.record_key)),
        )
        .join(ImportBatch, col(ImportBatch.id) == col(CrimeRecordHistory.replaced_by_batch_id), isouter=True)
        .order_by(col(CrimeRecordHistory.replaced_at).desc(), col(CrimeRecordHistory.id).desc())
    )
    return select_frame(url, statement)


def users(url: str) -> pd.DataFrame:
    """Every user with their role, whether active, and their scopes ("priority:2; kpi:DS1_CALLS"), by e-mail."""
    people = select_frame(url, select(AppUser).order_by(col(AppUser.email)))
    scopes = select_frame(url, select(UserScope).order_by(col(UserScope.kind), col(UserScope.value)))
    listed = scopes.assign(scope=scopes["kind"] + ":" + scopes["value"]).groupby("email")["scope"].agg("; ".join)
    people["scopes"] = people["email"].map(listed).fillna("")
    people["active"] = people["active"].astype(bool)
    return people


def owners(url: str) -> pd.DataFrame:
    """Who owns each priority and KPI (leads' scopes): kind, value, what it is called, e-mail, name, role, active."""
    statement = (
        select(
            col(UserScope.kind),
            col(UserScope.value),
            col(AppUser.email),
            col(AppUser.name),
            col(AppUser.role),
            col(AppUser.active),
        )
        .join(AppUser, col(AppUser.email) == col(UserScope.email))
        .where(col(UserScope.kind).in_(("priority", "kpi")))
        .order_by(col(UserScope.kind), col(UserScope.value), col(AppUser.email))
    )
    frame = select_frame(url, statement)
    names = dict(zip(kpi_catalogue(url)["code"], kpi_catalogue(url)["name"], strict=True))
    names |= {str(n): name for n, name in zip(priorities(url)["id"], priorities(url)["name"], strict=True)}
    frame.insert(2, "called", frame["value"].map(names))
    frame["active"] = frame["active"].astype(bool)
    return frame


def user_record(url: str, email: str) -> dict | None:
    """One user (matched without regard to case) with their scopes as lists by kind; None if not a user."""
    with db.get_engine(url).connect() as connection:
        person = connection.execute(select(AppUser).where(func.lower(col(AppUser.email)) == email.lower())).first()
        if person is None:
            return None
        scopes = connection.execute(
            select(col(UserScope.kind), col(UserScope.value)).where(col(UserScope.email) == person.email)
        ).all()
    record = dict(person._mapping)
    record["scopes"] = {kind: sorted(value for k, value in scopes if k == kind) for kind in ("priority", "kpi", "ward")}
    return record


def sign_ins(url: str, limit: int = 200) -> pd.DataFrame:
    """The latest sign-ins, newest first: when, who, result."""
    return select_frame(url, select(SignIn).order_by(col(SignIn.at).desc(), col(SignIn.id).desc()).limit(limit))


@cached
def peer_groups(url: str) -> pd.DataFrame:
    """Every peer group's areas in order: group, group_note, code, name, districts (comma-separated), note."""
    statement: Any = (
        select(
            col(PeerGroup.name).label("group"),
            col(PeerGroup.note).label("group_note"),
            col(PeerArea.code),
            col(PeerArea.name),
            col(PeerArea.districts),
            col(PeerArea.note),
        )
        .select_from(PeerGroup)
        .outerjoin(PeerArea, col(PeerArea.group_id) == col(PeerGroup.id))
        .order_by(col(PeerGroup.position), col(PeerGroup.id), col(PeerArea.position))
    )
    return select_frame(url, statement)


@cached
def district_crime(
    url: str, districts: tuple[str, ...], first: date, last: date, crime_type: str | None = None
) -> pd.DataFrame:
    """Peers' counts from police.uk files: month, district_code, force, count (of one crime type, or None: all crime,
    which leaves out anti-social behaviour as everywhere else)."""
    statement = (
        select(
            col(DistrictCrimeMonthly.month),
            col(DistrictCrimeMonthly.district_code),
            col(DistrictCrimeMonthly.force),
            func.sum(col(DistrictCrimeMonthly.count)).label("count"),
        )
        .where(
            col(DistrictCrimeMonthly.district_code).in_(districts),
            col(DistrictCrimeMonthly.month) >= first,
            col(DistrictCrimeMonthly.month) <= last,
        )
        .group_by(
            col(DistrictCrimeMonthly.month), col(DistrictCrimeMonthly.district_code), col(DistrictCrimeMonthly.force)
        )
    )
    statement = statement.where(
        col(DistrictCrimeMonthly.crime_type) == crime_type
        if crime_type
        else col(DistrictCrimeMonthly.crime_type) != ASB
    )
    frame = _month_counts(url, statement)
    return frame


@cached
def district_months(url: str, districts: tuple[str, ...]) -> pd.DataFrame:
    """Which force's files gave each district rows in each month: month, district_code, force (all crime types)."""
    statement = (
        select(
            col(DistrictCrimeMonthly.month), col(DistrictCrimeMonthly.district_code), col(DistrictCrimeMonthly.force)
        )
        .where(col(DistrictCrimeMonthly.district_code).in_(districts))
        .distinct()
    )
    frame = select_frame(url, statement)
    frame["month"] = pd.to_datetime(frame["month"]).dt.date
    return frame


@cached
def own_real_crime(url: str, first: date, last: date, crime_type: str | None = None) -> pd.DataFrame:
    """The partnership's own police.uk counts by month (real months only, never illustrative): month, count (of one
    crime type, or None: all crime but anti-social behaviour)."""
    statement = (
        select(col(CrimeCityMonthly.month), func.sum(col(CrimeCityMonthly.count)).label("count"))
        .where(
            col(CrimeCityMonthly.illustrative).is_(False),
            col(CrimeCityMonthly.month) >= first,
            col(CrimeCityMonthly.month) <= last,
        )
        .group_by(col(CrimeCityMonthly.month))
        .order_by(col(CrimeCityMonthly.month))
    )
    statement = statement.where(
        col(CrimeCityMonthly.crime_type) == crime_type if crime_type else col(CrimeCityMonthly.crime_type) != ASB
    )
    frame = _month_counts(url, statement)
    return frame


@cached
def district_crime_types(url: str) -> list[str]:
    """The police.uk crime types the peers' counts hold."""
    return [str(t) for t in select_frame(url, select(col(DistrictCrimeMonthly.crime_type)).distinct())["crime_type"]]
