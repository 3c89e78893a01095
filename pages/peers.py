"""Peers: the partnership's police.uk crime rate beside similar areas' (its force's other districts, the core
cities), its rank, the peer average with a significance verdict, the change on the year before and the trend."""

import streamlit as st

from lib.analysis import peers
from lib.area.national import NationalDataError
from lib.ui import access, components, peer_components
from lib.ui.frame_size import column_width

url, cutoff, _ = components.open_page()
width = column_width()
st.title("Peers")
st.caption("Is it us, or is it everywhere? " + peers.CAVEAT)
groups = peers.groups(url)
if not groups:
    st.info("No peer groups are defined yet: an admin adds one below.")


@access.fragment()
def comparison_section() -> None:
    """The choices and everything they change (a new choice reruns this part only)."""
    group, crime_type, period = peer_components.choices(url, groups, cutoff, width)
    if period is None:
        st.info(f"No police.uk months for {group.name} at this meeting's cut-off. {components.LOAD_CRIME}")
        return
    try:
        comparison = peers.compare(url, group, period, crime_type)
    except NationalDataError as error:
        st.info(str(error), icon=":material/info:")
        return
    peer_components.standing(comparison, width)
    peer_components.rates_chart(comparison)
    peer_components.trend_chart(comparison)
    peer_components.coverage(comparison)


if groups:
    comparison_section()
peer_components.group_editor(url, groups)
