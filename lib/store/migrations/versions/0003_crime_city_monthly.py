"""crime city monthly: the month x crime type aggregate the city-wide pages read, filled from crimemonthly

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 10:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create crimecitymonthly and fill it from the ward aggregate already stored."""
    op.create_table(
        "crimecitymonthly",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("crime_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "crime_type", "illustrative"),
    )
    op.execute(
        "INSERT INTO crimecitymonthly (month, crime_type, illustrative, count) "
        "SELECT month, crime_type, illustrative, SUM(count) FROM crimemonthly "
        "GROUP BY month, crime_type, illustrative"
    )


def downgrade() -> None:
    """Drop crimecitymonthly."""
    op.drop_table("crimecitymonthly")
