"""Priority: one shared priority's KPIs (tiles and SPC charts), key deliverables and boards (?priority=N)."""

import streamlit as st

from lib.analysis import summary
from lib.core import documents
from lib.core.formatting import counted
from lib.figures import charts
from lib.store import queries
from lib.ui import components
from lib.ui.frame_size import column_width, side_by_side
from lib.ui.url_state import url_selectbox

url, cutoff, previous_cutoff = components.open_page()
width = column_width()  # this screen's width, for the layout below
priorities = queries.priorities_as_at(url, cutoff).to_dict(orient="records")
if not priorities:
    st.title("Priorities")
    components.no_catalogue_yet()
names = {str(p["id"]): f"{p['id']}. {p['name']}" for p in priorities}
chosen = int(url_selectbox("Shared priority", list(names), "priority", format_func=names.get))
priority = next(p for p in priorities if p["id"] == chosen)

st.title(f"{priority['id']}. {priority['name']}")
st.caption(f"Silver board: {priority['silver_board']} \u00b7 data to {cutoff:%d %B %Y}")
st.markdown(priority["summary"])

catalogue = queries.kpi_catalogue_as_at(url, cutoff)  # targets as in force at the meeting
own = catalogue[catalogue["priority_id"] == chosen].to_dict(orient="records")
values = queries.headline_values(url)
items = components.meeting_summaries(url, cutoff, previous_cutoff)
components.illustrative_notice(values[values["kpi_code"].isin([k["code"] for k in own])])

st.header("KPIs")
if not own:
    st.info(
        "No KPI figures are published for this priority in the source documents yet. Priority leads can load "
        "their returns on the Data in page."
    )
by_code = {kpi["code"]: kpi for kpi in own}
for item in summary.current_first([items[code] for code in by_code]):
    kpi = by_code[item["code"]]
    tile, chart = side_by_side(width, [1, 2], min_width=900)
    with tile:
        components.kpi_tile(kpi, item)
    with chart:
        panel = components.spc_panel(url, kpi["code"], cutoff, item["target"])
        if panel is None:
            st.caption("One-off documented figure: no monthly series to chart.")
            continue
        figure, table = panel
        components.chart_block(
            figure,
            f"{kpi['name']}, monthly, with its mean and process limits (XmR, re-based at marked events). "
            + charts.MARKER_KEY,
            table,
            f"{kpi['code'].lower()}-spc.csv",
            kpi["code"],
        )

st.header("Key deliverables (2021-24 plan)")
deliverables = queries.deliverables(url)
plan = deliverables[deliverables["priority_id"] == chosen]
for row in plan.to_dict(orient="records"):
    with st.container(border=True):
        st.markdown(f"**{row['title']}** \u2014 {components.status_label(row['status'])}")
        st.markdown(row["summary"])
        st.caption(f"Status basis: {row['status_basis']} Source: {documents.cite(row['source'])}")

st.header("Delivery boards (2024-27 strategy)")
boards = deliverables[deliverables["board"].notna()]
linked = boards[boards["board"].isin(queries.boards_for_priority(url, chosen, cutoff))]
if linked.empty:
    st.caption("No 2024-27 delivery board is linked to this priority.")
for board, rows in linked.groupby("board", sort=False):
    with st.expander(f"{board}: {counted(len(rows), 'key deliverable')}"):
        st.markdown(
            "\n".join(
                f"- {r['title']} ({components.status_label(r['status'])})" for r in rows.to_dict(orient="records")
            )
        )
