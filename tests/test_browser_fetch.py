"""Fetch now in the browser (issue 31): an admin fetches police.uk's new months on Data in from an archive served by
nginx on loopback, watches it finish, and sees the fetch on Data & sources."""

from __future__ import annotations

import re

import pytest
from browser import PATIENCE, dev_module, home_tab, nginx_or_skip, settle, streamlit_server
from policeuk_server import NEWEST, nginx, site

from lib.core.vocabulary import FetchStatus
from lib.store import reads

pytestmark = pytest.mark.browser

playwright_api = dev_module("playwright.sync_api")


def _open(tab, address: str) -> None:
    tab.goto(address)
    tab.wait_for_selector("h1", timeout=PATIENCE)
    settle(tab)
    tab.wait_for_timeout(1000)  # the page reports its width and is laid out again
    settle(tab)


def test_an_admin_fetches_the_new_months_now_and_sees_the_fetch_logged(seeded_templates, tmp_path, shared_dir):
    nginx_or_skip(required=True)
    url = seeded_templates.sqlite_copy(tmp_path)
    site(tmp_path / "site")
    with nginx(tmp_path / "site", tmp_path / "nginx") as served:
        env = {
            "SAFERLEEDS_REFERENCE_DIR": str(shared_dir / "data" / "lookups"),
            "SAFERLEEDS_POLICEUK_ARCHIVE_URL": served.archive_url,
            "SAFERLEEDS_POLICEUK_API_URL": served.api_url,
        }
        with streamlit_server(url, env) as (base, _), playwright_api.sync_playwright() as playwright:
            tab = home_tab(playwright, base)
            _open(tab, f"{base}/data-in")
            tab.get_by_role("tab", name="police.uk crime").click()
            tab.get_by_text("No police.uk fetch yet").wait_for(timeout=PATIENCE)
            tab.get_by_role("button", name="Fetch now").click()
            done = tab.get_by_text(re.compile(r"police\.uk fetch success: imported 2024-03, 2025-02"))
            done.wait_for(timeout=PATIENCE)
            _open(tab, f"{base}/sources")
            tab.get_by_text("police.uk fetches").first.wait_for(timeout=PATIENCE)
            main = tab.locator("[data-testid='stMain']").inner_text()
        archive_bytes = served.bytes_sent()
    assert "Newest month imported" in main and NEWEST in main
    logged = reads.policeuk_fetches(url)[0]
    assert logged["status"] == FetchStatus.SUCCESS and logged["months"] == "2024-03,2025-02"
    assert logged["bytes_received"] < 0.15 * logged["archive_bytes"] and archive_bytes < 0.15 * logged["archive_bytes"]
