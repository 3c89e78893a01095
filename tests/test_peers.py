"""Peers (issue 32): other areas' police.uk rows are counted at import by district (never stored as rows), and the
partnership is compared with its groups by rate per 1,000 residents. Every count is checked against an independent
count of the same rows, read from the rows' own LSOA names (tests/peer_files.py)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import peer_files
import pytest
from helpers import table_checksums
from sqlalchemy import func, select

from lib import cli
from lib.analysis import peers
from lib.area import national
from lib.core import periods, roles
from lib.core.formatting import ordinal
from lib.ingest import peer_groups, policeuk, seed
from lib.store import db, queries
from lib.store.models import CrimeRecord, DistrictCrimeMonthly

LEEDS_MARCH = "2024-03-west-yorkshire-street.csv"
CORE = "English core cities"
WEST = "West Yorkshire"
OTHER_FORCES = ("south-yorkshire", "nottinghamshire", "merseyside")
HOME = {"Sheffield": "South Yorkshire Police", "Nottingham": "Nottinghamshire Police", "Liverpool": "Merseyside Police"}
WEST_YORKSHIRE = ("Bradford", "Calderdale", "Kirklees", "Wakefield")
MARCH_2024 = date(2024, 3, 1)
pytestmark = pytest.mark.usefixtures("reference")  # the national files, where the product reads them


@pytest.fixture
def reference(tmp_path: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A reference folder holding (as links to the shared files) the Leeds lookups and the national ONS files."""
    folder = tmp_path / "reference"
    folder.mkdir()
    data = shared_dir / "data"
    for path in [*(data / "lookups").glob("*.csv"), *(data / "areas" / "lookups").glob("*.csv"),
                 *(data / "areas" / "population").glob("*.csv")]:  # fmt: skip
        (folder / path.name).symlink_to(path)
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(folder))
    return folder


def _peers(url: str, capsys: pytest.CaptureFixture, *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = cli.main(["--database-url", url, "peers", *args, "--json"])
    printed = capsys.readouterr()
    return code, (json.loads(printed.out) if printed.out else {"error": printed.err})


def _by_name(payload: dict) -> dict[str, dict]:
    return {row["area_name"]: row for row in payload["rows"]}


def _import(url: str, paths: list[Path]) -> policeuk.ImportResult:
    return policeuk.import_paths(url, paths, accept_unusual=True)


def test_peer_counts_and_rates_match_an_independent_count(seeded_url, shared_dir, tmp_path, capsys):
    """Leeds's real March 2024 file and three whole-force files (January to March) give Sheffield, Nottingham and
    Liverpool beside Leeds; each count and rate is the independent one, and no row of theirs is stored."""
    leeds = shared_dir / "data" / "policeuk" / LEEDS_MARCH
    forces = peer_files.extract(shared_dir, tmp_path, ("2024-01", "2024-02", "2024-03"), OTHER_FORCES)
    _import(seeded_url, [leeds, *forces])

    code, payload = _peers(seeded_url, capsys, "--group", CORE, "--period", "month:2024-03")
    assert code == 0, payload
    rows = _by_name(payload)
    assert set(rows) == {"Leeds", "Birmingham", "Bristol", "Liverpool", "Manchester", "Newcastle upon Tyne",
                         "Nottingham", "Sheffield"}  # fmt: skip
    for name in HOME:
        expected = peer_files.independent_counts([leeds, *forces])[(name, "2024-03")]
        population = peer_files.residents(shared_dir, name)
        assert expected > 1000
        assert rows[name]["count"] == expected, name
        assert rows[name]["population"] == population, name
        assert rows[name]["rate_per_1000"] == round(1000 * expected / population, 3), name
    own = peer_files.independent_counts([leeds, *forces])[("Leeds", "2024-03")]  # one is South Yorkshire's
    assert rows["Leeds"]["count"] == own
    assert rows["Leeds"]["population"] == peer_files.residents(shared_dir, "Leeds") == 811_960
    ranked = sorted((r for r in rows.values() if r["rank"]), key=lambda r: r["rank"])
    assert [r["area_name"] for r in ranked] == sorted(
        (n for n in ("Leeds", *HOME)), key=lambda n: rows[n]["count"] / rows[n]["population"]
    )
    assert payload["standing"] == f"{ordinal(rows['Leeds']['rank'])} of 4 in {CORE}"
    for absent in ("Birmingham", "Bristol", "Newcastle upon Tyne", "Manchester"):
        assert rows[absent]["count"] is None and rows[absent]["rate_per_1000"] is None and rows[absent]["rank"] is None
        assert rows[absent]["reason"].startswith("no police.uk data")
    assert "Greater Manchester Police" in rows["Manchester"]["reason"]
    pooled = sum(rows[n]["count"] for n in HOME) / sum(rows[n]["population"] for n in HOME) * 1000
    assert payload["peer_average_per_1000"] == round(pooled, 3)
    assert payload["ratio_to_peer_average"] == round(own / rows["Leeds"]["population"] * 1000 / pooled, 3)
    assert payload["verdict"] in (peers.HIGHER, peers.LOWER, peers.SAME)

    # No row-level record of another area: the stored rows are exactly Leeds's file's rows with a location
    with db.get_engine(seeded_url).connect() as connection:
        stored = connection.execute(select(func.count()).select_from(CrimeRecord)).scalar_one()
        codes = set(connection.execute(select(DistrictCrimeMonthly.district_code).distinct()).scalars())  # type: ignore[call-overload]
    in_leeds = [r for path in [leeds, *forces] for r in peer_files.read(path) if r["LSOA name"].startswith("Leeds ")]
    assert stored == len(in_leeds)
    assert "E08000039" in codes and "E08000019" not in codes  # Sheffield under today's code, never its 2019 one
    assert "E08000035" not in codes  # the partnership's own rows are its records, not district counts


def test_one_crime_type_and_a_district_the_lookups_place_by_name(seeded_url, shared_dir, tmp_path, capsys):
    """A crime type is counted alone; a 2021 LSOA in no lookup goes to the district its ONS name starts with."""
    forces = peer_files.extract(shared_dir, tmp_path, ("2024-03",), ("south-yorkshire",))
    rows = peer_files.read(forces[0])
    extra = tmp_path / "renamed" / "2024-03-south-yorkshire-street.csv"
    # a row whose LSOA code is in no file at all, named after Sheffield: placed by name and counted
    unknown = [["", "2024-03", "South Yorkshire Police", "South Yorkshire Police", "-1.47", "53.38", "On or near X",
                "E01999999", "Sheffield 999Z", "Burglary", "", ""]]  # fmt: skip
    peer_files.write(extra, [list(r.values()) for r in rows] + unknown)
    result = _import(seeded_url, [extra])
    assert not any("not counted" in note for note in result.notes)
    code, payload = _peers(seeded_url, capsys, "--group", CORE, "--period", "month:2024-03", "--type", "burglary")
    assert code == 0
    assert payload["type"] == "Burglary"
    burglaries = sum(1 for r in rows if r["Crime type"] == "Burglary" and r["LSOA name"].startswith("Sheffield "))
    assert _by_name(payload)["Sheffield"]["count"] == burglaries + 1


def test_west_yorkshire_force_files_feed_the_partnership_and_its_peers_in_one_pass(
    seeded_url, shared_dir, tmp_path, capsys
):
    """A West Yorkshire force file (Leeds's real rows and made rows on real LSOA codes in the other four districts)
    gives Leeds its records and the four districts their counts, each equal to the independent count."""
    leeds_rows = [list(r.values()) for r in peer_files.read(shared_dir / "data" / "policeuk" / LEEDS_MARCH)]
    others = peer_files.street_rows(
        "2024-03", "West Yorkshire Police", {d: peer_files.lsoas_of(shared_dir, d) for d in WEST_YORKSHIRE}, 400, "wy"
    )
    path = peer_files.write(tmp_path / "force" / "2024-03-west-yorkshire-street.csv", leeds_rows + others)
    result = _import(seeded_url, [path])
    assert result.files[0].rows_outside == len(others)
    code, payload = _peers(seeded_url, capsys, "--group", WEST, "--period", "month:2024-03")
    assert code == 0
    rows = _by_name(payload)
    expected = peer_files.independent_counts([path], "West Yorkshire Police")
    for name in ("Leeds", *WEST_YORKSHIRE):
        assert rows[name]["count"] == expected[(name, "2024-03")], name
        assert rows[name]["rank"] is not None
    assert sorted(r["rank"] for r in rows.values()) == [1, 2, 3, 4, 5]
    assert " of 5 in West Yorkshire" in payload["standing"]


def test_reimport_adds_nothing_and_a_reissued_month_replaces_its_counts(seeded_url, shared_dir, tmp_path):
    """The same file again adds nothing; a re-issued file (new bytes, same rows) leaves the counts as they were; a
    re-issued month with changed rows replaces that month's counts, never adds to them."""
    [march] = peer_files.extract(shared_dir, tmp_path, ("2024-03",), ("nottinghamshire",))
    _import(seeded_url, [march])
    before = table_checksums(seeded_url, ("districtcrimemonthly",))
    first = _district_counts(seeded_url)
    _import(seeded_url, [march])
    assert table_checksums(seeded_url, ("districtcrimemonthly",)) == before

    rows = peer_files.read(march)
    reissued = peer_files.write(tmp_path / "reissued" / march.name, [list(r.values()) for r in reversed(rows)])
    _import(seeded_url, [reissued])
    counts = _district_counts(seeded_url)
    assert counts == first
    nottingham = counts[("E06000018", "Nottinghamshire Police")]

    # police.uk re-issues the month: 50 Nottingham burglaries reclassified as shoplifting, 100 rows dropped
    changed = [dict(r) for r in rows]
    moved = 0
    for row in changed:
        if moved < 50 and row["Crime type"] == "Burglary" and row["LSOA name"].startswith("Nottingham "):
            row["Crime type"], moved = "Shoplifting", moved + 1
    dropped = [
        r for r in changed if r["LSOA name"].startswith("Nottingham ") and r["Crime type"] != "Anti-social behaviour"
    ][:100]
    kept = [r for r in changed if r not in dropped]
    third = peer_files.write(tmp_path / "third" / march.name, [list(r.values()) for r in kept])
    _import(seeded_url, [third])
    after = _district_counts(seeded_url)
    assert after[("E06000018", "Nottinghamshire Police")] == nottingham - 100
    assert (
        after[("E06000018", "Nottinghamshire Police")]
        == peer_files.independent_counts([third])[("Nottingham", "2024-03")]
    )


def _district_counts(url: str) -> dict[tuple[str, str], int]:
    """(district, force) -> crimes (ASB left out) stored for March 2024, for Nottingham and two neighbours."""
    frame = queries.district_crime(url, ("E06000018", "E07000170", "E07000176"), MARCH_2024, MARCH_2024)
    return {(d, f): int(c) for d, f, c in zip(frame["district_code"], frame["force"], frame["count"], strict=True)}


def test_a_peer_missing_a_month_is_marked_and_never_ranked_on_part_of_a_year(seeded_url, shared_dir,
                                                                            tmp_path, capsys):  # fmt: skip
    """Twelve months of West Yorkshire and South Yorkshire files, South Yorkshire lacking November: over the 12
    months Sheffield has no count, rate or rank and says which month it lacks; every other area is ranked, and each
    change on the year before is left blank (no earlier year is loaded)."""
    months = [f"{m:%Y-%m}" for m in periods.month_starts(date(2023, 4, 1), MARCH_2024)]
    west = {d: peer_files.lsoas_of(shared_dir, d) for d in ("Leeds", *WEST_YORKSHIRE)}
    south = {"Sheffield": peer_files.lsoas_of(shared_dir, "Sheffield")}
    paths = [
        peer_files.write(tmp_path / m / f"{m}-west-yorkshire-street.csv",
                         peer_files.street_rows(m, "West Yorkshire Police", west, 120, "w"))
        for m in months
    ] + [
        peer_files.write(tmp_path / m / f"{m}-south-yorkshire-street.csv",
                         peer_files.street_rows(m, "South Yorkshire Police", south, 120, "s"))
        for m in months
        if m != "2023-11"
    ]  # fmt: skip
    _import(seeded_url, paths)
    code, payload = _peers(seeded_url, capsys, "--group", CORE, "--period", "12m:2024-03")
    assert code == 0
    rows = _by_name(payload)
    assert rows["Sheffield"]["count"] is None and rows["Sheffield"]["rank"] is None
    assert "November 2023" in rows["Sheffield"]["reason"]
    assert rows["Sheffield"]["missing_months"] == "2023-11"
    assert rows["Leeds"]["rank"] == 1 and payload["standing"].startswith("not ranked")  # no peer has the whole year
    code, payload = _peers(seeded_url, capsys, "--group", WEST, "--period", "12m:2024-03")
    rows = _by_name(payload)
    expected = peer_files.independent_counts(paths[:12], "West Yorkshire Police")
    for name in ("Leeds", *WEST_YORKSHIRE):
        assert rows[name]["count"] == sum(expected[(name, m)] for m in months)
        assert rows[name]["change"] is None
    code, payload = _peers(seeded_url, capsys, "--group", CORE, "--period", "month:2023-12")
    assert _by_name(payload)["Sheffield"]["rank"] is not None  # a month it has


def test_an_illustrative_month_is_never_compared(seeded_url, shared_dir, tmp_path, capsys):
    """The demo's Leeds months are illustrative: beside a real peer month Leeds has no figure, and says why."""
    forces = peer_files.extract(shared_dir, tmp_path, ("2024-02",), ("south-yorkshire",))
    _import(seeded_url, forces)
    code, payload = _peers(seeded_url, capsys, "--group", CORE, "--period", "month:2024-02")
    assert code == 0
    leeds = _by_name(payload)["Leeds"]
    assert leeds["count"] is None and leeds["rank"] is None and "illustrative" in leeds["reason"]
    assert _by_name(payload)["Sheffield"]["count"] > 0
    assert payload["standing"].startswith("not ranked")


def test_cli_contract(seeded_url, capsys):
    """`peers groups --json` lists the shipped groups; `peers` answers with the documented columns; bad input gets
    one line and exit 1; an admin's group is listed, logged on Data & sources, and removed."""
    capsys.readouterr()
    assert cli.main(["--database-url", seeded_url, "peers", "groups", "--json"]) == 0
    groups = json.loads(capsys.readouterr().out)
    assert [g["name"] for g in groups] == [WEST, CORE]
    assert [a["name"] for a in groups[0]["areas"]] == list(WEST_YORKSHIRE)
    manchester = next(a for a in groups[1]["areas"] if a["name"] == "Manchester")
    assert manchester["districts"] == ["E08000003"] and "Greater Manchester Police" in manchester["note"]

    code, payload = _peers(seeded_url, capsys, "--period", "month:2024-03")
    assert code == 0 and payload["group"] == WEST and payload["period"] == "month:2024-03"
    assert all(set(peers.COLUMNS) <= set(row) for row in payload["rows"])
    assert payload["rows"][0]["area_name"] == "Leeds" and payload["rows"][0]["area_code"] == "E08000035"
    for bad, words in ((["--type", "teleportation"], "unknown crime type"), (["--period", "week:3"], "not understood"),
                       (["--group", "Atlantis"], "no peer group")):  # fmt: skip
        capsys.readouterr()
        assert cli.main(["--database-url", seeded_url, "peers", *bad, "--json"]) == 1
        assert words in capsys.readouterr().err

    capsys.readouterr()
    assert cli.main(["--database-url", seeded_url, "peers", "group", "set", "South Yorkshire",
                     "--areas", "E08000019,Barnsley,E08000017,Rotherham", "--json"]) == 0  # fmt: skip
    made = json.loads(capsys.readouterr().out)
    assert [a["code"] for a in made["areas"]] == ["E08000039", "E08000038", "E08000017", "E08000018"]
    assert "South Yorkshire" in [g.name for g in peers.groups(seeded_url)]
    assert "peer group set" in set(queries.catalogue_changes(seeded_url)["kind"])
    assert cli.main(["--database-url", seeded_url, "peers", "group", "set", "Bad", "--areas", "Leeds"]) == 1
    assert "Leeds itself" in capsys.readouterr().err
    assert cli.main(["--database-url", seeded_url, "peers", "group", "remove", "South Yorkshire"]) == 0
    assert "South Yorkshire" not in [g.name for g in peers.groups(seeded_url)]


def test_a_removed_shipped_group_stays_removed_when_the_database_is_seeded_again(seeded_url):
    peer_groups.remove_group(seeded_url, WEST, roles.operator("test"))
    seed.seed(seeded_url)
    assert [g.name for g in peers.groups(seeded_url)] == [CORE]


def test_national_lookup_places_every_lsoa_and_counts_those_placed_by_name(reference, shared_dir):
    """Every 2021 LSOA of England and Wales is in a district; those in no lookup were placed by their name and
    counted; the populations sum to the Census total of the shared file."""
    nation = national.read(reference)
    population = peer_files.population_rows(shared_dir)
    assert all(row["LSOA21CD"] in nation.lsoa_district for row in population)
    lookup11 = shared_dir / "data" / "areas" / "lookups" / "lsoa11_wd19_lad19_ew.csv"
    codes11 = {row["LSOA11CD"] for row in peer_files.read(lookup11)}
    assert nation.placed_by_name == sum(row["LSOA21CD"] not in codes11 for row in population) > 1000
    assert sum(nation.population.values()) == sum(int(r["usual_residents"]) for r in population) == 59_597_114
    assert nation.today("E08000019") == "E08000039" and nation.name_of("E08000019") == "Sheffield"
    assert national.force_key(nation.force_of("E08000039") or "") == national.force_key("South Yorkshire Police")


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_an_admin_defines_a_group_for_another_partnership(backend, shared_dir, tmp_path, monkeypatch, capsys):
    """South Nottinghamshire (built from the ONS files) gets a group of its own from an admin, and is compared with
    it on the real Nottinghamshire force files: every count is the independent one."""
    from conftest import _pg_schema_url

    from lib import area
    from lib.area import build as builder
    from lib.area import files as area_files

    folder = area_files.write(
        builder.build(["E07000172", "E07000173", "E07000176"], "South Nottinghamshire", shared_dir / "data" / "areas"),
        tmp_path / "south-notts",
    )
    monkeypatch.setenv("SAFERLEEDS_AREA", str(folder))
    area.clear()
    urls = iter([f"sqlite:///{tmp_path / 'notts.db'}"]) if backend == "sqlite" else _pg_schema_url()
    url = next(urls)
    try:
        assert cli.main(["--database-url", url, "db", "init"]) == 0
        forces = peer_files.extract(shared_dir, tmp_path, ("2024-01", "2024-02", "2024-03"), ("nottinghamshire",))
        _import(url, forces)
        assert _peers(url, capsys, "groups")[1] == []  # nothing shipped for a built area
        neighbours = ["Nottingham", "Ashfield", "Mansfield"]
        capsys.readouterr()
        assert cli.main(["--database-url", url, "peers", "group", "set", "Nottinghamshire neighbours",
                         "--areas", ",".join(neighbours), "--json"]) == 0  # fmt: skip
        code, payload = _peers(url, capsys, "--period", "month:2024-03")
        assert code == 0, payload
        rows = _by_name(payload)
        counted = peer_files.independent_counts(forces)
        assert set(rows) == {"South Nottinghamshire", *neighbours}
        for name in neighbours:
            assert rows[name]["count"] == counted[(name, "2024-03")] > 500, name
            assert rows[name]["population"] == peer_files.residents(shared_dir, name), name
        own = sum(counted[(name, "2024-03")] for name in ("Broxtowe", "Gedling", "Rushcliffe"))
        assert rows["South Nottinghamshire"]["count"] == own
        assert payload["standing"].endswith("of 4 in Nottinghamshire neighbours")
    finally:
        db.get_engine.cache_clear()
        for _ in urls:  # the PostgreSQL schema is dropped when its generator ends
            pass
        area.clear()
