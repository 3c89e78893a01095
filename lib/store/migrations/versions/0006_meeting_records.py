"""the meeting's records: exception reports, actions with their updates, and decisions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 20:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create kpireport, meetingaction, actionupdate and decision."""
    op.create_table(
        "kpireport",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("kpi_code", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("happening", sa.Text(), nullable=False),
        sa.Column("doing", sa.Text(), server_default="", nullable=False),
        sa.Column("by_when", sa.Date(), nullable=True),
        sa.Column("help_asked", sa.Text(), server_default="", nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["kpi_code"], ["kpi.code"]),
        sa.ForeignKeyConstraint(["meeting_date"], ["meeting.meeting_date"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_date", "kpi_code", "revision", name="uq_kpireport_revision"),
    )
    op.create_index("ix_kpireport_meeting", "kpireport", ["meeting_date", "is_current"])
    op.create_table(
        "meetingaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_email", sa.String(), nullable=False),
        sa.Column("owner_name", sa.String(), nullable=False),
        sa.Column("organisation", sa.String(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column("kpi_code", sa.String(), nullable=True),
        sa.Column("meeting_raised", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["kpi_code"], ["kpi.code"]),
        sa.ForeignKeyConstraint(["meeting_raised"], ["meeting.meeting_date"]),
        sa.ForeignKeyConstraint(["priority_id"], ["priority.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_meetingaction_owner_email", "meetingaction", ["owner_email"])
    op.create_index("ix_meetingaction_meeting_raised", "meetingaction", ["meeting_raised"])
    op.create_table(
        "actionupdate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("who", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), server_default="", nullable=False),
        sa.ForeignKeyConstraint(["action_id"], ["meetingaction.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_actionupdate_action_id", "actionupdate", ["action_id"])
    op.create_table(
        "decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("priority_id", sa.Integer(), nullable=True),
        sa.Column("proposed_by", sa.String(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_date"], ["meeting.meeting_date"]),
        sa.ForeignKeyConstraint(["priority_id"], ["priority.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_decision_meeting_date", "decision", ["meeting_date"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_decision_meeting_date", table_name="decision")
    op.drop_table("decision")
    op.drop_index("ix_actionupdate_action_id", table_name="actionupdate")
    op.drop_table("actionupdate")
    op.drop_index("ix_meetingaction_meeting_raised", table_name="meetingaction")
    op.drop_index("ix_meetingaction_owner_email", table_name="meetingaction")
    op.drop_table("meetingaction")
    op.drop_index("ix_kpireport_meeting", table_name="kpireport")
    op.drop_table("kpireport")
