"""`saferleeds reference fetch --national` (issue 32): the national ONS files peer comparisons read, downloaded from
a loopback server that answers like the ONS ArcGIS services, Nomis and the district-codes file, from the shared
national files; checked, then placed all together or not at all."""

from __future__ import annotations

import csv
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from lib import cli
from lib.area import national
from lib.geo import national_files, reference

LEEDS, SHEFFIELD_TODAY, SHEFFIELD_2019 = "E08000035", "E08000039", "E08000019"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _lsoa21_rows(areas: Path) -> list[dict[str, str]]:
    """An LSOA (2021) to district lookup as ONS publishes one, made from the population file: each LSOA's district
    is the one its ONS name starts with (today's code)."""
    codes = _rows(areas / "lookups" / "lad_all_codes_active.csv")
    by_name = {
        name: (r["LADCD_ACTIVE"], r["LADNM_ACTIVE"])
        for r in codes
        for name in (r["LADNM"], r["LADNM"].split(",")[0], r["LADNM_ACTIVE"], r["LADNM_ACTIVE"].split(",")[0])
    }
    rows = []
    for row in _rows(areas / "population" / "census2021_lsoa21_usual_residents_ew.csv"):
        found = by_name.get(row["LSOA21NM"].rsplit(" ", 1)[0])
        if found:
            rows.append({"LSOA21CD": row["LSOA21CD"], "LSOA21NM": row["LSOA21NM"], "LAD25CD": found[0],
                         "LAD25NM": found[1]})  # fmt: skip
    return rows


class _National(BaseHTTPRequestHandler):
    """Feature services answered a page at a time for `where=1=1`; two plain CSV files."""

    services: dict[str, list[dict]]
    files: dict[str, bytes]

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        parsed = urllib.parse.urlparse(self.path)
        if parsed.path in self.files:
            data = self.files[parsed.path]
        else:
            query = dict(urllib.parse.parse_qsl(parsed.query))
            assert query["where"] == "1=1"  # every row of England and Wales, not one area's
            rows = self.services[parsed.path.strip("/").split("/")[1]]
            start, size = int(query["resultOffset"]), int(query["resultRecordCount"])
            data = json.dumps({"features": [{"attributes": r} for r in rows[start : start + size]],
                               "exceededTransferLimit": start + size < len(rows)}).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def served(shared_dir, monkeypatch):  # noqa: ANN201
    areas = shared_dir / "data" / "areas"
    handler = type(
        "Handler",
        (_National,),
        {
            "services": {
                "LSOA21_WD25_LAD25_EW_LU": _lsoa21_rows(areas),
                "LSOA11_WD19_LAD19_EW_LU": _rows(areas / "lookups" / "lsoa11_wd19_lad19_ew.csv"),
                "LAD19_CSP19_PFA19_EW_LU": _rows(areas / "lookups" / "lad19_csp19_pfa19_ew.csv"),
            },
            "files": {
                "/codes.csv": (areas / "lookups" / "lad_all_codes_active.csv").read_bytes(),
                "/population.csv": (areas / "population" / "census2021_lsoa21_usual_residents_ew.csv").read_bytes(),
            },
        },
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv(reference.ONS_BASE_URL.name, f"{base}/services")
    monkeypatch.setenv(reference.POPULATION_URL.name, f"{base}/population.csv")
    monkeypatch.setenv(national_files.DISTRICT_CODES_URL.name, f"{base}/codes.csv")
    monkeypatch.setattr(reference, "PAGE_SIZE", 5000)  # several pages per service
    yield handler
    server.shutdown()


@pytest.mark.usefixtures("served")
def test_the_national_files_are_downloaded_checked_and_read_as_the_shared_ones(shared_dir, tmp_path, capsys):
    folder = tmp_path / "reference"
    assert cli.main(["reference", "fetch", "--national", "--folder", str(folder)]) == 0
    out = capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir()) == sorted(national_files.KIND)  # five files, no staging left
    assert f"{national_files.LSOA21_FILE} (" in out and "rows from LSOA21_WD25_LAD25_EW_LU" in out
    fetched = national.read(folder)
    # The same picture as the shared national files give, under today's codes.
    shared = tmp_path / "shared"
    shared.mkdir()
    for path in [
        *(shared_dir / "data/areas/lookups").glob("*.csv"),
        *(shared_dir / "data/areas/population").glob("*.csv"),
    ]:
        (shared / path.name).symlink_to(path)
    expected = national.read(shared)
    assert sum(fetched.population.values()) == sum(expected.population.values()) == 59_597_114
    assert fetched.population[LEEDS] == 811_960
    assert fetched.today(SHEFFIELD_2019) == SHEFFIELD_TODAY and fetched.population[SHEFFIELD_TODAY] > 0
    assert fetched.population == expected.population and fetched.forces == expected.forces
    assert len(fetched.partnerships) == len(expected.partnerships)


def test_a_national_file_short_of_england_and_wales_writes_nothing(served, tmp_path, capsys):
    folder = tmp_path / "reference"
    folder.mkdir()
    (folder / national_files.POPULATION_FILE).write_text("previous file")
    served.services = {**served.services, "LSOA11_WD19_LAD19_EW_LU": served.services["LSOA11_WD19_LAD19_EW_LU"][:900]}
    assert cli.main(["reference", "fetch", "--national", "--folder", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "900 rows" in err and "fewer than England and Wales" in err and "nothing was written" in err
    assert [p.name for p in folder.iterdir()] == [national_files.POPULATION_FILE]  # no staging folder left
    assert (folder / national_files.POPULATION_FILE).read_text() == "previous file"


@pytest.mark.usefixtures("served")
def test_an_unreachable_population_address_says_so_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(reference.POPULATION_URL.name, "http://127.0.0.1:9/population.csv")  # nothing listens on 9
    folder = tmp_path / "reference"
    assert cli.main(["reference", "fetch", "--national", "--folder", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "Cannot download" in err and reference.POPULATION_URL.name in err and err.count("\n") == 1
    assert list(folder.iterdir()) == []
