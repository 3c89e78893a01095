"""One truth for every viewer (issue 15): two app processes behind nginx on one PostgreSQL database; an import from
the command line shows in both on their next rerun, whichever process serves the viewer."""

from __future__ import annotations

import os
import urllib.request

import pytest
from browser import CHROMIUM_ARGS, PATIENCE, REQUIRE_BROWSER, chromium_path, nginx_or_skip, patient
from helpers import leeds_lookup

from lib.ingest import policeuk
from lib.ops import replicas

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

try:
    import playwright.sync_api as playwright_api
except ImportError as missing:
    if REQUIRE_BROWSER:
        raise
    pytest.skip(f"{missing.name} is a dev dependency: run `make install`", allow_module_level=True)

MARCH = "2024-03-west-yorkshire-street.csv"
NONE_REAL = "Months with real police.uk data: none"
MARCH_REAL = "Months with real police.uk data: Mar 2024"


@pytest.fixture
def deployment(seeded_templates, shared_dir):
    if not os.environ.get("SAFERLEEDS_TEST_PG_URL"):
        if os.environ.get("SAFERLEEDS_REQUIRE_PG") == "1":
            pytest.fail("SAFERLEEDS_TEST_PG_URL is not set: the scale-out test needs PostgreSQL")
        pytest.skip("SAFERLEEDS_TEST_PG_URL not set: PostgreSQL tests skipped on this machine")
    nginx_or_skip(REQUIRE_BROWSER)
    for url in seeded_templates.pg_copy():
        env = {"SAFERLEEDS_REFERENCE_DIR": str(shared_dir / "data" / "lookups")}
        with replicas.serve(url, replicas=2, extra_env=env) as running:
            yield url, running


def _crime_caption(tab) -> str:
    tab.wait_for_selector("text=Months with real police.uk data", timeout=PATIENCE)
    return tab.locator("text=Months with real police.uk data").first.inner_text()


def test_an_import_shows_in_every_process_on_the_next_rerun(deployment, shared_dir):
    url, running = deployment
    with urllib.request.urlopen(f"{running.url}/_stcore/health", timeout=5) as health:  # health through the proxy
        assert health.status == 200 and health.read() == b"ok"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        viewers: dict[str, object] = {}  # upstream process -> a browser tab it serves
        for _ in range(12):  # each new browser gets a random route: keep opening until both processes serve one
            context = browser.new_context()
            patient(context)
            tab = context.new_page()
            response = tab.goto(f"{running.url}/crime-asb")
            upstream = response.headers.get("x-saferleeds-upstream")
            assert upstream in {base.removeprefix("http://") for base in running.apps}
            if upstream in viewers:
                context.close()
                continue
            assert NONE_REAL in _crime_caption(tab)  # and now the process has cached what it read
            viewers[upstream] = tab
            if len(viewers) == 2:
                break
        assert len(viewers) == 2, "the proxy sent every browser to one process"
        result = policeuk.import_paths(  # the monthly job, run from the command line's code in this process
            url, [shared_dir / "data" / "policeuk" / MARCH], leeds_lookup(url, shared_dir / "data" / "lookups")
        )
        assert result.ok
        for upstream, tab in viewers.items():
            tab.keyboard.press("r")  # a rerun, as any widget change would cause
            try:
                tab.wait_for_selector(f"text={MARCH_REAL}", timeout=PATIENCE)
            except playwright_api.Error:
                raise AssertionError(f"{upstream} still shows: {_crime_caption(tab)}") from None
            assert MARCH_REAL in _crime_caption(tab), upstream
            tab.reload()  # the same process again (sticky), the same truth
            assert MARCH_REAL in _crime_caption(tab), upstream
        browser.close()
