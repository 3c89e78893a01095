"""Data & sources: KPI definitions, provenance of every value, data freshness, the import log and licences."""

from datetime import date

import streamlit as st

from lib import components, config, kpis, queries

url = config.database_url()
components.require_database(url)
catalogue = queries.kpi_catalogue(url)
values = queries.headline_values(url)

st.title("Data & sources")
st.caption("Where every figure comes from, how fresh it is, and what has been loaded.")
components.illustrative_notice(values)

st.header("KPI definitions")
st.dataframe(
    catalogue[["code", "name", "priority", "definition", "unit", "direction", "target", "target_type", "rag_rule",
               "frequency", "area_name", "sensitive", "owner", "source"]],
    hide_index=True, width="stretch",
    column_config={"sensitive": st.column_config.CheckboxColumn("sensitive", help="Disclosure control applies "
                                                                "to ward-level counts")},
)

st.header("Provenance")
labels = {"": "All KPIs"} | dict(zip(catalogue["code"], catalogue["code"] + " \u2013 " + catalogue["name"],
                                     strict=True))
chosen = st.selectbox("Show values for", list(labels), format_func=labels.get, key="provenance_kpi")
provenance = queries.provenance(url, chosen or None)
st.caption(f"{len(provenance):,} stored values, superseded revisions included. City-wide crime counts are computed "
           "from the police.uk aggregate and are not listed here.")
st.dataframe(provenance, hide_index=True, width="stretch")
st.download_button("Download these values (CSV)", provenance.to_csv(index=False).encode("utf-8"),
                   file_name=f"provenance-{chosen or 'all'}.csv", mime="text/csv", icon=":material/download:")

st.header("Data freshness")
today = date.today()
st.caption(f"As of {today:%d %B %Y}. Monthly KPIs are overdue 62 days after their latest month ends; annual ones "
           "after 400 days. One-off figures are documented totals for a stated period.")
st.dataframe(kpis.freshness(values, catalogue, today), hide_index=True, width="stretch")

st.header("Import log")
st.dataframe(queries.import_log(url), hide_index=True, width="stretch")

st.header("Crime data months")
months = queries.crime_months(url)
st.caption(f"{int(months['has_real'].sum())} of {len(months)} months hold real police.uk data; the rest are "
           "illustrative.")

st.header("Wards and licences")
st.dataframe(queries.wards(url), hide_index=True, width="stretch")
st.markdown(
    "- **Source documents**: Safer Leeds annual reports, the Community Safety Strategy 2024-27 and the Partnership "
    "Business Plan 2012-15 (Leeds City Council), cited by file name and section on every documented value.\n"
    "- **Ward populations**: ONS Census 2021 (TS001 usual residents) summed from LSOAs to wards; **ward centroids** "
    "from ONS ward boundaries (May 2025, BGC). Contains public sector information licensed under the Open Government "
    "Licence v3.0. Source: Office for National Statistics licensed under the OGL v3.0. Contains OS data \u00a9 Crown "
    "copyright and database right.\n"
    "- **Crime**: police.uk street-level crime (Home Office / West Yorkshire Police), Open Government Licence v3.0."
)
