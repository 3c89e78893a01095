"""Safer Leeds Executive dashboard: page configuration and navigation only (the pages are listed in
lib/ui/navigation.py)."""

import streamlit as st

from lib.ui.navigation import PAGES

st.set_page_config(page_title="Safer Leeds Executive dashboard", page_icon=":material/shield:", layout="wide")
pg = st.navigation(
    [
        st.Page(page.script, title=page.title, icon=page.icon, url_path=page.url_path, default=page.url_path is None)
        for page in PAGES
    ]
)
pg.run()
