"""The meeting's records (issue 17) on both backends, through the command line's contract: exception reports with
drafts and revisions, actions carried over and judged overdue, decisions, who may do what, and bad input refused with
one line and nothing written."""

from __future__ import annotations

import json
from datetime import date

import pytest
from helpers import table_checksums

from lib import cli
from lib.core import workdays
from lib.ingest import meeting_records, users
from lib.store import meeting_queries, queries

M1, M2 = "2024-09-19", "2024-11-21"  # the last two (illustrative) meetings of the seeded data
LATER = "2027-01-21"  # a meeting scheduled after today, as the Executive would add it
OFF_TRACK = "DS1_CALLS"  # priority 1, a special-cause concern at M2's cut-off in the seeded data
ON_TRACK = "DS1_RESPONSE"  # priority 1, not off track at M2
LEAD, OTHER_LEAD, EXEC, CLLR = "lead@leeds.test", "lead9@leeds.test", "exec@leeds.test", "cllr@leeds.test"


def _cli(capsys, url: str, *argv: str) -> tuple[int, object, str]:
    code = cli.main(["--database-url", url, *argv])
    captured = capsys.readouterr()
    out = json.loads(captured.out) if code == 0 and "--json" in argv else captured.out
    return code, out, captured.err


@pytest.fixture
def url(seeded_url: str) -> str:
    users.add(seeded_url, LEAD, "lead", "Lee Dee", priorities=["1"])
    users.add(seeded_url, OTHER_LEAD, "lead", priorities=["9"])
    users.add(seeded_url, EXEC, "executive", "Exa Cutive")
    users.add(seeded_url, CLLR, "councillor")
    return seeded_url


def test_meeting_list_is_oldest_first_with_cut_offs(capsys, url):
    code, rows, _ = _cli(capsys, url, "meeting", "list", "--json")
    assert code == 0 and rows[0] == {"meeting": "2021-05-20", "cut_off": "2021-04-30"}
    assert [r["meeting"] for r in rows] == sorted(r["meeting"] for r in rows) and rows[-1]["meeting"] == M2
    code, added, _ = _cli(capsys, url, "meeting", "add", LATER, "--cut-off", "2026-12-31", "--user", EXEC, "--json")
    assert code == 0 and added == {"meeting": LATER, "cut_off": "2026-12-31"}
    _, rows, _ = _cli(capsys, url, "meeting", "list", "--json")
    assert rows[-1] == {"meeting": LATER, "cut_off": "2026-12-31"}


@pytest.mark.parametrize(
    ("meeting", "cut_off"), [("9999-12-31", "9999-12-30"), ("0001-01-02", "0001-01-01"), (LATER, "2001-12-31")]
)
def test_a_meeting_outside_the_plausible_window_is_refused(capsys, url, meeting, cut_off):
    """Issue 27: year 9999 became every page's default and broke the Meeting page; year 1 broke three pages."""
    before = table_checksums(url)
    code, _, err = _cli(capsys, url, "meeting", "add", meeting, "--cut-off", cut_off, "--user", EXEC)
    assert code == 1 and "is outside" in err and "(the first month of data)" in err and len(err.splitlines()) == 1
    assert table_checksums(url) == before


def test_a_meeting_is_corrected_or_removed_only_while_nothing_refers_to_it_and_every_change_is_kept(capsys, url):
    code, _, _ = _cli(capsys, url, "meeting", "add", LATER, "--cut-off", "2026-12-31", "--user", EXEC)
    assert code == 0
    code, moved, _ = _cli(
        capsys,
        url,
        "meeting",
        "update",
        LATER,
        "--date",
        "2027-01-28",
        "--note",
        "moved a week",
        "--user",
        EXEC,
        "--json",
    )
    assert code == 0 and moved == {"meeting": "2027-01-28", "cut_off": "2026-12-31", "note": "moved a week"}
    code, _, err = _cli(capsys, url, "meeting", "update", "2027-01-28", "--cut-off", "2027-01-28", "--user", EXEC)
    assert code == 1 and "cut-off must be before the meeting" in err
    _cli(capsys, url, "report", "set", OFF_TRACK, "--meeting", M2, "--text", "Held.", "--user", LEAD)
    code, _, err = _cli(capsys, url, "meeting", "remove", M2, "--user", EXEC)
    assert code == 1 and err.strip().endswith("has 1 exception reports or commentary: it cannot be removed")
    code, _, err = _cli(capsys, url, "meeting", "update", M2, "--date", "2024-11-28", "--user", EXEC)
    assert code == 1 and "1 exception reports or commentary" in err and "cannot move" in err
    code, fixed, _ = _cli(capsys, url, "meeting", "update", M2, "--cut-off", "2024-10-30", "--user", EXEC, "--json")
    assert code == 0 and fixed["cut_off"] == "2024-10-30"  # a held meeting's cut-off can be corrected
    code, _, err = _cli(capsys, url, "meeting", "remove", "2027-01-28", "--user", LEAD)
    assert code == 1 and "lead" in err
    code, removed, _ = _cli(capsys, url, "meeting", "remove", "2027-01-28", "--user", EXEC, "--json")
    assert code == 0 and removed == {"removed": "2027-01-28"}
    assert "2027-01-28" not in {str(d) for d in queries.meetings(url)["meeting_date"]}
    trail = meeting_queries.meeting_changes(url).sort_values("id")
    assert trail["change"].tolist() == ["added", "updated", "updated", "removed"]
    assert trail["who"].tolist() == [EXEC] * 4
    assert [str(d) for d in trail["new_meeting_date"].tolist()[:2]] == [LATER, "2027-01-28"]


def test_a_lead_drafts_submits_and_revises_an_exception_report(capsys, url):
    version = queries.data_version(url)
    base = ["report", "set", OFF_TRACK, "--meeting", M2, "--user", LEAD, "--json"]
    code, draft, _ = _cli(capsys, url, *base, "--text", "Calls rose after the summer.")
    assert code == 0 and draft["kind"] == "exception" and draft["status"] == "draft" and draft["revision"] == 1
    assert draft["author"] == LEAD and draft["due"] == "2024-11-14"  # 5 working days before Thursday 21 November
    assert queries.data_version(url) == version + 1  # other viewers see it on their next rerun
    _, redraft, _ = _cli(capsys, url, *base, "--text", "Calls rose after the summer heat.")
    assert redraft["change"] == "updated" and redraft["revision"] == 1  # a draft is edited in place
    _, submitted, _ = _cli(capsys, url, *base, "--text", "Calls rose after the summer heat.", "--submit")
    assert submitted["status"] == "submitted" and submitted["revision"] == 1 and submitted["submitted_at"]
    _, revised, _ = _cli(capsys, url, *base, "--text", "Calls rose; a second officer is on nights.", "--by", M2)
    assert revised["change"] == "revised" and revised["revision"] == 2 and revised["status"] == "submitted"
    _, again, _ = _cli(capsys, url, *base, "--text", "Calls rose; a second officer is on nights.", "--by", M2)
    assert again["change"] == "unchanged" and again["revision"] == 2
    history = meeting_queries.reports(url, date.fromisoformat(M2), current_only=False)
    assert history["revision"].tolist() == [1, 2] and history["is_current"].tolist() == [False, True]
    assert history["happening"].iloc[0] == "Calls rose after the summer heat."  # the submitted text is kept

    code, shown, _ = _cli(capsys, url, "meeting", "show", M2, "--json")
    assert code == 0 and shown["meeting"] == M2 and shown["cut_off"] == "2024-10-31"
    off = {item["code"]: item for item in shown["off_track"]}
    assert (
        off[OFF_TRACK]["report"].items()
        >= {
            "text": "Calls rose; a second officer is on nights.",
            "status": "submitted",
            "author": LEAD,
        }.items()
    )
    assert all(item["report"] is None for code, item in off.items() if code != OFF_TRACK)
    assert set(shown) == {"meeting", "cut_off", "off_track", "actions_due", "actions_raised", "decisions"}

    _, commentary, _ = _cli(
        capsys, url, "report", "set", ON_TRACK, "--meeting", M2, "--text", "Steady.", "--user", LEAD, "--json"
    )
    assert commentary["kind"] == "commentary"


@pytest.mark.parametrize("submit", [False, True], ids=["draft", "submitted"])
def test_a_part_left_out_of_report_set_keeps_what_is_stored_and_an_empty_one_clears_it(capsys, url, submit):
    """Issue 27: `report set` without --doing / --help-asked / --by used to blank them (a draft lost them for good,
    a submitted report got a blank revision)."""
    base = ["report", "set", OFF_TRACK, "--meeting", M2, "--user", LEAD, "--json"]
    full = ["--text", "Calls rose.", "--doing", "A second officer", "--by", "2024-12-31", "--help-asked", "Funding"]
    code, first, _ = _cli(capsys, url, *base, *full, *(["--submit"] if submit else []))
    assert code == 0
    code, kept, _ = _cli(capsys, url, *base, "--text", "Calls rose after the summer.")
    assert code == 0 and kept["change"] == ("revised" if submit else "updated")
    assert (kept["text"], kept["doing"], kept["by_when"], kept["help_asked"]) == (
        "Calls rose after the summer.",
        "A second officer",
        "2024-12-31",
        "Funding",
    )
    code, only_submit, _ = _cli(capsys, url, *base, "--submit")  # no part given: all kept
    assert code == 0 and only_submit["text"] == "Calls rose after the summer." and only_submit["status"] == "submitted"
    code, cleared, _ = _cli(capsys, url, *base, "--doing", "", "--by", "")
    assert code == 0 and (cleared["doing"], cleared["by_when"], cleared["help_asked"]) == ("", None, "Funding")
    history = meeting_queries.reports(url, date.fromisoformat(M2), current_only=False)
    # a draft is edited in place until --submit, then revised; a submitted report gets a revision per change
    expected = ["A second officer", "A second officer", ""] if submit else ["A second officer", ""]
    assert history.sort_values("revision")["doing"].tolist() == expected  # every revision whole, as written


def test_markup_is_stored_as_typed(capsys, url):
    typed = "<script>alert(1)</script> **bold** [link](https://evil.example) <img src=x onerror=alert(1)>"
    code, report, _ = _cli(
        capsys, url, "report", "set", OFF_TRACK, "--meeting", M2, "--text", typed, "--user", LEAD, "--json"
    )
    assert code == 0 and report["text"] == typed


def test_an_action_raised_at_one_meeting_is_due_at_the_next_then_overdue_then_done(capsys, url):
    code, action, _ = _cli(
        capsys, url, "actions", "add", "--meeting", M1, "--owner", LEAD, "--due", M2, "--text", "Review the noise rota",
        "--kpi", OFF_TRACK, "--organisation", "Leeds City Council", "--user", EXEC, "--json",
    )  # fmt: skip
    assert code == 0 and isinstance(action["id"], int)
    assert action.items() >= {"owner": LEAD, "priority": 1, "kpi": OFF_TRACK, "due": M2}.items()
    assert action["meeting_raised"] == M1
    _, at_m2, _ = _cli(capsys, url, "actions", "list", "--meeting", M2, "--json")
    assert [(r["id"], r["status"]) for r in at_m2] == [(action["id"], "open")]  # due at the meeting, not after it
    assert set(at_m2[0]) == {"id", "text", "owner", "due", "status", "meeting_raised", "priority", "kpi"}
    _, shown, _ = _cli(capsys, url, "meeting", "show", M2, "--json")
    assert [a["id"] for a in shown["actions_due"]] == [action["id"]]
    _, raised, _ = _cli(capsys, url, "meeting", "show", M1, "--json")
    assert [a["id"] for a in raised["actions_raised"]] == [action["id"]] and raised["actions_due"] == []

    _cli(capsys, url, "meeting", "add", LATER, "--cut-off", "2026-12-31", "--user", EXEC)
    _, later, _ = _cli(capsys, url, "meeting", "show", LATER, "--json")
    assert [(a["id"], a["status"]) for a in later["actions_due"]] == [(action["id"], "overdue")]  # carried over
    _, today, _ = _cli(capsys, url, "actions", "list", "--open", "--json")
    assert [r["status"] for r in today] == ["overdue"]  # judged today, after its date

    code, done, _ = _cli(
        capsys, url, "actions", "update", str(action["id"]), "--status", "done", "--note", "Rota agreed",
        "--user", LEAD, "--json",
    )  # fmt: skip
    assert code == 0 and done["status"] == "done"
    assert meeting_queries.actions(url)[["owner_name", "organisation"]].values.tolist() == [
        ["Lee Dee", "Leeds City Council"]  # the owner's name from the users table
    ]
    _, later, _ = _cli(capsys, url, "meeting", "show", LATER, "--json")
    assert [(a["id"], a["status"]) for a in later["actions_due"]] == [(action["id"], "done")]  # done since M2
    _, still_open, _ = _cli(capsys, url, "actions", "list", "--open", "--json")
    assert still_open == []
    history = meeting_queries.action_updates(url)
    assert history["status"].tolist() == ["open", "done"] and history["who"].tolist() == [EXEC, LEAD]
    assert history["note"].tolist() == ["", "Rota agreed"]


def test_decisions_are_recorded_per_meeting(capsys, url):
    code, decision, _ = _cli(
        capsys, url, "decisions", "add", "--meeting", M2, "--text", "Fund a second noise officer", "--priority", "1",
        "--proposed-by", "Chair", "--user", EXEC, "--json",
    )  # fmt: skip
    assert code == 0
    _, shown, _ = _cli(capsys, url, "meeting", "show", M2, "--json")
    (recorded,) = shown["decisions"]
    assert recorded == {
        "id": decision["id"],
        "text": "Fund a second noise officer",
        "priority": 1,
        "proposed_by": "Chair",
        "recorded_by": EXEC,
        "recorded_at": recorded["recorded_at"],
    }
    _, earlier, _ = _cli(capsys, url, "meeting", "show", M1, "--json")
    assert earlier["decisions"] == []


LONG = "x" * (meeting_records.REPORT_LIMIT + 1)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["report", "set", OFF_TRACK, "--meeting", "2024-11-22", "--text", "x", "--user", LEAD],
            "no meeting on 2024-11-22",
        ),
        (
            ["report", "set", "NOT_A_KPI", "--meeting", M2, "--text", "x", "--user", LEAD],
            "unknown KPI code 'NOT_A_KPI'",
        ),
        (["report", "set", OFF_TRACK, "--meeting", M2, "--text", "  ", "--user", LEAD], "is empty"),
        (["report", "set", OFF_TRACK, "--meeting", M2, "--user", LEAD], "What is happening is empty"),
        (["report", "set", OFF_TRACK, "--meeting", M2, "--text", LONG, "--user", LEAD], "the limit is 4,000"),
        (["report", "set", OFF_TRACK, "--meeting", "21/11/2024", "--text", "x", "--user", LEAD], "YYYY-MM-DD"),
        (["report", "set", OFF_TRACK, "--meeting", M2, "--text", "x", "--user", CLLR], "councillors read"),
        (["report", "set", "WALKSAFE_DOWNLOADS", "--meeting", M2, "--text", "x", "--user", LEAD], "only the lead"),
        (
            ["report", "set", OFF_TRACK, "--meeting", M2, "--text", "x", "--user", "nobody@x.test"],
            "is not a user: ask an admin to add them",
        ),
        (
            ["actions", "add", "--meeting", M2, "--owner", EXEC, "--due", "2025-01-01", "--text", "x", "--user", LEAD],
            "only for themselves",
        ),
        (
            ["actions", "add", "--meeting", M2, "--owner", LEAD, "--due", "2024-11-01", "--text", "x", "--user", EXEC],
            "before the meeting",
        ),
        (
            ["actions", "add", "--meeting", "2024-11-22", "--owner", LEAD, "--due", "2025-01-01", "--text", "x"],
            "no meeting on",
        ),
        (["actions", "add", "--meeting", M2, "--owner", LEAD, "--due", "2025-01-01", "--text", ""], "is empty"),
        (
            ["actions", "add", "--meeting", M2, "--owner", LEAD, "--due", "2025-01-01", "--text", "x", "--kpi", "NOPE"],
            "unknown KPI",
        ),
        (
            ["actions", "add", "--meeting", M2, "--owner", "not-an-email", "--due", "2025-01-01", "--text", "x"],
            "e-mail",
        ),
        (
            [
                "actions",
                "add",
                "--meeting",
                M2,
                "--owner",
                LEAD,
                "--due",
                "2025-01-01",
                "--text",
                "x",
                "--priority",
                "12",
            ],
            "unknown priority",
        ),
        (  # issue 26: a lead scoped to priority 1 raises nothing on priority 2 or its KPIs
            [
                "actions",
                "add",
                "--meeting",
                M2,
                "--owner",
                LEAD,
                "--due",
                "2025-01-01",
                "--text",
                "x",
                "--priority",
                "2",
                "--kpi",
                "DA_SAFETY_PLANS",
                "--user",
                LEAD,
            ],
            "only on their own priorities and KPIs",
        ),  # fmt: skip
        (
            [
                "actions",
                "add",
                "--meeting",
                M2,
                "--owner",
                LEAD,
                "--due",
                "2025-01-01",
                "--text",
                "x",
                "--priority",
                "2",
                "--user",
                LEAD,
            ],
            "only on their own priorities and KPIs",
        ),  # fmt: skip
        (
            [
                "actions",
                "add",
                "--meeting",
                M2,
                "--owner",
                LEAD,
                "--due",
                "2025-01-01",
                "--text",
                "x",
                "--kpi",
                "DA_SAFETY_PLANS",
                "--user",
                LEAD,
            ],
            "only on their own priorities and KPIs",
        ),  # fmt: skip
        (
            [
                "actions",
                "add",
                "--meeting",
                M2,
                "--owner",
                LEAD,
                "--due",
                "2025-01-01",
                "--text",
                "x",
                "--priority",
                "1",
                "--kpi",
                "DA_SAFETY_PLANS",
                "--user",
                EXEC,
            ],
            "belongs to priority 2, not 1",
        ),  # fmt: skip
        (["actions", "update", "999", "--status", "done"], "no action 999"),
        (["actions", "update", "1", "--status", "overdue"], "overdue is worked out"),
        (["actions", "list", "--meeting", "2030-01-01"], "no meeting on 2030-01-01"),
        (["meeting", "show", "2024-11-22"], "no meeting on 2024-11-22"),
        (["meeting", "add", "2027-01-21", "--cut-off", "2027-02-01", "--user", EXEC], "cut-off must be before"),
        (["meeting", "add", M2, "--cut-off", "2024-10-31", "--user", EXEC], "recorded already"),
        (["meeting", "add", "2027-01-21", "--cut-off", "2026-12-31", "--user", LEAD], "may not schedule"),
        (["decisions", "add", "--meeting", M2, "--text", "x", "--user", LEAD], "may not record decisions"),
        (["decisions", "add", "--meeting", M2, "--text", "x" * 2001, "--user", EXEC], "the limit is 2,000"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(capsys, url, argv, message):
    before = table_checksums(url)
    code, out, err = _cli(capsys, url, *argv, "--json")
    assert code != 0 and out == ""
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert table_checksums(url) == before


def test_a_lead_raises_actions_on_their_own_priority_and_kpis(capsys, url):
    base = ["actions", "add", "--meeting", M2, "--owner", LEAD, "--due", "2025-01-31", "--user", LEAD, "--json"]
    code, own, _ = _cli(capsys, url, *base, "--text", "Own KPI", "--kpi", OFF_TRACK)
    assert code == 0 and own["priority"] == 1 and own["kpi"] == OFF_TRACK
    code, _, _ = _cli(capsys, url, *base, "--text", "Own priority", "--priority", "1")
    assert code == 0
    code, _, _ = _cli(
        capsys, url, "actions", "add", "--meeting", M2, "--owner", LEAD, "--due", "2025-01-31", "--text", "Any",
        "--priority", "2", "--kpi", "DA_SAFETY_PLANS", "--user", EXEC, "--json",
    )  # fmt: skip
    assert code == 0  # an executive raises them on any priority, for anyone


@pytest.mark.parametrize("option", ["--user", "--as"])
@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_acting_user_is_a_usage_error_not_the_local_operator(capsys, url, option, value):
    before = table_checksums(url)
    argv = (
        ["users", "add", "new@leeds.test", "--role", "admin", option, value]
        if option == "--as"
        else ["decisions", "add", "--meeting", M2, "--text", "x", option, value]
    )
    with pytest.raises(SystemExit) as exited:
        cli.main(["--database-url", url, *argv])
    out, err = capsys.readouterr()
    assert exited.value.code == 2 and out == "" and "empty or blank" in err and len(err.strip().splitlines()) == 1
    assert table_checksums(url) == before


def test_leads_update_only_their_own_actions_and_executives_any(capsys, url):
    _, mine, _ = _cli(
        capsys, url, "actions", "add", "--meeting", M2, "--owner", LEAD, "--due", "2025-01-31", "--text", "Mine",
        "--user", LEAD, "--json",
    )  # fmt: skip
    _, theirs, _ = _cli(
        capsys, url, "actions", "add", "--meeting", M2, "--owner", OTHER_LEAD, "--due", "2025-01-31", "--text",
        "Theirs", "--priority", "9", "--user", EXEC, "--json",
    )  # fmt: skip
    code, _, err = _cli(capsys, url, "actions", "update", str(theirs["id"]), "--status", "done", "--user", LEAD)
    assert code == 1 and "only their own actions" in err
    code, _, err = _cli(capsys, url, "actions", "update", str(mine["id"]), "--note", "x", "--user", CLLR)
    assert code == 1 and "councillor" in err
    assert _cli(capsys, url, "actions", "update", str(theirs["id"]), "--status", "dropped", "--user", EXEC)[0] == 0
    code, _, err = _cli(capsys, url, "actions", "update", str(theirs["id"]), "--status", "dropped", "--user", EXEC)
    assert code == 1 and "dropped already" in err
    _, rows, _ = _cli(capsys, url, "actions", "list", "--json")
    assert {r["id"]: r["status"] for r in rows} == {mine["id"]: "overdue", theirs["id"]: "dropped"}


def test_report_deadlines_count_working_days_and_bank_holidays():
    # gov.uk's England and Wales list for 2026, substitute Boxing Day included.
    assert sorted(workdays.bank_holidays(2026)) == [
        date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4),
        date(2026, 5, 25), date(2026, 8, 31), date(2026, 12, 25), date(2026, 12, 28),
    ]  # fmt: skip
    assert date(2022, 12, 27) in workdays.bank_holidays(2022)  # Christmas on a Sunday: Tuesday in lieu
    assert workdays.working_days_before(date(2026, 4, 9), 5) == date(2026, 3, 31)  # over Easter
    assert workdays.working_days_before(date(2024, 11, 21), 5) == date(2024, 11, 14)
    assert workdays.working_days_before(date(2024, 11, 21), 0) == date(2024, 11, 21)
