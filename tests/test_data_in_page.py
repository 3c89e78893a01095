"""The Data in page: template downloads, a return's preview with its problems, confirm, and police.uk uploads."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from helpers import table_checksums
from test_import_kpi import BAD, GOOD
from test_pages import page

from lib.core.text import literal
from lib.ingest import policeuk
from lib.store import queries

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def app_url(tmp_path, monkeypatch, shared_dir, seeded_templates):
    """A fresh embedded database for each test (these tests write to it), and the shared LSOA lookups."""
    url = seeded_templates.sqlite_copy(tmp_path)
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", url)
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(shared_dir / "data" / "lookups"))
    return url


def _finished(at, timeout: float = 60):
    """Rerun the page until the background import it started has finished; its outcome box."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        assert not at.exception
        boxes = [*at.success, *at.warning, *at.error]
        if any(
            "Import of" not in box.value and ("new" in box.value or "Nothing was imported" in box.value)
            for box in boxes
        ):
            return at
        time.sleep(0.2)
    raise AssertionError("the import did not finish")


def _open():
    at = page("pages/data_in.py").run()
    assert not at.exception
    return at


@pytest.mark.usefixtures("app_url")
def test_template_downloads_and_guide_are_offered():
    at = _open()
    labels = [b.label for b in at.get("download_button")]
    assert "Template (CSV)" in labels and "Template (Excel, with a guide sheet)" in labels
    at.selectbox(key="template_owner").set_value("West Yorkshire Police").run()
    guide = at.dataframe[0].value
    assert set(guide["Owner"]) == {"West Yorkshire Police"} and "REC_TOTAL" in set(guide["KPI"])  # headers in words


def test_a_good_return_shows_a_preview_and_imports_on_confirm(app_url):
    at = _open()
    before = table_checksums(app_url)
    at.file_uploader(key="kpi_upload").set_value(("october.csv", GOOD, "text/csv")).run()
    assert not at.exception and not at.error
    assert [m.value for m in at.tabs[0].metric] == ["3", "0", "0", "1"]
    preview = at.dataframe[-2].value
    assert preview["Outcome"].tolist() == ["new", "new", "new", "skipped: no value"]
    assert table_checksums(app_url) == before  # nothing written before confirm
    at.button(key="kpi_confirm").click().run()
    _finished(at)
    assert "3 new" in at.success[0].value
    assert queries.import_log(app_url).iloc[0][["file_name", "status"]].tolist() == ["october.csv", "success"]


def test_a_bad_return_lists_problems_by_row_and_column_and_offers_no_import(app_url):
    at = _open()
    before = table_checksums(app_url)
    data = GOOD.replace(b",41,", b",-41,").replace(b",95,19,20,", b",195,,,")
    at.file_uploader(key="kpi_upload").set_value(("october.csv", data, "text/csv")).run()
    assert not at.exception
    assert f"2 problems in {literal('october.csv')}" in at.error[0].value
    problems = at.dataframe[1].value
    assert problems[["Row", "Column"]].values.tolist() == [[2, "value"], [3, "value"]]
    assert not [b for b in at.button if b.key == "kpi_confirm"]
    at.run()  # a rerun does not log the rejection twice
    assert table_checksums(app_url) == before
    log = queries.import_log(app_url)
    assert (log["status"] == "rejected").sum() == 1


@pytest.mark.usefixtures("app_url")
def test_an_unreadable_return_says_why():
    at = _open()
    at.file_uploader(key="kpi_upload").set_value(("x.csv", BAD["binary file"][0], "text/csv")).run()
    assert not at.exception and "not a text file" in at.error[0].value


def test_police_files_are_checked_then_imported_with_their_months_shown(app_url):
    at = _open()
    data = (SHARED_DATA / "policeuk" / "2025-02-west-yorkshire-street.csv").read_bytes()
    at.file_uploader(key="crime_upload").set_value([("2025-02-west-yorkshire-street.csv", data, "text/csv")]).run()
    assert not at.exception and not at.error
    checked = at.dataframe[-2].value
    assert checked[["Months", "Rows", "Leeds rows", "Outside Leeds"]].values.tolist() == [["Feb 2025", 8009, 8009, 0]]
    at.button(key="crime_confirm").click().run()
    _finished(at)
    assert "8,009 new" in at.success[0].value
    months = queries.crime_months(app_url)
    assert months.loc[months["has_real"] == 1, "month"].astype(str).tolist() == ["2025-02-01"]


@pytest.mark.usefixtures("app_url")
def test_a_bad_police_file_blocks_the_import():
    at = _open()
    at.file_uploader(key="crime_upload").set_value([("2024-03-x-street.csv", b"a;b;c\n1;2;3\n", "text/csv")]).run()
    assert not at.exception
    assert "not separated by commas" in at.error[0].value
    assert not [b for b in at.button if b.key == "crime_confirm"]


@pytest.mark.usefixtures("app_url")
def test_missing_lookups_say_how_to_get_them(monkeypatch, tmp_path):
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(tmp_path))
    at = _open()
    at.file_uploader(key="crime_upload").set_value([("2024-03-x-street.csv", b"x\n", "text/csv")]).run()
    assert "saferleeds reference fetch" in at.error[0].value


def test_the_page_checks_each_file_once_and_logs_a_rejection_with_its_hash(app_url, monkeypatch):
    parsed = []
    real_parse = policeuk.parse
    monkeypatch.setattr(
        policeuk.importer,  # where the import calls it
        "parse",
        lambda source, lookup, **kwargs: (
            parsed.append((source.name, "sink" in kwargs and kwargs["sink"] is not None))
            or real_parse(source, lookup, **kwargs)
        ),
    )
    at = _open()
    name = "2025-02-west-yorkshire-street.csv"
    data = (SHARED_DATA / "policeuk" / name).read_bytes()
    at.file_uploader(key="crime_upload").set_value([(name, data, "text/csv")]).run()
    at.run()  # any rerun (a click elsewhere) reuses the check
    at.button(key="crime_confirm").click().run()
    _finished(at)
    assert "8,009 new" in at.success[0].value
    # Checked once for the preview however often the page reruns, then read again as it is written: only a chunk
    # of rows is ever held in memory, whatever the file's size.
    assert parsed == [(name, False), (name, True)], parsed

    bad = b"a;b;c\n1;2;3\n"
    at.file_uploader(key="crime_upload").set_value([("2024-03-x-street.csv", bad, "text/csv")]).run()
    at.run()
    log = queries.import_log(app_url)
    rejected = log[log["status"] == "rejected"]
    assert rejected["sha256"].tolist() == [hashlib.sha256(bad).hexdigest()]  # logged once, with its hash


def test_a_damaged_or_empty_archive_gets_a_plain_message_not_a_crash(app_url, shared_dir):
    from test_hostile_input import _damaged, _zip

    at = _open()
    damaged = _damaged("flipped byte", shared_dir / "data")
    at.file_uploader(key="crime_upload").set_value([("download.zip", damaged, "application/zip")]).run()
    assert not at.exception and "the archive is damaged" in at.error[0].value
    assert queries.import_log(app_url).iloc[0]["status"] == "rejected"
    nothing = _zip({"2024-03/2024-03-west-yorkshire-outcomes.csv": b"Crime ID,Month\n"})
    at.file_uploader(key="crime_upload").set_value([("outcomes.zip", nothing, "application/zip")]).run()
    assert not at.exception and "nothing to import" in at.warning[0].value
    assert not [b for b in at.button if b.key == "crime_confirm"]


def test_an_unusual_file_is_imported_only_after_the_person_confirms(app_url):
    from test_import_policeuk import _mini_file, _row

    lsoa = "E01011264"
    data = _mini_file([_row("p1", lsoa, "Leeds 001A", month="2024-09")])
    at = _open()
    before = table_checksums(app_url)
    at.file_uploader(key="crime_upload").set_value([("2024-09-x-street.csv", data, "text/csv")]).run()
    assert not at.exception and "far below the usual" in at.warning[0].value
    assert at.button(key="crime_confirm").disabled
    at.checkbox(key="crime_accept_unusual").check().run()
    assert not at.button(key="crime_confirm").disabled
    at.button(key="crime_confirm").click().run()
    _finished(at)
    assert "1 new" in at.success[0].value
    assert table_checksums(app_url) != before
