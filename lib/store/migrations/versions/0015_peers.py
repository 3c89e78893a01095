"""Peers: crime counts of other districts, and the groups of areas a partnership compares itself with

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 14:00:00

districtcrimemonthly: police.uk rows outside the partnership counted at import by district x month x crime type, per
force (no row-level record of another area is kept). peergroup, peerarea: the named groups and their areas (one or
more districts each), seeded from the area folder's peers.toml and edited by admins.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the district counts and the peer groups."""
    op.create_table(
        "districtcrimemonthly",
        sa.Column("month", sa.Date(), primary_key=True),
        sa.Column("district_code", sa.String(length=9), primary_key=True),
        sa.Column("force", sa.String(), primary_key=True),
        sa.Column("crime_type", sa.String(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("import_batch_id", sa.Integer(), sa.ForeignKey("importbatch.id"), nullable=True),
    )
    op.create_table(
        "peergroup",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False, unique=True),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
    )
    op.create_table(
        "peerarea",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("peergroup.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("districts", sa.String(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.UniqueConstraint("group_id", "code", name="uq_peerarea_group_code"),
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_table("peerarea")
    op.drop_table("peergroup")
    op.drop_table("districtcrimemonthly")
