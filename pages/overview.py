"""Overview: exceptions first, the headline KPIs, what changed since the last meeting, and the nine priorities."""

import streamlit as st

from lib.analysis import summary
from lib.area import current as current_area
from lib.core.formatting import format_period
from lib.store import queries
from lib.ui import components, meeting_components, pack_components, peer_components
from lib.ui.frame_size import column_width, grid

url, cutoff, previous_cutoff = components.open_page()
width = column_width()  # this screen's width, for the layout below
catalogue = queries.kpi_catalogue_as_at(url, cutoff)  # targets as in force at the meeting
area = current_area()
st.title(area.board)
if catalogue.empty:
    components.no_catalogue_yet()
kpis = {k["code"]: k for k in catalogue.to_dict(orient="records")}
now = components.meeting_summaries(url, cutoff, previous_cutoff)
deliverables = queries.deliverables(url)
priorities = queries.priorities_as_at(url, cutoff).to_dict(orient="records")
priority_names = {int(p["id"]): f"{p['id']}. {p['name']}" for p in priorities}

st.caption(
    f"Performance as at the data cut-off of {cutoff:%d %B %Y}."
    + (f" Shared priorities of the {area.plan}." if area.plan else "")
    + (f" Delivery boards of the {area.strategy}." if area.strategy else "")
)
components.illustrative_notice(queries.headline_values(url, until=cutoff))
plan = meeting_components.chosen_agenda(url, cutoff, previous_cutoff)

if plan is not None:
    pack_components.board_pack(url, plan)

st.header("Off track")
exceptions = [s for s in now.values() if summary.is_exception(s)]
if not exceptions:
    st.success("No KPI shows a special-cause concern or a failing target at this cut-off.", icon=":material/check:")
elif plan is not None:
    st.markdown(meeting_components.missing_reports_line(plan, priority_names))
for cell, item in zip(grid(len(exceptions), width), exceptions, strict=True):
    with cell:
        components.kpi_tile(kpis[item["code"]], item)
        if plan is not None:
            meeting_components.report_summary(plan, item["code"])

st.header("Headline indicators")
headline = catalogue.dropna(subset=["headline_rank"]).sort_values("headline_rank")
for cell, code in zip(grid(len(headline), width), headline["code"], strict=True):
    with cell:
        components.kpi_tile(kpis[code], now[code])

st.header("Crime beside our peers")
peer_components.overview_tiles(url, cutoff, width)

st.header("Since the last meeting")
if previous_cutoff is None:
    st.caption("This is the first meeting on record: nothing to compare with.")
else:
    before = components.meeting_summaries(url, previous_cutoff, None)
    changes = summary.since_last_meeting(list(now.values()), list(before.values()))
    st.caption(f"Compared with the previous meeting's cut-off of {previous_cutoff:%d %B %Y}.")
    components.since_last_meeting_panel(changes, width)

if plan is not None:
    st.header("This meeting's business")
    meeting_components.business_summary(plan, priority_names)

st.header("Summary matrix")
components.summary_matrix(kpis, list(now.values()), width)

st.header("Shared priorities")
for cell, priority in zip(grid(len(priorities), width, min_width=320, most=3), priorities, strict=True):
    own = [now[code] for code in catalogue.loc[catalogue["priority_id"] == priority["id"], "code"]]
    with cell, st.container(border=True):
        st.subheader(f"{priority['id']}. {priority['name']}")
        st.caption(f"Silver board: {priority['silver_board']}")
        st.markdown(components.rag_counts_line(own))
        statuses = deliverables.loc[deliverables["priority_id"] == priority["id"], "status"].value_counts()
        st.markdown(
            "Key deliverables: "
            + " \u00b7 ".join(f"{components.status_label(status)} {count}" for status, count in statuses.items())
        )
        if not own:
            st.markdown("No KPI figures are published for this priority in the source documents yet.")
        for item in own:
            st.markdown(components.kpi_line(kpis[item["code"]], item))
        components.page_link(
            "pages/priority.py",
            "Open this priority",
            {"priority": str(priority["id"]), **components.meeting_query()},
            icon=":material/arrow_forward:",
        )

with st.expander("Other indicators: city-wide recorded crime and the 2012-15 business plan"):
    for code in catalogue.loc[catalogue["priority_id"].isna(), "code"]:
        st.markdown(components.kpi_line(kpis[code], now[code]))
crime_total = now.get("CRIME_TOTAL", {}).get("value")
st.caption(
    f"Periods shown end on or before {cutoff:%d %B %Y}; "
    f"latest crime month: {format_period(now['CRIME_TOTAL']['period_start'], now['CRIME_TOTAL']['period_end'])}"
    if crime_total is not None
    else ""
)
