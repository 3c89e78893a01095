"""Ward map: every ward coloured by a measure, ranked beside the map; click a ward to open its profile."""

import streamlit as st

from lib.analysis import measures
from lib.ui import components, ward_components
from lib.ui.frame_size import column_width, side_by_side

url, cutoff, _ = components.open_page()
width = column_width()  # this screen's width, for the layout below

st.title("Ward map")
st.caption(f"The 33 Leeds wards by crime type or ward-level KPI. Data to {cutoff:%d %B %Y}. {measures.CAVEAT}")
left, middle, right = side_by_side(width, [2, 2, 2], min_width=760)
with left:
    measure = ward_components.measure_selector(url)
with right:
    basis = ward_components.basis_selector(measure)
with middle:
    period = ward_components.period_selector(url, measure, cutoff, basis)
if period is None:
    st.info(f"No complete period of {measure.label.lower()} at this meeting's cut-off.")
    st.stop()

table = measures.ward_table(url, measure.id, period, basis)
if table.illustrative:
    components.illustrative_badge()
ward_components.disclosure_note(table)
selected = st.query_params.get("ward")
map_column, bars_column, map_width = ward_components.map_layout(width)
with map_column:
    st.subheader(f"{measure.label}, {period.label}")
    picked = ward_components.show_map(url, table, selected, map_width)
    st.caption(
        "Each ward coloured by the figure in the legend; hover for the value, rank and Leeds figure. Click a "
        "ward, or choose it below, to open its profile."
    )
with bars_column:
    ward_components.ranked_bars(table)
ward_components.table_block(table, f"ward-map-{measure.id.replace(':', '-')}-{period.spec.replace(':', '-')}.csv")

chosen = ward_components.optional_ward_choice(url, "ward", "Ward profile")
if picked or st.button("Open ward profile", disabled=not chosen, icon=":material/location_city:"):
    st.switch_page(ward_components.PROFILE_PAGE, query_params={"ward": picked or chosen, **components.meeting_query()})
