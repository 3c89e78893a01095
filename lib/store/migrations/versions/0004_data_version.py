"""data version: one row every write increases, so cached reads in every process see new data; import batches say
which process writes them

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 17:10:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create dataversion with its one row, and importbatch.worker."""
    table = op.create_table(
        "dataversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "version": 1, "changed_at": None}])
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("importbatch")}
    if "worker" not in columns:  # a downgrade keeps it (see below)
        op.add_column("importbatch", sa.Column("worker", sa.String(), nullable=True))


def downgrade() -> None:
    """Drop dataversion. importbatch.worker stays: a nullable column older code does not know is harmless, and
    dropping it on SQLite means rebuilding a table other tables refer to."""
    op.drop_table("dataversion")
