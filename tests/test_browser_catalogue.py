"""The catalogue in the browser (issue 30): an admin adds a KPI on the Catalogue page, sets its target, imports a
return for it on Data in, and it shows on its priority page."""

from __future__ import annotations

import re

import pytest
from browser import PATIENCE, dev_module, home_tab, settle, streamlit_server

from lib.store import queries

pytestmark = pytest.mark.browser

playwright_api = dev_module("playwright.sync_api")
NAME = "Repeat victims supported"


def _open(tab, base: str, path: str) -> None:
    tab.goto(f"{base}/{path}")
    tab.wait_for_selector("h1", timeout=PATIENCE)
    settle(tab)
    tab.wait_for_timeout(1000)
    settle(tab)


def _choose(tab, label: str, option: str) -> None:
    """Pick an option of the visible select box with that label."""
    box = tab.locator("[data-testid='stSelectbox']:visible", has_text=label).first
    box.click()
    box.locator("input").first.press_sequentially(option[:12])
    tab.get_by_role("option", name=option).first.click()
    settle(tab)


def _fill(tab, label: str, value: str) -> None:
    tab.get_by_label(label, exact=True).locator("visible=true").first.fill(value)


def test_an_admin_adds_a_kpi_sets_its_target_loads_a_return_and_sees_it_on_its_priority_page(
    seeded_templates, tmp_path
):
    url = seeded_templates.sqlite_copy(tmp_path)
    with (
        streamlit_server(url, {"SAFERLEEDS_REFERENCE_DIR": str(tmp_path)}) as (base, _),
        playwright_api.sync_playwright() as playwright,
    ):
        tab = home_tab(playwright, base)
        _open(tab, base, "catalogue")
        tab.get_by_text("Add a KPI", exact=True).click()
        _fill(tab, "Code (capitals, digits and underscores; permanent once it has values)", "DA_REPEAT_SUPPORTED")
        _fill(tab, "Name", NAME)
        _choose(tab, "Shared priority", "2. Domestic Violence and Abuse")
        _fill(tab, "Unit (count, minutes, percent, ...)", "count")
        _fill(tab, "Definition: exactly what is counted or timed", "People referred again who were supported")
        _fill(tab, "Source (document and section, or dataset)", "Service returns")
        _fill(tab, "Owner (the organisation or team that reports it)", "Leeds Domestic Violence Service")
        tab.get_by_role("button", name="Add the KPI").click()
        tab.get_by_text("Added DA_REPEAT_SUPPORTED").wait_for(timeout=PATIENCE)
        settle(tab)

        tab.get_by_role("tab", name="Targets").click()
        _choose(tab, "KPI", f"DA_REPEAT_SUPPORTED: {NAME}")
        _fill(tab, "Target (in the KPI's unit)", "40")
        tab.get_by_text("minimum", exact=True).locator("visible=true").first.click()
        # A react-aria date field: one spin button per part, typing moves on to the next part.
        tab.get_by_role("spinbutton", name="day, In force from").click()
        tab.keyboard.type("01042024")
        tab.get_by_role("button", name="Set the target").click()
        tab.get_by_text(re.compile(r"DA_REPEAT_SUPPORTED: target 40")).wait_for(timeout=PATIENCE)

        _open(tab, base, "data-in")
        header = "kpi_code,period_start,period_end,ward_code,value,numerator,denominator,note"
        data = f"{header}\nDA_REPEAT_SUPPORTED,2024-10-01,2024-10-31,,55,,,\n".encode()
        upload = tab.locator("[data-testid='stFileUploaderDropzoneInput']").first
        upload.set_input_files(files=[{"name": "return.csv", "mimeType": "text/csv", "buffer": data}])
        button = tab.get_by_role("button", name=re.compile(r"Import 1 value"))
        button.wait_for(timeout=PATIENCE)
        button.click()
        tab.get_by_text(re.compile(r"1 new")).first.wait_for(timeout=PATIENCE)

        _open(tab, base, "priorities?priority=2&meeting=2024-11-21")
        tab.get_by_text(NAME).first.wait_for(timeout=PATIENCE)
        main = tab.locator("[data-testid='stMain']").inner_text()
    assert NAME in main and "55" in main
    target = queries.kpi_targets(url, "DA_REPEAT_SUPPORTED")
    assert target[["value", "target_type"]].values.tolist() == [[40.0, "minimum"]]
