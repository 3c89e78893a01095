"""Overview: the four headline KPIs and the nine shared priorities with their KPIs."""

import streamlit as st

from lib import components, config, kpis, queries
from lib.formatting import kpi_line

url = config.database_url()
components.require_database(url)
catalogue = queries.kpi_catalogue(url)
values = queries.headline_values(url)
latest = {row["kpi_code"]: row for row in kpis.latest_values(values).to_dict(orient="records")}
deliverables = queries.deliverables(url)

st.title("Safer Leeds Executive")
st.caption("Leeds Community Safety Partnership: the shared priorities of the Safer, Stronger Communities Plan "
           "2021-24 and the delivery boards of the Community Safety Strategy 2024-27.")
components.illustrative_notice(values)

st.header("Headline indicators")
headline = catalogue.dropna(subset=["headline_rank"]).sort_values("headline_rank")
for column, kpi in zip(st.columns(len(headline)), headline.to_dict(orient="records"), strict=True):
    with column:
        components.kpi_tile(kpi, latest.get(kpi["code"]))

st.header("Shared priorities")
cards = st.columns(3)
for position, priority in enumerate(queries.priorities(url).to_dict(orient="records")):
    with cards[position % 3], st.container(border=True):
        st.subheader(f"{priority['id']}. {priority['name']}")
        st.caption(f"Silver board: {priority['silver_board']}")
        statuses = deliverables.loc[deliverables["priority_id"] == priority["id"], "status"].value_counts()
        st.markdown("Key deliverables: " + " \u00b7 ".join(
            f"{components.status_label(status)} {count}" for status, count in statuses.items()))
        priority_kpis = catalogue[catalogue["priority_id"] == priority["id"]]
        if priority_kpis.empty:
            st.markdown("No KPI figures are published for this priority in the source documents yet.")
        for kpi in priority_kpis.to_dict(orient="records"):
            st.markdown(kpi_line(kpi["name"], kpi["unit"], latest.get(kpi["code"])))

with st.expander("Other indicators: city-wide recorded crime and the 2012-15 business plan"):
    for kpi in catalogue[catalogue["priority_id"].isna()].to_dict(orient="records"):
        st.markdown(kpi_line(kpi["name"], kpi["unit"], latest.get(kpi["code"])))
