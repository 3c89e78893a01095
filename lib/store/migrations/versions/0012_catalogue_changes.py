"""the catalogue managed in the app: a KPI can be retired from a date, and every change is logged

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 17:30:00

kpi.retired_from: a retired KPI keeps its values and history and shows on meetings before that day only.
cataloguechange: every KPI added, updated or retired, with who and when (Data & sources lists them).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add kpi.retired_from and the change log."""
    # Plain ALTER TABLE on both backends: a batch copy of kpi would trip the foreign keys that point at it.
    op.execute("ALTER TABLE kpi ADD COLUMN retired_from DATE")
    op.create_table(
        "cataloguechange",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_cataloguechange_code", "cataloguechange", ["code"])


def downgrade() -> None:
    """Drop the change log and kpi.retired_from."""
    op.drop_index("ix_cataloguechange_code", table_name="cataloguechange")
    op.drop_table("cataloguechange")
    op.execute("ALTER TABLE kpi DROP COLUMN retired_from")  # SQLite 3.35+ and PostgreSQL
