"""How wide the page's current column and the browser window are, in CSS pixels (Streamlit does not say): the map
is framed for the column, tiles reflow for it, and the sidebar starts closed on a narrow window.

A tiny component (lib/ui/frame_width/index.html, plain HTML and JavaScript, no build step) measures its own frame,
which is as wide as the column it sits in, and the window, and reports both on load and after each resize. It also
keeps the last measurement in a cookie (layout only: two numbers), so a new tab or visit from the same browser is laid
out right on its first run and needs no second run when the component loads: it reports only a size the server did
not lay the page out for. Before either (a browser's very first visit, and in AppTest) the defaults are used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import streamlit as st
import streamlit.components.v1 as components

DEFAULT_WIDTH = 700  # pixels: a laptop's map column, used until the browser reports the real width
# Below this window width (an iPad in portrait is 820 px, a phone about 390) the sidebar's 300 px would squeeze the
# figures, so it starts closed; Streamlit's own "auto" closes it only below 768 px. A person who opens or closes it
# keeps their choice (the browser remembers it).
NARROW_WINDOW = 1024
PAGE_WIDTH_KEY = "page_width"  # every page measures itself under this key, so the entry script can read it
COOKIE = "saferleeds_frame"  # "<column>x<window>" in pixels, written by the component
_frame_width = components.declare_component("frame_width", path=str(Path(__file__).with_name("frame_width")))


def _reported(value: object, part: str) -> int | None:
    """One measurement from the component's report ({"column": px, "window": px}), or None before it has reported."""
    measured = value.get(part) if isinstance(value, dict) else None
    return int(measured) if isinstance(measured, int | float) and measured > 0 else None


def size_from_cookie(text: str | None) -> dict[str, int] | None:
    """The size kept in the cookie ("<column>x<window>", each 1 to 10,000 pixels), or None if absent or not that."""
    parts = (text or "").split("x")
    if len(parts) != 2 or not all(part.isdigit() and 0 < int(part) <= 10_000 for part in parts):
        return None
    return {"column": int(parts[0]), "window": int(parts[1])}


def _known_size() -> dict[str, int] | None:
    """The size this session's layout uses: what the component reported in this session, else the cookie the
    browser sent when the session started (a previous tab or visit), else None."""
    reported = st.session_state.get(PAGE_WIDTH_KEY)
    column, window = _reported(reported, "column"), _reported(reported, "window")
    if column and window:
        return {"column": column, "window": window}
    try:
        return size_from_cookie(st.context.cookies.get(COOKIE))
    except Exception:  # noqa: BLE001 - no browser request to read (AppTest, bare mode): use the defaults
        return None


def measure_page() -> None:
    """Place the measuring component (once per run, at the top of every page: components.require_database does),
    telling it the size this run was laid out for, so it reports only a different one."""
    _frame_width(key=PAGE_WIDTH_KEY, default=None, known=_known_size())


def column_width() -> int:
    """The width of the page's main column in pixels (DEFAULT_WIDTH until the browser has told it)."""
    known = _known_size()
    return known["column"] if known else DEFAULT_WIDTH


def sidebar_state() -> Literal["auto", "collapsed"]:
    """How the sidebar starts: "collapsed" once the browser has told a window narrower than NARROW_WINDOW pixels,
    else Streamlit's "auto" (for the entry script's page configuration)."""
    known = _known_size()
    return "collapsed" if known is not None and known["window"] < NARROW_WINDOW else "auto"


def columns_for(width: int, min_width: int, most: int) -> int:
    """How many columns of at least `min_width` pixels fit in `width` (1 to `most`)."""
    return max(1, min(most, width // min_width))


def grid(count: int, width: int, min_width: int = 260, most: int = 4) -> list:
    """Containers for `count` items laid out in rows, as many per row as fit `width` (the page's, measured once
    with column_width): items keep their reading order on every screen (rows stack, never columns), and no card
    is squeezed below `min_width`."""
    per_row = columns_for(width, min_width, most)
    cells = []
    for start in range(0, count, per_row):
        cells += st.columns(per_row)[: min(per_row, count - start)]
    return cells


def side_by_side(width: int, weights: list[int], min_width: int) -> list:
    """Columns with these relative widths when `width` (the page's) is at least `min_width` pixels, else the same
    number of containers stacked in order (so nothing is squeezed on a tablet or phone)."""
    if width >= min_width:
        return list(st.columns(weights))
    return [st.container() for _ in weights]
