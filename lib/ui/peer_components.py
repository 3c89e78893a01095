"""The Peers page's parts: the choices, the standing, the two charts with their tables, the months each area has,
and the admins' group editor."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib.analysis import peers
from lib.area.peers import PeerGroup
from lib.core import periods, roles
from lib.core.formatting import ordinal
from lib.core.vocabulary import ALL_CRIME_TYPES, ASB
from lib.figures import peers as peer_figures
from lib.ingest import peer_groups
from lib.ui import access, components, forms, tables
from lib.ui.frame_size import grid, side_by_side
from lib.ui.url_state import url_selectbox

UNIT = "crimes per 1,000 residents"
TYPE_OPTIONS = [peers.ALL, *ALL_CRIME_TYPES, ASB]


def _type_label(option: str) -> str:
    """A crime type choice in words."""
    return "All crime (excluding anti-social behaviour)" if option == peers.ALL else option


def choices(
    url: str, groups: list[PeerGroup], cutoff: date, width: int
) -> tuple[PeerGroup, str | None, periods.Period | None]:
    """The group, crime type and period (kept in the URL as ?group=, ?type=, ?period=)."""
    by_name = {g.name: g for g in groups}
    left, middle, right = side_by_side(width, [3, 4, 3], min_width=700)
    with left:
        group = by_name[url_selectbox("Peer group", list(by_name), "group")]
    with middle:
        chosen_type = url_selectbox("Crime type", TYPE_OPTIONS, "type", format_func=_type_label)
    offered = peers.periods_offered(url, group, cutoff)
    with right:
        if not offered:
            return group, peers.crime_type_of(chosen_type), None
        by_spec = {p.spec: p for p in offered}
        default = next((p.spec for p in offered if p.kind == periods.ROLLING), offered[0].spec)
        spec = url_selectbox("Period", list(by_spec), "period", format_func=lambda s: by_spec[s].label, default=default)
    return group, peers.crime_type_of(chosen_type), by_spec[spec]


def standing(comparison: peers.Comparison, width: int) -> None:
    """The partnership's rank, its rate against the peer average, and its change on the year before."""
    own = comparison.own
    first, second, third = side_by_side(width, [1, 1, 1], min_width=700)
    with first:
        rank = f"{ordinal(own.rank)} of {comparison.ranked}" if own.rank else "Not ranked"
        st.metric("Rank (1 = lowest rate)", rank, border=True)
    with second:
        st.metric(
            f"{own.name}, per 1,000",
            "no figure" if own.rate is None else f"{own.rate:,.2f}",
            delta=None if comparison.ratio is None else f"{comparison.ratio:.2f}× peer average",
            delta_color="off",
            border=True,
        )
    with third:
        st.metric("Change on a year before", "no figure" if own.change is None else f"{own.change:+.1f}%", border=True)
    if own.rank is None or comparison.ranked < 2:
        st.info(comparison.standing[0].upper() + comparison.standing[1:] + ".", icon=":material/info:")
    else:
        average = "no peer average" if comparison.average is None else f"a peer average of {comparison.average:,.2f}"
        st.markdown(
            f"**{own.name} is {comparison.standing}** for {comparison.type_label.lower()}, "
            f"{comparison.period.label}: {own.rate:,.2f} {UNIT} against {average} "
            f"({comparison.verdict or 'no verdict'})."
        )


def table_of(comparison: peers.Comparison) -> pd.DataFrame:
    """Every area's figures as a table (blank where an area lacks part of the period, with why)."""
    frame = comparison.frame()
    frame["verdict"] = frame["verdict"].fillna("")
    return frame.drop(columns=["own"]).rename(columns={"change": "change_percent"})


def rates_chart(comparison: peers.Comparison) -> None:
    """The ranked areas' rates, lowest first, with the table and CSV of every area."""
    ranked = sorted((f for f in comparison.figures if f.rank is not None), key=lambda f: f.rank or 0)
    unranked = [f for f in comparison.figures if f.rank is None]
    title = f"{comparison.type_label}, {comparison.period.label}"
    figure = peer_figures.rates_figure(
        [f.name for f in ranked],
        [f.rate or 0.0 for f in ranked],
        [f.own for f in ranked],
        comparison.average,
        title,
        UNIT,
    )
    caption = (
        f"Rate per 1,000 residents in {comparison.group.name}, lowest first; this partnership's bar is dark blue and "
        "hatched, the others grey, and the dashed line is the peer average (the peers' crimes over their residents). "
        + peers.CAVEAT
        + (" Not ranked: " + "; ".join(f"{f.name}, {f.reason}" for f in unranked) + "." if unranked else "")
    )
    slug = f"peers-{comparison.period.spec.replace(':', '-')}"
    components.chart_block(figure, caption, table_of(comparison), f"{slug}.csv", "peer_rates")


def trend_chart(comparison: peers.Comparison) -> None:
    """The rolling 12-month rates, the partnership highlighted, with the table of the lines."""
    trend = comparison.trend
    if trend.empty or trend["rate_12m"].isna().all():
        st.info("No area has 12 whole months of police.uk data yet, so there is no rolling trend.")
        return
    figure = peer_figures.trend_figure(trend, f"Rolling 12 months, {comparison.type_label.lower()}", UNIT)
    table = trend.pivot_table(index="month", columns="area_name", values="rate_12m", aggfunc="first", dropna=False)
    table = table.round(2).reset_index()
    components.chart_block(
        figure,
        "Each area's crimes in the 12 months to each month, per 1,000 residents: this partnership dark blue, thick and "
        "marked, its peers thin grey lines named at their ends. A line stops where an area lacks a month. "
        + peers.CAVEAT,
        table,
        "peers-rolling-12-months.csv",
        "peer_trend",
    )


def coverage(comparison: peers.Comparison) -> None:
    """Which months each area has police.uk data for, in words (an area missing one is never ranked on part)."""
    frame = comparison.coverage
    if frame.empty:
        return
    frame = frame.assign(month=[f"{m:%b %Y}" for m in frame["month"]], has_data=frame["has_data"].map(
        {True: "data", False: "missing"}))  # fmt: skip
    table = frame.pivot(index="area_name", columns="month", values="has_data").reset_index()
    table = table[
        ["area_name", *[f"{m:%b %Y}" for m in periods.month_starts(comparison.period.first, comparison.period.last)]]
    ]
    with st.expander("Months each area has police.uk data for"):
        tables.show(table, first=["area_name"], rename=False)


def group_editor(url: str, groups: list[PeerGroup]) -> None:
    """Admins: create a group or change its areas, or remove it."""
    if not roles.may_manage_catalogue(access.current()):
        return
    with st.expander("Change the peer groups (admins)"):
        names = [g.name for g in groups]
        picked = st.selectbox("Group", ["(a new group)", *names], key="peer_edit_group")
        existing = next((g for g in groups if g.name == picked), None)
        with forms.form(f"peer_group_{picked}"):
            name = st.text_input("Name", existing.name if existing else "", disabled=existing is not None)
            areas = st.text_area(
                "Areas, one a line: a district's ONS code (E08000039), a partnership's (E22...) or a district's name",
                "\n".join(a.code for a in existing.areas) if existing else "",
            )
            note = st.text_input("What the group is", existing.note if existing else "")
            if st.form_submit_button("Save the group", type="primary", icon=":material/save:"):
                lines = [line.strip() for line in areas.replace(",", "\n").splitlines() if line.strip()]
                group_name = existing.name if existing else name
                forms.write(
                    lambda: peer_groups.set_group(url, group_name, lines, peers.national(), access.current(), note),
                    f"Saved the peer group {group_name.strip()}.",
                    f"peer_group_{picked}",
                )
        if existing is not None and st.button("Remove this group", icon=":material/delete:", key="peer_remove"):
            forms.write(
                lambda: peer_groups.remove_group(url, existing.name, access.current()),
                f"Removed the peer group {existing.name}.",
            )


def overview_tiles(url: str, cutoff: date, width: int) -> None:
    """The Overview's crime tiles: where the partnership stands in each peer group on all crime."""
    found = peers.standings(url, cutoff)
    if not found:
        st.caption(
            "No standing among peers: it needs real police.uk months of the partnership's own, its peer groups and "
            "the national ONS lookup and populations (see the Peers page)."
        )
        return
    for cell, comparison in zip(grid(len(found), width, min_width=320, most=3), found, strict=True):
        own = comparison.own
        with cell, st.container(border=True):
            st.markdown(f"**Crime beside {comparison.group.name}**", help=peers.CAVEAT)
            st.metric(
                comparison.group.name,
                comparison.standing.split(":")[0] if own.rank and comparison.ranked > 1 else "Not ranked",
                label_visibility="collapsed",
            )
            rate = "no rate" if own.rate is None else f"{own.rate:,.1f} {UNIT}"
            versus = f" · {comparison.ratio:.2f}× the peer average ({comparison.verdict})" if comparison.ratio else ""
            st.caption(f"All crime, {comparison.period.label} · {rate}{versus}")
            if own.rank is None or comparison.ranked < 2:
                st.caption(comparison.standing[0].upper() + comparison.standing[1:] + ".")
            components.page_link("pages/peers.py", "Open Peers", {"group": comparison.group.name,
                                 "period": comparison.period.spec, **components.meeting_query()},
                                 icon=":material/arrow_forward:")  # fmt: skip
