"""The Peers page in the browser (issue 32), on real police.uk files: Leeds's March 2024 file beside the whole-force
files of South Yorkshire, Nottinghamshire and Merseyside, at the four screen sizes the dashboard is used at."""

from __future__ import annotations

import re
from pathlib import Path

import peer_files
import pytest
from browser import (
    ARTEFACTS,
    CUT_METRICS,
    SIDEWAYS,
    VIEWPORTS,
    dev_module,
    full_page_screenshot,
    home_tab,
    open_page,
    streamlit_server,
)

from lib.analysis import peers
from lib.core import periods
from lib.ingest import policeuk

pytestmark = pytest.mark.browser

playwright_api = dev_module("playwright.sync_api")
CORE = "English core cities"


def _reference(folder: Path, shared: Path) -> Path:
    """A reference folder of links to the shared Leeds lookups and the national ONS files."""
    folder.mkdir()
    data = shared / "data"
    for path in [*(data / "lookups").glob("*.csv"), *(data / "areas" / "lookups").glob("*.csv"),
                 *(data / "areas" / "population").glob("*.csv")]:  # fmt: skip
        (folder / path.name).symlink_to(path)
    return folder


def test_the_peers_page_ranks_leeds_among_the_core_cities_at_every_screen_size(
    seeded_templates, tmp_path, shared_dir, monkeypatch
):
    reference = _reference(tmp_path / "reference", shared_dir)
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(reference))
    url = seeded_templates.sqlite_copy(tmp_path)
    forces = peer_files.extract(shared_dir, tmp_path, ("2024-01", "2024-02", "2024-03"),
                                ("south-yorkshire", "nottinghamshire", "merseyside"))  # fmt: skip
    leeds = shared_dir / "data" / "policeuk" / "2024-03-west-yorkshire-street.csv"
    policeuk.import_paths(url, [leeds, *forces], accept_unusual=True)
    group = peers.group_named(url, CORE)
    assert group is not None
    expected = peers.compare(url, group, periods.parse("month:2024-03"), None)
    path = "peers?group=English+core+cities&type=all&period=month%3A2024-03"
    folder = ARTEFACTS / "viewports"
    folder.mkdir(parents=True, exist_ok=True)
    seen: dict[str, str] = {}
    with (
        streamlit_server(url, {"SAFERLEEDS_REFERENCE_DIR": str(reference)}) as (base, _),
        playwright_api.sync_playwright() as playwright,
    ):
        tab = home_tab(playwright, base)
        for size, (width, height) in VIEWPORTS.items():
            tab.set_viewport_size({"width": width, "height": height})
            open_page(tab, base, path)
            main = tab.locator("[data-testid='stMain']")
            main.get_by_text(re.compile(rf"Leeds is \w+ of 4 in {CORE}")).wait_for()
            assert tab.locator(".js-plotly-plot").count() >= 1, size
            assert tab.evaluate(CUT_METRICS) == [], size
            assert tab.evaluate(SIDEWAYS) <= 1, size
            seen[size] = main.inner_text()
            full_page_screenshot(tab, folder / f"peers-{size}.png")
    own = expected.own
    assert own.rank is not None and expected.ranked == 4
    for size, text in seen.items():
        assert f"{own.rate:,.2f}" in text, size  # the rate the analysis gives is the one on screen
        assert "no police.uk data" in text.lower(), size  # Manchester is shown, not ranked
        assert peers.CAVEAT.split(".")[0] in text, size
