"""The app on a partnership other than Leeds: every page renders with that area's names and wards, a new area with
no data shows honest empty states, the board pack names the area, and no source file outside the Leeds area's own
folder names Leeds."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_board_pack import _tool

from lib import area, cli
from lib.area import build as builder
from lib.area import files as area_files
from lib.ui import navigation

ROOT = Path(__file__).resolve().parents[1]
FORCE_FILES = "data/areas/policeuk/other-forces-2024-01-to-03.zip"
# "saferleeds" is the product's command and setting prefix (SAFERLEEDS_*): the place is never written elsewhere.
LEEDS = re.compile(r"(?<!safer)leeds|E08000035|(?<![\d.])33(?![\d.])", re.IGNORECASE)


def test_no_source_outside_the_leeds_area_names_leeds_its_code_or_its_ward_count():
    offenders = []
    for path in sorted([*(ROOT / "lib").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "dashboard.py"]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if LEEDS.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == [], "\n".join(offenders)


def _texts(at: AppTest) -> str:
    found = []
    for kind in ("title", "header", "subheader", "caption", "markdown", "info", "warning", "error", "success"):
        found += [str(element.value) for element in getattr(at, kind)]
    found += [f"{m.label} {m.value}" for m in at.metric]
    found += [str(s.label) for s in at.selectbox] + [str(o) for s in at.selectbox for o in s.options]
    found += [str(o) for r in at.radio for o in r.options]
    return "\n".join(found)


def _run(entry: navigation.PageEntry) -> AppTest:
    at = AppTest.from_file(str(ROOT / entry.script), default_timeout=60)
    at.run()
    return at


@pytest.fixture(scope="module")
def areas(tmp_path_factory):
    shared = ROOT.parent / "shared" / "data" / "areas"
    if not shared.is_dir():
        pytest.skip("../shared is not present")
    out = tmp_path_factory.mktemp("built")
    return {
        "bradford": area_files.write(builder.build(["E08000032"], "Bradford", shared), out / "bradford"),
        "south-notts": area_files.write(
            builder.build(["E07000172", "E07000173", "E07000176"], "South Nottinghamshire", shared), out / "notts"
        ),
    }


@pytest.fixture
def on_area(areas, monkeypatch, tmp_path):
    """Point the app at a built area and a new database of its own; returns (folder, database URL)."""

    def use(key: str) -> tuple[Path, str]:
        url = f"sqlite:///{tmp_path / (key + '.db')}"
        monkeypatch.setenv("SAFERLEEDS_AREA", str(areas[key]))
        monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", url)
        area.clear()
        assert cli.main(["db", "init"]) == 0
        return areas[key], url

    yield use
    monkeypatch.delenv("SAFERLEEDS_AREA")
    area.clear()


def test_a_new_area_with_no_data_shows_empty_states_on_every_page(on_area, capsys):
    on_area("bradford")
    assert "0 illustrative KPI values, 0 illustrative crime rows" in capsys.readouterr().out
    listed = navigation.area_pages()
    assert {p.address for p in listed} == {p.address for p in navigation.PAGES if not p.kpis}  # no service pages
    for entry in listed:
        at = _run(entry)
        assert not at.exception, (entry.address, [e.value for e in at.exception])
        shown = _texts(at)
        assert "Leeds" not in shown, entry.address
        assert "illustrative" not in shown.lower(), entry.address  # a new partnership has no generated data
    overview = _texts(_run(listed[0]))
    assert "Bradford Community Safety Partnership board" in overview and "no priorities or KPIs" in overview
    assert "Data in page" in overview
    crime = _texts(_run(next(p for p in listed if p.address == "crime-asb")))
    assert "No crime data" in crime and "Data in page" in crime and "All of Bradford" in crime


def test_every_page_of_a_three_district_area_shows_its_wards_and_crime(on_area, capsys):
    folder, url = on_area("south-notts")
    archive = ROOT.parent / "shared" / FORCE_FILES
    assert cli.main(["import", "policeuk", str(archive)]) == 0
    assert "outside South Nottinghamshire" in capsys.readouterr().out
    wards = area.current().wards
    assert len(wards) == 63
    for entry in navigation.area_pages():
        at = _run(entry)
        assert not at.exception, (entry.address, [e.value for e in at.exception])
        assert "Leeds" not in _texts(at), entry.address
    crime = _texts(_run(next(p for p in navigation.PAGES if p.address == "crime-asb")))
    assert "All of South Nottinghamshire" in crime and "Jan 2024, Feb 2024, Mar 2024" in crime
    assert "illustrative" not in crime.lower()
    profile = _run(next(p for p in navigation.PAGES if p.address == "ward-profile"))
    assert len(profile.selectbox(key="ward").options) == 63
    # The ward map for a measure published by month draws the area's 63 wards, ranked "of 63".
    at = AppTest.from_file(str(ROOT / "pages/map.py"), default_timeout=60)
    at.query_params["measure"] = "crime:burglary"
    at.query_params["period"] = "month:2024-03"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    caption = _texts(at)
    assert "The 63 South Nottinghamshire wards" in caption and "Map of South Nottinghamshire" in caption
    # The board pack of a meeting names the partnership's board, never Leeds.
    assert cli.main(["meeting", "add", "2024-05-16", "--cut-off", "2024-03-31"]) == 0
    pdf = folder.parent / "pack.pdf"
    assert cli.main(["pack", "--meeting", "2024-05-16", "--out", str(pdf)]) == 0
    pptx = folder.parent / "pack.pptx"
    assert cli.main(["pack", "--meeting", "2024-05-16", "--out", str(pptx)]) == 0
    with zipfile.ZipFile(pptx) as deck:
        slides = " ".join(deck.read(n).decode("utf-8") for n in deck.namelist() if n.startswith("ppt/slides/slide"))
    assert "South Nottinghamshire Community Safety Partnership board" in slides and "Leeds" not in slides
    text = subprocess.run([_tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "South Nottinghamshire Community Safety Partnership board" in " ".join(text.split())
    assert "Leeds" not in text
