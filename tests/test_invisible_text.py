"""Invisible characters (issue 27): C1 controls (CSI among them) and bidirectional overrides and isolates were stored
as typed and reached the terminal, pages, CSVs and the pack ("pay", U+202E, "0001", U+202C, "pounds" read reversed in
the PowerPoint). They are removed wherever text is accepted, and again wherever stored text is shown or written, on
both backends."""

from __future__ import annotations

import json
from datetime import date

from pptx import Presentation
from sqlalchemy import text

from lib import cli
from lib.core import exports, roles
from lib.core.text import INVISIBLE, literal, visible
from lib.ingest import kpi_returns, meeting_records, users, versions
from lib.pack import files
from lib.store import db, meeting_queries

MEETING = date(2024, 11, 21)
TRICK = "pay \u202e0001\u202c pounds \x9b31m \u2066caf\u00e9\u2069\u0085"
SHOWN = "pay 0001 pounds 31m caf\u00e9"
STORED_TEXT = {  # every free-text column a person fills, table: columns
    "importbatch": ("file_name",),
    "appuser": ("name",),
    "kpivalue": ("note",),
    "meeting": ("note",),
    "kpireport": ("happening", "doing", "help_asked"),
    "meetingaction": ("text", "owner_name", "organisation"),
    "actionupdate": ("note",),
    "decision": ("text", "proposed_by"),
}


def _stored(url: str) -> dict[str, list[str]]:
    """Every stored free-text value that is not empty, by table.column."""
    values = {}
    with db.get_engine(url).connect() as connection:
        for table, columns in STORED_TEXT.items():
            for column in columns:
                rows = connection.execute(text(f"SELECT {column} FROM {table}"))  # noqa: S608 - names from the dict
                values[f"{table}.{column}"] = [v for (v,) in rows if v]
    return values


def test_the_rule_removes_exactly_the_invisible_controls():
    assert visible(TRICK) == SHOWN and visible("a\tb\r\nc") == "a\tb\nc"
    assert INVISIBLE.search(literal(TRICK)) is None
    kept = "\u00e9\u00a0\u0628\u05d0\u4e2d\u200d\U0001f600"  # accents, no-break space, Arabic, Hebrew, CJK, ZWJ, emoji
    assert visible(kept) == kept


def test_nothing_typed_or_imported_is_stored_with_invisible_controls(seeded_url):
    acting = roles.operator("tester")
    users.add(seeded_url, "someone@leeds.test", "councillor", TRICK)
    header = ",".join(kpi_returns.COLUMNS)
    data = f'{header}\nDS1_RESPONSE,2024-10-01,2024-10-31,,44,,,"{TRICK}"\n'.encode()
    preview = kpi_returns.check(seeded_url, f"return {TRICK}.csv", data)
    assert preview.ok, preview.problems
    kpi_returns.import_preview(seeded_url, preview, "tester")
    meeting_records.update_meeting(seeded_url, acting, MEETING, note=TRICK)
    meeting_records.set_report(seeded_url, acting, "DS1_CALLS", MEETING, TRICK, TRICK, None, TRICK, submit=True)
    action = meeting_records.add_action(
        seeded_url, acting, MEETING, "owner@leeds.test", date(2025, 1, 16), TRICK, 1, None, TRICK, TRICK
    )
    meeting_records.update_action(seeded_url, acting, action, None, TRICK)
    meeting_records.add_decision(seeded_url, acting, MEETING, TRICK, 1, TRICK)

    stored = _stored(seeded_url)
    assert [name for name, values in stored.items() if not any(SHOWN in v for v in values)] == []
    assert [v for values in stored.values() for v in values if INVISIBLE.search(v)] == []


def test_decisions_add_echoes_what_was_stored_not_what_was_typed(seeded_url, capsys):
    argv = ["decisions", "add", "--meeting", MEETING.isoformat(), "--text", f"  {TRICK}  ", "--json"]
    assert cli.main(["--database-url", seeded_url, *argv]) == 0
    echoed = json.loads(capsys.readouterr().out)
    assert echoed["text"] == SHOWN


def test_text_stored_before_the_rule_never_reaches_the_pack_a_csv_or_the_terminal(seeded_url, tmp_path, capsys):
    """A decision written straight into the database (as before the rule) is still shown without its controls."""
    with db.get_engine(seeded_url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO decision (meeting_date, text, proposed_by, recorded_by, recorded_at) "
                "VALUES (:day, :body, '', 'tester', '2024-11-21 10:00:00')"
            ),
            {"day": MEETING, "body": TRICK},
        )
        versions.bump(connection)
    files.write(seeded_url, MEETING, tmp_path / "pack.pptx")
    deck = Presentation(str(tmp_path / "pack.pptx"))
    words = [
        paragraph.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
        for paragraph in shape.text_frame.paragraphs
    ]
    assert any(SHOWN in w for w in words) and not [w for w in words if INVISIBLE.search(w)]

    csv = exports.csv_bytes(meeting_queries.decisions(seeded_url, MEETING)).decode()
    assert SHOWN in csv and INVISIBLE.search(csv) is None

    assert cli.main(["--database-url", seeded_url, "meeting", "show", MEETING.isoformat()]) == 0
    out = capsys.readouterr().out
    assert SHOWN in out and INVISIBLE.search(out) is None
