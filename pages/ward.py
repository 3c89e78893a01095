"""Ward profile: one ward against the whole area and its community committee area, with an optional second ward."""

import streamlit as st

from lib.analysis import measures
from lib.analysis.measures import ALL_CRIME
from lib.area import current as current_area
from lib.core.text import literal
from lib.figures import charts
from lib.store import queries
from lib.ui import components, ward_components
from lib.ui.frame_size import column_width, grid, side_by_side

url, cutoff, _ = components.open_page()
width = column_width()  # this screen's width, for the layout below
wards = queries.wards(url).set_index("code")
place = current_area().name

st.title("Ward profile")
left, right = side_by_side(width, [1, 1], min_width=560)
with left:
    ward = ward_components.ward_choice(url, "ward", "Ward")
with right:
    other = ward_components.optional_ward_choice(url, "compare", "Compare with")
info = wards.loc[ward]
st.header(info["name"])
st.caption(
    f"{info['committee_area']} community committee area \u00b7 {info['population']:,} residents (Census "
    f"{info['population_year']}) \u00b7 ward code {ward}. Share this page's address to share the profile."
)
st.info(measures.CAVEAT, icon=":material/info:")

period = measures.latest_period(url, measures.get(url, ALL_CRIME), cutoff)
if period is None:
    st.info(f"No complete financial year of crime data at this meeting's cut-off. {components.LOAD_CRIME}")
    st.stop()
st.subheader(f"All crime (excluding ASB), {period.label}")
for code in [c for c in (ward, other) if c]:
    figures = measures.ward_summary(url, ALL_CRIME, code, period)
    if figures["illustrative"] and code == ward:
        components.illustrative_badge()
    if other:  # two wards: each row of figures says whose it is
        st.markdown(f"**{literal(figures['ward_name'])}**")
    columns = grid(4, width, min_width=200)
    columns[0].metric("Crimes", figures["shown"], border=True)
    columns[1].metric("Rate per 1,000 residents", components.number_or_withheld(figures["rate_per_1000"]), border=True)
    columns[2].metric(
        f"Rank of {len(wards)} (1 = highest rate)", components.number_or_withheld(figures["rank"], 0), border=True
    )
    change = figures["change"]
    columns[3].metric(
        "Change on the year before",
        f"{change.percent_change:+.1f}%" if change else "withheld",
        border=True,
    )
    # The comparisons a councillor reads beside the figures, as a sentence (in a metric's small print they were cut).
    st.markdown(ward_components.profile_comparison(figures))
st.caption(
    "Change: the year against the year before, with a Poisson rate-ratio test (significant only when the 95% "
    "confidence interval excludes no change). All crime holds violence and sexual offences, so by ward it is "
    "published by financial year only (disclosure control)."
)

st.subheader("Crime rate trend")
frame = measures.ward_trend_series(url, ALL_CRIME, ward, other, period.last)
components.chart_block(
    charts.series_figure(
        frame, "Crimes per 1,000 residents, by financial year", "per 1,000 residents", [], list(frame.columns[1:])
    ),
    "All police recorded crime excluding anti-social behaviour, per 1,000 residents, each point a financial year "
    "(April to March) ending that month; committee-area points are withheld where disclosure control hides a ward in "
    "the area.",
    frame.round(2),
    f"ward-trend-{ward}.csv",
    "ward_trend",
)

st.subheader("Crime mix")
mix = measures.crime_mix(url, ward, period)
mix = mix.sort_values("overall", ascending=False)
shares = mix[["crime_type", "shown", "share_percent", "overall_share_percent"]].rename(
    columns={
        "shown": "count",
        "share_percent": f"{info['name']} share (%)",
        "overall_share_percent": f"{place} share (%)",
    }
)
components.chart_block(
    charts.bar_figure(
        mix["crime_type"].tolist(),
        mix["share_percent"].fillna(0).round(1).tolist(),
        f"{info['name']}: share of incidents by type, {period.label}",
        "% of the ward's incidents",
    ),
    "Share of the ward's police-recorded incidents (crime and ASB) by type; the table gives the shares in all "
    f"of {place} beside them. Hidden counts are shown as <5 or [c] and their share is withheld.",
    shares.round(1),
    f"ward-crime-mix-{ward}.csv",
    "mix",
)

kpi_figures = measures.ward_kpi_figures(url, ward, cutoff)
st.subheader("Ward-level KPIs")
if not kpi_figures:
    st.caption("No KPI has been reported by ward yet: priority leads can load ward figures on the Data in page.")
for figure in kpi_figures:
    rank = "rank withheld" if figure.rank is None else f"rank {figure.rank} of {len(wards)}"
    st.markdown(
        f"- **{figure.label}**, {figure.period_label}: {figure.shown} {figure.unit} ({rank})"
        + (" *(illustrative)*" if figure.illustrative else "")
    )
