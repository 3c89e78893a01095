"""Re-issued police.uk files known by their rows: a fingerprint of each month's rows as imported

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 21:10:00

crimemonthfingerprint: per month, the SHA-256 of the rows a police.uk file gave (in its order) and how many, for as
long as the records written from them are unchanged. A re-issued file (new bytes, the same rows) matching them adds
nothing and is not checked row by row. Files imported before this revision have none: their first re-issue is read
in full, as before, and records its fingerprints.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the month fingerprints."""
    op.create_table(
        "crimemonthfingerprint",
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("fingerprint", sa.String(length=64), primary_key=True),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("peers_counted", sa.Boolean(), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), sa.ForeignKey("importbatch.id"), nullable=True),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("crimemonthfingerprint")
