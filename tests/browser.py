"""Fixtures' machinery for the browser tests: a real Streamlit server on a free port and Debian's Chromium.

Nothing here downloads a browser: Chromium must be installed (`apt-get install chromium`); `.ci/run` installs it
and sets SAFERLEEDS_REQUIRE_BROWSER=1, which turns a missing browser into a failure instead of a skip.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from lib.ops import replicas

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = ROOT / "artefacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REQUIRE_BROWSER = os.environ.get("SAFERLEEDS_REQUIRE_BROWSER") == "1"
# How long a browser test waits for the app's own state (a page settled, an element shown, a redirect arrived). On a
# busy 2-core machine a page's first run, or the sign-in provider's answer, has taken over 30 s; a test that is right
# finishes as soon as the state is reached, so a generous limit costs nothing.
PATIENCE = 90_000


def dev_module(name: str):  # noqa: ANN201 - the module
    """A dev dependency of the browser tests, or skip the module (fail in CI) saying how to install it."""
    try:
        return importlib.import_module(name)
    except ImportError as missing:  # a developer who installed without the dev extras; CI installs them
        if REQUIRE_BROWSER:
            raise
        pytest.skip(f"{missing.name} is a dev dependency: run `make install`", allow_module_level=True)


def chromium_path() -> str:
    """The system Chromium, or skip (fail in CI) with how to install it."""
    found = (
        os.environ.get("SAFERLEEDS_CHROMIUM")
        or next((p for p in CHROMIUM_CANDIDATES if Path(p).is_file()), None)
        or shutil.which("chromium")
    )
    if found:
        return found
    reason = "Chromium is not installed: `sudo apt-get install chromium` (the browser tests never download one)"
    if REQUIRE_BROWSER:
        pytest.fail(reason)
    pytest.skip(reason)


@contextmanager
def streamlit_server(
    database_url: str, extra_env: dict[str, str] | None = None, script: str = "dashboard.py"
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`streamlit run` on a free loopback port against database_url; yields (base URL, process), then stops it."""
    with replicas.app_server(database_url, ARTEFACTS, extra_env, script) as (base, process):
        yield base, process


def patient(context) -> None:
    """Every wait and navigation in this browser context allows PATIENCE (Playwright's default is 30 s)."""
    context.set_default_timeout(PATIENCE)
    context.set_default_navigation_timeout(PATIENCE)


def home_tab(playwright, base: str):  # noqa: ANN201 - a Playwright page
    """A laptop-sized tab in a new headless Chromium, on the app's home page. A new server's first visit goes to its
    home page: a deep link first can show a spurious "Page not found". The browser closes with `playwright`."""
    browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    patient(context)
    tab = context.new_page()
    tab.goto(base)
    tab.wait_for_selector("h1", timeout=PATIENCE)
    return tab


def settle(tab, timeout: float = PATIENCE) -> None:
    """Wait until Streamlit has finished running the page script. If it never does, say what the page was doing
    (its script state, address and a screenshot in artefacts/unsettled/), so a flake can be read, not guessed."""
    try:
        tab.wait_for_selector("[data-test-script-state='notRunning']", timeout=timeout)
    except Exception as error:  # noqa: BLE001 - Playwright's timeout: re-raised with what the page showed
        folder = ARTEFACTS / "unsettled"
        folder.mkdir(parents=True, exist_ok=True)
        shot = folder / f"{int(time.time())}.png"
        state = tab.evaluate(
            "() => [...document.querySelectorAll('[data-test-script-state]')]"
            ".map(e => e.getAttribute('data-test-script-state'))"
        )
        tab.screenshot(path=str(shot), full_page=True)
        raise AssertionError(
            f"{tab.url} did not settle in {timeout / 1000:.0f} s (script state {state}); see {shot}"
        ) from error
    tab.wait_for_timeout(300)


def nginx_or_skip(required: bool) -> None:
    """Skip the test when nginx is not installed, unless it is required (CI), where that is a failure."""
    try:
        replicas.nginx_path()
    except RuntimeError as missing:
        if required:
            raise
        pytest.skip(str(missing))


def open_page(tab, base: str, path: str) -> None:
    """Go to a page and wait for its script to finish; no dialog may be left open."""
    tab.goto(f"{base}/{path}")
    tab.wait_for_selector("h1", timeout=PATIENCE)
    settle(tab)
    # The page then reports its width (lib/ui/frame_size.py) and is laid out again for it: let that run finish
    # (twice over: on a loaded machine the report can arrive after the first wait).
    for _ in range(2):
        tab.wait_for_timeout(1000)
        settle(tab)
    dialogs = [d.inner_text() for d in tab.locator("[role='dialog']").all()]
    assert dialogs == [], f"{path}: {dialogs}"


def full_page_screenshot(tab, path: Path) -> None:
    """The whole page: Streamlit scrolls inside its main block, so grow the viewport to the content first."""
    height = tab.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], "
        "[data-testid=stAppViewContainer], body')].map(e => e.scrollHeight))"
    )
    size = tab.viewport_size
    tab.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12_000)})
    tab.wait_for_timeout(500)
    tab.screenshot(path=str(path))
    tab.set_viewport_size(size)


CUT_METRICS = """() => [...document.querySelectorAll(
        '[data-testid=stMetricValue], [data-testid=stMetricValue] *, [data-testid=stMetricLabel] *, '
        + '[data-testid=stMetricDelta] *, [data-testid=stMetric] [data-testid=stCaptionContainer] *')]
    .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.innerText)"""
# The page itself never scrolls sideways: Streamlit scrolls its main block, so nothing in it may be wider than it.
SIDEWAYS = """() => { const main = document.querySelector('[data-testid=stMain]');
    return main ? main.scrollWidth - main.clientWidth : 0; }"""
VIEWPORTS = {  # where the dashboard is used: projected in the meeting, a laptop, a councillor's iPad, a phone
    "projector": (1920, 1080),
    "laptop": (1280, 800),
    "ipad": (820, 1180),
    "phone": (390, 844),
}
