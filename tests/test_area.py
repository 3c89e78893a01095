"""Any partnership: `saferleeds area build` from real ONS files, and police.uk imported into a built area, each
checked against counts made independently from the source files."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import threading
import urllib.parse
import zipfile
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from shapely.geometry import shape
from sqlalchemy import create_engine, text

from lib import area, cli
from lib.area import build as builder
from lib.area import files as area_files
from lib.geo import reference
from lib.store import db

ROOT = Path(__file__).resolve().parents[1]
SOUTH_NOTTS = ["E07000172", "E07000173", "E07000176"]
FORCE_FILES = "policeuk/other-forces-2024-01-to-03.zip"


def _areas(shared_dir: Path) -> Path:
    return shared_dir / "data" / "areas"


def _build(shared_dir: Path, out: Path, codes: list[str], name: str, capsys) -> dict:
    assert (
        cli.main(
            ["area", "build", *codes, "--name", name, "--from", str(_areas(shared_dir)), "--out", str(out), "--json"]
        )
        == 0
    )
    return json.loads(capsys.readouterr().out)


def _census(shared_dir: Path) -> dict[str, tuple[str, int]]:
    with (_areas(shared_dir) / "population/census2021_lsoa21_usual_residents_ew.csv").open() as handle:
        return {r["LSOA21CD"]: (r["LSOA21NM"], int(r["usual_residents"])) for r in csv.DictReader(handle)}


def _district_lsoas(shared_dir: Path, lad: str) -> set[str]:
    features = json.loads((_areas(shared_dir) / f"geo/lsoa_2021/{lad}.geojson").read_text())["features"]
    return {f["properties"]["LSOA21CD"] for f in features}


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_dir_module):
    """Bradford, Sheffield (asked for by its 2019 code) and South Nottinghamshire, built once."""
    out = tmp_path_factory.mktemp("areas")
    result = {}
    for key, codes, name in (
        ("bradford", ["E08000032"], "Bradford"),
        ("sheffield", ["E08000019"], "Sheffield"),
        ("south-notts", SOUTH_NOTTS, "South Nottinghamshire"),
    ):
        built_area = builder.build(codes, name, _areas(shared_dir_module))
        result[key] = (area_files.write(built_area, out / key), built_area.to_json())
    return result


@pytest.fixture(scope="module")
def shared_dir_module():
    shared = ROOT.parent / "shared"
    if not shared.is_dir():
        pytest.skip("../shared is not present")
    return shared


def test_area_build_prints_the_area_and_every_ward_with_its_population(shared_dir, tmp_path, capsys):
    payload = _build(shared_dir, tmp_path / "bradford", ["E08000032"], "Bradford", capsys)
    assert payload["name"] == "Bradford" and payload["lads"] == [{"code": "E08000032", "name": "Bradford"}]
    assert payload["forces"] == ["west-yorkshire"] and len(payload["wards"]) == 30
    census = _census(shared_dir)
    lsoas = _district_lsoas(shared_dir, "E08000032")
    assert sum(w["population"] for w in payload["wards"]) == sum(census[c][1] for c in lsoas) == 546_373
    assert sum(w["lsoas"] for w in payload["wards"]) == len(lsoas) == 312
    assert {"code", "name", "population", "lsoas"} <= set(payload["wards"][0])
    loaded = area.load(tmp_path / "bradford")
    assert loaded.ward_count == 30 and loaded.forces == ("west-yorkshire",) and not loaded.demo


def test_sheffield_is_built_under_its_code_of_today_from_the_2019_lookup(built, shared_dir):
    folder, payload = built["sheffield"]
    assert payload["code"] == "E08000039" and payload["forces"] == ["south-yorkshire"]
    assert len(payload["wards"]) == 28
    census = _census(shared_dir)
    named = sum(n for name, n in census.values() if re.sub(r" \d{3}[A-Z]$", "", name) == "Sheffield")
    assert payload["population"] == named
    with (folder / "lsoa11_ward.csv").open() as handle:
        lsoa11 = {r["LSOA11CD"] for r in csv.DictReader(handle)}
    with (_areas(shared_dir) / "lookups/lsoa11_wd19_lad19_ew.csv").open() as handle:
        ons = {r["LSOA11CD"] for r in csv.DictReader(handle) if r["LAD19CD"] == "E08000019"}
    assert lsoa11 == ons and len(ons) == 345  # every 2011 LSOA of the old code is covered


def test_south_nottinghamshire_places_the_redrawn_wards_lsoas_from_the_boundaries(built, shared_dir):
    folder, payload = built["south-notts"]
    assert [d["code"] for d in payload["lads"]] == SOUTH_NOTTS and payload["code"] == "E22000366"
    assert len(payload["wards"]) == 20 + 19 + 24
    assert payload["placed_from_boundaries"] > 0
    with (folder / "lsoa21_ward.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    every = set().union(*(_district_lsoas(shared_dir, lad) for lad in SOUTH_NOTTS))
    assert {r["LSOA21CD"] for r in rows} == every  # every LSOA of the three districts has a ward
    wards = json.loads((folder / "wards.geojson").read_text())["features"]
    assert {f["properties"]["ward_code"] for f in wards} == {w["code"] for w in payload["wards"]}
    # Rushcliffe's 2025 wards share no code with 2019: none of its LSOAs can come from the 2019 lookup
    rushcliffe = _district_lsoas(shared_dir, "E07000176")
    assert {r["method"] for r in rows if r["LSOA21CD"] in rushcliffe} == {"area_overlay"}


def test_the_hex_layout_gives_every_ward_its_own_cell_near_its_place(built):
    for folder, payload in built.values():
        with (folder / "ward_hexes.csv").open() as handle:
            cells = {r["ward_code"]: (int(r["q"]), int(r["r"])) for r in csv.DictReader(handle)}
        assert set(cells) == {w["code"] for w in payload["wards"]}
        assert len(set(cells.values())) == len(cells)
        text_ = (folder / "README.md").read_text()
        kept, pairs = map(int, re.search(r"Hex layout: (\d+) of (\d+) pairs", text_).groups())
        assert kept / pairs >= 0.6, (folder.name, kept, pairs)


def test_a_failed_build_says_what_is_missing_and_leaves_the_folder_as_it_was(shared_dir, tmp_path, capsys):
    source = tmp_path / "ons"  # everything but the population file
    for sub in (
        "geo/wards_2025/E08000032.geojson",
        "geo/lsoa_2021/E08000032.geojson",
        "lookups/lad_all_codes_active.csv",
    ):
        (source / sub).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(_areas(shared_dir) / sub, source / sub)
    out = tmp_path / "bradford"
    out.mkdir()
    (out / "area.toml").write_text("previous")
    assert cli.main(["area", "build", "E08000032", "--name", "Bradford", "--from", str(source), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "No Census 2021 population" in err and "Nothing was written" in err and err.count("\n") == 1
    assert (out / "area.toml").read_text() == "previous"
    assert (
        cli.main(["area", "build", "E08000099", "--name", "X", "--from", str(_areas(shared_dir)), "--out", str(out)])
        == 1
    )
    assert "No ward boundaries for district E08000099" in capsys.readouterr().err


def _force_rows(shared_dir: Path, force: str) -> list[dict[str, str]]:
    rows = []
    with zipfile.ZipFile(_areas(shared_dir) / FORCE_FILES) as archive:
        for name in sorted(n for n in archive.namelist() if n.endswith(f"-{force}-street.csv")):
            rows += list(csv.DictReader(io.TextIOWrapper(archive.open(name), encoding="utf-8")))
    return rows


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def area_database(request, built, monkeypatch, tmp_path):
    """A database of its own for South Nottinghamshire (SAFERLEEDS_AREA set to the built folder)."""
    folder, _ = built["south-notts"]
    monkeypatch.setenv("SAFERLEEDS_AREA", str(folder))
    area.clear()
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'notts.db'}"
        yield url
    else:
        from conftest import _pg_schema_url

        yield from _pg_schema_url()
    area.clear()


def test_the_whole_force_file_goes_in_exactly_for_the_built_area(area_database, shared_dir, built, capsys):
    """The real archive of five forces: only South Nottinghamshire's rows are stored, each one (police.uk's own
    repeated Crime IDs included), and every other row is counted."""
    url = area_database
    assert cli.main(["--database-url", url, "db", "init"]) == 0
    assert "0 illustrative KPI values, 0 illustrative crime rows" in capsys.readouterr().out
    archive = str(_areas(shared_dir) / FORCE_FILES)
    assert cli.main(["--database-url", url, "import", "policeuk", archive, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)["files"]
    # Counted independently: each district's rows are those whose LSOA is in its own ONS boundary file.
    rows = _force_rows(shared_dir, "nottinghamshire")
    districts = {lad: _district_lsoas(shared_dir, lad) for lad in SOUTH_NOTTS}
    expected_total = sum(1 for r in rows if any(r["LSOA code"] in lsoas for lsoas in districts.values()))
    folder, _ = built["south-notts"]
    with (folder / "lsoa21_ward.csv").open() as handle:
        ward_of = {r["LSOA21CD"]: r["WD25CD"] for r in csv.DictReader(handle)}
    expected_wards = Counter(ward_of[r["LSOA code"]] for r in rows if r["LSOA code"] in ward_of)
    engine = create_engine(url)
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT ward_code, COUNT(*) FROM crimerecord GROUP BY ward_code")).all())
        by_lad = dict(
            connection.execute(
                text(
                    "SELECT w.committee_area, COUNT(*) FROM crimerecord c JOIN ward w ON w.code = c.ward_code "
                    "GROUP BY 1"
                )
            ).all()
        )
    engine.dispose()
    db.get_engine.cache_clear()
    assert sum(stored.values()) == expected_total and stored == dict(expected_wards)
    for lad, lsoas in districts.items():
        name = {"E07000172": "Broxtowe", "E07000173": "Gedling", "E07000176": "Rushcliffe"}[lad]
        assert by_lad[name] == sum(1 for r in rows if r["LSOA code"] in lsoas), name
    # Every other row of the archive (other forces, other districts, no location) is counted and not stored.
    every_row = sum(f["rows_read"] for f in result)
    assert sum(f["outside_area"] for f in result) == every_row - expected_total
    assert sum(f["imported"] for f in result) == expected_total
    # Importing it again adds nothing.
    assert cli.main(["--database-url", url, "import", "policeuk", archive, "--json"]) == 0
    assert sum(f["imported"] for f in json.loads(capsys.readouterr().out)["files"]) == 0


class _FakeOns(BaseHTTPRequestHandler):
    """Answers like the ONS ArcGIS services and Nomis, from the shared national files, filtered by the query's
    `where ... IN (...)` and paged. Its LSOA (2021) to ward lookup is made here from the boundaries (the LSOA's
    representative point in a ward), as ONS's own best fit would place them."""

    areas: Path
    lsoa21: list[dict]

    def log_message(self, *args):
        pass

    def _features(self, service: str, field: str, codes: set[str]) -> list[dict]:
        if service.startswith("WD_"):
            found = []
            for path in sorted((self.areas / "geo/wards_2025").glob("*.geojson")):
                found += [f for f in json.loads(path.read_text())["features"] if f["properties"][field] in codes]
            return found
        if service.startswith("LSOA21"):
            return [{"attributes": row} for row in self.lsoa21 if row[field] in codes]
        with (self.areas / "lookups/lsoa11_wd19_lad19_ew.csv").open() as handle:
            return [{"attributes": row} for row in csv.DictReader(handle) if row[field] in codes]

    def do_GET(self):  # noqa: N802 - http.server's name
        parsed = urllib.parse.urlparse(self.path)
        if parsed.path.endswith("population.csv"):
            data = (self.areas / "population/census2021_lsoa21_usual_residents_ew.csv").read_bytes()
        else:
            query = dict(urllib.parse.parse_qsl(parsed.query))
            field, listed = re.match(r"(\w+) IN \((.*)\)", query["where"]).groups()
            codes = set(re.findall(r"'([^']+)'", listed))
            features = self._features(parsed.path.strip("/").split("/")[1], field, codes)
            start, size = int(query["resultOffset"]), int(query["resultRecordCount"])
            page = features[start : start + size]
            more = start + size < len(features)
            body = (
                {"type": "FeatureCollection", "features": page, "properties": {"exceededTransferLimit": more}}
                if query["f"] == "geojson"
                else {"features": page, "exceededTransferLimit": more}
            )
            data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _lsoa21_lookup(areas: Path, lad: str) -> list[dict]:
    wards = json.loads((areas / f"geo/wards_2025/{lad}.geojson").read_text())["features"]
    shapes = [(w["properties"], shape(w["geometry"])) for w in wards]
    rows = []
    for feature in json.loads((areas / f"geo/lsoa_2021/{lad}.geojson").read_text())["features"]:
        point = shape(feature["geometry"]).representative_point()
        ward = next(p for p, s in shapes if s.contains(point))
        rows.append(
            {
                "LSOA21CD": feature["properties"]["LSOA21CD"],
                "LSOA21NM": feature["properties"]["LSOA21NM"],
                "WD25CD": ward["WD25CD"],
                "WD25NM": ward["WD25NM"],
                "LAD25CD": lad,
            }
        )
    return rows


def test_area_build_without_a_folder_downloads_from_the_ons_and_nomis(shared_dir, tmp_path, monkeypatch, capsys):
    areas = _areas(shared_dir)
    handler = type("Handler", (_FakeOns,), {"areas": areas, "lsoa21": _lsoa21_lookup(areas, "E08000032")})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv(reference.ONS_BASE_URL.name, f"{base}/services")
    monkeypatch.setenv(reference.POPULATION_URL.name, f"{base}/population.csv")
    monkeypatch.setattr(reference, "PAGE_SIZE", 100)  # several pages per service
    try:
        out = tmp_path / "bradford"
        assert cli.main(["area", "build", "E08000032", "--name", "Bradford", "--out", str(out), "--json"]) == 0
    finally:
        server.shutdown()
    payload = json.loads(capsys.readouterr().out)
    assert len(payload["wards"]) == 30 and payload["lsoa21_by_method"] == {"ons_lookup": 312}
    census = _census(shared_dir)
    assert payload["population"] == sum(census[c][1] for c in _district_lsoas(shared_dir, "E08000032"))
    assert area.load(out).ward_count == 30
