"""priorities and delivery boards can be retired from a date, as KPIs can

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 19:30:00

priority.retired_from, deliveryboard.retired_from: a retired priority or board keeps its name, deliverables and
history, and shows on meetings before that day only.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add priority.retired_from and deliveryboard.retired_from."""
    # Plain ALTER TABLE on both backends: a batch copy would trip the foreign keys that point at these tables.
    op.execute("ALTER TABLE priority ADD COLUMN retired_from DATE")
    op.execute("ALTER TABLE deliveryboard ADD COLUMN retired_from DATE")


def downgrade() -> None:
    """Drop the two columns (SQLite 3.35+ and PostgreSQL)."""
    op.execute("ALTER TABLE deliveryboard DROP COLUMN retired_from")
    op.execute("ALTER TABLE priority DROP COLUMN retired_from")
