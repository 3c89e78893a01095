"""police.uk crime fetched by itself (issue 31): only the partnership's street files, read from a police.uk-shaped
archive on loopback (nginx, which supports Range) with range requests, then imported as by hand; every fault gives
one line, imports nothing and is logged."""

from __future__ import annotations

import json
import struct
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from helpers import CRIME_TABLES, leeds_lookup, table_checksums
from policeuk_server import NEWEST, Faults, build_archive, fault_server, nginx, site, street_files

from lib import cli
from lib.core.vocabulary import FetchStatus, ImportStatus
from lib.ingest import policeuk
from lib.ingest.policeuk import archive, fetch
from lib.ops import replicas
from lib.store import reads

pytestmark = pytest.mark.usefixtures("shared_lookups")  # every test reads the Leeds lookups and waits 10 ms
MARCH = "2024-03/2024-03-west-yorkshire-street.csv"
FEBRUARY = "2025-02/2025-02-west-yorkshire-street.csv"


@pytest.fixture
def shared_lookups(monkeypatch: pytest.MonkeyPatch, shared_dir: Path) -> Path:
    """The app reads the Leeds LSOA lookups from the shared data (as a partnership's configured folder)."""
    folder = shared_dir / "data" / "lookups"
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(folder))
    monkeypatch.setattr(archive, "BACKOFF_SECONDS", 0.01)  # retries wait 10 ms, not half a second
    return folder


@pytest.fixture
def police_site(tmp_path: Path) -> tuple[Path, dict]:
    """data.police.uk's layout on disk: the newest archive (2025-02), latest.zip, an older archive and the API."""
    root = tmp_path / "site"
    held = site(root)
    build_archive(root / "data" / "archive" / "2024-03.zip", "2024-03")  # older: holds March 2024 too
    return root, held


@pytest.fixture
def served(police_site: tuple[Path, dict], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """nginx serving the site, and the app pointed at it."""
    try:
        replicas.nginx_path()
    except RuntimeError:
        pytest.fail("nginx is needed for the fetch tests: apt-get install nginx-light")
    with nginx(police_site[0], tmp_path / "nginx") as server:
        _point_at(monkeypatch, server.archive_url, server.api_url)
        yield server


def _point_at(monkeypatch: pytest.MonkeyPatch, archive_url: str, api_url: str) -> None:
    monkeypatch.setenv("SAFERLEEDS_POLICEUK_ARCHIVE_URL", archive_url)
    monkeypatch.setenv("SAFERLEEDS_POLICEUK_API_URL", api_url)


def _cli_json(url: str, *args: str, capsys: pytest.CaptureFixture) -> tuple[int, dict]:
    capsys.readouterr()
    code = cli.main(["--database-url", url, "fetch", "policeuk", *args, "--json"])
    printed = capsys.readouterr()
    assert printed.out, printed.err
    return code, json.loads(printed.out)


def _area_rows(url: str, folder: Path, names: list[str]) -> int:
    """An independent count of the rows of these street files in Leeds: csv rows whose LSOA the lookup places."""
    lookup = leeds_lookup(url, folder)
    files = street_files()
    total = 0
    for name in names:
        lines = files[name].decode("utf-8-sig").splitlines()[1:]
        total += sum(1 for line in lines if lookup.ward(_lsoa(line)) is not None)
    return total


def _lsoa(line: str) -> str:
    import csv

    return next(csv.reader([line]))[7]


def test_a_fetch_imports_the_forces_new_months_reading_only_their_files(
    seeded_url, shared_lookups, served, police_site, capsys
):
    code, answer = _cli_json(seeded_url, capsys=capsys)
    assert code == 0, answer
    assert answer["status"] == FetchStatus.SUCCESS
    assert {(f["month"], f["force"], f["archive"]) for f in answer["fetched"]} == {
        ("2024-03", "west-yorkshire", f"{NEWEST}.zip"),
        ("2025-02", "west-yorkshire", f"{NEWEST}.zip"),
    }  # March 2024 from the newest archive that holds it, not from 2024-03.zip
    assert answer["newest_published"] == NEWEST and answer["newest_imported"] == NEWEST
    requests = served.requests()
    assert all(status == 206 for path, status, _, _ in requests if path.startswith("/data/archive/"))
    assert not any("2024-03.zip" in path or "latest.zip" in path for path, *_ in requests)
    sent, size = served.bytes_sent(), police_site[1]["size"]
    assert sent < 0.15 * size, f"{sent:,} bytes sent of a {size:,}-byte archive"
    assert answer["bytes_received"] <= served.bytes_sent(prefix="/") and answer["archive_bytes"] == size
    # The same counts as importing the same files by hand: the rows police.uk gives in Leeds, and then a hand import
    # of those files adds nothing (the same bytes went in).
    imported = sum(f["imported"] for f in answer["imported"])
    assert imported == _area_rows(seeded_url, shared_lookups, [MARCH, FEBRUARY])
    hand = policeuk.import_paths(seeded_url, [shared_lookups.parent / "policeuk"])
    assert [f.status for f in hand.files] == [ImportStatus.UNCHANGED] * 2
    log = reads.policeuk_fetches(seeded_url)[0]
    assert log["status"] == FetchStatus.SUCCESS and log["months"] == "2024-03,2025-02"
    assert log["bytes_received"] == answer["bytes_received"] and log["newest_published"] == NEWEST


@pytest.mark.usefixtures("served")
def test_progress_reported_inside_the_import_never_waits_for_the_import(seeded_url, monkeypatch):
    """The fetch's own import holds the write lock while it reports progress: a progress note that waited for the
    database would wait for itself (30 s, then "database is locked"). Every report is noted here, none may block."""
    monkeypatch.setattr(fetch, "NOTE_EVERY_SECONDS", 0.0)
    noted: list[bool] = []
    real = fetch.fetch_log.note_progress
    monkeypatch.setattr(fetch.fetch_log, "note_progress", lambda *a, **k: noted.append(real(*a, **k)) or noted[-1])
    started = time.monotonic()
    result = fetch.fetch(seeded_url)
    assert result.status == FetchStatus.SUCCESS, result.message
    assert time.monotonic() - started < 20  # far below the 30 s an import waits for a lock
    assert True in noted
    if seeded_url.startswith("sqlite"):  # one writer at a time: notes made inside the import are left out
        assert False in noted
    assert reads.policeuk_fetches(seeded_url)[0]["status"] == FetchStatus.SUCCESS


def test_a_second_fetch_downloads_no_member_and_adds_nothing(seeded_url, served, capsys):
    assert _cli_json(seeded_url, capsys=capsys)[0] == 0
    before = table_checksums(seeded_url, CRIME_TABLES)
    served.log.write_text("")
    code, answer = _cli_json(seeded_url, capsys=capsys)
    assert code == 0 and answer["status"] == FetchStatus.UNCHANGED and answer["fetched"] == []
    assert table_checksums(seeded_url, CRIME_TABLES) == before
    ranges = [asked for path, _, _, asked in served.requests() if path.startswith("/data/archive/")]
    assert ranges == [f"bytes=-{archive.TAIL_BYTES}"]  # the directory only
    # Asked again for a month already in, it is downloaded and the import sees the same bytes (the log's sha256).
    code, again = _cli_json(seeded_url, "--months", "2025-02", capsys=capsys)
    assert code == 0 and again["status"] == FetchStatus.UNCHANGED
    assert [f["status"] for f in again["imported"]] == [ImportStatus.UNCHANGED]
    assert table_checksums(seeded_url, CRIME_TABLES) == before


def test_due_does_nothing_until_a_new_month_can_be_expected(seeded_url, served):
    first = fetch.fetch(seeded_url)
    assert first.status == FetchStatus.SUCCESS
    served.log.write_text("")
    soon = fetch.fetch(seeded_url, due=True, today=date(2025, 4, 20))  # March 2025 expected from 13 May 2025
    assert soon.status == FetchStatus.NOTHING_DUE and "13 May 2025" in soon.message
    assert served.requests() == []  # nothing asked of police.uk at all
    later = fetch.fetch(seeded_url, due=True, today=date(2025, 6, 1))  # due, but the API lists nothing newer
    assert later.status == FetchStatus.NOTHING_DUE and "2025-02" in later.message
    assert [path for path, *_ in served.requests()] == ["/api/crimes-street-dates"]


def test_a_month_missing_from_the_archive_is_named_and_the_rest_imported(seeded_url, tmp_path, monkeypatch, capsys):
    root = tmp_path / "gap"
    site(root, drop={FEBRUARY})  # the API lists February 2025; the archive lacks West Yorkshire's file
    with nginx(root, tmp_path / "nginx") as server:
        _point_at(monkeypatch, server.archive_url, server.api_url)
        code, answer = _cli_json(seeded_url, capsys=capsys)
    assert code == 1 and answer["status"] == FetchStatus.INCOMPLETE
    assert answer["missing"] == ["2025-02 west-yorkshire"]
    assert [f["month"] for f in answer["fetched"]] == ["2024-03"]
    assert reads.policeuk_fetches(seeded_url)[0]["message"].endswith("not in the archive: 2025-02 west-yorkshire")


def test_the_archive_alone_serves_given_months_when_the_api_is_down(seeded_url, police_site, tmp_path, monkeypatch):
    with nginx(police_site[0], tmp_path / "nginx") as server:
        _point_at(monkeypatch, server.archive_url, f"http://127.0.0.1:{replicas.free_port()}/api/")
        without = fetch.fetch(seeded_url)
        assert without.status == FetchStatus.FAILED and "--months" in without.message
        result = fetch.fetch(seeded_url, months=["2025-02"])
        assert [path for path, *_ in server.requests()][0] == "/data/archive/latest.zip"
    assert result.status == FetchStatus.SUCCESS, result.message
    assert [(f.month, f.archive) for f in result.fetched] == [("2025-02", "latest.zip")]


def test_a_500_and_a_dropped_connection_are_retried_and_resumed(seeded_url, shared_lookups, police_site, monkeypatch):
    faults = Faults()
    faults.errors_first = 2
    faults.drop_after = 100_000  # more than the directory's tail: the cut falls inside a member
    with fault_server(police_site[0], faults) as server:
        _point_at(monkeypatch, server.archive_url, server.api_url)
        result = fetch.fetch(seeded_url)
    assert result.status == FetchStatus.SUCCESS, result.message
    member_ranges = [line.split(" ", 1)[1] for line in faults.seen if "bytes=" in line and "bytes=-" not in line]
    (first, end), (resumed, same_end) = (map(int, r.split("=")[1].split("-")) for r in member_ranges[:2])
    assert first < resumed <= first + 100_000 and same_end == end  # carried on from the byte reached
    assert sum(f.rows_imported for f in result.imported.files) == _area_rows(
        seeded_url, shared_lookups, [MARCH, FEBRUARY]
    )


def _refused(url: str, result: fetch.FetchResult, before: dict, words: str) -> None:
    """A fault: one line saying why, nothing imported, the log says so."""
    assert result.status == FetchStatus.FAILED
    assert words in result.message and "\n" not in result.message
    assert table_checksums(url, CRIME_TABLES) == before
    logged = reads.policeuk_fetches(url)[0]
    assert logged["status"] == FetchStatus.FAILED and words in logged["message"]


def test_a_server_that_ignores_range_is_stopped_before_it_streams_the_archive(seeded_url, police_site, monkeypatch):
    before = table_checksums(seeded_url, CRIME_TABLES)
    faults = Faults()
    faults.ignore_range = True
    with fault_server(police_site[0], faults) as server:
        _point_at(monkeypatch, server.archive_url, server.api_url)
        result = fetch.fetch(seeded_url)
    _refused(seeded_url, result, before, "ignored the Range header")
    assert result.bytes_received < 100_000  # the API's answer, never the archive's body


def _corrupt_member(path: Path, name: str) -> None:
    """Flip one byte inside a stored member's data (its CRC-32 no longer matches)."""
    files = street_files()
    with zipfile.ZipFile(path, "w") as out:
        for member, data in sorted(files.items()):
            out.writestr(member, data, zipfile.ZIP_STORED if member == name else zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path) as archive_file:
        info = archive_file.getinfo(name)
    raw = bytearray(path.read_bytes())
    name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26 : info.header_offset + 30])
    raw[info.header_offset + 30 + name_length + extra_length + 5_000] ^= 0xFF
    path.write_bytes(bytes(raw))


@pytest.mark.parametrize("fault", ["bad CRC", "truncated", "offline"])
def test_a_damaged_or_unreachable_archive_imports_nothing_and_says_why(
    fault, seeded_url, police_site, tmp_path, monkeypatch
):
    before = table_checksums(seeded_url, CRIME_TABLES)
    newest = police_site[0] / "data" / "archive" / f"{NEWEST}.zip"
    if fault == "bad CRC":
        _corrupt_member(newest, FEBRUARY)
        words = "bad CRC-32"
    elif fault == "truncated":
        newest.write_bytes(newest.read_bytes()[: newest.stat().st_size * 2 // 3])
        words = "not a complete zip archive"
    else:
        words = "cannot connect"
    with nginx(police_site[0], tmp_path / "nginx") as server:
        if fault == "offline":
            closed = f"http://127.0.0.1:{replicas.free_port()}"
            _point_at(monkeypatch, f"{closed}/data/archive/", f"{closed}/api/")
        else:
            _point_at(monkeypatch, server.archive_url, server.api_url)
        result = fetch.fetch(seeded_url)
    _refused(seeded_url, result, before, words)


def test_months_and_archives_are_worked_out_as_police_uk_publishes_them():
    assert fetch.month_range("2024-11..2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert fetch.month_range("2025-02") == ["2025-02"]
    for bad in ("2025-13", "2025-02..2024-01", "last month"):
        with pytest.raises(fetch.FetchError):
            fetch.month_range(bad)
    assert fetch.archive_for("2024-03", "2025-02") == "2025-02"  # the newest holds it
    assert fetch.archive_for("2021-01", "2025-02") == "2023-12"  # 35 months on: the newest archive holding it
    assert fetch.expected_from("2025-03") == date(2025, 5, 13)  # six weeks after 31 March
    assert fetch.newest_imported({("2025-02", "a"), ("2025-01", "b")}, ["a", "b"]) == "2025-01"
    assert fetch.newest_imported({("2025-02", "a")}, ["a", "b"]) is None
