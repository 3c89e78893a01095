"""police.uk import: real months counted right, idempotent, both LSOA vintages, bad files change nothing."""

import csv
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from helpers import CRIME_TABLES, leeds_lookup, table_checksums
from sqlalchemy import text

from lib import cli
from lib.analysis import measures
from lib.core import exports
from lib.ingest import files, policeuk
from lib.ingest.policeuk import fingerprint, importer
from lib.ingest.policeuk.digests import MonthDigests
from lib.store import db, queries
from lib.store.models import ImportBatch

MARCH, FEBRUARY = "2024-03-west-yorkshire-street.csv", "2025-02-west-yorkshire-street.csv"


@pytest.fixture(scope="module")
def shared_data() -> Path:
    folder = Path(__file__).resolve().parents[2] / "shared" / "data"
    if not folder.is_dir():
        pytest.skip("../shared/data is not present")
    return folder


@pytest.fixture
def corpus_url(module_seeded_url):
    """The module's seeded database (per backend) that bad-file tests must leave unchanged."""
    return module_seeded_url


@pytest.fixture
def lookup(seeded_url, shared_data):
    return leeds_lookup(seeded_url, shared_data / "lookups")


def _expected_counts(shared_data: Path, name: str) -> pd.DataFrame:
    """An independent count by ward and crime type: pandas over the file and the published lookups."""
    crimes = pd.read_csv(shared_data / "policeuk" / name, dtype=str, keep_default_na=False)
    lsoa21 = pd.read_csv(shared_data / "lookups" / "leeds_lsoa21_ward_derived.csv", dtype=str)
    lsoa11 = pd.read_csv(shared_data / "lookups" / "leeds_lsoa_ward.csv", dtype=str)
    codes = pd.read_csv(shared_data / "lookups" / "leeds_ward_codes.csv", dtype=str)
    older = lsoa11.merge(codes, on="WD19CD")[["LSOA11CD", "WD25CD"]].rename(columns={"LSOA11CD": "LSOA21CD"})
    lookup = pd.concat([lsoa21[["LSOA21CD", "WD25CD"]], older[~older["LSOA21CD"].isin(lsoa21["LSOA21CD"])]])
    joined = crimes.merge(lookup, left_on="LSOA code", right_on="LSOA21CD", how="inner")
    return (
        joined.groupby(["WD25CD", "Crime type"])
        .size()
        .rename("count")
        .reset_index()
        .rename(columns={"WD25CD": "ward_code", "Crime type": "crime_type"})
        .sort_values(["ward_code", "crime_type"])
        .reset_index(drop=True)
    )


def _stored_counts(url: str, month: str) -> pd.DataFrame:
    first = pd.Timestamp(month).date()
    frame = queries.crime_counts(url, first, first, real_only=True)
    return frame[["ward_code", "crime_type", "count"]].sort_values(["ward_code", "crime_type"]).reset_index(drop=True)


def test_real_months_count_by_ward_and_type_like_an_independent_pandas_count(seeded_url, lookup, shared_data):
    result = policeuk.import_paths(seeded_url, [shared_data / "policeuk"], lookup)
    assert result.ok and [f.rows_read for f in result.files] == [9408, 8009]
    assert [f.rows_imported for f in result.files] == [9408, 8009]  # 127 and 86 identical ASB rows are all kept
    for name, month in ((MARCH, "2024-03"), (FEBRUARY, "2025-02")):
        stored = _stored_counts(seeded_url, month)
        pd.testing.assert_frame_equal(stored, _expected_counts(shared_data, name), check_dtype=False)
    assert _stored_counts(seeded_url, "2024-03").query("crime_type == 'Anti-social behaviour'")["count"].sum() == 626


def test_reimporting_the_same_files_or_an_overlapping_archive_adds_nothing(seeded_url, lookup, shared_data, tmp_path):
    policeuk.import_paths(seeded_url, [shared_data / "policeuk"], lookup)
    before = table_checksums(seeded_url)
    again = policeuk.import_paths(seeded_url, [shared_data / "policeuk" / MARCH], lookup)
    assert [f.status for f in again.files] == ["unchanged"]
    archive = tmp_path / "custom-download.zip"
    with zipfile.ZipFile(archive, "w") as handle:  # a re-packed archive: different bytes, same rows
        for name in (MARCH, FEBRUARY):
            handle.writestr(f"2024-03/{name}", (shared_data / "policeuk" / name).read_text().replace("\n", "\r\n"))
        handle.writestr("2024-03/2024-03-west-yorkshire-outcomes.csv", "Crime ID,Month\n")
    overlap = policeuk.import_paths(seeded_url, [archive], lookup)
    assert [(f.status, f.rows_read, f.rows_imported) for f in overlap.files] == [
        ("unchanged", 9408, 0),
        ("unchanged", 8009, 0),
    ]
    assert any("outcomes" in note and "skipped" in note for note in overlap.notes)
    assert table_checksums(seeded_url) == before


def test_bom_crlf_and_dropped_trailing_zeros_are_the_same_rows(seeded_url, lookup, shared_data, tmp_path):
    original = (shared_data / "policeuk" / MARCH).read_text()
    policeuk.import_paths(seeded_url, [shared_data / "policeuk" / MARCH], lookup)
    lines = original.splitlines()
    padded = [lines[0]] + [
        ",".join(f"{float(c):.6f}" if i in (4, 5) and c else c for i, c in enumerate(line.split(",")))
        if line.count(",") == 11
        else line
        for line in lines[1:]
    ]
    variant = tmp_path / MARCH
    variant.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(padded).encode() + b"\r\n")
    result = policeuk.import_paths(seeded_url, [variant], lookup)
    assert result.ok and result.files[0].rows_read == 9408 and result.files[0].rows_imported == 0


# A handful of rows is far below a real month (about 9,000 Leeds rows), so importing one needs confirming.
MINI = True


def _mini_file(rows: list[list[str]]) -> bytes:
    lines = [",".join(policeuk.HEADER)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def _row(
    crime_id: str,
    lsoa: str,
    name: str,
    crime_type: str = "Burglary",
    outcome: str = "Under investigation",
    month: str = "2024-05",
) -> list[str]:
    return [
        crime_id,
        month,
        "West Yorkshire Police",
        "West Yorkshire Police",
        "-1.5",
        "53.8",
        "On or near Park",
        lsoa,
        name,
        crime_type,
        outcome,
        "",
    ]


def test_both_lsoa_vintages_map_to_wards(seeded_url, lookup, shared_data):
    lsoa21 = pd.read_csv(shared_data / "lookups" / "leeds_lsoa21_ward_derived.csv", dtype=str)
    lsoa11 = pd.read_csv(shared_data / "lookups" / "leeds_lsoa_ward.csv", dtype=str)
    codes = dict(
        pd.read_csv(shared_data / "lookups" / "leeds_ward_codes.csv", dtype=str)[["WD19CD", "WD25CD"]].itertuples(
            index=False
        )
    )
    only_2011 = lsoa11[~lsoa11["LSOA11CD"].isin(lsoa21["LSOA21CD"])].head(3)
    only_2021 = lsoa21[~lsoa21["LSOA21CD"].isin(lsoa11["LSOA11CD"])].head(3)
    assert len(only_2011) == 3 and len(only_2021) == 3
    rows = [_row(f"old{i}", r.LSOA11CD, r.LSOA11NM) for i, r in enumerate(only_2011.itertuples())]
    rows += [_row(f"new{i}", r.LSOA21CD, r.LSOA21NM) for i, r in enumerate(only_2021.itertuples())]
    result = policeuk.import_sources(
        seeded_url, [policeuk.Source("2024-05-mixed-street.csv", _mini_file(rows))], lookup, accept_unusual=MINI
    )
    assert result.ok and result.files[0].rows_imported == 6
    stored = _stored_counts(seeded_url, "2024-05")
    expected = pd.Series([codes[w] for w in only_2011["WD19CD"]] + list(only_2021["WD25CD"])).value_counts()
    assert dict(zip(stored["ward_code"], stored["count"], strict=True)) == expected.to_dict()


def test_rows_whose_lsoa_is_not_in_the_areas_lookup_are_counted_not_stored_whatever_their_name(
    seeded_url, lookup, shared_data
):
    """Issue 29: the import keeps the rows whose LSOA is in the area's lookup and never matches LSOA names (a
    whole-force file feeds any partnership of the force); rows with no LSOA are counted apart."""
    leeds = pd.read_csv(shared_data / "lookups" / "leeds_lsoa21_ward_derived.csv", dtype=str).iloc[0]
    rows = [
        _row("a1", leeds.LSOA21CD, leeds.LSOA21NM),
        _row("a2", "E01010000", "Bradford 001A"),
        _row("a3", "E01099999", "Leeds 999Z"),
        _row("a4", "", ""),
    ]
    source = policeuk.Source("2024-05-west-yorkshire-street.csv", _mini_file(rows))
    result = policeuk.import_sources(seeded_url, [source], lookup, accept_unusual=MINI)
    file = result.files[0]
    assert (file.status, file.rows_imported, file.rows_outside, file.rows_rejected) == ("success", 1, 3, 0)
    assert file.problems == []
    checked = policeuk.parse(source, lookup)
    assert (checked.area_rows, checked.outside, checked.without_lsoa) == (1, 3, 1)
    log = queries.import_log(seeded_url).iloc[0]
    assert (log["rows_outside"], log["rows_rejected"]) == (3, 0)
    again = policeuk.import_sources(seeded_url, [source], lookup, accept_unusual=MINI)
    assert again.files[0].status == "unchanged" and again.files[0].rows_imported == 0


def test_a_later_outcome_updates_the_crime_and_keeps_the_earlier_one(seeded_url, lookup, shared_data):
    leeds = pd.read_csv(shared_data / "lookups" / "leeds_lsoa21_ward_derived.csv", dtype=str).iloc[0]
    first = policeuk.Source("2024-05-a-street.csv", _mini_file([_row("c1", leeds.LSOA21CD, leeds.LSOA21NM)]))
    later = policeuk.Source(
        "2024-05-b-street.csv",
        _mini_file([_row("c1", leeds.LSOA21CD, leeds.LSOA21NM, outcome="Offender given a caution")]),
    )
    policeuk.import_sources(seeded_url, [first], lookup, accept_unusual=MINI)
    result = policeuk.import_sources(seeded_url, [later], lookup, accept_unusual=MINI)
    assert (result.files[0].rows_imported, result.files[0].rows_updated) == (0, 1)
    history = queries.crime_record_history(seeded_url)
    assert history[["record_key", "last_outcome", "earlier_outcome"]].values.tolist() == [
        ["c1", "Offender given a caution", "Under investigation"]
    ]
    assert _stored_counts(seeded_url, "2024-05")["count"].sum() == 1


def test_real_months_replace_illustrative_ones_and_the_rest_stay(seeded_url, lookup, shared_data):
    months = queries.crime_months(seeded_url)
    policeuk.import_paths(seeded_url, [shared_data / "policeuk" / MARCH], lookup)
    after = queries.crime_months(seeded_url)
    assert len(after) == len(months)
    assert after.loc[after["has_real"] == 1, "month"].astype(str).tolist() == ["2024-03-01"]
    totals = queries.crime_monthly_totals(seeded_url, include_asb=True)
    march = totals[totals["month"] == pd.Timestamp("2024-03-01").date()]
    assert march[["count", "illustrative"]].values.tolist() == [[9408, False]]
    assert totals[totals["month"] != pd.Timestamp("2024-03-01").date()]["illustrative"].all()


def test_formula_text_in_a_police_file_is_stored_as_text_and_defused_on_export(seeded_url, lookup, shared_data):
    leeds = pd.read_csv(shared_data / "lookups" / "leeds_lsoa21_ward_derived.csv", dtype=str).iloc[0]
    row = _row("f1", leeds.LSOA21CD, leeds.LSOA21NM)
    row[6] = '=HYPERLINK("http://x")'
    lines = [",".join(policeuk.HEADER), ",".join(row[:6]) + ',"=HYPERLINK(""http://x"")",' + ",".join(row[7:])]
    result = policeuk.import_sources(
        seeded_url,
        [policeuk.Source("2024-05-f-street.csv", ("\n".join(lines) + "\n").encode())],
        lookup,
        accept_unusual=MINI,
    )
    assert result.ok
    frame = pd.DataFrame({"location": ['=HYPERLINK("http://x")'], "change": [-3.5]})
    text = exports.csv_bytes(frame).decode()
    assert "'=HYPERLINK" in text and ",-3.5" in text


def test_an_import_that_fails_midway_leaves_nothing_half_written(seeded_url, lookup, shared_data, monkeypatch):
    before = table_checksums(seeded_url)

    def broken(*_args):
        raise RuntimeError("disk full")

    monkeypatch.setattr(policeuk.importer, "refresh_aggregate", broken)  # after every record has been inserted
    with pytest.raises(RuntimeError, match="disk full"):
        policeuk.import_paths(seeded_url, [shared_data / "policeuk"], lookup)
    assert table_checksums(seeded_url) == before
    log = queries.import_log(seeded_url)
    failed = log[log["status"] == "failed"]
    assert len(failed) == 2 and failed["errors"].str.contains("nothing was written").all()


def _real_lines(shared_data: Path, count: int) -> list[str]:
    return (shared_data / "policeuk" / MARCH).read_text().splitlines()[: count + 1]


def _bad_files(shared_data: Path) -> dict[str, tuple[bytes, str]]:
    good = _real_lines(shared_data, 20)
    crime_row = next(line for line in good[1:] if not line.startswith(","))
    return {
        "wrong header": (
            ("Crime ID,Month,Reported by,Type\n" + "\n".join(good[1:])).encode(),
            "not a police.uk street-level crime file",
        ),
        "wrong delimiter": ("\n".join(line.replace(",", ";") for line in good).encode(), "not separated by commas"),
        "truncated last line": (("\n".join(good) + "\n" + crime_row[:40]).encode(), "fields where police.uk rows"),
        "empty file": (b"", "the file is empty"),
        "header only": ((good[0] + "\n").encode(), "header but no rows"),
        "binary file": (bytes(range(256)) * 64, "not a text file"),
        "month 2024-13": (
            "\n".join([good[0], *[line.replace("2024-03", "2024-13") for line in good[1:]]]).encode(),
            "'2024-13' is not a month",
        ),
        # police.uk itself repeats a few Crime IDs (kept); a file joined to a copy of itself repeats every one
        "duplicate rows": ("\n".join([*good, *good[1:]]).encode(), "also appears on row"),
        "not UTF-8": ("\n".join(good).replace("On or near", "On or n\u00e9ar").encode("latin-1"), "not UTF-8"),
        "bad coordinate": ("\n".join([good[0], crime_row.replace("53.", "N53.", 1)]).encode(), "is not a number"),
    }


CORPUS = [
    "wrong header",
    "wrong delimiter",
    "truncated last line",
    "empty file",
    "header only",
    "binary file",
    "month 2024-13",
    "duplicate rows",
    "not UTF-8",
    "bad coordinate",
]


@pytest.fixture(scope="module")
def corpus_lookup(sqlite_seeded_url, shared_data):
    """The real LSOA lookups for Leeds's wards (built once: the checks below need no database)."""
    return leeds_lookup(sqlite_seeded_url, shared_data / "lookups")


@pytest.mark.parametrize("case", CORPUS)
def test_a_bad_file_gets_a_clear_message(corpus_lookup, shared_data, case):
    data, message = _bad_files(shared_data)[case]
    with pytest.raises(files.ImportRejectedError) as refused:
        policeuk.parse(policeuk.Source("2024-03-west-yorkshire-street.csv", data), corpus_lookup)
    assert message in str(refused.value.problems[0]), refused.value.problems


def test_a_bad_file_changes_nothing_and_the_good_file_waits(corpus_url, shared_data, tmp_path):
    lookup = leeds_lookup(corpus_url, shared_data / "lookups")
    data, message = _bad_files(shared_data)["duplicate rows"]
    path = tmp_path / "2024-03-west-yorkshire-street.csv"
    path.write_bytes(data)
    before, batches_before = table_checksums(corpus_url, CRIME_TABLES), len(queries.import_log(corpus_url))
    result = policeuk.import_paths(corpus_url, [path, shared_data / "policeuk" / FEBRUARY], lookup)
    assert not result.ok
    rejected = next(f for f in result.files if f.status == "rejected")
    assert message in str(rejected.problems[0]), rejected.problems
    assert [f.status for f in result.files if f is not rejected] == ["not imported"]  # the good file waits too
    assert table_checksums(corpus_url, CRIME_TABLES) == before
    log = queries.import_log(corpus_url)
    assert len(log) == batches_before + 2 and set(log.head(2)["status"]) == {"rejected", "not imported"}
    assert log.iloc[:2]["sha256"].str.len().tolist() == [64, 64]  # both logged with their content's hash


@pytest.mark.parametrize("case", ["60 MB file", "not a zip"])
def test_an_unreadable_upload_is_refused_before_reading_and_logged(corpus_url, shared_data, case, tmp_path):
    lookup = leeds_lookup(corpus_url, shared_data / "lookups")
    if case == "60 MB file":
        path = tmp_path / "2024-03-west-yorkshire-street.csv"
        with path.open("wb") as handle:
            handle.truncate(60 * 1024 * 1024)  # sparse: 60 MB on paper, nothing on disk
        message = "the limit is 50 MB"
    else:
        path = tmp_path / "download.zip"
        path.write_bytes(b"PK this is not really a zip")
        message = "not a readable zip archive"
    before = table_checksums(corpus_url, CRIME_TABLES)
    with pytest.raises(files.ImportRejectedError, match=message):
        policeuk.import_paths(corpus_url, [path], lookup)
    assert table_checksums(corpus_url, CRIME_TABLES) == before
    latest = queries.import_log(corpus_url).iloc[0]
    assert latest["status"] == "rejected" and message in latest["errors"]


def test_the_aggregate_is_refreshed_for_affected_months_only(seeded_url, lookup, shared_data):
    policeuk.import_paths(seeded_url, [shared_data / "policeuk" / MARCH], lookup)
    march_rows = _stored_counts(seeded_url, "2024-03")
    with db.get_engine(seeded_url).connect() as connection:
        batches = connection.execute(ImportBatch.__table__.select()).all()
    assert len(batches) >= 3
    policeuk.import_paths(seeded_url, [shared_data / "policeuk" / FEBRUARY], lookup)
    pd.testing.assert_frame_equal(_stored_counts(seeded_url, "2024-03"), march_rows)


def test_crime_counts_protect_small_sensitive_ward_cells(seeded_url, lookup, shared_data):
    leeds = pd.read_csv(shared_data / "lookups" / "leeds_lsoa21_ward_derived.csv", dtype=str)
    rows = [
        _row(f"v{i}", r.LSOA21CD, r.LSOA21NM, crime_type="Violence and sexual offences")
        for i, r in enumerate(leeds.drop_duplicates("WD25CD").itertuples())
    ]
    rows += [
        _row(f"w{i}", leeds.iloc[0].LSOA21CD, leeds.iloc[0].LSOA21NM, crime_type="Violence and sexual offences")
        for i in range(10)
    ]
    policeuk.import_sources(
        seeded_url, [policeuk.Source("2024-05-v-street.csv", _mini_file(rows))], lookup, accept_unusual=MINI
    )
    counts = measures.crime_counts(
        seeded_url,
        ("ward", "crime_type"),
        pd.Timestamp("2024-05-01").date(),
        pd.Timestamp("2024-05-01").date(),
        real_only=True,
    )
    assert counts["count"].isna().all() and set(counts["suppressed"]) <= {"<5", "[c]"}
    totals = measures.crime_counts(
        seeded_url, ("ward",), pd.Timestamp("2024-05-01").date(), pd.Timestamp("2024-05-01").date(), real_only=True
    )
    assert totals["count"].isna().all() and set(totals["suppressed"]) == {"[c]"}  # totals include the hidden cell
    city = measures.crime_counts(
        seeded_url,
        ("crime_type",),
        pd.Timestamp("2024-05-01").date(),
        pd.Timestamp("2024-05-01").date(),
        real_only=True,
    )
    assert city["count"].tolist() == [43.0]  # city-wide counts are not small-area counts


def _cli(capsys, *argv):
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_import_policeuk_then_crime_counts_and_imports(capsys, seeded_url, shared_data, monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(shared_data / "lookups"))
    code, out, _ = _cli(
        capsys, "--database-url", seeded_url, "import", "policeuk", str(shared_data / "policeuk"), "--json"
    )
    result = json.loads(out)
    assert code == 0 and result["ok"] and [f["imported"] for f in result["files"]] == [9408, 8009]
    code, out, _ = _cli(
        capsys,
        "--database-url",
        seeded_url,
        "crime",
        "counts",
        "--by",
        "ward,crime_type",
        "--month",
        "2024-03",
        "--real-only",
        "--json",
    )
    rows = json.loads(out)
    assert code == 0 and set(rows[0]) == {"ward_code", "crime_type", "count", "illustrative", "suppressed"}
    vso = "Violence and sexual offences"
    expected = _expected_counts(shared_data, MARCH)
    expected = expected[expected["crime_type"] != vso].reset_index(drop=True)
    frame = pd.DataFrame(rows)
    # By ward, a sensitive type is published only for a 12-month window (issue 14): a single month is withheld.
    withheld = frame[frame["crime_type"] == vso]
    assert len(withheld) == 33 and withheld["count"].isna().all() and set(withheld["suppressed"]) == {"[c]"}
    got = frame[frame["crime_type"] != vso][["ward_code", "crime_type", "count"]]
    got = got.sort_values(["ward_code", "crime_type"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    code, out, _ = _cli(
        capsys,
        "--database-url",
        seeded_url,
        "crime",
        "counts",
        "--by",
        "month",
        "--from",
        "2024-03",
        "--to",
        "2025-02",
        "--real-only",
        "--json",
    )
    assert [(r["month"], r["count"]) for r in json.loads(out)] == [("2024-03-01", 9408), ("2025-02-01", 8009)]
    code, out, _ = _cli(capsys, "--database-url", seeded_url, "imports", "--json")
    log = json.loads(out)
    assert [r["file_name"] for r in log[:2]] == [FEBRUARY, MARCH] and log[0]["status"] == "success"
    assert {"sha256", "who", "rows_read", "rows_imported", "rows_rejected", "rows_outside", "errors"} <= set(log[0])


def test_cli_import_policeuk_failures_are_one_line_and_non_zero(capsys, seeded_url, shared_data, monkeypatch, tmp_path):
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(tmp_path))
    code, _, err = _cli(capsys, "--database-url", seeded_url, "import", "policeuk", str(shared_data / "policeuk"))
    assert code == 1 and "saferleeds reference fetch" in err and err.count("\n") == 1
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(shared_data / "lookups"))
    bad = tmp_path / "2024-03-west-yorkshire-street.csv"
    bad.write_text("Crime ID;Month\n")
    code, out, err = _cli(capsys, "--database-url", seeded_url, "import", "policeuk", str(bad))
    assert code == 1 and "nothing was imported" in err and "not separated by commas" in out
    code, _, err = _cli(capsys, "--database-url", seeded_url, "crime", "counts", "--by", "street")
    assert code == 1 and "--by takes one or more of ward, crime_type, month" in err
    code, _, err = _cli(capsys, "--database-url", seeded_url, "crime", "counts", "--month", "2024-3x")
    assert code == 1 and "YYYY-MM" in err


def _city_and_summed_wards(url):
    with db.get_engine(url).connect() as connection:
        city = connection.execute(
            text("SELECT month, crime_type, illustrative, count FROM crimecitymonthly ORDER BY 1, 2, 3")
        ).all()
        wards = connection.execute(
            text(
                "SELECT month, crime_type, illustrative, SUM(count) FROM crimemonthly GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            )
        ).all()
    return [tuple(map(str, r)) for r in city], [tuple(map(str, r)) for r in wards]


def test_the_city_aggregate_is_the_ward_aggregate_summed_after_seed_and_import(seeded_url, lookup, shared_data):
    city, wards = _city_and_summed_wards(seeded_url)
    assert city == wards and len(city) > 500
    policeuk.import_paths(seeded_url, [shared_data / "policeuk"], lookup)
    city, wards = _city_and_summed_wards(seeded_url)
    assert city == wards
    march = queries.crime_by_type(seeded_url, date(2024, 3, 1), date(2024, 3, 1))
    assert int(march["count"].sum()) == 9408  # the city page reads the real month, not the illustrative one


def test_a_file_changed_between_its_check_and_its_write_is_refused_and_nothing_is_written(
    seeded_url, lookup, shared_data, tmp_path
):
    """Issue 19: the write does not repeat the row checks, so it proves it reads the file that was checked (its
    SHA-256, taken as it reads): a file edited in between is refused and nothing is written."""
    path = tmp_path / MARCH
    path.write_bytes((shared_data / "policeuk" / MARCH).read_bytes())
    sources, _ = policeuk.collect([path])
    checked = policeuk.check_sources(seeded_url, sources, lookup)
    assert checked.ready
    before = table_checksums(seeded_url, CRIME_TABLES)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], lines[1].replace("On or near", "On or nearby", 1), *lines[2:]]) + "\n")
    with pytest.raises(files.ImportRejectedError, match="changed after it was checked"):
        policeuk.write_checked(seeded_url, checked, accept_unusual=True)
    assert table_checksums(seeded_url, CRIME_TABLES) == before
    statuses = queries.import_log(seeded_url)["status"].tolist()
    assert statuses[0] == "failed"


def _reissued(path: Path, edit=None) -> policeuk.Source:
    """police.uk's file saved again: a byte-order mark, CRLF line endings, every field quoted (new bytes, same rows);
    edit(rows) may change rows first."""
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    if edit:
        edit(rows)
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return policeuk.Source(f"reissued-{path.name}", ("\ufeff" + out.getvalue()).encode())


def _saved_again(path: Path) -> policeuk.Source:
    """The file as a re-download or a re-packed archive may give it: a byte-order mark, CRLF line endings, blank
    lines at its end."""
    text = path.read_text(encoding="utf-8")
    return policeuk.Source(f"again-{path.name}", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode() + b"\r\n\r\n")


def test_a_file_saved_again_is_known_by_its_text_and_never_parsed(seeded_url, lookup, shared_data, monkeypatch):
    march = shared_data / "policeuk" / MARCH
    assert b'"' not in march.read_bytes()  # no quoted field: no line ending can be inside one
    policeuk.import_paths(seeded_url, [march], lookup)
    before = table_checksums(seeded_url, CRIME_TABLES)

    def never(*_args, **_kwargs):
        raise AssertionError("a file saved again was parsed")

    with monkeypatch.context() as patched:
        patched.setattr(importer, "parse", never)
        patched.setattr(fingerprint, "of_source", never)
        again = policeuk.import_sources(seeded_url, [_saved_again(march)], lookup)
    assert [(f.status, f.rows_read, f.rows_imported) for f in again.files] == [("unchanged", 9408, 0)]
    assert table_checksums(seeded_url, CRIME_TABLES) == before
    # A line ending inside a quoted field is part of the field: a quoted file is not taken as equal by its text.
    quoted = policeuk.Source("q.csv", b'a,"x\r\ny"\n')
    assert fingerprint.of_text(quoted) != fingerprint.of_text(policeuk.Source("q.csv", b'a,"x\ny"\n'))
    unquoted = policeuk.Source("u.csv", b"a,b\r\nc,d\r\n\r\n")
    assert fingerprint.of_text(unquoted) == fingerprint.of_text(policeuk.Source("u.csv", b"\xef\xbb\xbfa,b\nc,d"))


def test_a_reissued_file_with_the_same_rows_is_known_by_its_fingerprints_and_never_checked_row_by_row(
    seeded_url, lookup, shared_data, monkeypatch
):
    march = shared_data / "policeuk" / MARCH
    first = policeuk.import_paths(seeded_url, [march], lookup)
    assert first.ok and first.files[0].rows_imported == 9408
    before = table_checksums(seeded_url, CRIME_TABLES)

    def no_parse(*_args, **_kwargs):
        raise AssertionError("a re-issued file with the same rows was parsed")

    with monkeypatch.context() as patched:
        patched.setattr(importer, "parse", no_parse)
        again = policeuk.import_sources(seeded_url, [_reissued(march)], lookup)
    assert [(f.status, f.rows_read, f.rows_imported) for f in again.files] == [("unchanged", 9408, 0)]
    assert f"the same rows as {MARCH}, already imported" in str(again.files[0].problems[0])
    assert table_checksums(seeded_url, CRIME_TABLES) == before
    logged = queries.import_log(seeded_url)
    assert logged.iloc[0]["file_name"] == f"reissued-{MARCH}" and logged.iloc[0]["status"] == "unchanged"


def test_a_reissued_month_that_changes_an_outcome_is_read_in_full_and_the_older_file_is_no_longer_taken_as_stored(
    seeded_url, lookup, shared_data
):
    march = shared_data / "policeuk" / MARCH

    def new_outcome(rows: list[list[str]]) -> None:
        crime = next(row for row in rows[1:] if row[0])
        crime[10] = "Offender given a caution" if crime[10] != "Offender given a caution" else "Under investigation"

    policeuk.import_paths(seeded_url, [march], lookup)
    changed = policeuk.import_sources(seeded_url, [_reissued(march, new_outcome)], lookup)
    assert [(f.status, f.rows_imported, f.rows_updated) for f in changed.files] == [("success", 0, 1)]
    # The first file's rows are no longer all stored as it gives them: re-issued again, it is read and restores one.
    restored = policeuk.import_sources(seeded_url, [_saved_again(march)], lookup)  # its text, too, no longer matches
    assert [(f.status, f.rows_imported, f.rows_updated) for f in restored.files] == [("success", 0, 1)]
    assert len(queries.crime_record_history(seeded_url)) == 2


def test_a_reissued_part_of_a_month_is_known_while_the_other_part_adds_to_it(seeded_url, lookup, shared_data):
    """Two halves of March imported apart: each half's fingerprint stays good (the second only adds records), so
    either half re-issued adds nothing; the whole month re-issued (rows of both in one file) is read in full."""
    march = shared_data / "policeuk" / MARCH
    header, *rows = list(csv.reader(io.StringIO(march.read_text(encoding="utf-8"))))
    halves = []
    for name, part in (
        ("2024-03-a-street.csv", rows[: len(rows) // 2]),
        ("2024-03-b-street.csv", rows[len(rows) // 2 :]),
    ):
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows([header, *part])
        halves.append(policeuk.Source(name, out.getvalue().encode()))
    for half in halves:
        assert policeuk.import_sources(seeded_url, [half], lookup, accept_unusual=True).ok
    for half in halves:
        again = policeuk.Source(f"reissued-{half.name}", half.data.replace(b"\n", b"\r\n"))
        result = policeuk.import_sources(seeded_url, [again], lookup, accept_unusual=True)
        assert [f.status for f in result.files] == ["unchanged"] and half.name in str(result.files[0].problems[0])
    whole = policeuk.import_sources(seeded_url, [_reissued(march)], lookup)
    assert whole.ok and whole.files[0].rows_read == 9408 and whole.files[0].rows_updated == 0
    assert not any("the same rows as" in str(p) for p in whole.files[0].problems)


def test_a_months_fingerprint_is_its_rows_whatever_the_chunks_and_never_two_spellings():
    rows = [[f"id{i}", "2024-03", "West Yorkshire Police", f"field {i}"] for i in range(10)]
    whole, split = MonthDigests(), MonthDigests()
    whole.add(rows)
    for part in (rows[:3], rows[3:4], rows[4:]):
        split.add(part)
    assert whole.result() == split.result() and whole.result()["2024-03-01"][1] == 10
    changed = MonthDigests()
    changed.add([*rows[:9], [*rows[9][:3], "field 9 "]])
    assert changed.result()["2024-03-01"][0] != whole.result()["2024-03-01"][0]
    mixed = MonthDigests()  # two months in one chunk: each its own digest, the same as apart
    mixed.add([*rows, ["x", "2024-04", "y", "z"]])
    assert mixed.result()["2024-03-01"] == whole.result()["2024-03-01"] and set(mixed.result()) == {
        "2024-03-01",
        "2024-04-01",
    }
    for hostile in (["id", "2024-03", "a\x1fb"], ["id", "2024-03", "a\x1eb"]):  # a separator inside a field
        digests = MonthDigests()
        digests.add([hostile])
        assert digests.result() is None
    bad_month = MonthDigests()
    bad_month.add([["id", "March", "x"]])
    assert bad_month.result() is None
