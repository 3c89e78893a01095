"""Streamlit pieces of the ward map and ward profile: selectors kept in the URL, the legend, the map, the table."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib.analysis import disclosure, measures
from lib.analysis.measures import CHANGE, Measure, WardTable
from lib.core import config, exports
from lib.core.periods import Period
from lib.figures import charts, legend, maps
from lib.geo import boundaries
from lib.store import queries
from lib.ui.url_state import url_optional_selectbox, url_selectbox

PROFILE_PAGE = "pages/ward.py"


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
        help="Sensitive measures are offered only for 12-month periods." if measure.sensitive else None,
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


def boundary_outlines(url: str) -> tuple[dict | None, str]:
    """Simplified ward outlines from the reference folder, or None with the reason to show."""
    path = boundaries.find(config.reference_dir())
    if path is None:
        return None, (
            f"No ward boundaries in {config.reference_dir()}: showing the hex map. Run "
            "`saferleeds reference fetch` (or put a GeoJSON of Leeds wards there, December 2019 or May "
            "2025 codes) for the geographic map."
        )
    wards = queries.wards(url)
    try:
        return boundaries.load(path, list(zip(wards["wd19_code"], wards["code"], strict=True))), ""
    except boundaries.BoundaryError as error:
        return None, f"{error} Showing the hex map."


def show_map(url: str, table: WardTable, selected: str | None) -> str | None:
    """The hex or geographic map with its legend; returns a ward the user clicked, if any."""
    outlines, reason = boundary_outlines(url)
    views = ["Hex map", "Geographic map"] if outlines else ["Hex map"]
    view = st.radio(
        "View",
        views,
        horizontal=True,
        key="view",
        help="Hex map: one equal hexagon per ward, so small inner-city wards are as visible as large rural ones.",
    )
    if reason:
        st.caption(reason)
    deck = (
        maps.choropleth_deck(table, outlines, selected)
        if view == "Geographic map" and outlines
        else maps.hex_deck(table, selected)
    )
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key=f"map_{view}", height=520)
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
    """The 33 wards ranked by the mapped figure, coloured as on the map, with table and CSV."""
    classes = legend.classes_for(table)
    frame = table.wards.sort_values(table.mapped, ascending=False, na_position="last")
    texts = [legend.bar_label(r, table) for r in frame.to_dict(orient="records")]
    unit = legend.unit_of(table)
    figure = charts.ranked_wards_figure(
        frame["ward_name"].tolist(),
        frame[table.mapped].tolist(),
        [legend.colour_of(v, classes) for v in frame[table.mapped]],
        texts,
        f"{table.measure.label}: wards ranked",
        unit,
        table.leeds_figure,
        "Leeds",
    )
    st.plotly_chart(figure, width="stretch", key="chart_ranked", config={"displaylogo": False})
    st.caption(f"Wards ranked by {unit}, {table.period.label}; dashed line: the Leeds figure.")


def table_block(table: WardTable, file_name: str) -> None:
    """The mapped data as a table and a CSV download, exactly as shown (hidden counts blank)."""
    with st.expander("Table of the data on this map", expanded=False):
        frame = display_frame(table)
        st.dataframe(frame, hide_index=True, width="stretch")
        st.download_button(
            "Download as CSV",
            exports.csv_bytes(frame),
            file_name=file_name,
            mime="text/csv",
            icon=":material/download:",
            key="csv_map",
        )


def disclosure_note(table: WardTable) -> None:
    """Say when and why counts are hidden."""
    if table.measure.sensitive or table.measure.protected_parts:
        st.caption(f"Disclosure control applies to this measure. {disclosure.EXPLANATION}")


def ward_choice(url: str, key: str, label: str) -> str:
    """Choose a ward (kept in the URL under the same key, e.g. ?ward=E05011397)."""
    names = _ward_names(url)
    return url_selectbox(label, list(names), key, format_func=lambda code: names[code])


def optional_ward_choice(url: str, key: str, label: str) -> str | None:
    """Choose a ward or none (kept in the URL while chosen, e.g. ?compare=E05011394)."""
    names = _ward_names(url)
    return url_optional_selectbox(label, list(names), key, format_func=lambda code: names[code])


def _ward_names(url: str) -> dict[str, str]:
    """Ward code -> name, in name order."""
    wards = queries.wards(url)
    return dict(zip(wards["code"], wards["name"], strict=True))
