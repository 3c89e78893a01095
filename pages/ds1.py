"""DS1 noise service: response and triage times, attendance and calls, with the documented 2021 vs 2022 comparison."""

import streamlit as st

from lib.analysis import kpis
from lib.area import current as current_area
from lib.area import events
from lib.figures import charts
from lib.store import queries
from lib.ui import components
from lib.ui.frame_size import column_width, grid

PEAKS = {9: "(Freshers' peak)", 10: "(Freshers' and Halloween peak)", 11: "(Bonfire Night peak)"}

url, cutoff, _ = components.open_page()
width = column_width()  # this screen's width, for the layout below
catalogue = queries.kpi_catalogue_as_at(url, cutoff).set_index("code")

st.title("DS1 dedicated noise service")
st.caption(f"{current_area().text('noise', 'caption')} Data to {cutoff:%d %B %Y}.".strip())

series = {
    code: queries.kpi_series(url, code, until=cutoff)
    for code in ("DS1_RESPONSE", "DS1_TRIAGE", "DS1_ATTENDANCE", "DS1_CALLS")
}
components.illustrative_notice(series["DS1_CALLS"])

st.header("Response time")
panel = components.spc_panel(url, "DS1_RESPONSE", cutoff, None)
if panel is not None:
    components.chart_block(
        panel[0],
        "Monthly average minutes from call to a DS1 officer on site, with mean and process limits re-based "
        "at DS1's launch. Lower is better. " + charts.MARKER_KEY,
        panel[1],
        "ds1-response.csv",
        "response",
    )

triage_target = catalogue.loc["DS1_TRIAGE", "target"]
standard = f"{triage_target / 60:g}-hour standard"
st.header(f"Triage call-back against the {standard}")
monthly = kpis.monthly(series["DS1_TRIAGE"])
figure = charts.series_figure(
    monthly.rename(columns={"value": "Triage call-back (minutes)"}),
    "Triage call-back time (minutes)",
    "minutes",
    events.events_for("DS1_TRIAGE"),
    ["Triage call-back (minutes)"],
    target=triage_target,
    target_label=standard,
)
components.chart_block(
    figure,
    current_area().text("noise", "triage", "Monthly average minutes from call to the triage call-back.")
    + f" The city-wide standard is "
    f"{triage_target:g} minutes (dash-dot line).",
    monthly[["period_end", "value", "illustrative"]].rename(columns={"value": "minutes"}),
    "ds1-triage.csv",
    "triage",
)

st.header("Calls needing attendance that were attended")
monthly = kpis.monthly(series["DS1_ATTENDANCE"])
table = monthly[["period_end", "value", "numerator", "denominator", "illustrative"]].rename(
    columns={"value": "percent attended", "numerator": "attended", "denominator": "needing attendance"}
)
components.chart_block(
    charts.series_figure(
        monthly.rename(columns={"value": "Attended (%)"}),
        "Calls needing attendance that were attended (%)",
        "percent",
        events.events_for("DS1_ATTENDANCE"),
        ["Attended (%)"],
    ),
    "Share of calls identified at triage as needing an officer that received one. Higher is better.",
    table,
    "ds1-attendance.csv",
    "attendance",
)

st.header("Calls to the noise service")
monthly = kpis.monthly(series["DS1_CALLS"])
components.chart_block(
    charts.seasonal_bars_figure(
        monthly, "Noise calls from the DS1 area", "calls", events.events_for("DS1_CALLS"), PEAKS
    ),
    "Monthly calls. Hatched orange bars are the Freshers' (September, October) and Halloween/Bonfire Night "
    "(October, November) peak months.",
    monthly[["period_end", "value", "illustrative"]]
    .rename(columns={"value": "calls"})
    .assign(peak=[PEAKS.get(d.month, "") for d in monthly["period_end"]]),
    "ds1-calls.csv",
    "calls",
)

st.header("History: 2021 compared with 2022, as documented")
response = queries.kpi_series(url, "DS1_RESPONSE", real_only=True)
triage = queries.kpi_series(url, "DS1_TRIAGE", real_only=True)
left, right = grid(2, width, min_width=320)
with left:
    components.documented_change("Average response time, 14 Feb to 1 Nov", response, "minutes")
with right:
    components.documented_change("Triage call-back time, October", triage, "minutes")
