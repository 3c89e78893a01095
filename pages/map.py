"""Ward map: every ward coloured by a measure, ranked beside the map; click a ward to open its profile."""

import streamlit as st

from lib.analysis import measures
from lib.area import current as current_area
from lib.ui import components, ward_components
from lib.ui.frame_size import column_width, side_by_side

url, cutoff, _ = components.open_page()
width = column_width()  # this screen's width, for the layout below

st.title("Ward map")
# The map comes first on the screen: the choices above it, and what it means (caveat, disclosure) under it.
left, middle, right, far = side_by_side(width, [3, 3, 4, 2], min_width=760)
with left:
    measure = ward_components.measure_selector(url)
with right:
    basis = ward_components.basis_selector(measure)
with middle:
    period = ward_components.period_selector(url, measure, cutoff, basis)
with far:
    view = ward_components.view_selector(url)
if period is None:
    held = len([m for m in measures.months(url, measure) if m <= cutoff])
    st.info(
        f"No complete period of {measure.label.lower()} at this meeting's cut-off. "
        + (
            f"{held} month(s) are loaded, and by ward {measure.label.lower()} is shown only for whole financial "
            "years (disclosure control): choose another measure, or load more months on the Data in page."
            if held and measure.sensitive
            else components.LOAD_CRIME
        )
    )
    st.stop()

table = measures.ward_table(url, measure.id, period, basis)
place = current_area().name
selected = st.query_params.get("ward")
map_column, bars_column, map_width = ward_components.map_layout(width)
with map_column:
    st.subheader(f"{measure.label}, {period.label}")
    if table.illustrative:
        components.illustrative_badge()
    picked = ward_components.show_map(url, table, selected, map_width, view)
    st.caption(
        f"The {len(table.wards)} {place} wards, each coloured by the figure in the legend (data to {cutoff:%d %B %Y}); "
        f"hover for the value, rank and {place} figure. Click a ward, or choose it below, to open its profile. "
        + measures.CAVEAT
    )
    ward_components.disclosure_note(table)
with bars_column:
    ward_components.ranked_bars(table)
ward_components.table_block(table, f"ward-map-{measure.id.replace(':', '-')}-{period.spec.replace(':', '-')}.csv")

chosen = ward_components.optional_ward_choice(url, "ward", "Ward profile")
if picked or st.button("Open ward profile", disabled=not chosen, icon=":material/location_city:"):
    st.switch_page(ward_components.PROFILE_PAGE, query_params={"ward": picked or chosen, **components.meeting_query()})
