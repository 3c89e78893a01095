"""The saferleeds command line: JSON shapes, filters, exit codes and one-line errors."""

import json

from lib import cli
from lib.ingest import seed
from lib.store import queries


def run(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_kpi_list_json(capsys, shared_seeded_url):
    code, out, _ = run(capsys, "--database-url", shared_seeded_url, "kpi", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert {"code", "name", "priority", "unit", "direction", "target", "sensitive"} <= set(rows[0])
    by_code = {r["code"]: r for r in rows}
    assert by_code["DS1_TRIAGE"]["target"] == 120 and by_code["DS1_TRIAGE"]["direction"] == "lower_is_better"
    assert by_code["DA_SAFETY_PLANS"]["sensitive"] is True and by_code["DA_SAFETY_PLANS"]["priority"] == 2
    assert len(rows) == len(queries.kpi_catalogue(shared_seeded_url))


def test_kpi_values_json_includes_illustrative_unless_real_only(capsys, shared_seeded_url):
    _, out, _ = run(capsys, "--database-url", shared_seeded_url, "kpi", "values", "DA_SAFETY_PLANS", "--json")
    rows = json.loads(out)
    assert {"period_start", "period_end", "ward_code", "value", "illustrative", "source"} <= set(rows[0])
    assert any(r["illustrative"] for r in rows)
    _, out, _ = run(
        capsys, "--database-url", shared_seeded_url, "kpi", "values", "DA_SAFETY_PLANS", "--json", "--real-only"
    )
    real = json.loads(out)
    assert [(r["period_start"], r["value"]) for r in real] == [("2021-11-01", 6000.0), ("2023-04-01", 4672.0)]
    assert all(r["ward_code"] is None and r["source"].endswith(".txt") for r in real)


def test_kpi_values_for_a_ward_accepts_wd19_and_wd25_codes(capsys, shared_seeded_url):
    _, out, _ = run(
        capsys,
        "--database-url",
        shared_seeded_url,
        "kpi",
        "values",
        "HAREHILLS_CRIME_CHANGE",
        "--ward",
        "E05011394",
        "--json",
    )
    rows = json.loads(out)
    assert [(r["ward_code"], r["value"]) for r in rows] == [("E05011394", -40.0)]
    code, out, _ = run(
        capsys, "--database-url", shared_seeded_url, "kpi", "values", "DS1_CALLS", "--ward", "E05011393", "--json"
    )  # Garforth & Swillington's WD19 code
    assert code == 0 and json.loads(out) == []


def test_errors_are_one_line_with_non_zero_exit(capsys, shared_seeded_url):
    code, out, err = run(capsys, "--database-url", shared_seeded_url, "kpi", "values", "NOPE")
    assert code == 1 and out == "" and err.count("\n") == 1 and "unknown KPI code 'NOPE'" in err
    code, _, err = run(capsys, "--database-url", shared_seeded_url, "kpi", "values", "DS1_CALLS", "--ward", "X1")
    assert code == 1 and "unknown ward code" in err
    code, _, err = run(capsys, "--database-url", "postgresql+psycopg://u:pw@127.0.0.1:1/x", "kpi", "list")
    assert code == 1 and err.count("\n") == 1 and "pw" not in err.replace("psycopg", "") and "u:***@" in err


def test_db_init_seeds_an_empty_database_and_leaves_one_in_use_alone(capsys, empty_url):
    code, out, _ = run(capsys, "--database-url", empty_url, "db", "init")
    assert code == 0 and "Seeded" in out
    assert not seed.is_empty(empty_url)
    code, out, _ = run(capsys, "--database-url", empty_url, "db", "init")
    assert code == 0 and "already holds data" in out
    code, out, _ = run(capsys, "--database-url", empty_url, "db", "seed")
    assert code == 0 and "0 reference rows, 0 documented facts" in out


def test_config_shows_settings_with_password_masked(capsys, monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", "postgresql+psycopg://u:topsecret@h/d")
    code, out, _ = run(capsys, "config", "--json")
    assert code == 0 and "topsecret" not in out
    names = {row["name"] for row in json.loads(out)}
    assert names == {
        "SAFERLEEDS_DATABASE_URL",
        "SAFERLEEDS_AREA",
        "SAFERLEEDS_POPULATION_URL",
        "SAFERLEEDS_REFERENCE_DIR",
        "SAFERLEEDS_ONS_URL",
        "SAFERLEEDS_POLICEUK_ARCHIVE_URL",
        "SAFERLEEDS_POLICEUK_API_URL",
        "SAFERLEEDS_ONS_WARD_SERVICE",
        "SAFERLEEDS_ONS_LOOKUP_SERVICE",
        "SAFERLEEDS_ONS_LOOKUP_2011_SERVICE",
        "SAFERLEEDS_ONS_CSP_SERVICE",
        "SAFERLEEDS_DISTRICT_CODES_URL",
        "SAFERLEEDS_MAX_UPLOAD_MB",
        "SAFERLEEDS_MAX_IMPORT_MB",
        "SAFERLEEDS_SIGN_IN",
        "SAFERLEEDS_PUBLIC_PAGES",
        "SAFERLEEDS_REPORT_DEADLINE_DAYS",
    }
