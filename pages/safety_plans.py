"""Domestic abuse safety plans: monthly plans, the rolling 12-month total and the documented totals."""

import streamlit as st

from lib.analysis import kpis
from lib.core import documents
from lib.figures import charts
from lib.store import queries
from lib.ui import components

url, cutoff, _ = components.open_page()

st.title("Domestic abuse safety plans")
st.caption(
    "Multi-agency safety plans for victims of domestic violence and abuse in high-risk circumstances, developed "
    f"through the Front Door Safeguarding Hub. City-wide figures only. Data to {cutoff:%d %B %Y}."
)
values = queries.kpi_series(url, "DA_SAFETY_PLANS", until=cutoff)
components.illustrative_notice(values)
monthly = kpis.rolling_total(kpis.monthly(values))
documented = kpis.compare_with_documented(monthly, kpis.documented_totals(values))

st.header("Monthly plans and the rolling 12-month total")
table = monthly[["period_end", "value", "rolling_total", "illustrative"]].rename(
    columns={"value": "safety plans", "rolling_total": "rolling 12-month total"}
)
components.chart_block(
    charts.series_figure(
        monthly.rename(columns={"value": "Monthly plans"}),
        "Safety plans per month",
        "safety plans",
        [],
        ["Monthly plans"],
        kind="bar",
    ),
    "Safety plans developed each month, city-wide.",
    table,
    "safety-plans-monthly.csv",
    "monthly",
)
components.chart_block(
    charts.series_figure(
        monthly.dropna(subset=["rolling_total"]).rename(columns={"rolling_total": "Rolling 12 months"}),
        "Safety plans, rolling 12-month total",
        "safety plans",
        [],
        ["Rolling 12 months"],
    ),
    "Total over the 12 months to each month: the measure the annual reports quote.",
    table,
    "safety-plans-rolling.csv",
    "rolling",
)

st.header("History: the documented totals")
for fact in documented.to_dict(orient="records"):
    shown = f"{fact['qualifier']} {fact['documented']:,.0f}".strip()
    summed = (
        "no monthly values"
        if fact["sum_of_monthly_values"] is None
        else (f"{fact['sum_of_monthly_values']:,.0f} from {fact['months_in_series']} monthly values")
    )
    st.metric(
        f"{fact['period_start']:%b %Y} to {fact['period_end']:%b %Y}",
        shown,
        border=True,
        help=documents.cite(fact["source"]),
    )
    st.caption(f"Sum of the monthly series over the same months: {summed}. Source: {documents.cite(fact['source'])}.")
