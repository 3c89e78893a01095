"""Streamlit pieces of the ward map and ward profile: selectors kept in the URL, the legend, the map, the table."""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
import streamlit as st

from lib.analysis import disclosure, measures
from lib.analysis.measures import CHANGE, Measure, WardTable
from lib.area import current as current_area
from lib.core.periods import Period
from lib.core.text import literal
from lib.figures import charts, legend, maps
from lib.geo import boundaries
from lib.store import queries
from lib.ui import access, url_state
from lib.ui.components import number_or_withheld, table_with_csv
from lib.ui.frame_size import side_by_side
from lib.ui.url_state import url_optional_selectbox, url_selectbox

PROFILE_PAGE = "pages/ward.py"
LOG = logging.getLogger(__name__)


def _from_url(key: str, options: list[str], default: int = 0) -> int:
    """Index of the option named in the URL's query parameter, else the default."""
    wanted = st.query_params.get(key)
    return options.index(wanted) if wanted in options else default


def measure_selector(url: str) -> Measure:
    """Choose a measure (kept in the URL as ?measure=)."""
    options = {m.id: m for m in measures.measures(url)}
    chosen = url_selectbox(
        "Measure",
        list(options),
        "measure",
        format_func=lambda i: options[i].label + (" (sensitive)" if options[i].sensitive else ""),
        help="police.uk crime by type, or a KPI reported by ward. Sensitive measures go through disclosure control.",
    )
    return options[str(chosen)]


def basis_selector(measure: Measure) -> str:
    """Count, rate per 1,000 residents, or change on a year earlier (kept in the URL as ?basis=)."""
    bases = [b for b in measures.BASES if measure.additive or b != measures.RATE]
    wanted = st.query_params.get("basis")
    if wanted and wanted not in bases:
        st.warning(f"Show: {literal(wanted)} was not found, so this page shows the default.", icon=":material/help:")
    chosen = st.radio(
        "Show",
        bases,
        index=_from_url("basis", bases, bases.index(measures.RATE) if measures.RATE in bases else 0),
        format_func=measures.BASES.get,
        horizontal=True,
        key="basis",
    )
    st.query_params["basis"] = chosen
    return chosen


def period_selector(url: str, measure: Measure, cutoff: date, basis: str) -> Period | None:
    """Choose a period with data at the meeting's cut-off (kept in the URL as ?period=); None if there is none."""
    options = measures.available_periods(url, measure, cutoff)
    if basis == CHANGE:
        specs = {p.spec for p in options}
        options = [p for p in options if p.year_earlier().spec in specs]
    if not options:
        return None
    by_spec = {p.spec: p for p in options}
    chosen = url_selectbox(
        "Period",
        list(by_spec),
        "period",
        format_func=lambda spec: by_spec[spec].label,
        help="Sensitive measures are offered by financial year only (disclosure control)."
        if measure.sensitive
        else None,
    )
    return by_spec[str(chosen)]


def legend_block(table: WardTable) -> None:
    """Colour swatches with the range each stands for, in words (colour is never the only signal)."""
    items = "".join(
        f'<span role="listitem" style="display:inline-flex;align-items:center;margin-right:14px">'
        f'<span style="width:14px;height:14px;background:{entry.colour};border:1px solid #3d3d3d;'
        f'display:inline-block;margin-right:5px"></span>{entry.label}</span>'
        for entry in legend.classes_for(table)
    )
    st.markdown(f'<div role="list" aria-label="Map legend">{items}</div>', unsafe_allow_html=True)


def boundary_outlines(url: str) -> dict | None:
    """Simplified ward outlines (the shipped ones, or an update in the reference folder), or None if they cannot be
    used; why goes to the log and to Data & sources, never to the map's readers."""
    path = boundaries.source()
    wards = queries.wards(url)
    try:
        return boundaries.load(path, list(zip(wards["wd19_code"], wards["code"], strict=True)))
    except boundaries.BoundaryError as error:
        LOG.warning("Ward boundaries not usable, showing the hex map: %s", error)
        return None


GEOGRAPHIC, HEX = "geographic", "hex"  # the map's views, as the address keeps them (?view=hex)


def view_labels() -> dict[str, str]:
    """The views in words: "Map of Bradford" (the area's name) and "Hex map"."""
    return {GEOGRAPHIC: f"Map of {current_area().name}", HEX: "Hex map"}


def boundary_status(url: str) -> str:
    """For Data & sources (not the map): which ward outlines the map draws, in users' words (where the files live
    and how to update them is for administrators, in the README's "Where the data comes from")."""
    path = boundaries.source()
    where = (
        "the ONS ward outlines (May 2025) that come with the area's set-up"
        if path == boundaries.shipped()
        else "ONS ward outlines downloaded by an administrator"
    )
    usable = boundary_outlines(url) is not None
    state = "in use" if usable else "**not usable**, so the map shows the hex view only (an administrator can see why)"
    return (
        f"- **Ward boundaries on the map**: {where}, {state}. An administrator can update them from the ONS "
        '(README, "Where the data comes from").\n'
    )


def profile_comparison(figures: dict) -> str:
    """The ward's rate beside the whole area's and its committee area's, and its change on the year before with the
    test's verdict, as one line of words (a withheld figure says so)."""
    rate = number_or_withheld(figures["rate_per_1000"])
    area = number_or_withheld(figures["area_rate_per_1000"])
    change = figures["change"]
    said = (
        f"{change.percent_change:+.1f}%, {change.verdict} (rate ratio {change.ratio:.2f}, 95% interval "
        f"{change.lower:.2f} to {change.upper:.2f})"
        if change
        else "withheld"
    )
    return (
        f"Rate per 1,000 residents: {literal(figures['ward_name'])} {rate} \u00b7 {current_area().name} "
        f"{figures['overall_rate_per_1000']:.1f} \u00b7 {literal(figures['committee_area'])} {area}. "
        f"Change on the year before: {said}."
    )


MAP_AND_BARS = [3, 2]  # relative widths of the map and the ranked bars, side by side on a wide screen
SIDE_BY_SIDE_FROM = 1000  # pixels of page width; narrower, the bars go under the map


def map_layout(page_width: int) -> tuple[object, object, int]:
    """(map container, bars container, the map's width in pixels) for a page this wide."""
    map_column, bars_column = side_by_side(page_width, MAP_AND_BARS, SIDE_BY_SIDE_FROM)
    share = MAP_AND_BARS[0] / sum(MAP_AND_BARS) if page_width >= SIDE_BY_SIDE_FROM else 1
    return map_column, bars_column, max(240, round(page_width * share) - 16)


def view_selector(url: str) -> str:
    """The map of the area or the hex map (kept in the URL as ?view=, so a shared link opens the same view); the hex
    map only when no boundary file is usable."""
    views = [GEOGRAPHIC, HEX] if boundary_outlines(url) else [HEX]
    return url_state.url_radio(
        "View",
        views,
        key="view",
        format_func=view_labels().__getitem__,
        help="Hex map: one equal hexagon per ward, so small inner-city wards are as visible as large rural ones.",
    )


def show_map(url: str, table: WardTable, selected: str | None, width: int, view: str) -> str | None:
    """The geographic or hex map, framed for a column `width` pixels wide, with its legend; returns a ward the user
    clicked."""
    outlines = boundary_outlines(url)
    deck = (
        maps.choropleth_deck(table, outlines, selected, width)
        if view == GEOGRAPHIC and outlines
        else maps.hex_deck(table, selected, width)
    )
    event = st.pydeck_chart(
        deck, on_select="rerun", selection_mode="single-object", key=f"map_{view}", height=maps.map_height(width)
    )
    legend_block(table)
    return maps.picked_ward(event)


def display_frame(table: WardTable) -> pd.DataFrame:
    """What the table and CSV show: hidden cells blank with their label, never the number."""
    columns = ["rank", "ward_name", "ward_code", "committee_area", "population", "shown", "value", "rate_per_1000"]
    if table.basis == CHANGE:
        columns += ["previous_value", "change_percent"]
    frame = table.wards[columns + ["suppressed"]].rename(columns={"shown": "as shown", "value": table.measure.unit})
    return frame.round(2)


def ranked_bars(table: WardTable) -> None:
    """The area's wards ranked by the mapped figure, coloured as on the map, with table and CSV."""
    classes = legend.classes_for(table)
    frame = table.wards.sort_values(table.mapped, ascending=False, na_position="last")
    texts = [legend.bar_label(r, table) for r in frame.to_dict(orient="records")]
    unit = legend.unit_of(table)
    figure = charts.ranked_wards_figure(
        frame["ward_name"].tolist(),
        frame[table.mapped].tolist(),
        [legend.colour_of(v, classes) for v in frame[table.mapped]],
        texts,
        "Wards ranked",
        unit,
        table.overall_figure,
        current_area().name,
    )
    st.plotly_chart(
        figure, width="stretch", key="chart_ranked", config={"displaylogo": False, "displayModeBar": False}
    )  # no toolbar over titles on touch screens; the CSV is below
    st.caption(
        f"{table.measure.label}: the {len(table.wards)} wards ranked by {unit}, {table.period.label}, coloured as on "
        f"the map; the dashed line is the {current_area().name} figure."
    )


def table_block(table: WardTable, file_name: str) -> None:
    """The mapped data as a table and a CSV download, exactly as shown (hidden counts blank)."""
    table_with_csv("Table of the data on this map", display_frame(table), file_name, "csv_map", rename=False)


def disclosure_note(table: WardTable) -> None:
    """Say when and why counts are hidden."""
    if table.measure.sensitive or table.measure.protected_parts:
        st.caption(f"Disclosure control applies to this measure. {disclosure.EXPLANATION}")


def ward_choice(url: str, key: str, label: str) -> str:
    """Choose a ward (kept in the URL under the same key, e.g. ?ward=E05011397); a councillor's own wards come first
    and the first of them is chosen unless the address says otherwise."""
    names = _ward_names(url)
    own = [code for code in names if code in access.current().wards]
    options = own + [code for code in names if code not in own]
    return url_selectbox(label, options, key, format_func=lambda code: names[code], default=own[0] if own else None)


def optional_ward_choice(url: str, key: str, label: str) -> str | None:
    """Choose a ward or none (kept in the URL while chosen, e.g. ?compare=E05011394)."""
    names = _ward_names(url)
    return url_optional_selectbox(label, list(names), key, format_func=lambda code: names[code])


def _ward_names(url: str) -> dict[str, str]:
    """Ward code -> name, in name order."""
    wards = queries.wards(url)
    return dict(zip(wards["code"], wards["name"], strict=True))
