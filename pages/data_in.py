"""Data in: priority leads load KPI returns; analysts load police.uk crime files. Checked first, all or nothing."""

import streamlit as st

from lib.area import current as current_area
from lib.core import roles
from lib.ui import access, components, fetch_components, import_components

url, cutoff, _ = components.open_page()  # the template is for the chosen meeting
acting = access.current()
if not (roles.may_load_returns(acting) or roles.may_load_crime(acting)):
    st.title("Data in")
    st.error(roles.returns_refusal(acting, []), icon=":material/lock:")
    st.stop()

st.title("Data in")
st.caption(
    "Every file is checked completely before anything is written, and goes in whole or not at all. Loading "
    "the same file again changes nothing; a corrected value becomes a new revision and the old one is kept."
)
kpi_tab, crime_tab, log_tab = st.tabs(["KPI return", "police.uk crime", "Import log"])
with kpi_tab:
    st.subheader("1. Download your template")
    import_components.template_downloads(url, cutoff)
    st.subheader("2. Upload it, check the preview, import")
    import_components.kpi_return_upload(url)
with crime_tab:
    st.caption(
        f"Street-level crime from data.police.uk. Rows outside {current_area().name} are counted and left out; wards "
        "come from the area's LSOA-to-ward lookups (2011 and 2021 codes)."
        + (
            " Once a month has real data the pages use it instead of the illustrative series."
            if current_area().demo
            else ""
        )
    )
    st.subheader("Fetched from police.uk")
    fetch_components.status(url)
    fetch_components.fetch_now(url)
    st.subheader("Or upload files")
    import_components.policeuk_upload(url)
with log_tab:
    import_components.import_log(url, limit=50)
