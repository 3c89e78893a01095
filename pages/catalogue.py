"""Catalogue (admins): the partnership's KPIs, targets, priorities, boards and owners, and the whole catalogue as a
file. Each change is checked, written in one transaction and listed on Data & sources with who and when."""

import streamlit as st

from lib.core import roles
from lib.ui import access, catalogue_components, components, forms

url, _, _ = components.open_page()
st.title("Catalogue")
if not roles.may_manage_catalogue(access.current()):
    st.error(
        f"{roles.is_a(access.current())}: only admins change the catalogue. Its KPIs, targets and every change "
        "to them are listed on Data & sources.",
        icon=":material/lock:",
    )
    st.stop()
st.caption(
    "What the partnership measures and against what. A KPI's code is permanent once it has values, and its unit and "
    "direction are fixed: make a new KPI instead. A target applies from a day until the next one, so past meetings "
    "keep the targets they had. Every change is listed on Data & sources."
)
forms.flash()
kpis, targets, priorities, owners, whole = st.tabs(
    ["KPIs", "Targets", "Priorities and boards", "Owners", "Import and export"], key="tab", bind="query-params"
)
with kpis:
    catalogue_components.kpis_tab(url)
with targets:
    catalogue_components.targets_tab(url)
with priorities:
    catalogue_components.priorities_tab(url)
with owners:
    catalogue_components.owners_tab(url)
with whole:
    catalogue_components.file_tab(url)
