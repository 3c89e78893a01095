"""Crime and ASB: the last 12 months against the previous 12 by crime type (with a significance test), the
Harehills Clear-Hold-Build before and after, and the 2002/03-2011/12 recorded-crime series."""

import streamlit as st

from lib.analysis import crime, measures
from lib.core import documents, events
from lib.figures import charts
from lib.store import queries
from lib.ui import components

url, cutoff, _ = components.open_page()
wards = queries.wards(url)

st.title("Crime and anti-social behaviour")
st.caption(
    f"Police recorded crime reflects reporting and police activity as well as crime itself. Data to {cutoff:%d %B %Y}."
)
names = {"": "All of Leeds"} | dict(zip(wards["code"], wards["name"], strict=True))
ward = st.selectbox("Area", list(names), format_func=names.get, key="crime_area")
totals = crime.monthly_totals(url, ward or None, cutoff)
if totals.empty:
    st.info("No crime data at this meeting's cut-off.")
    st.stop()
components.illustrative_notice(totals)
real = totals.loc[~totals["illustrative"], "month"]
st.caption(
    f"Months with real police.uk data: {', '.join(f'{m:%b %Y}' for m in real) or 'none'}; other months are "
    "illustrative."
)

st.header("Last 12 months against the previous 12")
comparison = crime.last_12_months_by_type(url, ward or None, totals["month"].max())
total = comparison.total
st.metric(
    f"{comparison.total_label}, {comparison.first:%b %Y} to {comparison.latest:%b %Y}",
    "withheld (disclosure control)" if comparison.hidden else f"{comparison.current_total:,}",
    delta=f"{total.percent_change:+.1f}% ({total.verdict})" if total else None,
    delta_color=components.change_colour(total),
    border=True,
)
st.caption(
    "Verdicts use a Poisson rate ratio with a 95% confidence interval: a change is called significant only "
    "when the interval excludes no change."
    + ("" if comparison.covered else f" No change is given: {crime.NOT_ENOUGH_MONTHS} for all 24 months compared.")
    + (
        f" By ward, {' and '.join(t.lower() for t in comparison.excluded)} is published by financial year only "
        "(the Ward map and Ward profile), so it is left out here."
        if comparison.excluded
        else ""
    )
)
ordered = comparison.by_type
components.chart_block(
    charts.bar_figure(
        [f"{t} ({v})" for t, v in zip(ordered["crime_type"], ordered["verdict"], strict=True)],
        ordered["current"].fillna(0).tolist(),
        f"{names[ward]}: last 12 months by type",
        "count",
    ),
    "Counts in the last 12 months by police.uk crime type; each label says whether the change from the previous 12 "
    "months is significant.",
    ordered,
    "crime-by-type.csv",
    "by_type",
)

st.header("Harehills: Clear, Hold, Build")
harehills = crime.clear_hold_build(url, cutoff)
if harehills.result is not None:
    result = harehills.result
    st.metric(
        f"Gipton & Harehills crime, {harehills.months_each_side} months after vs {harehills.months_each_side} before",
        f"{result.percent_change:+.0f}%",
        delta=f"{result.percent_change:+.0f}% \u00b7 {result.verdict}",
        delta_color=components.change_colour(result),
        border=True,
    )
    st.caption(
        "All crime excluding ASB, as a percentage only. Documented: a 40% reduction in overall crime in the 16 "
        f"months since Clear, Hold, Build began ({documents.cite('000_274d76e3dc4e1983.txt')} § What is this report "
        "about?)."
    )
series_name = measures.WARD_MONTHLY_LABEL.capitalize()
frame = harehills.monthly.rename(columns={"month": "period_end", "count": series_name})
components.chart_block(
    charts.series_figure(
        frame,
        f"Gipton & Harehills: monthly {measures.WARD_MONTHLY_LABEL}",
        "crimes",
        events.events_for("CRIME_TOTAL"),
        [series_name],
    ),
    f"Monthly police recorded {measures.WARD_MONTHLY_LABEL} in Gipton & Harehills, with the start of Clear, Hold, "
    "Build (May 2023) marked. By ward, violence and sexual offences are published by financial year only, so a "
    "ward's monthly series leaves them out.",
    harehills.monthly,
    "harehills-crime.csv",
    "harehills",
)

st.header("Recorded crime 2002/03 to 2011/12")
history, fall = crime.recorded_crime_history(url)
st.metric(
    "Total recorded crime, 2002/03 to 2011/12",
    f"{history['Total'].iloc[-1]:,.0f}",
    delta=f"{fall:+.0f}% since 2002/03" if fall is not None else None,
    delta_color="inverse",
    border=True,
)
components.chart_block(
    charts.series_figure(
        history, "Recorded crime in Leeds by category (financial years)", "crimes", [], list(history.columns[1:])
    ),
    "Police recorded crime by financial year, from the Safer Leeds Partnership Business Plan 2012-15 "
    f"({documents.cite('004_94eba5691181e0a4.txt')} § Performance & Key Facts).",
    history,
    "recorded-crime-2002-2012.csv",
    "history",
)
