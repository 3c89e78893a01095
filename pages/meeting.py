"""Meeting: one Executive meeting's business in agenda order: exceptions with their reports, each priority's KPIs,
actions and decisions, the actions due, and the minutes-ready list of new actions (?meeting=YYYY-MM-DD)."""

import streamlit as st

from lib.store import queries
from lib.ui import components, forms, meeting_components

url, cutoff, previous_cutoff = components.open_page()
plan = meeting_components.chosen_agenda(url, cutoff, previous_cutoff)
st.title("Executive meeting")
if plan is None:
    st.info("No meetings are recorded yet: an executive or admin schedules one below.")
    meeting_components.schedule_form(url)
    st.stop()
catalogue = queries.kpi_catalogue_as_at(url, cutoff)  # targets as in force at the meeting
kpis = {k["code"]: k for k in catalogue.to_dict(orient="records")}
names = {int(p["id"]): f"{p['id']}. {p['name']}" for p in queries.priorities(url).to_dict(orient="records")}
summaries = components.meeting_summaries(url, cutoff, previous_cutoff)
dates = plan.dates
st.caption(
    f"{dates.meeting:%A %d %B %Y} \u00b7 data to {dates.cutoff:%d %B %Y} \u00b7 exception reports due "
    f"{dates.deadline:%d %B %Y}"
    + (f" \u00b7 previous meeting {dates.previous:%d %B %Y}" if dates.previous else " \u00b7 the first on record")
)
forms.flash()

st.header("1. Exceptions")
st.caption(
    "KPIs off track at the cut-off (a special-cause concern, red, or consistently failing the target), by priority."
)
meeting_components.exceptions_section(plan, kpis, names)

st.header("2. The priorities")
for number, name in names.items():
    own = [summaries[code] for code in catalogue.loc[catalogue["priority_id"] == number, "code"]]
    meeting_components.priority_section(plan, number, name, own, kpis, names)

st.header("3. Actions due at this meeting")
meeting_components.actions_block(
    plan.actions_due,
    "No action is due at this meeting.",
    f"actions-due-{dates.meeting}.csv",
    "due",
)
with st.expander(f"Open actions carried over, due later ({len(plan.carried_over)})"):
    meeting_components.actions_block(plan.carried_over, "None.", f"actions-carried-over-{dates.meeting}.csv", "carried")
meeting_components.update_action_form(url, plan.actions_due + plan.carried_over + plan.actions_raised)

st.header("4. Decisions")
meeting_components.decisions_list(plan.decisions, names)
meeting_components.decision_form(url, plan, names)

st.header("5. New actions (for the minutes)")
meeting_components.actions_block(
    plan.actions_raised,
    "No action has been raised at this meeting yet.",
    f"actions-raised-{dates.meeting}.csv",
    "raised",
)
meeting_components.raise_action_form(url, plan, kpis, names)
meeting_components.schedule_form(url)
