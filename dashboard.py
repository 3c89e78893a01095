"""Safer Leeds Executive dashboard: page configuration and navigation only."""

import streamlit as st

st.set_page_config(page_title="Safer Leeds Executive dashboard", page_icon=":material/shield:", layout="wide")
pg = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/priority.py", title="Priority", icon=":material/flag:", url_path="priorities"),
        st.Page("pages/ds1.py", title="DS1 noise service", icon=":material/volume_up:", url_path="noise"),
        st.Page(
            "pages/safety_plans.py",
            title="Domestic abuse safety plans",
            icon=":material/health_and_safety:",
            url_path="safety-plans",
        ),
        st.Page("pages/walksafe.py", title="WalkSafe app", icon=":material/directions_walk:", url_path="walksafe-app"),
        st.Page("pages/crime.py", title="Crime and ASB", icon=":material/local_police:", url_path="crime-asb"),
        st.Page("pages/map.py", title="Ward map", icon=":material/map:", url_path="ward-map"),
        st.Page("pages/ward.py", title="Ward profile", icon=":material/location_city:", url_path="ward-profile"),
        st.Page("pages/data_in.py", title="Data in", icon=":material/upload_file:", url_path="data-in"),
        st.Page("pages/data_sources.py", title="Data & sources", icon=":material/database:", url_path="sources"),
    ]
)
pg.run()
