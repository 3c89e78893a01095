"""The real app in Chromium on a partnership other than Leeds (South Nottinghamshire, built from the shared ONS
files, with the real Nottinghamshire force files imported): every page renders with its wards, both maps draw, and
no page says Leeds."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from browser import ARTEFACTS, PATIENCE, dev_module, home_tab, settle, streamlit_server

from lib import area, cli
from lib.area import build as builder
from lib.area import files as area_files
from lib.store import db
from lib.ui import navigation

pytestmark = pytest.mark.browser

playwright_api = dev_module("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "areas"
MAP = "ward-map?measure=crime:burglary&period=month:2024-03"


@pytest.fixture(scope="module")
def notts_app(tmp_path_factory):
    """South Nottinghamshire's own database and the app serving it, with SAFERLEEDS_AREA set for the server."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    folder = tmp_path_factory.mktemp("area") / "south-notts"
    area_files.write(builder.build(["E07000172", "E07000173", "E07000176"], "South Nottinghamshire", SHARED), folder)
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'notts.db'}"
    mp = pytest.MonkeyPatch()
    mp.setenv("SAFERLEEDS_AREA", str(folder))
    area.clear()
    try:
        assert cli.main(["--database-url", url, "db", "init"]) == 0
        archive = SHARED / "policeuk" / "other-forces-2024-01-to-03.zip"
        assert cli.main(["--database-url", url, "import", "policeuk", str(archive)]) == 0
        db.get_engine.cache_clear()
        with streamlit_server(url, {"SAFERLEEDS_AREA": str(folder)}) as (base, _):
            yield base
    finally:
        mp.undo()
        area.clear()


@pytest.fixture(scope="module")
def tab(notts_app):
    with playwright_api.sync_playwright() as playwright:
        page = home_tab(playwright, notts_app)
        yield page


def _open(tab, base: str, path: str) -> str:
    tab.goto(f"{base}/{path}")
    tab.wait_for_selector("h1", timeout=PATIENCE)
    settle(tab)
    tab.wait_for_timeout(1000)
    settle(tab)
    assert tab.locator("[data-testid='stException']").count() == 0, path
    return tab.locator("[data-testid='stMain']").inner_text()


def _drawn(tab) -> tuple[int, float]:
    """(distinct colours, share of the canvas not white) of the map's canvas."""
    from PIL import Image

    canvas = tab.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    canvas.wait_for(timeout=20_000)
    tab.wait_for_timeout(1500)
    shot = canvas.screenshot()
    (ARTEFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "screenshots" / f"area-map-{len(shot)}.png").write_bytes(shot)
    image = Image.open(io.BytesIO(shot)).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000) or []
    white = sum(n for n, rgb in colours if min(rgb) > 245)
    return len(colours), 1 - white / (image.width * image.height)


def test_every_page_renders_for_the_area_and_none_says_leeds(notts_app, tab):
    assert tab.title() == "South Nottinghamshire Community Safety Partnership board dashboard"
    menu = tab.locator(".st-key-app_menu").inner_text()
    assert "DS1" not in menu and "WalkSafe" not in menu  # Leeds's service pages are not this partnership's
    for entry in navigation.PAGES:
        if entry.kpis:
            continue
        text = _open(tab, notts_app, entry.address)
        assert "Leeds" not in text, entry.address
        assert "Leeds" not in tab.locator("[data-testid='stSidebar']").inner_text(), entry.address
    overview = _open(tab, notts_app, "")
    assert "South Nottinghamshire Community Safety Partnership board" in overview
    assert "no priorities or KPIs" in overview
    crime = _open(tab, notts_app, "crime-asb")
    assert "Jan 2024, Feb 2024, Mar 2024" in crime


def test_both_maps_draw_the_areas_wards(notts_app, tab):
    text = _open(tab, notts_app, MAP)
    assert "The 63 South Nottinghamshire wards" in text and "Map of South Nottinghamshire" in text
    assert "Rank" not in text or "of 63" in text
    colours, drawn = _drawn(tab)
    assert colours >= 5 and drawn > 0.15, ("the geographic map is blank", colours, drawn)
    text = _open(tab, notts_app, MAP + "&view=hex")
    assert "The 63 South Nottinghamshire wards" in text
    colours, drawn = _drawn(tab)
    assert colours >= 5 and drawn > 0.15, ("the hex map is blank", colours, drawn)
