"""effective-dated targets: a KPI's targets from a date until the next one (kpitarget)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 17:00:00

Before, a KPI had one target column, so changing it changed the RAG of every past meeting. kpitarget holds each
target with the date it applies from; "as at a meeting" uses the one in force at its cut-off. Every KPI's target
of today (also "no target", so its RAG rule is kept) is carried over in force from the start of its data: the
earliest period of its values, else of any KPI's, else the day of the upgrade. kpi.target, target_type and
rag_rule stay as the current target. Downgrade drops the table (the current targets are still on kpi).
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create kpitarget and carry every KPI's target over from the start of its data."""
    table = op.create_table(
        "kpitarget",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kpi_code", sa.String(), sa.ForeignKey("kpi.code"), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("target_type", sa.String(), nullable=True),
        sa.Column("rag_rule", sa.Text(), nullable=False, server_default=""),
        sa.Column("set_by", sa.String(), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("kpi_code", "valid_from", name="uq_kpitarget_kpi_from"),
    )
    op.create_index("ix_kpitarget_kpi_code", "kpitarget", ["kpi_code"])
    connection = op.get_bind()
    starts = dict(
        connection.execute(sa.text("SELECT kpi_code, MIN(period_start) FROM kpivalue GROUP BY kpi_code")).all()
    )
    earliest = connection.execute(sa.text("SELECT MIN(period_start) FROM kpivalue")).scalar()
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        {
            "kpi_code": code,
            "valid_from": _as_date(starts.get(code) or earliest) or now.date(),
            "value": target,
            "target_type": target_type,
            "rag_rule": rag_rule or "",
            "set_by": "carried over from the catalogue (migration 0011)",
            "set_at": now,
        }
        for code, target, target_type, rag_rule in connection.execute(
            sa.text("SELECT code, target, target_type, rag_rule FROM kpi")
        ).all()
    ]
    if rows:
        op.bulk_insert(table, rows)


def _as_date(value: object) -> date | None:
    """A date from what the driver gives (SQLite gives text)."""
    if value is None or isinstance(value, date):
        return value  # type: ignore[return-value]
    return date.fromisoformat(str(value)[:10])


def downgrade() -> None:
    """Drop kpitarget."""
    op.drop_index("ix_kpitarget_kpi_code", table_name="kpitarget")
    op.drop_table("kpitarget")
