"""police.uk records keyed by (month, record key): one index instead of two, written in month order

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 23:10:00

A record was unique on its 64-character key alone, with a second index on its month. Keys are hashes, so every
import wrote into random places of the key index, which thrashes the page cache once the table is large (120,000
rows into 1.08 million: 1.65 s; keyed by month then key, 0.65 s). Every read and update of a record already names its
month, so one unique index on (month, record_key) serves them all, and the month index goes. The history of changed
records gains the month, so it joins its record by that index too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNNAMED = {"uq": "uq_%(table_name)s_%(column_0_name)s"}  # how SQLite's unnamed UNIQUE(record_key) is addressed
POSTGRES_UNIQUE = "crimerecord_record_key_key"  # PostgreSQL's own name for it


def upgrade() -> None:
    """Swap crimerecord's UNIQUE(record_key) and month index for UNIQUE(month, record_key); give history its month."""
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("crimerecord", recreate="always", naming_convention=UNNAMED) as batch_op:
            batch_op.drop_constraint("uq_crimerecord_record_key", type_="unique")
            batch_op.drop_index("ix_crimerecord_month")
            batch_op.create_index("ux_crimerecord_month_record_key", ["month", "record_key"], unique=True)
    else:
        op.drop_constraint(POSTGRES_UNIQUE, "crimerecord", type_="unique")
        op.drop_index("ix_crimerecord_month", table_name="crimerecord")
        op.create_index("ux_crimerecord_month_record_key", "crimerecord", ["month", "record_key"], unique=True)
    with op.batch_alter_table("crimerecordhistory", schema=None) as batch_op:
        batch_op.add_column(sa.Column("month", sa.Date(), nullable=True))
    op.execute(
        "UPDATE crimerecordhistory SET month = "
        "(SELECT crimerecord.month FROM crimerecord WHERE crimerecord.record_key = crimerecordhistory.record_key)"
    )


def downgrade() -> None:
    """Back to UNIQUE(record_key) and the month index."""
    with op.batch_alter_table("crimerecordhistory", schema=None) as batch_op:
        batch_op.drop_column("month")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("crimerecord", recreate="always") as batch_op:
            batch_op.drop_index("ux_crimerecord_month_record_key")
            batch_op.create_index("ix_crimerecord_month", ["month"], unique=False)
            batch_op.create_unique_constraint("uq_crimerecord_record_key", ["record_key"])
    else:
        op.drop_index("ux_crimerecord_month_record_key", table_name="crimerecord")
        op.create_index("ix_crimerecord_month", "crimerecord", ["month"], unique=False)
        op.create_unique_constraint(POSTGRES_UNIQUE, "crimerecord", ["record_key"])
