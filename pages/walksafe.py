"""The WalkSafe app: cumulative downloads and monthly uses since the September 2023 launch."""

import streamlit as st

from lib.analysis import kpis
from lib.area import current as current_area
from lib.area import events
from lib.core import documents
from lib.figures import charts
from lib.store import queries
from lib.ui import components
from lib.ui.frame_size import column_width, grid

url, cutoff, _ = components.open_page()
width = column_width()  # this screen's width, for the layout below

st.title(current_area().text("walksafe-app", "title", "WalkSafe app"))
st.caption(
    f"A personal-safety app for visitors, residents and workers, launched in September 2023. Data to {cutoff:%d %B %Y}."
)
downloads = queries.kpi_series(url, "WALKSAFE_DOWNLOADS", until=cutoff)
uses = queries.kpi_series(url, "WALKSAFE_USES", until=cutoff)
if downloads.empty:
    st.info("The app launched in September 2023: there is no data at this meeting's cut-off.")
    st.stop()
components.illustrative_notice(downloads)

monthly_downloads = kpis.rolling_total(kpis.monthly(downloads))
monthly_uses = kpis.rolling_total(kpis.monthly(uses))

st.header("Downloads and use over time")
table = monthly_downloads[["period_end", "value", "cumulative_total", "illustrative"]].rename(
    columns={"value": "downloads", "cumulative_total": "cumulative downloads"}
)
components.chart_block(
    charts.series_figure(
        monthly_downloads.rename(columns={"cumulative_total": "Cumulative downloads"}),
        "Cumulative downloads since launch",
        "downloads",
        events.events_for("WALKSAFE_DOWNLOADS"),
        ["Cumulative downloads"],
    ),
    f"Total downloads within the {current_area().name} area since the September 2023 launch.",
    table,
    "walksafe-downloads.csv",
    "downloads",
)
components.chart_block(
    charts.series_figure(
        monthly_uses.rename(columns={"value": "Uses"}),
        "App uses per month",
        "uses",
        events.events_for("WALKSAFE_USES"),
        ["Uses"],
        kind="bar",
    ),
    "Times the app was used each month.",
    monthly_uses[["period_end", "value", "illustrative"]].rename(columns={"value": "uses"}),
    "walksafe-uses.csv",
    "uses",
)

st.header("History: the first six months, as documented")
left, right = grid(2, width, min_width=320)
for column, name, monthly, values in (
    (left, "Downloads", monthly_downloads, downloads),
    (right, "Uses", monthly_uses, uses),
):
    documented = kpis.compare_with_documented(monthly, kpis.documented_totals(values))
    with column:
        for fact in documented.to_dict(orient="records"):
            st.metric(
                f"{name}, {fact['period_start']:%b %Y} to {fact['period_end']:%b %Y}",
                f"{fact['qualifier']} {fact['documented']:,.0f}".strip(),
                border=True,
            )
            st.caption(
                f"Monthly series over the same months: {fact['sum_of_monthly_values']:,.0f}. "
                f"Source: {documents.cite(fact['source'])}."
            )
