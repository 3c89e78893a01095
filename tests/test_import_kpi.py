"""KPI returns: template round trip, every check with its row and column, revisions, all-or-nothing, idempotent."""

import io
import json
from datetime import date

import pandas as pd
import pytest
from helpers import KPI_TABLES, table_checksums
from openpyxl import Workbook

from lib import cli
from lib.analysis import measures
from lib.core import exports
from lib.ingest import kpi_returns
from lib.ingest.files import ImportRejectedError
from lib.store import queries

HEADER = ",".join(kpi_returns.COLUMNS)
TODAY = date(2024, 12, 15)


def _csv(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


GOOD = _csv(
    "DS1_RESPONSE,2024-10-01,2024-10-31,,41,,,October return",
    "DS1_ATTENDANCE,01/10/2024,31/10/2024,,95,19,20,",
    "DA_SAFETY_PLANS,2024-10-01,2024-10-31,E05011394,12,,,",
    "WALKSAFE_DOWNLOADS,2024-10-01,2024-10-31,,,,,",
)


@pytest.fixture
def corpus_url(module_seeded_url):
    """The module's seeded database (per backend) that bad-file tests must leave unchanged."""
    return module_seeded_url


def test_a_good_return_previews_then_imports_whole(seeded_url):
    preview = kpi_returns.check(seeded_url, "october.csv", GOOD, TODAY)
    assert preview.ok and preview.skipped == 1 and len(preview.values) == 3
    assert preview.rows["outcome"].tolist() == ["new", "new", "new", "skipped: no value"]
    outcome = kpi_returns.import_preview(seeded_url, preview, "lead@leeds.gov.uk")
    assert (outcome.status, outcome.counts.added) == ("success", 3)
    series = queries.kpi_series(seeded_url, "DS1_RESPONSE", real_only=True)
    latest = series.iloc[-1]
    assert (latest["value"], str(latest["period_start"]), latest["source"]) == (
        41.0,
        "2024-10-01",
        "KPI return october.csv",
    )
    log = queries.import_log(seeded_url).iloc[0]
    assert (log["kind"], log["who"], log["rows_read"], log["rows_imported"]) == (
        "kpi_return",
        "lead@leeds.gov.uk",
        4,
        3,
    )


def test_the_same_file_twice_changes_nothing(seeded_url):
    kpi_returns.import_preview(seeded_url, kpi_returns.check(seeded_url, "a.csv", GOOD, TODAY))
    before = table_checksums(seeded_url)
    outcome = kpi_returns.import_preview(seeded_url, kpi_returns.check(seeded_url, "a-copy.csv", GOOD, TODAY))
    assert outcome.status == "unchanged" and table_checksums(seeded_url) == before
    assert queries.import_log(seeded_url).iloc[0]["status"] == "unchanged"


def test_a_changed_value_becomes_a_new_revision_and_the_old_one_is_kept(seeded_url):
    kpi_returns.import_preview(seeded_url, kpi_returns.check(seeded_url, "a.csv", GOOD, TODAY))
    corrected = _csv("DS1_RESPONSE,2024-10-01,2024-10-31,,39,,,corrected")
    preview = kpi_returns.check(seeded_url, "b.csv", corrected, TODAY)
    assert preview.rows["outcome"].tolist() == ["revises 41 (revision 1)"]
    outcome = kpi_returns.import_preview(seeded_url, preview)
    assert (outcome.counts.added, outcome.counts.revised) == (0, 1)
    history = queries.revision_history(seeded_url)
    october = history[(history["kpi_code"] == "DS1_RESPONSE") & ~history["illustrative"]]
    assert october[["revision", "value", "is_current"]].values.tolist() == [[1, 41.0, False], [2, 39.0, True]]
    assert queries.kpi_series(seeded_url, "DS1_RESPONSE", real_only=True).iloc[-1]["value"] == 39.0


def test_a_sensitive_ward_value_is_never_echoed_back(seeded_url):
    kpi_returns.import_preview(seeded_url, kpi_returns.check(seeded_url, "a.csv", GOOD, TODAY))
    preview = kpi_returns.check(
        seeded_url, "b.csv", _csv("DA_SAFETY_PLANS,2024-10-01,2024-10-31,E05011394,3,,,"), TODAY
    )
    # Neither echoed nor compared: "unchanged" for an equal guess would give the withheld count away (issue 14).
    assert preview.rows["outcome"].tolist() == [kpi_returns.SENSITIVE_WARD_OUTCOME]
    shown = measures.provenance(seeded_url, "DA_SAFETY_PLANS")
    ward_rows = shown[shown["area_code"] == "E05011394"]
    assert ward_rows["value"].isna().all() and set(ward_rows["suppressed"]) == {"[c]"}


BAD = {
    "wrong header": (b"code,start,end,value\nDS1_RESPONSE,2024-10-01,2024-10-31,41\n", "missing kpi_code"),
    "wrong delimiter": (GOOD.replace(b",", b";"), "semicolons"),
    "truncated last line": (
        _csv("DS1_RESPONSE,2024-10-01,2024-10-31,,41,,,", "DS1_CALLS,2024-10-01,2024-1"),
        "row 3, column ward_code: 3 cells where the header has 8 (a truncated line?)",
    ),
    "empty file": (b"", "the file is empty"),
    "binary file": (bytes(range(256)) * 8, "not a text file"),
    "not UTF-8": (_csv("DS1_RESPONSE,2024-10-01,2024-10-31,,41,,,caf\u00e9").decode().encode("latin-1"), "not UTF-8"),
    "month 2024-13": (_csv("DS1_RESPONSE,2024-13-01,2024-13-31,,41,,,"), "'2024-13-01' is not a date"),
    "duplicate rows": (
        _csv("DS1_RESPONSE,2024-10-01,2024-10-31,,41,,,", "DS1_RESPONSE,2024-10-01,2024-10-31,,42,,,"),
        "row 3, column kpi_code: the same KPI, area and period as row 2",
    ),
    "formula cells": (_csv("DS1_RESPONSE,2024-10-01,2024-10-31,,=40+1,,,"), "formulas are never evaluated"),
    "unknown KPI": (_csv("NOT_A_KPI,2024-10-01,2024-10-31,,41,,,"), "unknown KPI code 'NOT_A_KPI'"),
    "end before start": (_csv("DS1_RESPONSE,2024-10-31,2024-10-01,,41,,,"), "ends before it starts"),
    "value not a number": (_csv("DS1_RESPONSE,2024-10-01,2024-10-31,,about 40,,,"), "'about 40' is not a number"),
    "negative count": (_csv("DS1_CALLS,2024-10-01,2024-10-31,,-3,,,"), "negative"),
    "percentage over 100": (_csv("DS1_ATTENDANCE,2024-10-01,2024-10-31,,120,,,"), "outside 0 to 100"),
    "ward not in Leeds": (_csv("DA_SAFETY_PLANS,2024-10-01,2024-10-31,E05000001,4,,,"), "not a Leeds ward code"),
    "period outside frequency": (_csv("DS1_RESPONSE,2024-10-01,2024-11-30,,41,,,"), "this KPI is monthly"),
    "annual not a financial year": (_csv("REC_TOTAL,2023-01-01,2023-12-31,,90000,,,"), "financial year"),
    "future period": (_csv("DS1_RESPONSE,2025-10-01,2025-10-31,,41,,,"), "ends in the future"),
    "numerator disagrees": (_csv("DS1_ATTENDANCE,2024-10-01,2024-10-31,,95,10,20,"), "does not match"),
    "computed KPI": (_csv("CRIME_TOTAL,2024-10-01,2024-10-31,,9000,,,"), "computed from police.uk"),
    "nothing to import": (_csv("DS1_RESPONSE,2024-10-01,2024-10-31,,,,,"), "no row has a value"),
}


@pytest.fixture(scope="module")
def reference(sqlite_seeded_url):
    """The KPI catalogue and wards the checker tests every cell against (read once)."""
    return queries.kpi_catalogue(sqlite_seeded_url), queries.wards(sqlite_seeded_url)


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_return_lists_its_problem(reference, case):
    data, message = BAD[case]
    catalogue, wards = reference
    try:
        preview = kpi_returns.check_cells(f"{case}.csv", data, catalogue, wards, TODAY)
    except ImportRejectedError as error:
        assert message in str(error.problems[0]), error.problems
    else:
        assert not preview.ok
        assert any(message in str(p) for p in preview.problems), preview.problems


@pytest.mark.parametrize("case", ["unknown KPI", "binary file"])  # a cell rule, and a file that cannot be read
def test_a_bad_return_changes_nothing_and_is_logged(corpus_url, case):
    data, message = BAD[case]
    before, logged = table_checksums(corpus_url, KPI_TABLES), len(queries.import_log(corpus_url))
    try:
        preview = kpi_returns.check(corpus_url, f"{case}.csv", data, TODAY)
    except ImportRejectedError as error:
        assert message in str(error.problems[0]), error.problems
        kpi_returns.record_rejection(corpus_url, f"{case}.csv", data, error.problems)
    else:
        assert not preview.ok
        assert kpi_returns.import_preview(corpus_url, preview).status == "rejected"
    assert table_checksums(corpus_url, KPI_TABLES) == before
    log = queries.import_log(corpus_url)
    assert len(log) == logged + 1 and log.iloc[0]["status"] == "rejected"


def test_one_bad_row_keeps_the_good_rows_out_too(corpus_url):
    before = table_checksums(corpus_url, KPI_TABLES)
    data = _csv("DS1_RESPONSE,2024-10-01,2024-10-31,,41,,,", "DS1_CALLS,2024-10-01,2024-10-31,,-3,,,")
    preview = kpi_returns.check(corpus_url, "mixed.csv", data, TODAY)
    assert preview.rows["outcome"].tolist() == ["ok", "problem"]
    kpi_returns.import_preview(corpus_url, preview)
    assert table_checksums(corpus_url, KPI_TABLES) == before


def test_a_60_mb_return_is_refused_before_reading(corpus_url):
    with pytest.raises(ImportRejectedError, match="the limit is 50 MB"):
        kpi_returns.check(corpus_url, "huge.csv", b"x" * (60 * 1024 * 1024))


def test_the_size_limit_is_a_setting(corpus_url, monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_MAX_UPLOAD_MB", "0.0001")
    with pytest.raises(ImportRejectedError, match="SAFERLEEDS_MAX_UPLOAD_MB"):
        kpi_returns.check(corpus_url, "a.csv", GOOD, TODAY)


def test_the_excel_template_round_trips_and_formulas_are_never_evaluated(seeded_url):
    workbook_bytes = kpi_returns.template_excel(seeded_url, "Leeds City Council: Leedswatch")
    template = pd.read_excel(io.BytesIO(workbook_bytes), sheet_name=None)
    assert set(template) == {"return", "guide"}
    assert list(template["return"].columns) == list(kpi_returns.COLUMNS)
    assert set(template["return"]["kpi_code"]) == {
        "DS1_CALLS",
        "DS1_CALLS_CHANGE",
        "DS1_TRIAGE",
        "LEEDSWATCH_NOISE_CHANGE",
    }
    book = Workbook()
    sheet = book.active
    sheet.title = "return"
    sheet.append(list(kpi_returns.COLUMNS))
    sheet.append(["DS1_TRIAGE", date(2024, 10, 1), date(2024, 10, 31), None, 95, None, None, "from Excel"])
    sheet.append(["DS1_CALLS", date(2024, 10, 1), date(2024, 10, 31), None, "=SUM(1,2)", None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    preview = kpi_returns.check(seeded_url, "october.xlsx", buffer.getvalue(), TODAY)
    assert preview.rows["outcome"].tolist() == ["ok", "problem"]
    assert "formulas are never evaluated" in str(preview.problems[0]) and preview.problems[0].row == 3


def test_the_csv_template_defuses_formula_text(seeded_url):
    frame = kpi_returns.template(seeded_url, cutoff=date(2024, 11, 30))
    frame.loc[0, "note"] = "=cmd|' /C calc'!A0"
    text = exports.csv_bytes(frame).decode()
    assert "'=cmd" in text and "\n=cmd" not in text and ",=cmd" not in text
    monthly = frame[frame["kpi_code"] == "DS1_RESPONSE"].iloc[0]
    assert (monthly["period_start"], monthly["period_end"]) == (date(2024, 11, 1), date(2024, 11, 30))


def _cli(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_import_kpi_dry_run_import_and_log(capsys, seeded_url, tmp_path):
    path = tmp_path / "october.csv"
    path.write_bytes(GOOD)
    code, out, _ = _cli(capsys, "--database-url", seeded_url, "import", "kpi", str(path), "--dry-run", "--json")
    assert code == 0 and json.loads(out)["ok"] is True
    log = queries.import_log(seeded_url)  # the dry run wrote nothing but its line in the import log
    assert len(log) == 3 and log.iloc[0]["status"] == "previewed"
    code, out, _ = _cli(capsys, "--database-url", seeded_url, "import", "kpi", str(path), "--json")
    result = json.loads(out)
    assert code == 0 and (result["status"], result["added"]) == ("success", 3)
    code, out, _ = _cli(capsys, "--database-url", seeded_url, "imports", "--json")
    log = json.loads(out)
    assert log[0]["file_name"] == "october.csv" and log[0]["rows_imported"] == 3 and log[0]["sha256"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes(BAD["negative count"][0])
    code, out, err = _cli(capsys, "--database-url", seeded_url, "import", "kpi", str(bad))
    assert code == 1 and "nothing was imported" in err and "negative" in out


def test_cli_template_writes_csv_and_excel(capsys, seeded_url, tmp_path):
    code, _, _ = _cli(
        capsys,
        "--database-url",
        seeded_url,
        "kpi",
        "template",
        str(tmp_path / "t.csv"),
        "--owner",
        "West Yorkshire Police",
    )
    assert code == 0 and (tmp_path / "t.csv").read_text().startswith(HEADER)
    code, _, _ = _cli(capsys, "--database-url", seeded_url, "kpi", "template", str(tmp_path / "t.xlsx"))
    assert code == 0 and (tmp_path / "t.xlsx").read_bytes()[:2] == b"PK"
    code, _, err = _cli(
        capsys, "--database-url", seeded_url, "kpi", "template", str(tmp_path / "x.csv"), "--owner", "Nobody"
    )
    assert code == 1 and "unknown owner" in err


def _current(url, codes):
    from lib.store import db, reads

    with db.get_engine(url).connect() as connection:
        return reads.current_kpi_values(connection, codes)


AGREEMENT_FILES = {
    "unchanged, revises, new": _csv(
        "ASK_ANGELA_REACH,2021-11-01,2022-01-09,,400000,,,",  # blank qualifier: the documented "more than" is kept
        "ASK_ANGELA_MAP_HITS,2021-11-01,2022-11-30,,7701,,,",
        "ASK_ANGELA_PREMISES,2021-11-01,2022-11-30,,650,,,",
        "DS1_RESPONSE,2024-10-01,2024-10-31,,41,,,",
    ),
    "revises a qualified value": _csv("ASK_ANGELA_REACH,2021-11-01,2022-01-09,,420000,,,"),
}


@pytest.mark.parametrize("name", list(AGREEMENT_FILES))
def test_the_preview_says_exactly_what_the_import_then_does(seeded_url, name):
    preview = kpi_returns.check(seeded_url, f"{name}.csv", AGREEMENT_FILES[name], TODAY)
    assert preview.ok, preview.problems
    outcomes = dict(zip(preview.rows["row"], preview.rows["outcome"], strict=True))
    codes = sorted({v["kpi_code"] for v in preview.values})
    keys = [(v["kpi_code"], v["area_code"], v["period_start"], v["period_end"], False) for v in preview.values]
    before = _current(seeded_url, codes)
    outcome = kpi_returns.import_preview(seeded_url, preview, "lead@leeds.gov.uk")
    after = _current(seeded_url, codes)
    said = {"new": 0, "revises": 0, "unchanged": 0}
    for key, row, value in zip(keys, preview.value_rows, preview.values, strict=True):
        kind = outcomes[row].split(" ")[0]
        said[kind] += 1
        if kind == "new":
            assert key not in before and after[key]["revision"] == 1 and after[key]["value"] == value["value"]
        elif kind == "revises":
            assert after[key]["revision"] == before[key]["revision"] + 1
            assert (after[key]["value"], after[key]["qualifier"]) == (value["value"], "")
            assert outcomes[row].startswith(
                f"revises {before[key]['qualifier']} {before[key]['value']:g}".replace("  ", " ")
            )
        else:
            assert kind == "unchanged" and after[key] == before[key], outcomes[row]
    assert (outcome.counts.added, outcome.counts.revised, outcome.counts.unchanged) == (
        said["new"],
        said["revises"],
        said["unchanged"],
    )
    if name == "unchanged, revises, new":
        reach = ("ASK_ANGELA_REACH", "E08000035", date(2021, 11, 1), date(2022, 1, 9), False)
        assert after[reach]["qualifier"] == "more than"  # a blank qualifier in a return never drops the stored one


def test_the_template_guide_says_what_a_blank_qualifier_means(sqlite_seeded_url):
    guide = kpi_returns.guide(sqlite_seeded_url)
    assert set(guide["if a value is already stored"]) == {kpi_returns.STORED_VALUE_RULE}
    assert "'more than'" in kpi_returns.STORED_VALUE_RULE


def test_the_template_fills_in_the_period_due_for_the_meeting_not_the_clock(seeded_url, capsys, tmp_path):
    latest = kpi_returns.template(seeded_url)  # the latest meeting, 21 Nov 2024: data to 31 Oct 2024
    monthly = latest[latest["kpi_code"] == "DS1_RESPONSE"].iloc[0]
    assert (monthly["period_start"], monthly["period_end"]) == (date(2024, 10, 1), date(2024, 10, 31))
    catalogue = queries.kpi_catalogue(seeded_url)
    annual = set(catalogue.loc[catalogue["frequency"] == "annual", "code"])
    yearly = latest[latest["kpi_code"].isin(annual)].iloc[0]
    assert (yearly["period_start"], yearly["period_end"]) == (date(2023, 4, 1), date(2024, 3, 31))
    path = tmp_path / "september.csv"
    code, _, _ = _cli(capsys, "--database-url", seeded_url, "kpi", "template", str(path), "--meeting", "2024-09-19")
    frame = pd.read_csv(path, dtype=str)
    assert code == 0 and frame.loc[frame["kpi_code"] == "DS1_RESPONSE", "period_start"].tolist() == ["2024-08-01"]
    code, _, err = _cli(capsys, "--database-url", seeded_url, "kpi", "template", str(path), "--meeting", "2024-09-26")
    assert code == 1 and "no meeting on 2024-09-26" in err and len(err.strip().splitlines()) == 1


def test_the_preview_says_which_meeting_shows_each_value_and_warns_when_none_does(seeded_url):
    data = _csv("DS1_RESPONSE,2024-10-01,2024-10-31,,41,,,", "DS1_RESPONSE,2024-11-01,2024-11-30,,44,,,")
    preview = kpi_returns.check(seeded_url, "returns.csv", data, TODAY)
    assert preview.ok
    assert preview.rows["first shown at"].tolist() == ["21 Nov 2024", "no meeting yet"]
    assert (
        len(preview.warnings) == 1
        and "1 value(s) are for periods ending after 31 October 2024" in (preview.warnings[0])
    )
    on_time = kpi_returns.check(seeded_url, "october.csv", _csv("DS1_RESPONSE,2024-10-01,2024-10-31,,41,,,"), TODAY)
    assert on_time.warnings == []
