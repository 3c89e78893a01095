"""Hostile and messy input (issue 14): what an upload may cost is bounded, damaged or implausible files get one plain
message and change nothing, and messy but honest input is read as the person meant it."""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from helpers import CRIME_TABLES, leeds_lookup, table_checksums
from openpyxl import Workbook
from test_import_policeuk import MARCH, _expected_counts, _mini_file, _row, _stored_counts

from lib import cli
from lib.ingest import files, kpi_returns, policeuk
from lib.store import db, queries, reads

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
# Peak resident memory of the command line importing anything below (the interpreter with pandas and SQLAlchemy
# loaded is about 185 MB of it). Held rows are one chunk (policeuk.CHUNK_ROWS), whatever the file's size.
MEMORY_BOUND_MB = 350


@pytest.fixture
def shared_data(shared_dir) -> Path:
    return shared_dir / "data"


@pytest.fixture
def lookup(seeded_url, shared_data):
    return leeds_lookup(seeded_url, shared_data / "lookups")


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _repeated_row_file(megabytes: int) -> bytes:
    """A police.uk file of one anti-social behaviour row repeated: what the reported bombs held."""
    row = ",2024-09,West Yorkshire Police,West Yorkshire Police,-1.5,53.8,On or near X,E01011264,Leeds 001A,"
    row += "Anti-social behaviour,,\n"
    header = ",".join(policeuk.HEADER) + "\n"
    return (header + row * (megabytes * MB // len(row))).encode()


def _bomb(tmp_path: Path) -> Path:
    """Four 45 MB members of one repeated row, about 180 KB each compressed (bomb8.zip of the report, smaller)."""
    member = _repeated_row_file(45)
    path = tmp_path / "bomb.zip"
    path.write_bytes(_zip({f"2024-0{m}/2024-0{m}-west-yorkshire-street.csv": member for m in range(1, 5)}))
    return path


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# What an upload may cost ---------------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_from_its_directory_logged_and_changes_nothing(seeded_url, tmp_path, capsys, shared_data):
    path = _bomb(tmp_path)
    assert path.stat().st_size < 2 * MB
    before = table_checksums(seeded_url, CRIME_TABLES)
    os.environ["SAFERLEEDS_REFERENCE_DIR"] = str(shared_data / "lookups")
    try:
        code, _, err = _cli(capsys, "--database-url", seeded_url, "import", "policeuk", str(path))
    finally:
        del os.environ["SAFERLEEDS_REFERENCE_DIR"]
    assert code == 1 and "zip bomb" in err and len(err.strip().splitlines()) == 1
    assert table_checksums(seeded_url, CRIME_TABLES) == before
    latest = queries.import_log(seeded_url).iloc[0]
    assert latest["status"] == "rejected" and "zip bomb" in latest["errors"]


def test_too_many_members_or_too_much_in_all_is_refused(tmp_path, monkeypatch):
    many = tmp_path / "many.zip"
    many.write_bytes(_zip({f"m{i}-street.csv": b"x" for i in range(files.MAX_MEMBERS + 1)}))
    with pytest.raises(files.ImportRejectedError, match="at most 2,000"):
        policeuk.collect([many])
    monkeypatch.setenv("SAFERLEEDS_MAX_IMPORT_MB", "1")
    for month in ("2024-01", "2024-02"):
        (tmp_path / f"{month}-x-street.csv").write_bytes(b"x" * (MB // 2 + 1))
    with pytest.raises(files.ImportRejectedError, match="one import takes at most 1 MB"):
        policeuk.collect([tmp_path / "2024-01-x-street.csv", tmp_path / "2024-02-x-street.csv"])


def _damaged(kind: str, shared_data: Path) -> bytes:
    data = bytearray(_zip({MARCH: (shared_data / "policeuk" / MARCH).read_bytes()}))
    if kind == "flipped byte":
        data[len(data) // 3] ^= 0xFF  # inside the compressed data
    else:  # falsified sizes: the directory and the local header say the member is 1 KB
        local = data.index(b"PK\x03\x04")
        central = data.index(b"PK\x01\x02")
        struct.pack_into("<I", data, local + 22, 1024)
        struct.pack_into("<I", data, central + 24, 1024)
    return bytes(data)


@pytest.mark.parametrize("kind", ["flipped byte", "falsified sizes"])
def test_a_damaged_archive_gets_one_plain_logged_message_and_changes_nothing(
    seeded_url, lookup, shared_data, tmp_path, kind
):
    path = tmp_path / "download.zip"
    path.write_bytes(_damaged(kind, shared_data))
    before = table_checksums(seeded_url, CRIME_TABLES)
    result = policeuk.import_paths(seeded_url, [path], lookup)
    assert not result.ok
    assert "the archive is damaged and cannot be read (Bad CRC-32" in str(result.files[0].problems[0])
    assert table_checksums(seeded_url, CRIME_TABLES) == before
    assert queries.import_log(seeded_url).iloc[0]["status"] == "rejected"


def test_imports_stay_within_the_memory_bound_whatever_the_file(seeded_templates, shared_data, tmp_path):
    """Peak memory of the command line importing the bomb corpus and a 30 MB month of distinct rows (150,000 rows,
    15 chunks: a leak or a whole-file list would show as memory growing with the file)."""
    seeded_url = seeded_templates.sqlite_copy(tmp_path)  # memory is the process's: one backend is enough
    big = tmp_path / "2024-09-west-yorkshire-street.csv"
    lsoas = pd.read_csv(shared_data / "lookups" / "leeds_lsoa21_ward_derived.csv", dtype=str).head(50)
    places = list(zip(lsoas["LSOA21CD"], lsoas["LSOA21NM"], strict=True))
    header = ",".join(policeuk.HEADER) + "\n"
    with big.open("w") as handle:
        handle.write(header)
        i = 0
        while handle.tell() < 30 * MB:
            code, name = places[i % len(places)]
            handle.write(
                f"{i:064x},2024-09,West Yorkshire Police,West Yorkshire Police,-1.{i % 9999:04d},53.{i % 7777:04d},"
                f"On or near Street {i},{code},{name},Burglary,Under investigation,\n"
            )
            i += 1
    peaks = {}
    for label, path in (("bomb", _bomb(tmp_path)), ("30 MB month", big)):
        # The process's own high-water mark (VmHWM starts afresh at exec; ru_maxrss would carry pytest's over).
        script = (
            "import re, sys\nfrom lib.cli import main\ncode = main(sys.argv[1:])\n"
            "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) // 1024\n"
            "print(peak, code, file=sys.stderr)\n"
        )
        run = subprocess.run(
            [sys.executable, "-c", script, "--database-url", seeded_url, "import", "policeuk", str(path)]
            + ["--accept-unusual", "--json"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "SAFERLEEDS_REFERENCE_DIR": str(shared_data / "lookups"), "PYTHONPATH": str(ROOT)},
            timeout=300,
        )
        peak, code = (int(v) for v in run.stderr.strip().splitlines()[-1].split())
        peaks[label] = peak
        if label == "30 MB month":
            assert code == 0, run.stderr[-2000:]
            assert json.loads(run.stdout)["files"][0]["imported"] == i
    assert all(peak < MEMORY_BOUND_MB for peak in peaks.values()), peaks


# Implausible files -----------------------------------------------------------------------------------------------


def test_a_partial_month_is_imported_only_when_confirmed_and_says_what_is_stored(seeded_url, lookup, shared_data):
    leeds = pd.read_csv(shared_data / "lookups" / "leeds_lsoa21_ward_derived.csv", dtype=str).iloc[0]
    source = policeuk.Source(
        "2024-09-west-yorkshire-street.csv", _mini_file([_row("p1", leeds.LSOA21CD, leeds.LSOA21NM, month="2024-09")])
    )
    before = table_checksums(seeded_url, CRIME_TABLES)
    result = policeuk.import_sources(seeded_url, [source], lookup)
    assert [f.status for f in result.files] == ["not imported"] and not result.ok
    reasons = " ".join(str(p) for p in result.files[0].problems)
    assert "only 1 Leeds rows for September 2024, far below the usual" in reasons and "already stored" in reasons
    assert table_checksums(seeded_url, CRIME_TABLES) == before
    assert queries.import_log(seeded_url).iloc[0]["status"] == "not imported"
    confirmed = policeuk.import_sources(seeded_url, [source], lookup, accept_unusual=True)
    assert confirmed.ok and confirmed.files[0].rows_imported == 1


def test_a_month_of_mostly_identical_rows_needs_confirming(seeded_url, lookup):
    data = _repeated_row_file(1)  # about 7,000 identical anti-social behaviour rows
    result = policeuk.import_sources(seeded_url, [policeuk.Source("2024-09-x-street.csv", data)], lookup)
    assert [f.status for f in result.files] == ["not imported"]
    assert "identical to another row" in " ".join(str(p) for p in result.files[0].problems)


def test_far_more_rows_than_any_month_stored_needs_confirming(seeded_url, lookup, shared_data):
    leeds = pd.read_csv(shared_data / "lookups" / "leeds_lsoa21_ward_derived.csv", dtype=str).iloc[0]
    largest = max(count for count, _ in reads.month_sizes(seeded_url).values())
    rows = [_row(f"id{i}", leeds.LSOA21CD, leeds.LSOA21NM, month="2024-09") for i in range(3 * largest + 1)]
    result = policeuk.import_sources(seeded_url, [policeuk.Source("2024-09-x-street.csv", _mini_file(rows))], lookup)
    assert [f.status for f in result.files] == ["not imported"]
    assert "more than 3 times the largest month stored" in str(result.files[0].problems[0])


def test_parts_of_a_month_imported_together_give_the_whole_files_rows(seeded_url, lookup, shared_data, tmp_path):
    lines = (shared_data / "policeuk" / MARCH).read_text().splitlines()
    half = len(lines) // 2
    first, second = tmp_path / "2024-03-part-1-street.csv", tmp_path / "2024-03-part-2-street.csv"
    first.write_text("\n".join(lines[:half]) + "\n")
    second.write_text("\n".join([lines[0], *lines[half:]]) + "\n")
    result = policeuk.import_paths(seeded_url, [first, second], lookup)
    assert result.ok and sum(f.rows_imported for f in result.files) == 9408
    pd.testing.assert_frame_equal(
        _stored_counts(seeded_url, "2024-03"), _expected_counts(shared_data, MARCH), check_dtype=False
    )
    again = policeuk.import_paths(seeded_url, [shared_data / "policeuk" / MARCH], lookup)  # the whole: a copy
    assert again.ok and again.files[0].rows_imported == 0


# Messy but honest input --------------------------------------------------------------------------------------------


def test_utf16_files_are_told_to_save_as_csv_utf8(seeded_url, lookup, shared_data):
    data = (shared_data / "policeuk" / MARCH).read_text().encode("utf-16")
    with pytest.raises(files.ImportRejectedError, match="save it as 'CSV UTF-8"):
        policeuk.parse(policeuk.Source(MARCH, data), lookup)
    header = ",".join(kpi_returns.COLUMNS) + "\nDS1_RESPONSE,2024-10-01,2024-10-31,,41,,,\n"
    with pytest.raises(files.ImportRejectedError, match="save it as 'CSV UTF-8"):
        kpi_returns.check(seeded_url, "r.txt", header.encode("utf-16-le"))


def test_a_zip_without_street_files_has_nothing_to_import(seeded_url, tmp_path, capsys, shared_data, monkeypatch):
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(shared_data / "lookups"))
    path = tmp_path / "download.zip"
    path.write_bytes(_zip({"2024-03/2024-03-west-yorkshire-outcomes.csv": b"Crime ID,Month\n"}))
    code, _, err = _cli(capsys, "--database-url", seeded_url, "import", "policeuk", str(path))
    assert code == 1 and "nothing to import" in err


def _workbook(rows: list[list[object]], percent_cells: tuple[tuple[int, int], ...] = ()) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "return"
    sheet.append(list(kpi_returns.COLUMNS))
    for row in rows:
        sheet.append(row)
    for r, c in percent_cells:
        sheet.cell(row=r, column=c).number_format = "0%"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_excel_percentage_is_read_as_shown(seeded_url):
    data = _workbook([["DS1_ATTENDANCE", "2024-10-01", "2024-10-31", None, 0.85, None, None, None]], ((2, 5),))
    preview = kpi_returns.check(seeded_url, "october.xlsx", data)
    assert preview.ok and preview.values[0]["value"] == 85


@pytest.mark.parametrize("written", ["1.234", "12.7"])
def test_counts_must_be_whole_numbers(seeded_url, written):
    data = f"{','.join(kpi_returns.COLUMNS)}\nDS1_CALLS,2024-10-01,2024-10-31,,{written},,,\n".encode()
    preview = kpi_returns.check(seeded_url, "october.csv", data)
    assert not preview.ok and "is not a whole number" in str(preview.problems[0])
    minutes = f"{','.join(kpi_returns.COLUMNS)}\nDS1_RESPONSE,2024-10-01,2024-10-31,,{written},,,\n".encode()
    assert kpi_returns.check(seeded_url, "october.csv", minutes).ok  # a time may have decimals


def test_a_workbook_bomb_is_refused_before_it_is_opened(seeded_url):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "a" * (60 * MB) + "</sst>")
    data = buffer.getvalue()
    assert len(data) < MB
    with pytest.raises(files.ImportRejectedError, match="zip bomb"):
        kpi_returns.check(seeded_url, "return.xlsx", data)


# The database's schema -----------------------------------------------------------------------------------------------


def test_a_database_behind_the_code_says_to_upgrade_everywhere(seeded_url, capsys, monkeypatch):
    from alembic import command

    config = db._alembic_config(seeded_url)
    with db.get_engine(seeded_url).begin() as connection:  # one migration behind, for real
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with pytest.raises(db.DatabaseUnavailableError, match="saferleeds db upgrade"):
        queries.check_ready(seeded_url)
    code, _, err = _cli(capsys, "--database-url", seeded_url, "kpi", "list", "--json")
    assert code == 1 and "saferleeds db upgrade" in err and len(err.strip().splitlines()) == 1
    if seeded_url.startswith("sqlite"):
        from test_pages import page

        monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", seeded_url)
        for script in ("pages/overview.py", "pages/crime.py", "pages/data_sources.py"):
            at = page(script).run()
            assert not at.exception and "saferleeds db upgrade" in at.error[0].value
    assert cli.main(["--database-url", seeded_url, "db", "upgrade"]) == 0
    queries.check_ready(seeded_url)
