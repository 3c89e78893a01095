"""Exception reports: a priority lead's KPIs that need a report for the meeting, with the figures, the SPC chart and
the previous meeting's report alongside; draft, submit, revise; commentary on their other KPIs (?meeting=...)."""

import streamlit as st

from lib.core import roles
from lib.store import queries
from lib.ui import access, components, forms, meeting_components

url, cutoff, previous_cutoff = components.open_page()
plan = meeting_components.chosen_agenda(url, cutoff, previous_cutoff)
st.title("Exception reports")
if plan is None:
    st.info("No meetings are recorded yet: reports are written for a meeting (see the Meeting page).")
    st.stop()
acting = access.current()
catalogue = queries.kpi_catalogue_as_at(url, cutoff)  # targets as in force at the meeting
kpis = {k["code"]: k for k in catalogue.to_dict(orient="records")}
summaries = components.meeting_summaries(url, cutoff, previous_cutoff)
mine = [code for code, kpi in kpis.items() if roles.may_write_report(acting, code, kpi["priority_id"])]
st.caption(
    f"For the meeting of {plan.dates.meeting:%d %B %Y} (data to {plan.dates.cutoff:%d %B %Y}): reports are due by "
    f"{plan.dates.deadline:%A %d %B %Y}. Every KPI off track at the cut-off needs one from its priority lead."
)
forms.flash()
if not mine:
    st.info(
        "Priority leads write reports for their own KPIs here; you can read every submitted report below and on "
        "the Meeting page.",
        icon=":material/visibility:",
    )

needed = [item for item in plan.off_track if item["code"] in mine]
st.header("Needing an exception report" if mine else "Off-track KPIs and their reports")
if mine and not needed:
    st.success("None of your KPIs is off track at this cut-off.", icon=":material/check:")
for item in needed if mine else plan.off_track:
    meeting_components.report_panel(url, plan, kpis[item["code"]], item, writable=item["code"] in mine)

if mine:
    st.header("Commentary on your other KPIs")
    others = [code for code in mine if code not in {i["code"] for i in plan.off_track}]
    chosen = st.selectbox(
        "KPI", others, format_func=lambda c: f"{c} \u2013 {kpis[c]['name']}", index=None, placeholder="Choose a KPI"
    )
    if chosen:
        meeting_components.report_panel(url, plan, kpis[chosen], summaries[chosen], writable=True)
