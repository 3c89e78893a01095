"""End to end in a real browser: every page loads clean in Debian's Chromium, navigation and widgets work, the map
draws, a CSV download holds the plotted data, and axe-core finds no serious or critical WCAG 2.2 AA problem of ours.

Screenshots and the accessibility report go to artefacts/ (not committed; CI keeps them).
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from browser import (
    ARTEFACTS,
    CHROMIUM_ARGS,
    CUT_METRICS,
    PATIENCE,
    SIDEWAYS,
    VIEWPORTS,
    chromium_path,
    dev_module,
    full_page_screenshot,
    open_page,
    patient,
    settle,
    streamlit_server,
)

from lib.analysis import measures
from lib.figures import maps
from lib.store import queries
from lib.ui import navigation

pytestmark = pytest.mark.browser

axe_package = dev_module("axe_playwright_python")
playwright_api = dev_module("playwright.sync_api")

AXE_JS = Path(axe_package.__file__).with_name("axe.min.js")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}
# Streamlit's and deck.gl's own chrome, not ours to fix: reported, never failing. Matched in axe's node selectors.
NOT_OURS = {
    "stToolbar": "Streamlit's toolbar",
    "stDecoration": "Streamlit's coloured top bar",
    "stSidebarCollapseButton": "Streamlit's sidebar collapse button",
    "deckgl-overlay": "deck.gl's canvas (the table alternative and ranked bars carry the same figures)",
}
EXPECTED = {  # address (lib/ui/navigation.py) -> query string, heading, text that proves the page's content rendered
    "": ("", "Safer Leeds Executive", "Off track"),
    "meeting": ("?meeting=2024-11-21", "Executive meeting", "Actions due at this meeting"),
    "reports": ("?meeting=2024-11-21", "Exception reports", "Needing an exception report"),
    "priorities": ("?priority=1", "1. ASB and Public Order", "Key deliverables"),
    "noise": ("", "DS1 dedicated noise service", "63"),
    "safety-plans": ("", "Domestic abuse safety plans", "4,672"),
    "walksafe-app": ("", "WalkSafe Leeds app", "downloads"),
    "crime-asb": ("", "Crime and anti-social behaviour", "Last 12 months against the previous 12"),
    "ward-map": ("", "Ward map", "Table of the data on this map"),
    "ward-profile": ("?ward=E05011397", "Ward profile", "Crime rate trend"),
    "data-in": ("", "Data in", "Download your template"),
    "catalogue": ("", "Catalogue", "KPIs"),
    "peers": ("", "Peers", "Is it us, or is it everywhere?"),
    "sources": ("", "Data & sources", "Import log"),
}
MISSING = ("", "(no expectation: add the page to EXPECTED)", "")
PAGES = [
    (page.address + EXPECTED.get(page.address, MISSING)[0], *EXPECTED.get(page.address, MISSING)[1:])
    for page in navigation.PAGES
]


def test_every_page_in_the_navigation_has_browser_expectations():
    assert {page.address for page in navigation.PAGES} == set(EXPECTED)


@pytest.fixture(scope="module")
def app(tmp_path_factory, seeded_templates):
    """A seeded embedded database and the real app serving it."""
    url = seeded_templates.sqlite_copy(tmp_path_factory.mktemp("browser"))
    with streamlit_server(url, {"SAFERLEEDS_REFERENCE_DIR": str(tmp_path_factory.mktemp("noref"))}) as (base, _):
        yield base, url


@pytest.fixture(scope="module")
def browser(app):
    """Chromium from Debian's packages, launched once for the module.

    The server is warmed with one visit first: the first session after a Streamlit server starts can see a
    spurious "Page not found" dialog on a deep link.
    """
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        warm = launched.new_page()
        warm.goto(app[0])
        warm.wait_for_selector("h1", timeout=PATIENCE)
        warm.close()
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def browser_context(browser):
    """A fresh temporary profile in that Chromium; downloads allowed."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1440, "height": 1000})
    patient(context)
    yield context
    context.close()


@pytest.fixture
def page(browser_context):
    tab = browser_context.new_page()
    yield tab
    tab.close()


def _axe(tab) -> list[dict]:
    """axe-core's WCAG 2.2 A/AA violations on the current page."""
    tab.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = tab.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return result["violations"]


def _ours(violation: dict) -> list[dict]:
    """The nodes of a violation that are in our content rather than Streamlit's or deck.gl's own chrome."""
    return [node for node in violation["nodes"] if not any(marker in json.dumps(node["target"]) for marker in NOT_OURS)]


@pytest.mark.parametrize(("path", "heading", "content"), PAGES, ids=[p[0] or "overview" for p in PAGES])
def test_every_page_loads_clean_is_accessible_and_is_screenshotted(app, page, path, heading, content):
    base, _ = app
    open_page(page, base, path)
    assert page.locator("h1").first.inner_text().strip() == heading
    assert page.locator("[data-testid='stException']").count() == 0
    page.get_by_text(content).first.wait_for(timeout=15_000)
    if path == "":  # the Overview's headline tiles: four KPIs plus any off-track ones
        assert page.locator("[data-testid='stMetric']").count() >= 4
    name = (path.split("?")[0] or "overview").replace("/", "-")
    (ARTEFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    full_page_screenshot(page, ARTEFACTS / "screenshots" / f"{name}.png")
    violations = _axe(page)
    report = [
        {
            "page": name,
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": len(v["nodes"]),
            "ours": len(_ours(v)),
            "targets": [n["target"] for n in v["nodes"][:5]],
        }
        for v in violations
    ]
    (ARTEFACTS / "accessibility").mkdir(parents=True, exist_ok=True)
    (ARTEFACTS / "accessibility" / f"{name}.json").write_text(json.dumps(report, indent=2))
    blocking = [r for r in report if r["impact"] in BLOCKING and r["ours"]]
    assert blocking == [], json.dumps(blocking, indent=2)


def test_navigation_between_pages_works(app, page):
    base, _ = app
    open_page(page, base, "")
    page.get_by_role("link", name="Ward map").first.click()
    page.wait_for_url(f"{base}/ward-map**")
    page.wait_for_selector("h1:has-text('Ward map')")
    page.get_by_role("link", name="Data & sources").first.click()
    page.wait_for_url(f"{base}/sources**")
    page.wait_for_selector("h1:has-text('Data & sources')")


def test_the_chosen_meeting_follows_the_sidebar_and_the_links(app, page):
    """Choose 19 Sep 2024 on the Overview: the DS1 page from the sidebar and the priority from its card show it too,
    in the same tab."""
    base, _ = app
    open_page(page, base, "")
    box = page.locator("[data-testid='stSidebar']").get_by_label("Executive meeting", exact=True).first
    box.click()
    box.fill("19 Sep 2024")
    page.get_by_role("option", name=re.compile(r"19 Sep 2024")).first.click()
    settle(page)
    assert "meeting=2024-09-19" in page.url
    page.get_by_role("link", name="DS1 noise service").first.click()
    page.wait_for_url(f"{base}/noise**")
    settle(page)
    assert "meeting=2024-09-19" in page.url
    assert "19 Sep 2024" in _sidebar_meeting(page)
    page.get_by_role("link", name="Overview").first.click()
    page.wait_for_url(re.compile(r".*meeting=2024-09-19.*"))
    settle(page)
    pages_before = len(page.context.pages)
    page.get_by_role("link", name="Open this priority").first.click()
    page.wait_for_url(re.compile(r".*/priorities\?.*"))
    settle(page)
    assert len(page.context.pages) == pages_before  # the same tab
    assert "meeting=2024-09-19" in page.url and "priority=1" in page.url
    assert "19 Sep 2024" in _sidebar_meeting(page)


def _sidebar_meeting(tab) -> str:
    """The meeting the sidebar's selector shows."""
    box = tab.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").first
    return box.inner_text() + " " + " ".join(i.input_value() for i in box.locator("input").all())


def _choose(tab, label: str, option: str) -> None:
    """Pick an option in a Streamlit selectbox by its label."""
    box = tab.get_by_label(label).first
    box.click()
    box.fill(option)
    tab.get_by_role("option", name=option).first.click()
    settle(tab)


def test_a_selector_changes_what_is_shown(app, page):
    base, url = app
    open_page(page, base, "crime-asb")
    metric = page.locator("[data-testid='stMetricValue']").first
    city = metric.inner_text()
    _choose(page, "Area", "Gipton & Harehills")
    settle(page)
    assert metric.inner_text() != city
    wards = queries.wards(url)
    assert "Gipton & Harehills" in set(wards["name"])


def test_the_map_canvas_draws_wards(app, page):
    from PIL import Image

    base, _ = app
    open_page(page, base, "ward-map")
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    canvas.wait_for(timeout=20_000)
    page.wait_for_timeout(1500)
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 200
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
    colours = image.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 20, "the map canvas is blank"


def test_the_csv_download_holds_the_mapped_figures(app, page):
    base, url = app
    open_page(page, base, "ward-map")
    page.get_by_text("Table of the data on this map").first.click()
    with page.expect_download(timeout=PATIENCE) as download_info:
        page.locator("[data-testid='stDownloadButton'] button").first.click()
    frame = pd.read_csv(download_info.value.path())
    measure = measures.get(url, measures.ALL_CRIME)
    cutoff = queries.meetings(url)["data_cutoff"].iloc[-1]
    period = measures.available_periods(url, measure, cutoff)[0]
    table = measures.ward_table(url, measure.id, period, measures.RATE)
    assert len(frame) == 33
    downloaded = dict(zip(frame["ward_code"], frame[measure.unit], strict=True))
    expected = dict(zip(table.wards["ward_code"], table.wards["value"].round(2), strict=True))
    assert downloaded == pytest.approx(expected)


SELECTED_OUTLINE = (244, 106, 37)  # lib.figures.maps.SELECTED_OUTLINE


def _drawn_box(image) -> tuple[int, int, int, int] | None:
    """The bounding box of everything drawn on a white map canvas (left, top, right, bottom), or None."""
    from PIL import ImageChops

    white = image.convert("RGB").point(lambda _: 255)
    difference = ImageChops.difference(image.convert("RGB"), white).convert("L")
    return difference.point(lambda v: 255 if v > 24 else 0).getbbox()


@pytest.mark.parametrize("view", ["Map of Leeds", "Hex map"])
@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_ward_map_frames_every_ward_at_every_screen_size(app, browser_context, size, view):
    from PIL import Image

    base, _ = app
    tab = browser_context.new_page()
    tab.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[size], strict=True)))
    try:
        open_page(tab, base, "ward-map?ward=E05011394")  # Gipton & Harehills highlighted
        if view != "Map of Leeds":

            def choose() -> None:
                settle(tab)
                tab.get_by_text(view, exact=True).last.click()  # during a rerun the old radio can still be there

            retrying(tab, choose)
            settle(tab)
        tab.wait_for_timeout(1500)  # the frame reports its width, the map is re-framed for it
        settle(tab)
        assert tab.locator("[data-testid='stDeckGlJsonChartZoomButton']").count() == 0  # no control over a ward
        canvas = tab.locator("[data-testid='stDeckGlJsonChart'] canvas").first

        def shot() -> bytes:
            canvas.scroll_into_view_if_needed()
            tab.wait_for_timeout(800)
            return canvas.screenshot()

        image = Image.open(io.BytesIO(retrying(tab, shot))).convert("RGB")
        box = _drawn_box(image)
        assert box is not None, "nothing drawn"
        left, top, right, bottom = box
        width, height = image.size
        # Inside its canvas on every side (a pixel of white all round), and spanning at least half of it.
        assert left > 0 and top > 0 and right < width and bottom < height, (size, view, box, image.size)
        assert right - left >= width / 2 or bottom - top >= height / 2, (size, view, box, image.size)
        # The highlighted ward is in view: its outline colour is drawn on the canvas.
        outline = sum(
            count for count, colour in image.getcolors(maxcolors=4_000_000) if _near(colour, SELECTED_OUTLINE)
        )
        assert outline > 20, (size, view, "the highlighted ward's outline is not in view")
        # Hovering the ward furthest right shows its readout wholly inside the map's frame.
        box_on_page = canvas.bounding_box()
        scale = box_on_page["width"] / width  # screenshot pixels per CSS pixel
        column = right - 3
        row = next(y for y in range(top, bottom) if sum(image.getpixel((column, y))) < 600)
        tab.mouse.move(box_on_page["x"] + column / scale, box_on_page["y"] + row / scale)
        readout = tab.locator("[data-testid='stDeckGlJsonChart'] .deck-tooltip").first
        readout.wait_for(state="visible", timeout=5_000)
        inner, frame = readout.bounding_box(), box_on_page
        assert inner["x"] >= frame["x"] and inner["y"] >= frame["y"], (size, view, inner, frame)
        assert inner["x"] + inner["width"] <= frame["x"] + frame["width"] + 1, (size, view, inner, frame)
        assert inner["y"] + inner["height"] <= frame["y"] + maps.READOUT_BAND + 1, (size, view, inner, "covers the map")
        # Clicking where the zoom buttons used to be does not open a ward's profile.
        tab.mouse.click(box_on_page["x"] + box_on_page["width"] - 20, box_on_page["y"] + box_on_page["height"] - 20)
        tab.wait_for_timeout(800)
        assert "/ward-map" in tab.url
        ARTEFACTS.joinpath("viewports").mkdir(parents=True, exist_ok=True)
        full_page_screenshot(
            tab, ARTEFACTS / "viewports" / f"ward-map-{'geographic' if 'Leeds' in view else 'hex'}-{size}.png"
        )
    finally:
        tab.close()


def _near(colour: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour, target, strict=True))


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_ranked_bars_draw_the_leeds_line(app, browser_context, size):
    base, _ = app
    tab = browser_context.new_page()
    tab.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[size], strict=True)))

    def leeds_line() -> float:
        chart = tab.locator("[data-testid='stPlotlyChart']").first
        chart.scroll_into_view_if_needed()
        tab.wait_for_timeout(500)
        legend = chart.locator(".legend").text_content() or ""  # SVG text: no inner_text
        assert "Leeds" in legend and "trace" not in legend, legend  # the legend names the line, nothing else
        # The line lies under the bars and their labels (plotly's layer-below), so no label is struck through.
        lines = chart.locator(".layer-below .shapelayer path")
        assert lines.count() >= 1
        return lines.first.evaluate("path => path.getTotalLength()")

    try:
        open_page(tab, base, "ward-map")
        length = retrying(tab, leeds_line)
        assert length > 100, f"the Leeds line is {length:.0f} px long"
    finally:
        tab.close()


def retrying(tab, read, attempts: int = 5):  # noqa: ANN201 - whatever read returns
    """read(), again after the page settles if a late rerun (the width report) replaced the element meanwhile."""
    for attempt in range(attempts):
        try:
            return read()
        except playwright_api.Error:
            if attempt == attempts - 1:
                raise
            tab.wait_for_timeout(1000)
            settle(tab)
    return None


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_sidebar_starts_closed_on_a_tablet_or_phone_and_stays_as_the_user_left_it(app, browser, size):
    base, _ = app
    width, height = VIEWPORTS[size]
    context = browser.new_context(viewport={"width": width, "height": height})  # a fresh profile: no stored choice
    patient(context)
    tab = context.new_page()
    sidebar = tab.locator("[data-testid='stSidebar']")
    try:
        open_page(tab, base, "crime-asb")  # a page without a width-driven layout of its own: every page measures
        narrow = width < 1024  # lib.ui.frame_size.NARROW_WINDOW
        assert sidebar.get_attribute("data-collapsed") == ("true" if narrow else "false"), size
        if narrow:  # the person opens it; the next page keeps it open
            tab.locator("[data-testid='stExpandSidebarButton']").click()
            tab.wait_for_timeout(500)
            tab.get_by_role("link", name="Ward map").click()
            tab.wait_for_selector("text=Table of the data on this map", timeout=PATIENCE)
            settle(tab)
            tab.wait_for_timeout(1500)
            settle(tab)
            assert sidebar.get_attribute("data-collapsed") == "false", size
    finally:
        context.close()


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_every_page_fits_each_screen_with_no_figure_cut(app, browser_context, size):
    base, _ = app
    tab = browser_context.new_page()
    tab.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[size], strict=True)))
    folder = ARTEFACTS / "viewports"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        for path, _heading, _content in PAGES:
            open_page(tab, base, path)
            tab.wait_for_timeout(1200)  # the page reports its width and is laid out for it
            settle(tab)
            cut = tab.evaluate(CUT_METRICS)
            assert cut == [], f"{path or 'overview'} at {size}: figures cut: {cut}"
            sideways = tab.evaluate(SIDEWAYS)
            assert sideways <= 1, f"{path or 'overview'} at {size}: the page scrolls {sideways} px sideways"
            name = (path.split("?")[0] or "overview").replace("/", "-")
            full_page_screenshot(tab, folder / f"{name}-{size}.png")
    finally:
        tab.close()


def test_hostile_names_and_cells_render_as_plain_text(app, page):
    """A return named like a phishing link, with markdown in its cells: shown literally, no link, image or bold."""
    from test_hostile_text import BOLD, HOSTILE_NAME, LINK

    base, _ = app
    open_page(page, base, "data-in")
    header = "kpi_code,period_start,period_end,ward_code,value,numerator,denominator,note"
    data = f'{header}\n"{BOLD} {LINK}",2024-10-01,2024-10-31,,1,,,\n'.encode()
    upload = page.locator("[data-testid='stFileUploaderDropzoneInput']").first
    upload.set_input_files(files=[{"name": HOSTILE_NAME, "mimeType": "text/csv", "buffer": data}])
    page.wait_for_selector("[data-testid='stAlertContentError']", timeout=PATIENCE)
    settle(page)
    assert "Sept v2 [Open the full return]" in page.locator("[data-testid='stAlertContentError']").first.inner_text()
    links = page.locator("a[href*='evil.example']")
    assert links.count() == 0, [links.nth(i).evaluate("a => a.parentElement.outerHTML") for i in range(links.count())]
    assert page.locator("img[src*='evil.example']").count() == 0
    assert page.locator("strong", has_text=re.compile(r"^urgent$")).count() == 0  # ours is the whole file name
    assert "**urgent**" in page.locator("[data-testid='stAlertContentError']").first.inner_text()


def test_an_import_carries_on_when_the_person_leaves_the_page(browser, seeded_templates, tmp_path, shared_dir):
    """Click Import, go to another page at once, come back: the import finished, and says so (issue 15)."""
    from lib.core import failpoints

    url = seeded_templates.sqlite_copy(tmp_path)
    env = {
        "SAFERLEEDS_REFERENCE_DIR": str(shared_dir / "data" / "lookups"),
        failpoints.ENVIRONMENT: f"{failpoints.WRITING}=3",  # still writing when the person leaves
    }
    name = "2025-02-west-yorkshire-street.csv"
    with streamlit_server(url, env) as (base, _):
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        patient(context)
        tab = context.new_page()
        tab.goto(base)  # the first deep link after a server starts can meet Streamlit's spurious "Page not found"
        tab.wait_for_selector("h1", timeout=PATIENCE)
        open_page(tab, base, "data-in")
        tab.get_by_role("tab", name="police.uk crime").click()
        upload = tab.locator("[data-testid='stFileUploaderDropzoneInput']").nth(1)
        data = (shared_dir / "data" / "policeuk" / name).read_bytes()
        upload.set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": data}])
        button = tab.get_by_role("button", name=re.compile(r"Import 1 file"))
        button.wait_for(timeout=PATIENCE)
        button.click()
        tab.get_by_text("You can leave this page").wait_for(timeout=PATIENCE)
        tab.get_by_role("link", name="Ward map").first.click()  # leave while it writes
        tab.wait_for_url(f"{base}/ward-map**")
        tab.get_by_role("link", name="Data in").first.click()
        tab.wait_for_url(f"{base}/data-in**")
        tab.get_by_role("tab", name="police.uk crime").click()
        tab.get_by_text(re.compile(r"8,009 new")).first.wait_for(timeout=PATIENCE)
        context.close()
    log = queries.import_log(url)
    assert log.iloc[0]["file_name"] == name and log.iloc[0]["status"] == "success"
    months = queries.crime_months(url)
    assert months.loc[months["has_real"] == 1, "month"].astype(str).tolist() == ["2025-02-01"]


def _script_runs(tab) -> list[int]:
    """Counts the page-script runs the server starts for a tab (each begins with a new_session message)."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    runs: list[int] = []

    def received(payload: bytes | str) -> None:
        if isinstance(payload, bytes):
            message = ForwardMsg()
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "new_session":
                runs.append(1)

    tab.on("websocket", lambda socket: socket.on("framereceived", received))
    return runs


def test_a_new_tab_from_the_same_browser_is_laid_out_on_its_first_run(app, browser):
    """Issue 19: the page's width used to be learnt only after the first run, so every new tab ran its page twice
    (charts sent and drawn twice) before its first chart settled. The browser now keeps the last size in a cookie
    and the component reports only a size the page was not laid out for."""
    base, _ = app
    context = browser.new_context(viewport={"width": 1280, "height": 800})  # a fresh profile: no cookie yet
    patient(context)
    try:
        first = context.new_page()
        first_runs = _script_runs(first)
        open_page(first, base, "noise")
        assert len(first_runs) == 2  # the very first visit: laid out for the default, then for the measured width
        assert "saferleeds_frame" in {cookie["name"] for cookie in context.cookies()}
        second = context.new_page()
        second_runs = _script_runs(second)
        open_page(second, base, "noise")
        assert len(second_runs) == 1
        widths = [
            tab.evaluate("() => document.querySelector('[data-testid=stPlotlyChart]').getBoundingClientRect().width")
            for tab in (first, second)
        ]
        assert widths[0] == widths[1]
        second.set_viewport_size({"width": 820, "height": 1180})  # a different size is still reported and laid out
        for _ in range(3):
            second.wait_for_timeout(1000)
            settle(second)
        assert len(second_runs) >= 2
        assert second.evaluate("() => document.cookie").count("saferleeds_frame=") == 1
        assert "saferleeds_frame=1280x" not in second.evaluate("() => document.cookie")
    finally:
        context.close()


# Every link the sidebar ever holds, recorded from before the page's own scripts run until the test reads it.
RECORD_SIDEBAR_LINKS = """
window.__sidebarLinks = new Set();
new MutationObserver(() => {
    for (const link of document.querySelectorAll("[data-testid='stSidebar'] a[href]")) {
        window.__sidebarLinks.add(new URL(link.href).pathname.replace(/^\\/+/, ""));
    }
}).observe(document, {subtree: true, childList: true, attributes: true});
"""


# A server process whose first page run is as slow as on a cold machine: its first import of the app's modules waits
# two seconds (on a warm machine the gap is shorter, but what the browser shows in it is the same).
SLOW_FIRST_RUN = """
import importlib.abc, sys, time

class SlowFirstImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "lib.ui.access":
            sys.meta_path.remove(self)
            time.sleep(2)
        return None

sys.meta_path.insert(0, SlowFirstImport())
"""


def test_the_first_paint_after_a_start_shows_only_the_apps_own_navigation(browser, seeded_templates, tmp_path):
    """Right after a server start, Streamlit would first list the files in pages/ ("ds1", "map", "data in") until
    the entry script has run: the sidebar must only ever hold links to the app's own page addresses
    (lib/ui/navigation.py), from the first paint."""
    url = seeded_templates.sqlite_copy(tmp_path)
    (tmp_path / "slow").mkdir()
    (tmp_path / "slow" / "sitecustomize.py").write_text(SLOW_FIRST_RUN)
    env = {
        "SAFERLEEDS_REFERENCE_DIR": str(tmp_path / "noref"),
        "PYTHONPATH": os.pathsep.join(p for p in (str(tmp_path / "slow"), os.environ.get("PYTHONPATH", "")) if p),
    }
    with streamlit_server(url, env) as (base, _):
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        patient(context)
        context.add_init_script(RECORD_SIDEBAR_LINKS)
        tab = context.new_page()
        try:
            open_page(tab, base, "")  # the first visit since the server started
            seen = set(tab.evaluate("() => [...window.__sidebarLinks]"))
        finally:
            context.close()
    own = {page.address for page in navigation.PAGES}
    assert seen, "the sidebar showed no links at all"
    assert seen <= own, f"links that are not the app's pages: {sorted(seen - own)}"
    assert {p.address for p in navigation.PAGES if p.address != "data-in"} <= seen  # the app's own menu was drawn


def test_the_ward_map_starts_on_the_first_screen_of_a_laptop(app, browser_context):
    """At 1280 x 800 the map began about 737 px down, below the first screen: the choices sit in one row above it and
    what it means goes under it, so most of the first screen below the choices is map."""
    base, _ = app
    tab = browser_context.new_page()
    tab.set_viewport_size({"width": 1280, "height": 800})
    try:
        open_page(tab, base, "ward-map")
        canvas = tab.locator("[data-testid='stDeckGlJsonChart']").first
        top = canvas.bounding_box()["y"]
        assert top < 560, f"the map starts {top:.0f} px down a 800 px screen"
    finally:
        tab.close()
