"""Crime and ASB: the last 12 months against the previous 12 by crime type (with a significance test), each
place-based initiative's before and after (the area's events, e.g. Clear-Hold-Build), and the documented
recorded-crime series where the catalogue has one."""

import streamlit as st

from lib.analysis import crime, measures
from lib.area import current as current_area
from lib.area import events
from lib.core import documents, periods
from lib.figures import charts
from lib.store import queries
from lib.ui import components

url, cutoff, _ = components.open_page()
wards = queries.wards(url)

st.title("Crime and anti-social behaviour")
st.caption(
    f"Police recorded crime reflects reporting and police activity as well as crime itself. Data to {cutoff:%d %B %Y}."
)
names = {"": f"All of {current_area().name}"} | dict(zip(wards["code"], wards["name"], strict=True))
ward = st.selectbox("Area", list(names), format_func=names.get, key="crime_area")
totals = crime.monthly_totals(url, ward or None, cutoff)
if totals.empty:
    st.info(f"No crime data at this meeting's cut-off. {components.LOAD_CRIME}")
    st.stop()
components.illustrative_notice(totals)
real = totals.loc[~totals["illustrative"], "month"]
st.caption(
    f"Months with real police.uk data: {', '.join(f'{m:%b %Y}' for m in real) or 'none'}"
    + ("; other months are illustrative." if totals["illustrative"].any() else ".")
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

for initiative in events.initiatives():  # place-based initiatives of the area (its events.csv)
    place = wards.set_index("code")["name"].get(initiative.ward_code)
    if place is None:
        continue
    st.header(f"{place}: {initiative.label}")
    effect = crime.before_and_after(url, initiative, cutoff)
    if effect.result is not None:
        result = effect.result
        st.metric(
            f"{place} crime, {effect.months_each_side} months after vs {effect.months_each_side} before",
            f"{result.percent_change:+.0f}%",
            delta=f"{result.percent_change:+.0f}% \u00b7 {result.verdict}",
            delta_color=components.change_colour(result),
            border=True,
        )
        st.caption("All crime excluding ASB, as a percentage only. " + documents.cite(initiative.note))
    series_name = measures.WARD_MONTHLY_LABEL.capitalize()
    frame = effect.monthly.rename(columns={"month": "period_end", "count": series_name})
    components.chart_block(
        charts.series_figure(
            frame, f"{place}: monthly {measures.WARD_MONTHLY_LABEL}", "crimes", [initiative], [series_name]
        ),
        f"Monthly police recorded {measures.WARD_MONTHLY_LABEL} in {place}, with the start ({initiative.when:%B %Y}) "
        "marked. By ward, violence and sexual offences are published by financial year only, so a ward's monthly "
        "series leaves them out.",
        effect.monthly,
        f"{initiative.ward_code}-crime.csv",
        f"initiative_{initiative.ward_code}",
    )

history, fall = crime.recorded_crime_history(url)
if not history.empty:  # a partnership whose catalogue has the documented recorded-crime series
    first, last = (periods.financial_year_label(d) for d in history["period_end"].iloc[[0, -1]])
    st.header(f"Recorded crime {first} to {last}")
    st.metric(
        f"Total recorded crime, {first} to {last}",
        f"{history['Total'].iloc[-1]:,.0f}",
        delta=f"{fall:+.0f}% since {first}" if fall is not None else None,
        delta_color="inverse",
        border=True,
    )
    components.chart_block(
        charts.series_figure(
            history,
            f"Recorded crime in {current_area().name} by category (financial years)",
            "crimes",
            [],
            list(history.columns[1:]),
        ),
        f"Police recorded crime by financial year, from {documents.cite(crime.recorded_crime_source(url))}.",
        history,
        f"recorded-crime-{first[:4]}-{last[:4]}.csv",
        "history",
    )
