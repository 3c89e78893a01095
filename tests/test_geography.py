"""Hex layout, ward boundaries (WD19 and WD25), map payload size and `saferleeds reference fetch`."""

from __future__ import annotations

import csv
import importlib.util
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from shapely.geometry import shape

from lib import cli
from lib.analysis import measures
from lib.area import hexes
from lib.core import periods
from lib.figures import maps
from lib.geo import boundaries, hexmap, reference
from lib.store import queries

ROOT = Path(__file__).resolve().parents[1]


def _script():
    spec = importlib.util.spec_from_file_location("make_hex_layout", ROOT / "scripts" / "make_hex_layout.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _vertices(features):
    def count(value):
        return 1 if isinstance(value[0], float | int) else sum(count(v) for v in value)

    return sum(count(f["geometry"]["coordinates"]) for f in features)


def _crosswalk(url):
    wards = queries.wards(url)
    return list(zip(wards["wd19_code"], wards["code"], strict=True))


def test_hex_layout_gives_each_ward_its_own_cell_and_keeps_most_neighbours(shared_dir, sqlite_seeded_url):
    layout = hexmap.layout()
    assert set(layout) == set(queries.wards(sqlite_seeded_url)["code"])
    assert len(set(layout.values())) == 33
    codes = dict(_crosswalk(sqlite_seeded_url))
    features = json.loads((shared_dir / "data/geo/leeds_wards_2025.geojson").read_text())["features"]
    pairs = hexes.true_neighbours(
        {codes.get(f["properties"]["ward_code"], f["properties"]["ward_code"]): shape(f["geometry"]) for f in features}
    )
    kept = sum(1 for pair in pairs if hexmap.adjacent(*(layout[c] for c in pair)))
    share = kept / len(pairs)
    print(f"hex layout keeps {kept} of {len(pairs)} true neighbour pairs adjacent ({share:.0%})")
    assert share >= 0.7
    # every ward touches at least one of its true neighbours on the hex map
    for code in layout:
        theirs = [next(iter(p - {code})) for p in pairs if code in p]
        assert any(hexmap.adjacent(layout[code], layout[n]) for n in theirs), code


def test_committed_hex_layout_is_what_the_script_makes(shared_dir, tmp_path):
    script = _script()
    script.main(str(shared_dir / "data/geo/leeds_wards_2025.geojson"), tmp_path / "hexes.csv")
    assert (tmp_path / "hexes.csv").read_text() == (hexmap.current_area().path("ward_hexes.csv")).read_text()


@pytest.mark.parametrize("file_name", ["leeds_wards_2019.geojson", "leeds_wards_2025.geojson"])
def test_both_boundary_vintages_give_the_33_current_wards(shared_dir, sqlite_seeded_url, file_name):
    outlines = boundaries.load(shared_dir / "data/geo" / file_name, _crosswalk(sqlite_seeded_url))
    codes = {f["properties"]["ward_code"] for f in outlines["features"]}
    assert codes == set(queries.wards(sqlite_seeded_url)["code"])
    assert {"E05013830", "E05013831"} <= codes  # Garforth & Swillington and Temple Newsam, WD25 codes


@pytest.mark.parametrize("file_name", ["leeds_wards_2019.geojson", "leeds_wards_2025.geojson"])
def test_choropleth_payload_stays_under_one_megabyte(shared_dir, sqlite_seeded_url, file_name):
    outlines = boundaries.load(shared_dir / "data/geo" / file_name, _crosswalk(sqlite_seeded_url))
    table = measures.ward_table(sqlite_seeded_url, measures.ALL_CRIME, periods.parse("fy:2023"))
    deck = maps.choropleth_deck(table, outlines, "E05011394")
    size = maps.payload_bytes(deck)
    print(f"choropleth payload from {file_name}: {size:,} bytes")
    assert size < 1_000_000
    sent = json.loads(deck.to_json())["layers"][0]["data"]["features"]
    source = json.loads((shared_dir / "data/geo" / file_name).read_text())["features"]
    assert _vertices(sent) < _vertices(source)  # simplified once at load, not passed through
    assert set(sent[0]["properties"]) == {"ward_code", "fillrgba", "linergba", "linepx", "tooltip"}


def test_boundaries_missing_wards_give_a_clear_error(shared_dir, tmp_path, sqlite_seeded_url):
    collection = json.loads((shared_dir / "data/geo/leeds_wards_2025.geojson").read_text())
    collection["features"] = collection["features"][:30]
    partial = tmp_path / "wards.geojson"
    partial.write_text(json.dumps(collection))
    assert boundaries.find(tmp_path) == partial
    with pytest.raises(boundaries.BoundaryError, match="lacks 3 of the 33"):
        boundaries.load(partial, _crosswalk(sqlite_seeded_url))
    assert boundaries.find(tmp_path / "nowhere") is None


class _FakeOns(BaseHTTPRequestHandler):
    """Answers like the ONS ArcGIS services, from the files in ../shared/data, a page at a time."""

    shared: Path
    ward_limit = 33

    def log_message(self, *args):
        pass

    def _features(self, service):
        if service.startswith("WD_"):
            collection = json.loads((self.shared / "data/geo/leeds_wards_2025.geojson").read_text())
            return [
                {
                    "type": "Feature",
                    "geometry": f["geometry"],
                    "properties": {"WD25CD": f["properties"]["ward_code"], "WD25NM": f["properties"]["ward_name"]},
                }
                for f in collection["features"]
            ][: self.ward_limit]
        if service.startswith("LSOA21"):
            rows = csv.DictReader((self.shared / "data/lookups/leeds_lsoa21_ward_derived.csv").open())
            return [{"attributes": {k: r[k] for k in ("LSOA21CD", "LSOA21NM", "WD25CD", "WD25NM")}} for r in rows]
        rows = csv.DictReader((self.shared / "data/lookups/leeds_lsoa_ward.csv").open())
        return [{"attributes": {k: r[k] for k in ("LSOA11CD", "LSOA11NM", "WD19CD", "WD19NM")}} for r in rows]

    def do_GET(self):  # noqa: N802 - http.server's name
        parsed = urllib.parse.urlparse(self.path)
        query = dict(urllib.parse.parse_qsl(parsed.query))
        service = parsed.path.strip("/").split("/")[1]  # /services/<name>/FeatureServer/0/query
        assert "E08000035" in query["where"]
        features = self._features(service)
        start, size = int(query["resultOffset"]), int(query["resultRecordCount"])
        page = features[start : start + size]
        body = {"features": page, "exceededTransferLimit": start + size < len(features)}
        if query["f"] == "geojson":
            body = {
                "type": "FeatureCollection",
                "features": page,
                "properties": {"exceededTransferLimit": start + size < len(features)},
            }
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def fake_ons(shared_dir, monkeypatch):
    handler = type("Handler", (_FakeOns,), {"shared": shared_dir})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv(reference.ONS_BASE_URL.name, f"http://127.0.0.1:{server.server_address[1]}/services")
    monkeypatch.setattr(reference, "PAGE_SIZE", 100)  # make the fetcher follow several pages
    yield handler
    server.shutdown()


@pytest.mark.usefixtures("fake_ons")
def test_reference_fetch_downloads_boundaries_and_both_lookups(tmp_path, sqlite_seeded_url, capsys):
    assert cli.main(["reference", "fetch", "--area", "--folder", str(tmp_path)]) == 0
    assert "wards.geojson (33 rows" in capsys.readouterr().out
    outlines = boundaries.load(boundaries.find(tmp_path), _crosswalk(sqlite_seeded_url))
    assert len(outlines["features"]) == 33
    with (tmp_path / reference.LOOKUP_FILE).open() as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 488 and set(rows[0]) == {"LSOA21CD", "LSOA21NM", "WD25CD", "WD25NM"}
    with (tmp_path / reference.LOOKUP_2011_FILE).open() as handle:
        assert len(list(csv.DictReader(handle))) == 482
    assert not list(tmp_path.glob("*.part"))


def test_reference_fetch_writes_nothing_when_the_answer_is_incomplete(fake_ons, tmp_path, capsys):
    (tmp_path / "wards.geojson").write_text("previous file")
    fake_ons.ward_limit = 30
    assert cli.main(["reference", "fetch", "--area", "--folder", str(tmp_path)]) == 1
    assert "Expected the 33 Leeds wards" in capsys.readouterr().err
    assert (tmp_path / "wards.geojson").read_text() == "previous file"
    assert not list(tmp_path.glob("*.part"))


def test_reference_fetch_offline_says_so_plainly(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(reference.ONS_BASE_URL.name, "http://127.0.0.1:9/services")  # nothing listens on port 9
    assert cli.main(["reference", "fetch", "--folder", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "Cannot reach the ONS Open Geography Portal" in err and "offline" in err and "\n" == err[-1]
    assert not list(tmp_path.iterdir())


def test_shipped_boundaries_are_what_the_script_derives_from_the_ons_file(shared_dir, tmp_path, sqlite_seeded_url):
    spec = importlib.util.spec_from_file_location("derive_boundaries", ROOT / "scripts" / "derive_boundaries.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    out = tmp_path / "wards.geojson"
    derived = script.derive(shared_dir / "data" / "geo" / "leeds_wards_2025.geojson")
    out.write_text(json.dumps(derived, separators=(",", ":")) + "\n")
    shipped = boundaries.shipped()
    assert out.read_bytes() == shipped.read_bytes()
    assert shipped.stat().st_size < 200 * 1024
    codes = {f["properties"]["ward_code"] for f in json.loads(shipped.read_text())["features"]}
    assert codes == set(queries.wards(sqlite_seeded_url)["code"])


@pytest.mark.parametrize("width", [340, 390, 540, 700, 1100])
def test_the_map_view_frames_every_ward_at_any_width(sqlite_seeded_url, width):
    wards = queries.wards(sqlite_seeded_url)
    outlines = boundaries.load(boundaries.shipped(), list(zip(wards["wd19_code"], wards["code"], strict=True)))
    points = [maps.project(p) for f in outlines["features"] for p in maps.outer_points(f["geometry"])]
    hexes = [maps.project(p) for cell in hexmap.layout().values() for p in hexmap.polygon(*cell)]
    height = maps.map_height(width)
    for drawn in (points, hexes):
        view = maps.fit_view(drawn, width)
        scale = 2**view.zoom
        xs = [(x - view.target[0]) * scale + width / 2 for x, _ in drawn]
        ys = [(y - view.target[1]) * scale + height / 2 for _, y in drawn]
        assert min(xs) >= 0 and max(xs) <= width and max(ys) <= height  # inside on every side
        assert min(ys) >= maps.READOUT_BAND  # and below the hover readout, so the readout never covers a ward
        assert max(xs) - min(xs) >= width / 2 or max(ys) - min(ys) >= height / 2  # and spans at least half of it
