"""police.uk crime fetched by itself: the log of fetches

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 04:10:00

policeukfetch: one row per `saferleeds fetch policeuk` or Fetch now: forces, months, archives read, bytes received,
the newest month published, how it ended and, while it runs, its progress.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the fetch log."""
    op.create_table(
        "policeukfetch",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("who", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("forces", sa.String(), nullable=False, server_default=""),
        sa.Column("months", sa.String(), nullable=False, server_default=""),
        sa.Column("archives", sa.String(), nullable=False, server_default=""),
        sa.Column("bytes_received", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("archive_bytes", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("newest_published", sa.String(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False, server_default=""),
        sa.Column("progress", sa.Float(), nullable=False, server_default="0"),
        sa.Column("progress_text", sa.String(), nullable=False, server_default=""),
        sa.Column("worker", sa.String(), nullable=True),
    )


def downgrade() -> None:
    """Drop the fetch log."""
    op.drop_table("policeukfetch")
