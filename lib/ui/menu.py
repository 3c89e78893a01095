"""The app's own page list in the sidebar, drawn by the entry script on every run.

Streamlit would draw its navigation itself, but with a `pages/` folder beside the entry script it first draws a list
made from the file names there ("dashboard, crime, data in, ds1, map ...") and replaces it only once the entry
script has run, about two seconds after a server start. So Streamlit's own list is switched off
(`client.showSidebarNavigation = false` in .streamlit/config.toml, which also hides st.navigation's), the pages are
routed with st.navigation(position="hidden"), and this draws the links: the first paint shows the app's own
navigation or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from streamlit.navigation.page import StreamlitPage

MENU_KEY = "app_menu"  # the container's key: the browser tests find the menu by its class st-key-app_menu


def sidebar(pages: Sequence[StreamlitPage]) -> None:
    """A link to each page this visitor may see (hidden ones are still routed, never listed), current page marked."""
    with st.sidebar.container(key=MENU_KEY, gap="xxsmall"):
        for page in pages:
            if page.visibility != "hidden":
                st.page_link(page, label=page.title, icon=page.icon)
