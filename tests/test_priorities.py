"""Shared priorities and delivery boards managed by admins (issue 30): added, renamed and retired with the history
kept, a priority never retired from under KPIs still in force, every change logged."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from lib import cli
from lib.core import roles
from lib.ingest import catalogue, priorities
from lib.store import queries

ADMIN = roles.operator("admin@council.test")


def test_an_admin_adds_a_priority_with_the_next_number_and_it_is_logged(seeded_url):
    before = set(queries.priorities(seeded_url)["id"])
    row = priorities.add_priority(seeded_url, {"name": "Serious violence duty", "silver_board": "SV Board"}, ADMIN)
    assert row["id"] == max(before) + 1
    assert set(queries.priorities(seeded_url)["id"]) == before | {row["id"]}
    log = queries.catalogue_changes(seeded_url).iloc[0]
    assert (log["kind"], log["code"], log["changed_by"]) == ("priority added", str(row["id"]), ADMIN.label)


@pytest.mark.parametrize(
    ("fields", "number", "message"),
    [
        ({"name": "ASB and Public Order", "silver_board": "x"}, None, "already called"),
        ({"name": "  ", "silver_board": "x"}, None, "--name is empty"),
        ({"name": "New", "silver_board": "x"}, 1, "priority 1 exists already"),
        ({"name": "New"}, None, "--silver_board is required"),
    ],
)
def test_a_bad_priority_is_refused_and_changes_nothing(seeded_url, fields, number, message):
    before = queries.priorities(seeded_url)
    with pytest.raises(ValueError, match=message):
        priorities.add_priority(seeded_url, fields, ADMIN, number)
    assert queries.priorities(seeded_url).equals(before)
    assert queries.catalogue_changes(seeded_url).empty


def test_a_rename_keeps_the_old_name_in_the_log_and_the_kpis_follow(seeded_url):
    old = queries.priorities(seeded_url).set_index("id").loc[4, "name"]
    changed = priorities.update_priority(seeded_url, 4, {"name": "Drugs and alcohol"}, ADMIN)
    assert changed == {"name": {"from": old, "to": "Drugs and alcohol"}}
    assert old in queries.catalogue_changes(seeded_url).iloc[0]["detail"]
    kpis = queries.kpi_catalogue(seeded_url)
    assert set(kpis.loc[kpis["priority_id"] == 4, "priority"]) <= {"Drugs and alcohol"}
    assert priorities.update_priority(seeded_url, 4, {"name": "Drugs and alcohol"}, ADMIN) == {}


def test_a_priority_is_not_retired_from_under_its_kpis_and_shows_only_before_its_retirement(seeded_url):
    meetings = queries.meetings(seeded_url)
    before, after = meetings["data_cutoff"].iloc[-3], meetings["data_cutoff"].iloc[-1]
    day = before + timedelta(days=1)
    kpis = queries.kpi_catalogue(seeded_url)
    own = kpis.loc[kpis["priority_id"] == 1, "code"].tolist()
    assert own
    with pytest.raises(ValueError, match="still has .* KPI"):
        priorities.retire_priority(seeded_url, 1, day, ADMIN)
    for code in own:
        catalogue.retire_kpi(seeded_url, code, day, ADMIN)
    priorities.retire_priority(seeded_url, 1, day, ADMIN)
    assert 1 in set(queries.priorities_as_at(seeded_url, before)["id"])
    assert 1 not in set(queries.priorities_as_at(seeded_url, after)["id"])
    assert 1 in set(queries.priorities(seeded_url)["id"])  # kept, with its history
    with pytest.raises(ValueError, match="already retired"):
        priorities.retire_priority(seeded_url, 1, day, ADMIN)


def test_boards_are_added_renamed_and_retired(seeded_url):
    priorities.add_board(seeded_url, "Night-time economy board", 1, ADMIN)
    with pytest.raises(ValueError, match="already a board called"):
        priorities.add_board(seeded_url, "night-time economy BOARD", None, ADMIN)
    with pytest.raises(ValueError, match="no priority 99"):
        priorities.add_board(seeded_url, "Another board", 99, ADMIN)
    assert "Night-time economy board" in queries.boards_for_priority(seeded_url, 1)
    priorities.update_board(seeded_url, "Night-time economy board", {"name": "Evening economy board"}, ADMIN)
    assert "Evening economy board" in queries.boards_for_priority(seeded_url, 1)
    priorities.retire_board(seeded_url, "Evening economy board", date(2025, 1, 1), ADMIN)
    assert "Evening economy board" in queries.boards_for_priority(seeded_url, 1, date(2024, 12, 31))
    assert "Evening economy board" not in queries.boards_for_priority(seeded_url, 1, date(2025, 1, 1))
    kinds = queries.catalogue_changes(seeded_url)["kind"].tolist()
    assert kinds == ["board retired", "board updated", "board added"]


def test_only_admins_change_priorities_and_boards(seeded_url):
    lead = roles.Actor("lead@council.test", roles.LEAD, priorities=frozenset({1}))
    for change in (
        lambda: priorities.add_priority(seeded_url, {"name": "x", "silver_board": "y"}, lead),
        lambda: priorities.update_priority(seeded_url, 1, {"name": "x"}, lead),
        lambda: priorities.retire_priority(seeded_url, 1, date(2025, 1, 1), lead),
        lambda: priorities.add_board(seeded_url, "x", None, lead),
    ):
        with pytest.raises(roles.PermissionDeniedError, match="only admins"):
            change()
    assert queries.catalogue_changes(seeded_url).empty


def test_priority_and_board_commands(seeded_url, capsys):
    base = ["--database-url", seeded_url]
    assert cli.main([*base, "priority", "add", "--name", "Serious violence", "--board", "SV Board", "--json"]) == 0
    number = json.loads(capsys.readouterr().out)["id"]
    assert cli.main([*base, "priority", "update", str(number), "--name", "Serious violence duty"]) == 0
    assert "name changed" in capsys.readouterr().out
    assert cli.main([*base, "priority", "retire", str(number), "--from", "2026-04-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": number, "retired_from": "2026-04-01"}
    assert cli.main([*base, "priority", "retire", "1", "--from", "2026-04-01"]) == 1
    err = capsys.readouterr().err
    assert "still has" in err and err.count("\n") == 1
    assert cli.main([*base, "priority", "list", "--json"]) == 0
    listed = {p["id"]: p for p in json.loads(capsys.readouterr().out)}
    assert listed[number]["name"] == "Serious violence duty" and listed[number]["retired_from"] == "2026-04-01"
    assert cli.main([*base, "board", "add", "SV delivery board", "--priority", str(number)]) == 0
    assert cli.main([*base, "board", "list", "--json"]) == 0
    boards = {b["name"]: b for b in json.loads(capsys.readouterr().out.split("\n", 1)[1])}
    assert boards["SV delivery board"]["priority_id"] == number


def test_an_admin_assigns_owners_who_may_then_load_what_they_own(seeded_url, capsys):
    from lib.ingest import users

    users.add(seeded_url, "lead@council.test", roles.LEAD, "A Lead")
    base = ["--database-url", seeded_url, "owners"]
    assert cli.main([*base, "add", "lead@council.test", "--kpi", "DS1_TRIAGE"]) == 0
    assert cli.main([*base, "add", "lead@council.test", "--priority", "2", "--json"]) == 0
    capsys.readouterr()
    assert cli.main([*base, "add", "lead@council.test", "--kpi", "DS1_TRIAGE"]) == 1
    assert "already owns" in capsys.readouterr().err
    assert cli.main([*base, "add", "lead@council.test", "--kpi", "NOPE"]) == 1
    assert "unknown kpi" in capsys.readouterr().err
    acting = users.actor(seeded_url, "lead@council.test")
    assert acting is not None and acting.kpis == {"DS1_TRIAGE"} and acting.priorities == {2}
    assert cli.main([*base, "list", "--json"]) == 0
    owned = {(o["kind"], o["value"]): o for o in json.loads(capsys.readouterr().out)}
    assert owned[("kpi", "DS1_TRIAGE")]["called"] == "Leedswatch triage call-back time (DS1 area)"
    assert cli.main([*base, "remove", "lead@council.test", "--kpi", "DS1_TRIAGE"]) == 0
    assert users.actor(seeded_url, "lead@council.test").kpis == frozenset()
    kinds = queries.catalogue_changes(seeded_url)["kind"].tolist()
    assert kinds[:3] == ["owner removed", "owner added", "owner added"]
    lead = users.actor(seeded_url, "lead@council.test")
    with pytest.raises(roles.PermissionDeniedError):
        users.set_owner(seeded_url, "lead@council.test", "kpi", "DS1_CALLS", lead)
