"""Sign-in, roles and audit (issue 16): users managed from the command line, roles enforced where data is written
(both backends), and the app's gate: a demo badge with sign-in off, one plain line when sign-in is misconfigured, a
sign-in page for anonymous visitors, public pages, and a councillor kept out of Data in."""

from __future__ import annotations

import json

import pytest
from helpers import KPI_TABLES, table_checksums
from test_pages import page

from lib import cli
from lib.core import roles
from lib.ingest import kpi_returns, policeuk, users
from lib.store import queries

HEADER = ",".join(kpi_returns.COLUMNS)
OWN = f"{HEADER}\nDA_SAFETY_PLANS,2024-10-01,2024-10-31,,401,,,\n".encode()  # priority 2
MIXED = f"{HEADER}\nDA_SAFETY_PLANS,2024-10-01,2024-10-31,,401,,,\nDS1_RESPONSE,2024-10-01,2024-10-31,,41,,,\n".encode()
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "x" * 32,
    "client_id": "dashboard",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_rules_by_role():
    priorities = {"DA_SAFETY_PLANS": 2, "DS1_RESPONSE": 1, "REC_TOTAL": None}
    lead = roles.Actor("l@x", roles.LEAD, priorities=frozenset({2}), kpis=frozenset({"REC_TOTAL"}))
    assert roles.owned_kpis(lead, priorities) == {"DA_SAFETY_PLANS", "REC_TOTAL"}
    assert roles.refused_kpis(lead, ["DS1_RESPONSE", "DA_SAFETY_PLANS"], priorities) == ["DS1_RESPONSE"]
    analyst = roles.Actor("a@x", roles.ANALYST)
    assert roles.owned_kpis(analyst, priorities) == set(priorities) and roles.may_load_crime(analyst)
    for reader in (roles.EXECUTIVE, roles.COUNCILLOR):
        person = roles.Actor("r@x", reader)
        assert not roles.owned_kpis(person, priorities) and not roles.may_load_crime(person)
        assert not roles.may_load_returns(person) and not roles.may_manage_users(person)
    assert not roles.may_load_crime(lead) and roles.may_load_returns(lead)
    assert roles.may_manage_users(roles.operator("root")) and not roles.may_manage_users(analyst)


def test_users_are_managed_from_the_command_line_with_one_line_errors(seeded_url, capsys):
    base = ("--database-url", seeded_url, "users")
    code, out, _ = _cli(capsys, *base, "add", "Lead@Leeds.gov.uk", "--role", "lead", "--priority", "2", "--json")
    assert code == 0 and json.loads(out)["scopes"] == "priority:2"
    assert _cli(capsys, *base, "add", "c@leeds.gov.uk", "--role", "councillor", "--ward", "E05011394")[0] == 0
    for args, message in (
        (("add", "x@leeds.gov.uk", "--role", "king"), "unknown role 'king'"),
        (("add", "x@leeds.gov.uk", "--role", "lead", "--priority", "99"), "unknown priority '99'"),
        (("add", "x@leeds.gov.uk", "--role", "lead", "--kpi", "NOPE"), "unknown kpi 'NOPE'"),
        (("add", "x@leeds.gov.uk", "--role", "councillor", "--ward", "E0"), "unknown ward 'E0'"),
        (("add", "lead@leeds.gov.uk", "--role", "lead"), "is a user already"),
        (("update", "nobody@leeds.gov.uk", "--role", "lead"), "is not a user"),
        (("add", "y@leeds.gov.uk", "--role", "lead", "--as", "c@leeds.gov.uk"), "only admins manage users"),
    ):
        code, _, err = _cli(capsys, *base, *args)
        assert code == 1 and message in err and len(err.strip().splitlines()) == 1, (args, err)
    assert _cli(capsys, *base, "update", "lead@leeds.gov.uk", "--kpi", "DS1_RESPONSE", "--inactive")[0] == 0
    code, out, _ = _cli(capsys, *base, "list", "--json")
    listed = {row["email"]: row for row in json.loads(out)}
    assert (
        listed["Lead@Leeds.gov.uk"]["scopes"] == "kpi:DS1_RESPONSE" and listed["Lead@Leeds.gov.uk"]["active"] is False
    )
    assert users.actor(seeded_url, "lead@leeds.gov.uk") is None  # inactive people act as nobody
    assert _cli(capsys, *base, "remove", "c@leeds.gov.uk")[0] == 0
    assert set(queries.users(seeded_url)["email"]) == {"Lead@Leeds.gov.uk"}


def test_a_lead_loads_their_own_kpis_and_nothing_else(seeded_url, capsys, tmp_path):
    users.add(seeded_url, "lead@leeds.gov.uk", roles.LEAD, priorities=["2"])
    users.add(seeded_url, "cllr@leeds.gov.uk", roles.COUNCILLOR)
    lead = users.actor(seeded_url, "lead@leeds.gov.uk")
    assert lead is not None
    before = table_checksums(seeded_url, KPI_TABLES)
    mixed = kpi_returns.check(seeded_url, "mixed.csv", MIXED, actor=lead)
    assert not mixed.ok and "also holds DS1_RESPONSE" in str(mixed.problems[-1])
    with pytest.raises(roles.PermissionDeniedError, match="DS1_RESPONSE"):
        kpi_returns.import_preview(seeded_url, kpi_returns.check(seeded_url, "mixed.csv", MIXED), "x", lead)
    assert table_checksums(seeded_url, KPI_TABLES) == before  # nothing written
    path = tmp_path / "own.csv"
    path.write_bytes(OWN)
    code, out, _ = _cli(capsys, "--database-url", seeded_url, "import", "kpi", str(path), "--user", "lead@leeds.gov.uk")
    assert code == 0
    assert queries.import_log(seeded_url).iloc[0][["who", "status"]].tolist() == ["lead@leeds.gov.uk", "success"]
    code, _, err = _cli(capsys, "--database-url", seeded_url, "import", "kpi", str(path), "--user", "cllr@leeds.gov.uk")
    assert code == 1 and "councillors read the dashboard but do not load data" in err
    with pytest.raises(roles.PermissionDeniedError, match="only analysts and admins"):
        policeuk.import_sources(seeded_url, [], actor=lead)
    code, _, err = _cli(capsys, "--database-url", seeded_url, "import", "kpi", str(path), "--user", "who@x.org")
    assert code == 1 and "is not a user: ask an admin to add them" in err


@pytest.mark.usefixtures("app_url")
def test_with_sign_in_off_every_page_says_anyone_can_change_data():
    at = page("pages/overview.py").run()
    assert not at.exception
    assert any("sign-in is not configured" in m.value for m in at.markdown)


@pytest.mark.usefixtures("app_url")
def test_required_sign_in_without_auth_is_one_plain_line_and_no_figures(monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_SIGN_IN", "required")
    at = page("pages/overview.py").run()
    assert not at.exception and len(at.error) == 1 and "not configured" in at.error[0].value
    assert len(at.metric) == 0


@pytest.mark.usefixtures("app_url")
def test_an_anonymous_visitor_sees_only_the_sign_in_page_or_a_public_one(monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_SIGN_IN", "required")
    at = page("pages/overview.py")
    at.secrets["auth"] = AUTH
    at.run()
    assert not at.exception and len(at.metric) == 0
    assert [b.label for b in at.button] == ["Sign in"]
    monkeypatch.setenv("SAFERLEEDS_PUBLIC_PAGES", "crime-asb,data-in")
    crime = page("pages/crime.py")
    crime.secrets["auth"] = AUTH
    crime.run()
    assert not crime.exception and len(crime.metric) > 0  # residents may see crime
    data_in = page("pages/data_in.py")
    data_in.secrets["auth"] = AUTH
    data_in.run()
    assert not data_in.exception and [b.label for b in data_in.button] == ["Sign in"]  # never Data in


@pytest.fixture
def app_url(sqlite_seeded_url, monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", sqlite_seeded_url)
    monkeypatch.delenv("SAFERLEEDS_SIGN_IN", raising=False)
    monkeypatch.delenv("SAFERLEEDS_PUBLIC_PAGES", raising=False)
    return sqlite_seeded_url
