"""stored text without invisible controls: C1 controls and bidirectional overrides and isolates removed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 10:00:00

Text typed or imported before issue 27 could hold C1 controls (U+0080-U+009F, CSI among them) and bidirectional
overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder or hide what is shown ("pay", U+202E, "0001",
U+202C, "pounds" read "pay 1000 pounds" in the pack). New text has them removed as it is accepted (lib/core/text.py); this
removes them from what is stored already, so no page, CSV or pack shows them. It changes text only where such a
character occurs, and cannot be undone (the characters carried no visible meaning).
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rule of lib/core/text.py INVISIBLE when this revision was written (a migration keeps its own copy: it must do
# the same thing whatever the rule becomes later).
INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TEXT_COLUMNS = {  # table: (primary key, free-text columns)
    "importbatch": ("id", ("file_name",)),
    "appuser": ("email", ("name",)),
    "kpivalue": ("id", ("note",)),
    "meeting": ("id", ("note",)),
    "meetingchange": ("id", ("note",)),
    "kpireport": ("id", ("happening", "doing", "help_asked")),
    "meetingaction": ("id", ("text", "owner_name", "organisation")),
    "actionupdate": ("id", ("note",)),
    "decision": ("id", ("text", "proposed_by")),
}


def upgrade() -> None:
    """Remove the invisible controls from every stored free-text column (rows with non-empty text only)."""
    connection = op.get_bind()
    for name, (key, columns) in TEXT_COLUMNS.items():
        table = sa.table(name, sa.column(key), *(sa.column(c) for c in columns))
        holding = sa.or_(*(sa.func.coalesce(table.c[c], "") != "" for c in columns))
        for row in connection.execute(sa.select(table).where(holding)).mappings():
            cleaned = {c: INVISIBLE.sub("", row[c]) for c in columns if row[c]}
            changed = {c: v for c, v in cleaned.items() if v != row[c]}
            if changed:
                connection.execute(sa.update(table).where(table.c[key] == row[key]).values(**changed))


def downgrade() -> None:
    """Nothing to undo: the removed characters are not kept."""
