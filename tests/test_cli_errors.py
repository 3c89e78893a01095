"""Plain errors from the command line (issue 28): one sentence that names the option, never an exception's name or a
library's wording; nonsense refused instead of accepted silently; the roles and who to ask said rightly; addresses
checked; --database-url anywhere; and a reader closing the pipe ends the command quietly."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lib import cli
from lib.ingest import kpi_returns, users
from lib.store import queries

M2 = "2024-11-21"
ROOT = Path(__file__).resolve().parents[1]
EXCEPTION_NAME = re.compile(r"\b[A-Z][A-Za-z]*(Error|Exception)\b")


def _run(capsys, url: str, *argv: str) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of one command (a usage error's exit 2 included)."""
    try:
        code = cli.main(["--database-url", url, *argv])
    except SystemExit as stop:
        code = int(stop.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["actions", "update", "99999999999999999999", "--status", "done"], 2, "is not a record number"),
        (["kpi", "summary", "--as-at", "2025-02-30"], 1, "--as-at must be a date as YYYY-MM-DD"),
        (["pack", "--meeting", M2, "--out", "/proc/x.pdf"], 1, "cannot write /proc/x.pdf: the folder /proc"),
        (["kpi", "list", "\udcff"], 2, "is not valid UTF-8 text"),
        (["crime", "counts", "--from", "2024-09", "--to", "2023-10"], 1, "--from 2024-09 is after --to 2023-10"),
        (["imports", "--limit", "-1"], 2, "--limit: must be a whole number of 1 or more"),
        (["report", "set", "DS1_CALLS", "--meeting", M2, "--text", "x", "--by", "0001-01-01"], 1, "by when 0001-01-01"),
        (["users", "add", "x'; DROP TABLE kpi;--@a.b", "--role", "admin"], 1, "is not an e-mail address"),
        (["actions", "add", "--meeting", M2, "--owner", "nobody", "--due", "2025-01-16", "--text", "x"], 1, "e-mail"),
    ],
)
def test_each_mistake_is_one_plain_sentence_and_changes_nothing(shared_seeded_url, capsys, argv, code, message):
    before = (len(queries.users(shared_seeded_url)), len(queries.import_log(shared_seeded_url)))
    got, out, err = _run(capsys, shared_seeded_url, *argv)
    assert (got, out) == (code, "") and message in err and len(err.strip().splitlines()) == 1, err
    assert not EXCEPTION_NAME.search(err) and ".part" not in err, err
    assert (len(queries.users(shared_seeded_url)), len(queries.import_log(shared_seeded_url))) == before


def test_roles_are_named_with_their_article_and_refusals_say_who_can(seeded_url, capsys):
    users.add(seeded_url, "exec@leeds.test", "executive")
    users.add(seeded_url, "old@leeds.test", "lead", priorities=["1"])
    users.update_user(seeded_url, "old@leeds.test", active=False)
    _, _, err = _run(
        capsys, seeded_url, "report", "set", "DS1_CALLS", "--meeting", M2, "--text", "x", "--user", "exec@leeds.test"
    )
    assert "exec@leeds.test is an executive" in err and "a executive" not in err
    assert "Ask the KPI's priority lead or an admin" in err and "action's owner" not in err
    _, _, err = _run(capsys, seeded_url, "users", "add", "y@leeds.test", "--role", "lead", "--user", "exec@leeds.test")
    assert "is an executive: only admins manage users" in err
    _, _, err = _run(capsys, seeded_url, "decisions", "add", "--meeting", M2, "--text", "x", "--user", "old@leeds.test")
    assert "saferleeds users update old@leeds.test --active" in err and "users add" not in err


def test_a_refused_return_lists_its_problems_without_none_nan_or_decimals(seeded_url, capsys, tmp_path):
    users.add(seeded_url, "lead@leeds.test", "lead", priorities=["1"])
    path = tmp_path / "return.csv"
    header = ",".join(kpi_returns.COLUMNS)
    path.write_text(f"{header}\nDA_SAFETY_PLANS,2024-10-01,2024-10-31,,44,,,\nDS1_RESPONSE,2024-10-01,x,,44,,,\n")
    code, out, err = _run(capsys, seeded_url, "import", "kpi", str(path), "--user", "lead@leeds.test")
    assert code == 1 and err
    assert not re.search(r"\bNone\b|\bNaN\b|\b\d+\.0\b", out), out
    assert re.search(r"^\s*3\s", out, re.M), out  # the data row's number, as a whole number


def test_database_url_may_come_after_the_command(shared_seeded_url, capsys):
    code = cli.main(["kpi", "list", "--json", "--database-url", shared_seeded_url])
    assert code == 0 and len(json.loads(capsys.readouterr().out)) == len(queries.kpi_catalogue(shared_seeded_url))
    code = cli.main(["kpi", "list", "--json", f"--database-url={shared_seeded_url}"])
    assert code == 0 and json.loads(capsys.readouterr().out)


def test_a_reader_closing_the_pipe_ends_the_command_quietly(shared_seeded_url):
    """`saferleeds crime counts ... | head` once ended in a BrokenPipeError traceback."""
    command = [sys.executable, "-m", "lib.cli", "--database-url", shared_seeded_url, "crime", "counts"]
    reader = subprocess.Popen(
        [*command, "--by", "ward,crime_type,month", "--json"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdout is not None and reader.stdout.read(10)
    reader.stdout.close()  # what `head -c 10` does
    _, err = reader.communicate(timeout=120)
    assert reader.returncode == 0 and err.decode() == ""
