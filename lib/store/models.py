"""SQLModel tables: the schema every page, import and command reads and writes (migrated by Alembic)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Index, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from lib.area import current as current_area

RAG_STATUSES = ("on track", "at risk", "complete", "withdrawn", "not yet reported")


class Ward(SQLModel, table=True):
    """One of the area's electoral wards: current (WD25) code, WD19 code, committee area, population, centroid."""

    code: str = Field(primary_key=True, max_length=9)
    wd19_code: str = Field(unique=True, max_length=9)
    name: str = Field(unique=True)
    committee_area: str = Field(index=True)
    population: int
    population_year: int
    population_source: str
    centroid_lat: float
    centroid_lon: float


class Priority(SQLModel, table=True):
    """A shared priority of the partnership's plan, with its Silver board (numbered; the number is permanent)."""

    id: int = Field(primary_key=True)
    name: str = Field(unique=True)
    silver_board: str
    plan: str
    summary: str = Field(sa_column=Column(Text, nullable=False))
    retired_from: date | None = None  # retired: on meetings before this day only; its history is kept


class DeliveryBoard(SQLModel, table=True):
    """A Delivery (Silver) board of the partnership's strategy."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    strategy: str
    priority_id: int | None = Field(default=None, foreign_key="priority.id", index=True)
    retired_from: date | None = None  # retired: on meetings before this day only


class Deliverable(SQLModel, table=True):
    """A key deliverable of a priority (2021-24 plan) or a delivery board (2024-27 strategy), with its status."""

    id: int | None = Field(default=None, primary_key=True)
    ref: str = Field(unique=True)
    priority_id: int | None = Field(default=None, foreign_key="priority.id", index=True)
    board_id: int | None = Field(default=None, foreign_key="deliveryboard.id", index=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    status: str
    status_basis: str = Field(sa_column=Column(Text, nullable=False))
    source: str


class Kpi(SQLModel, table=True):
    """A key performance indicator: what is measured, in what unit, which way is better, and against what target."""

    code: str = Field(primary_key=True)
    name: str
    priority_id: int | None = Field(default=None, foreign_key="priority.id", index=True)
    unit: str
    direction: str  # "lower_is_better" | "higher_is_better" | "neutral"
    target: float | None = None
    target_type: str | None = None  # "maximum" | "minimum" | None
    rag_rule: str = Field(sa_column=Column(Text, nullable=False))
    frequency: str  # "monthly" | "annual" | "period" (one-off figures over a stated period)
    geography: str  # "city" | "area" | "ward"
    area_code: str = Field(default_factory=lambda: current_area().code)  # the area its headline series describes
    area_name: str = Field(default_factory=lambda: current_area().name)
    sensitive: bool = False  # disclosure control applies to ward-level counts
    definition: str = Field(sa_column=Column(Text, nullable=False))
    owner: str
    source: str
    headline_rank: int | None = None  # position among the Overview headline tiles, if any
    retired_from: date | None = None  # retired: on meetings before this day only; its values and history are kept


class CatalogueChange(SQLModel, table=True):
    """One change to the catalogue (a KPI, priority or board added, updated or retired): what, who and when."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str  # "kpi added" | "kpi updated" | "kpi retired" | "priority added" | ... | "board retired"
    code: str = Field(index=True)  # the KPI's code, the priority's number or the board's name
    detail: str = Field(sa_column=Column(Text, nullable=False))
    changed_by: str
    changed_at: datetime


class ImportBatch(SQLModel, table=True):
    """One load into the database (seed, illustrative generator, file import), successful or not."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(index=True)  # "seed" | "illustrative" | "kpi_return" | "policeuk"
    file_name: str
    sha256: str = Field(index=True, max_length=64)
    who: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str  # an ImportStatus (lib/core/vocabulary.py)
    rows_read: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    rows_outside: int = 0
    illustrative: bool = False
    errors: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    worker: str | None = None  # "host:pid" of the process writing a batch still running (a killed one is stale)


class PoliceUkFetch(SQLModel, table=True):
    """One run of `saferleeds fetch policeuk` (or Fetch now): what it asked police.uk for, what it got, and how it
    ended; a running one's progress (its worker is "host:pid", as for a running import)."""

    id: int | None = Field(default=None, primary_key=True)
    who: str
    started_at: datetime
    finished_at: datetime | None = None
    status: str  # a FetchStatus (lib/core/vocabulary.py)
    forces: str = ""  # comma-separated police.uk force names
    months: str = ""  # comma-separated YYYY-MM fetched (or asked for, when it failed)
    archives: str = ""  # the archive files read, comma-separated
    bytes_received: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    # the size of the archives read: what downloading them whole would have cost
    archive_bytes: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    newest_published: str | None = None  # YYYY-MM: the newest month police.uk lists
    message: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    progress: float = 0.0
    progress_text: str = ""
    worker: str | None = None


class DataVersion(SQLModel, table=True):
    """One row: a number every write that changes what pages show increases in its own transaction. Cached reads are
    keyed on it, so every viewer, in any process or replica, sees new data on their next rerun."""

    id: int = Field(default=1, primary_key=True)
    version: int = 1
    changed_at: datetime | None = None


class AppUser(SQLModel, table=True):
    """A person who may sign in: their e-mail (as the sign-in provider gives it), name, role and whether active."""

    email: str = Field(primary_key=True)
    name: str = ""
    role: str  # lib/core/roles.py ROLES
    active: bool = True
    created_at: datetime | None = None
    updated_at: datetime | None = None


class UserScope(SQLModel, table=True):
    """One scope of a user: a priority or KPI a lead owns, or a councillor's ward."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(foreign_key="appuser.email", index=True)
    kind: str  # "priority" | "kpi" | "ward"
    value: str


class SignIn(SQLModel, table=True):
    """Every sign-in, allowed or not: when, who, and what happened."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    email: str
    result: str  # "signed in" | "not a user" | "inactive"


class KpiTarget(SQLModel, table=True):
    """A KPI's target from a date until the next one's: its value (None: no target), type and RAG rule, who set it
    and when. "As at a meeting" uses the one in force at the meeting's data cut-off, so a board's record never changes
    when a target is reset later (lib/analysis/targets.py)."""

    __table_args__ = (UniqueConstraint("kpi_code", "valid_from", name="uq_kpitarget_kpi_from"),)

    id: int | None = Field(default=None, primary_key=True)
    kpi_code: str = Field(foreign_key="kpi.code", index=True)
    valid_from: date
    value: float | None = None
    target_type: str | None = None  # "maximum" | "minimum" | None
    rag_rule: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    set_by: str
    set_at: datetime


class KpiValue(SQLModel, table=True):
    """One value of a KPI for a period and area; a correction is a new revision and the old one is kept."""

    __table_args__ = (
        UniqueConstraint(
            "kpi_code",
            "area_code",
            "period_start",
            "period_end",
            "illustrative",
            "revision",
            name="uq_kpivalue_revision",
        ),
        Index("ix_kpivalue_series", "kpi_code", "area_code", "is_current", "period_end"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kpi_code: str = Field(foreign_key="kpi.code")
    area_code: str = Field(default_factory=lambda: current_area().code)  # a ward, the partnership or the KPI's area
    period_start: date
    period_end: date
    value: float
    numerator: float | None = None
    denominator: float | None = None
    qualifier: str = ""  # the document's own hedge, e.g. "more than", "as low as"
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    source: str  # source document file name or dataset
    source_section: str = ""
    illustrative: bool = Field(default=False, index=True)
    loaded_at: datetime
    import_batch_id: int | None = Field(default=None, foreign_key="importbatch.id", index=True)
    revision: int = 1
    is_current: bool = True


class Meeting(SQLModel, table=True):
    """A meeting of the partnership's board and the data cut-off its performance report used."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_date: date = Field(unique=True)
    data_cutoff: date
    illustrative: bool = False
    note: str = ""


class MeetingChange(SQLModel, table=True):
    """A meeting scheduled ("added"), corrected ("updated": its dates before and after) or "removed", by whom."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    who: str
    change: str
    meeting_date: date = Field(index=True)
    data_cutoff: date | None = None
    new_meeting_date: date | None = None
    new_data_cutoff: date | None = None
    note: str = Field(default="", sa_column=Column(String, nullable=False, server_default=""))


class CrimeRecord(SQLModel, table=True):
    """One police.uk street-level record (a crime or an ASB incident) with its ward assigned.

    Unique by month, then key (migration 0007): every read and update names the month, and an import writes each
    month's keys into one part of the index instead of all over it."""

    __table_args__ = (Index("ux_crimerecord_month_record_key", "month", "record_key", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    record_key: str  # Crime ID, or a stable hash of the fields for ASB rows
    crime_id: str | None = None
    month: date
    reported_by: str
    falls_within: str
    longitude: float | None = None
    latitude: float | None = None
    location: str
    lsoa_code: str
    lsoa_name: str
    crime_type: str
    last_outcome: str = ""
    context: str = ""
    ward_code: str  # pages read the aggregate, never these rows: only the month index is needed (import speed)
    import_batch_id: int | None = Field(default=None, foreign_key="importbatch.id")


class CrimeRecordHistory(SQLModel, table=True):
    """What a police.uk record said before a later file changed it (outcome or crime type): nothing is lost."""

    id: int | None = Field(default=None, primary_key=True)
    record_key: str = Field(index=True)
    month: date | None = None  # the record's month (with record_key, how it is found); kept for every change since 0007
    crime_type: str
    last_outcome: str
    context: str = ""
    replaced_at: datetime
    replaced_by_batch_id: int | None = Field(default=None, foreign_key="importbatch.id")


class CrimeMonthFingerprint(SQLModel, table=True):
    """A digest of one month's rows as an imported police.uk file gave them (every row, in the file's order), while
    the records it wrote are stored unchanged: a re-issued file (new bytes, the same rows) whose every month matches
    one is known to add nothing before a row is checked. A later file that changes a record of the month removes the
    month's other fingerprints."""

    month: date = Field(primary_key=True)
    fingerprint: str = Field(primary_key=True, max_length=64)
    rows: int
    peers_counted: bool  # the write counted the rows outside the area for the peers (the national lookup was there)
    import_batch_id: int | None = Field(default=None, foreign_key="importbatch.id")


class CrimeMonthly(SQLModel, table=True):
    """Pre-aggregated crime counts: month x ward x police.uk crime type, kept in step by imports."""

    __table_args__ = (Index("ix_crimemonthly_ward_month", "ward_code", "month"),)

    month: date = Field(primary_key=True)
    ward_code: str = Field(primary_key=True)
    crime_type: str = Field(primary_key=True)
    illustrative: bool = Field(primary_key=True)
    count: int


class CrimeCityMonthly(SQLModel, table=True):
    """City-wide crime counts: month x police.uk crime type, CrimeMonthly summed over the wards at import, so the
    pages that show the whole area read a few hundred rows instead of tens of thousands."""

    month: date = Field(primary_key=True)
    crime_type: str = Field(primary_key=True)
    illustrative: bool = Field(primary_key=True)
    count: int


class DistrictCrimeMonthly(SQLModel, table=True):
    """Peers' crime without their rows: a police.uk file's rows outside the partnership counted at import by local
    authority district (today's code) x month x crime type, apart for each force whose files they came from (a
    force's re-issued month replaces that force's counts for the month)."""

    month: date = Field(primary_key=True)
    district_code: str = Field(primary_key=True, max_length=9)
    force: str = Field(primary_key=True)  # the file's "Falls within", e.g. "South Yorkshire Police"
    crime_type: str = Field(primary_key=True)
    count: int
    import_batch_id: int | None = Field(default=None, foreign_key="importbatch.id")


class PeerGroup(SQLModel, table=True):
    """A named group of areas the partnership compares itself with (e.g. its force's other districts)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    position: int = 0
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class PeerArea(SQLModel, table=True):
    """One area of a peer group: one or more local authority districts (a whole partnership, or one district)."""

    __table_args__ = (UniqueConstraint("group_id", "code", name="uq_peerarea_group_code"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="peergroup.id", index=True)
    position: int = 0
    code: str  # what the area is reported under: its district's code today, or its partnership's (CSP) code
    name: str
    districts: str  # today's district codes, comma-separated
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class KpiReport(SQLModel, table=True):
    """A priority lead's exception report (or commentary) on a KPI for a meeting. A draft is edited in place; once
    submitted, every edit is a new revision and the earlier ones are kept."""

    __table_args__ = (
        UniqueConstraint("meeting_date", "kpi_code", "revision", name="uq_kpireport_revision"),
        Index("ix_kpireport_meeting", "meeting_date", "is_current"),
    )

    id: int | None = Field(default=None, primary_key=True)
    meeting_date: date = Field(foreign_key="meeting.meeting_date")
    kpi_code: str = Field(foreign_key="kpi.code")
    revision: int = 1
    is_current: bool = True
    status: str  # "draft" | "submitted"
    happening: str = Field(sa_column=Column(Text, nullable=False))  # what is happening (the report's text)
    doing: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    by_when: date | None = None
    help_asked: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    author: str
    written_at: datetime
    submitted_at: datetime | None = None


class MeetingAction(SQLModel, table=True):
    """An action from an Executive meeting: what, whose, by when, and its status (overdue is computed, not stored).
    Open actions carry over to every later meeting until done or dropped."""

    id: int | None = Field(default=None, primary_key=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    owner_email: str = Field(index=True)
    owner_name: str = ""
    organisation: str = ""
    priority_id: int | None = Field(default=None, foreign_key="priority.id")
    kpi_code: str | None = Field(default=None, foreign_key="kpi.code")
    meeting_raised: date = Field(foreign_key="meeting.meeting_date", index=True)
    due: date
    status: str  # "open" | "done" | "dropped"
    created_by: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None = None  # when it was last marked done or dropped


class ActionUpdate(SQLModel, table=True):
    """One entry in an action's history: raised, a status change or a note, with who and when."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="meetingaction.id", index=True)
    at: datetime
    who: str
    status: str
    note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class Decision(SQLModel, table=True):
    """A decision of an Executive meeting: what was decided, for which priority, proposed by whom."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_date: date = Field(foreign_key="meeting.meeting_date", index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    priority_id: int | None = Field(default=None, foreign_key="priority.id")
    proposed_by: str = ""
    recorded_by: str
    recorded_at: datetime
