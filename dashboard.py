"""The partnership's dashboard: page configuration and navigation only (the pages are listed in
lib/ui/navigation.py; the sidebar's links are drawn by lib/ui/menu.py, which says why)."""

import streamlit as st

from lib.ui import menu
from lib.ui.access import visibility
from lib.ui.frame_size import sidebar_state
from lib.ui.navigation import ICON, app_title, area_pages

# The sidebar starts closed on a tablet or phone once the page has reported the window's width (lib/ui/frame_size.py).
st.set_page_config(
    page_title=app_title(),  # the area's board, then "dashboard"
    page_icon=ICON,  # shipped with the app: a Material icon name would be fetched from a font server
    layout="wide",
    initial_sidebar_state=sidebar_state(),
)
pages = [
    st.Page(
        page.script,
        title=page.title,
        icon=page.icon,
        url_path=page.url_path,
        default=page.url_path is None,
        visibility=visibility(page),  # Data in only for those who load data; public pages for anonymous visitors
    )
    for page in area_pages()  # every page, less service pages the partnership's catalogue has no KPIs for
]
pg = st.navigation(pages, position="hidden")
menu.sidebar(pages)
pg.run()
