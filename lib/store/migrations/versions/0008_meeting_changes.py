"""the meetings' own audit trail: every meeting scheduled, changed or removed, with who and when

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 23:30:00

Meetings could be added but never corrected or removed (issue 27): `saferleeds meeting update|remove` now do both,
and each change, like each addition, is kept here with the dates before and after.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create meetingchange."""
    op.create_table(
        "meetingchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("who", sa.String(), nullable=False),
        sa.Column("change", sa.String(), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("data_cutoff", sa.Date(), nullable=True),
        sa.Column("new_meeting_date", sa.Date(), nullable=True),
        sa.Column("new_data_cutoff", sa.Date(), nullable=True),
        sa.Column("note", sa.String(), server_default="", nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_meetingchange_meeting_date", "meetingchange", ["meeting_date"])


def downgrade() -> None:
    """Drop meetingchange."""
    op.drop_index("ix_meetingchange_meeting_date", table_name="meetingchange")
    op.drop_table("meetingchange")
