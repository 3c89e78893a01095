"""What a user typed is shown literally on every page: file names, cells, zip member names and notes never render as
links, images or bold (issue 14). A return named like a phishing link put a live link and a remote image into the
Overview tile's help for every viewer; this walks every page with such strings loaded."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from test_pages import page

from lib.core import roles
from lib.ingest import kpi_returns, meeting_records
from lib.ui import navigation

LINK = "[Open the full return](https://evil.example/login)"
IMAGE = "![x](http://evil.example/tile2.png)"
BOLD = "**urgent**"
HOSTILE_NAME = f"Sept v2 {LINK} {IMAGE} {BOLD}.csv"
HOSTILE_NOTE = f"see {LINK} {BOLD}"
RAW = (LINK, IMAGE, BOLD, "](https://evil.example", "](http://evil.example")


def _markdown_texts(element) -> list[str]:
    """Every string of an element (and its children) that Streamlit renders as markdown: bodies, labels and help."""
    texts = []
    proto = getattr(element, "proto", None)
    if proto is not None and hasattr(proto, "ListFields"):
        for field, value in proto.ListFields():
            if field.name in {"body", "help", "label", "caption", "text"} and isinstance(value, str):
                texts.append(value)
    for child in getattr(element, "children", {}).values():
        texts += _markdown_texts(child)
    return texts


def _rendered_raw(at) -> list[str]:
    """Markdown texts on the page that hold one of the hostile strings unescaped."""
    texts = _markdown_texts(at.main) + _markdown_texts(at.sidebar)
    return [text for text in texts if any(raw in text for raw in RAW)]


@pytest.fixture
def hostile_url(tmp_path, monkeypatch, seeded_templates, shared_dir):
    """A database holding a return whose file name and note are markdown, imported the way the CLI does."""
    url = seeded_templates.sqlite_copy(tmp_path)
    monkeypatch.setenv("SAFERLEEDS_DATABASE_URL", url)
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(shared_dir / "data" / "lookups"))
    header = ",".join(kpi_returns.COLUMNS)
    data = f'{header}\nDS1_RESPONSE,2024-10-01,2024-10-31,,44,,,"{HOSTILE_NOTE}"\n'.encode()
    preview = kpi_returns.check(url, HOSTILE_NAME, data)
    assert preview.ok, preview.problems
    kpi_returns.import_preview(url, preview, "test")
    # The meeting's records, every free-text field hostile (the latest meeting: the one every page shows first).
    meeting, acting = date(2024, 11, 21), roles.operator("test")
    for code in ("DS1_CALLS", "DS1_RESPONSE"):  # an exception report and a commentary
        meeting_records.set_report(url, acting, code, meeting, HOSTILE_NOTE, HOSTILE_NOTE, None, HOSTILE_NOTE, True)
    action = meeting_records.add_action(
        url, acting, meeting, "owner@leeds.test", date(2025, 1, 16), HOSTILE_NOTE, 1, None, BOLD, LINK
    )
    meeting_records.update_action(url, acting, action, None, HOSTILE_NOTE)
    meeting_records.add_decision(url, acting, meeting, HOSTILE_NOTE, 1, LINK)
    return url


@pytest.mark.usefixtures("hostile_url")
@pytest.mark.parametrize("entry", navigation.PAGES, ids=[p.url_path or "overview" for p in navigation.PAGES])
def test_no_page_renders_user_text_as_markup(entry):
    at = page(entry.script)
    if entry.url_path == "ward-profile":
        at.query_params["ward"] = "E05011397"
    at.run()
    assert not at.exception
    assert _rendered_raw(at) == []


@pytest.mark.usefixtures("hostile_url")
def test_the_overview_tile_help_shows_the_file_name_literally():
    at = page("pages/overview.py").run()
    helps = [text for text in _markdown_texts(at.main) if "Sept v2" in text]
    assert helps, "the tile's provenance should name the return"
    assert all("\\[Open the full return\\]" in text for text in helps)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.usefixtures("hostile_url")
def test_error_boxes_quote_cells_names_and_members_literally():
    at = page("pages/data_in.py").run()
    header = ",".join(kpi_returns.COLUMNS)
    bad_cells = f'{header}\n"{BOLD} {LINK}",2024-10-01,2024-10-31,,1,,,\n'.encode()
    at.file_uploader(key="kpi_upload").set_value((HOSTILE_NAME, bad_cells, "text/csv")).run()
    assert not at.exception and at.error
    assert _rendered_raw(at) == []
    bad_header = f"kpi_code,{BOLD} {IMAGE}\n".encode()
    at.file_uploader(key="kpi_upload").set_value((HOSTILE_NAME, bad_header, "text/csv")).run()
    assert not at.exception and at.error
    assert _rendered_raw(at) == []
    police_header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
        "Last outcome category,Context\n"
    )
    bad_month = police_header + f',"{LINK}",WYP,WYP,-1.5,53.8,On or near X,E01011264,Leeds 001A,Burglary,,\n'
    archive = _zip({f"{LINK}-street.csv": bad_month.encode(), f"{IMAGE}.txt": b"x"})
    at.file_uploader(key="crime_upload").set_value([(f"{BOLD}.zip", archive, "application/zip")]).run()
    assert not at.exception and at.error
    assert _rendered_raw(at) == []
