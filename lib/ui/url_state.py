"""Choices kept in the page's address (?meeting=, ?ward=, ?priority=, ...), so a shared link opens the same view.

One behaviour everywhere: the address chooses the option; an address naming no option gets a visible note saying
what is shown instead (never a silent fallback); the chosen option is written back to the address. A choice is also
kept for the session, so the sidebar's page links (which open a page with a bare address) show the same meeting,
ward or priority as the page before.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

from lib.core.text import literal

KEPT = "kept:"  # session-state prefix of the choices kept across pages


def url_selectbox(
    label: str,
    options: list[str],
    key: str,
    format_func: Callable[[str], str] = str,
    default: str | None = None,
    fallback: Callable[[str], str | None] | None = None,
    help: str | None = None,  # noqa: A002 - the name Streamlit uses
    sidebar: bool = False,
) -> str:
    """A selectbox whose value lives in the URL under `key`; returns the chosen option (see _url_choice)."""
    chosen = _url_choice(label, options, key, format_func, default, fallback, False, help, sidebar)
    return chosen if chosen is not None else options[0]


def url_radio(
    label: str,
    options: list[str],
    key: str,
    format_func: Callable[[str], str] = str,
    help: str | None = None,  # noqa: A002 - the name Streamlit uses
) -> str:
    """A horizontal radio whose value lives in the URL under `key` (a shared link keeps the choice)."""
    chosen = _url_choice(label, options, key, format_func, help=help, radio=True)
    return chosen if chosen is not None else options[0]


def url_optional_selectbox(
    label: str, options: list[str], key: str, format_func: Callable[[str], str] = str
) -> str | None:
    """Like url_selectbox, with a first choice "None" (returned as None, and removed from the URL)."""
    return _url_choice(label, options, key, format_func, optional=True)


def _url_choice(
    label: str,
    options: list[str],
    key: str,
    format_func: Callable[[str], str] = str,
    default: str | None = None,
    fallback: Callable[[str], str | None] | None = None,
    optional: bool = False,
    help: str | None = None,  # noqa: A002 - the name Streamlit uses
    sidebar: bool = False,
    radio: bool = False,
) -> str | None:
    """A selectbox (or a horizontal radio) whose value lives in the URL under `key`; returns the chosen option
    (None = optional and unset).

    `fallback(wanted)` may pick the option to show for an unknown value (e.g. the nearest earlier meeting);
    otherwise the default (or the first option) is shown. Either way the page says so.
    """
    choices = ([""] if optional else []) + options
    wanted = st.query_params.get(key)
    kept = st.session_state.get(KEPT + key)
    index = choices.index(default) if default in choices else 0
    if wanted is None and kept in choices:
        index = choices.index(kept)
    elif wanted is not None and wanted in choices:
        index = choices.index(wanted)
    elif wanted:
        shown = (fallback(wanted) if fallback else None) or choices[index]
        index = choices.index(shown)
        st.warning(
            f"{label}: {literal(wanted)} was not found, so this page shows "
            f"{literal(format_func(shown)) if shown else 'none'}.",
            icon=":material/help:",
        )
    where = st.sidebar if sidebar else st
    widget = functools.partial(where.radio, horizontal=True) if radio else where.selectbox
    chosen = widget(
        label,
        choices,
        index=index,
        key=key,
        help=help,
        format_func=lambda option: format_func(option) if option else "None",
    )
    st.session_state[KEPT + key] = chosen
    if chosen:
        st.query_params[key] = chosen
    elif key in st.query_params:
        del st.query_params[key]
    return chosen or None


def kept(key: str) -> str | None:
    """The session's current choice for `key` (the meeting, a ward, ...), for links to other pages."""
    value = st.session_state.get(KEPT + key)
    return value or None
