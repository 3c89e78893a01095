"""How wide the page's current column is, in CSS pixels: the map is framed for it (Streamlit does not say).

A tiny component (lib/ui/frame_width/index.html, plain HTML and JavaScript, no build step) measures its own frame,
which is as wide as the column it sits in, and reports the width on load and after each resize. Before it has
reported (the very first run, and in AppTest) the default is used.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

DEFAULT_WIDTH = 700  # pixels: a laptop's map column, used until the browser reports the real width
_frame_width = components.declare_component("frame_width", path=str(Path(__file__).with_name("frame_width")))


def column_width(key: str) -> int:
    """The width of the current column in pixels (DEFAULT_WIDTH until the browser has reported it)."""
    reported = _frame_width(key=key, default=None)
    return int(reported) if isinstance(reported, int | float) and reported > 0 else DEFAULT_WIDTH


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
