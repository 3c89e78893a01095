"""Shared Streamlit components: the KPI tile, the illustrative badge and the database guard. Pages call these."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from typing import Literal
from urllib.parse import urlencode

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from lib.analysis import disclosure, measures, meetings, significance, spc, summary
from lib.analysis.summary import ASSURANCE_WORDS, VARIATION_WORDS, KpiRow, KpiSummary
from lib.area import current as current_area
from lib.area import events
from lib.core import config, exports
from lib.core.formatting import counted, format_headline, format_period, format_value, provenance_text
from lib.core.text import literal
from lib.figures import charts
from lib.store import cache, db, queries
from lib.ui import access, frame_size, navigation, tables, url_state
from lib.ui.frame_size import grid
from lib.ui.url_state import url_selectbox

BadgeColour = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "primary"]
DeltaColour = Literal["normal", "inverse", "off"]
RAG_BADGES: dict[str, tuple[str, str, BadgeColour]] = {
    "green": ("Green", ":material/check_circle:", "green"),
    "amber": ("Amber", ":material/error:", "orange"),
    "red": ("Red", ":material/cancel:", "red"),
}
VARIATION_BADGES: dict[str, tuple[str, BadgeColour]] = {
    spc.IMPROVEMENT: (":material/thumb_up:", "blue"),
    spc.CONCERN: (":material/warning:", "orange"),
    spc.NEUTRAL_HIGH: (":material/north:", "violet"),
    spc.NEUTRAL_LOW: (":material/south:", "violet"),
    spc.COMMON: (":material/horizontal_rule:", "gray"),
    spc.INSUFFICIENT: (":material/more_horiz:", "gray"),
}
# Badge words short enough for a tile on any screen (the full wording is in the badge's help and the sentence).
VARIATION_BADGE_WORDS = {spc.NEUTRAL_HIGH: "Special cause: high", spc.NEUTRAL_LOW: "Special cause: low"}
# Making Data Count's assurance colours: blue passing, orange failing, grey hit and miss (always with the words).
ASSURANCE_BADGES: dict[str, tuple[str, BadgeColour]] = {
    spc.PASSING: (":material/verified:", "blue"),
    spc.FAILING: (":material/dangerous:", "orange"),
    spc.HIT_AND_MISS: (":material/shuffle:", "gray"),
}
STATUS_ICONS = {
    "on track": ":material/check_circle:",
    "at risk": ":material/warning:",
    "complete": ":material/task_alt:",
    "withdrawn": ":material/block:",
    "not yet reported": ":material/schedule:",
}


def open_page() -> tuple[str, date, date | None]:
    """Every dashboard page's start: the database URL (stopping with a message if it is not ready) and the chosen
    meeting's cut-off and the previous meeting's."""
    url = config.database_url()
    require_database(url)
    return (url, *meeting_selector(url))


LOAD_CRIME = "Street-level crime from data.police.uk is loaded on the Data in page (police.uk crime)."


def no_catalogue_yet() -> None:
    """The honest empty state of a partnership whose catalogue holds no priorities or KPIs yet; stops the page."""
    area = current_area()
    st.info(
        f"{area.partnership} has no priorities or KPIs in the dashboard yet, so there is nothing to report here. "
        'A dashboard admin adds them (the README\'s "Setting up a partnership"). Police recorded crime needs no '
        "catalogue: load police.uk street files on the Data in page, and the Crime and ASB and Ward map pages show "
        f"{area.name}'s wards.",
        icon=":material/inventory_2:",
    )
    st.stop()


def require_database(url: str) -> None:
    """Stop the page with a plain message (URL masked, what to do) if the database is not ready. Every page starts
    here, so this is also where the page measures the screen it is on (lib/ui/frame_size.py) and where sign-in is
    checked (lib/ui/access.py)."""
    frame_size.measure_page()
    try:
        queries.check_ready(url)
    except db.DatabaseUnavailableError as error:
        st.error(str(error), icon=":material/database:")
        st.stop()
    access.gate(url)  # who is acting; stops the page for anyone who may not see it


def illustrative_badge() -> None:
    """The badge that marks generated (not real) values."""
    st.badge(
        "Illustrative",
        icon=":material/science:",
        color="orange",
        help="Generated for demonstration, calibrated to the documented figures. Not real data.",
    )


def illustrative_notice(values: pd.DataFrame) -> None:
    """A banner when any value on the page is illustrative."""
    if not values.empty and values["illustrative"].any():
        st.info(
            "Some figures on this page are **illustrative**: generated demonstration data, calibrated to the "
            "documented figures and badged where shown. Load real returns to replace them.",
            icon=":material/science:",
        )


def kpi_tile(kpi: KpiRow, item: KpiSummary) -> None:
    """The KPI tile: value, period, RAG, changes, sparkline, SPC icons, narrative, badge, provenance on hover."""
    with st.container(border=True):
        if item["value"] is None or item["period_start"] is None or item["period_end"] is None:
            st.markdown(f"**{kpi['name']}**", help=kpi["definition"])
            st.metric(kpi["name"], "No data yet", label_visibility="collapsed")
            st.caption(f"{kpi['area_name']} \u00b7 no values loaded")
            return
        # A return's source names its file: shown literally, never as markup.
        provenance = literal(provenance_text(item["source"] or "", item["source_section"] or "", item["illustrative"]))
        st.markdown(f"**{kpi['name']}**", help=f"{kpi['definition']}\n\n{provenance}\n\nRAG rule: {kpi['rag_rule']}")
        number, words = format_headline(item["value"], kpi["unit"])
        year = item["change_vs_last_year"]
        st.metric(
            kpi["name"],
            f"{item['qualifier']} {number}".strip(),
            label_visibility="collapsed",
            delta=f"{year['percent']:+.1f}%" if year else None,
            delta_description=f"vs a year earlier ({year['judgement']})" if year else None,
            # Grey: the tile is judged by its RAG and SPC badges below, and a green year-on-year change beside a
            # special-cause concern would say the opposite. The words (better / worse) still say which way it went.
            delta_color="off",
        )
        # No st.metric sparkline: Streamlit draws it as an <svg role="img"> with no text alternative (axe-core
        # svg-img-alt, serious). The SPC badge below says the same in words; the priority page has the full chart.
        period = format_period(item["period_start"], item["period_end"])
        st.caption(" \u00b7 ".join(part for part in (words, period, kpi["area_name"]) if part))
        meeting = item["change_vs_previous_meeting"]
        if meeting:
            arrow = "\u2191" if meeting["percent"] > 0 else "\u2193" if meeting["percent"] < 0 else "\u2192"
            st.caption(f"Since the last meeting: {arrow} {abs(meeting['percent']):.1f}% ({meeting['judgement']})")
        status_badges(item)
        st.caption(item["narrative"])


def status_badges(item: KpiSummary) -> None:
    """RAG, SPC variation, assurance, stale and illustrative as badges: icon and word, never colour alone."""
    with st.container(horizontal=True, gap="small"):
        if item["rag"] in RAG_BADGES:
            word, icon, colour = RAG_BADGES[item["rag"]]
            st.badge(word, icon=icon, color=colour)
        variation = item["spc"]["variation"]
        icon, colour = VARIATION_BADGES[variation]
        words = VARIATION_BADGE_WORDS.get(variation, _sentence_case(VARIATION_WORDS[variation]))
        st.badge(words, icon=icon, color=colour, help=_sentence_case(VARIATION_WORDS[variation]))
        assurance = item["spc"].get("assurance")
        if assurance in ASSURANCE_BADGES:
            icon, colour = ASSURANCE_BADGES[assurance]
            st.badge(_sentence_case(ASSURANCE_WORDS[assurance]), icon=icon, color=colour)
        if item["stale"]:
            st.badge(
                "Stale",
                icon=":material/history:",
                color="gray",
                help="No newer value: the latest is older than the KPI's reporting frequency allows (a one-off "
                "documented figure: more than two years before the data cut-off).",
            )
        if item["illustrative"]:
            illustrative_badge()


def _sentence_case(text: str) -> str:
    """The first letter capitalised, the rest kept ('too few points for SPC' -> 'Too few points for SPC')."""
    return text[:1].upper() + text[1:]


def status_label(status: str) -> str:
    """A deliverable status as icon plus word (never colour alone)."""
    return f"{STATUS_ICONS.get(status, '')} {status.capitalize()}"


def page_link(script: str, label: str, query: dict[str, str], icon: str | None = None) -> None:
    """A link to another page of the app in the same tab, carrying `query` (the meeting, a priority, a ward).

    A page run on its own (AppTest) has no navigation to link through: it gets the same address as a markdown link.
    """
    try:
        st.page_link(script, label=label, icon=icon, query_params=query)
    except StreamlitPageNotFoundError:
        address = next(p.address for p in navigation.PAGES if p.script == script)
        st.markdown(f"[{literal(label)}]({address}?{urlencode(query)})")


def meeting_query() -> dict[str, str]:
    """The chosen meeting as a query parameter, for links to other pages ({} before one is chosen)."""
    meeting = url_state.kept("meeting")
    return {"meeting": meeting} if meeting else {}


def meeting_selector(url: str) -> tuple[date, date | None]:
    """Sidebar choice of Executive meeting (shareable as ?meeting=YYYY-MM-DD); returns (cut-off, previous cut-off)."""
    table = queries.meetings(url)
    if table.empty:
        st.sidebar.caption("No meetings are recorded: showing all data to today.")
        return date.today(), None
    rows = {r["meeting_date"].isoformat(): r for r in table.to_dict(orient="records")}
    dates = sorted(rows, reverse=True)  # newest first: the meeting people look for
    chosen = url_selectbox(
        "Executive meeting",
        dates,
        key="meeting",
        format_func=lambda d: meetings.label(rows[d]),
        default=dates[0],
        fallback=lambda wanted: meetings.nearest_earlier(dates, wanted),
        help="Shows the dashboard as it was at the meeting's data cut-off.",
        sidebar=True,
    )
    st.sidebar.caption(meetings.cutoff_note(rows[chosen]))
    cutoff = rows[chosen]["data_cutoff"]
    return cutoff, meetings.previous_cutoff(table, cutoff)


def rag_counts_line(items: list[KpiSummary]) -> str:
    """'Red 0 · Amber 1 · Green 2 · No target 3 · SPC concern 1' for a priority card (words, not colours)."""
    counts = {RAG_BADGES[key][0]: sum(1 for s in items if s["rag"] == key) for key in ("red", "amber", "green")}
    counts["No target"] = sum(1 for s in items if s["rag"] is None)
    counts["SPC concern"] = sum(1 for s in items if s["spc"]["variation"] == spc.CONCERN)
    return "KPIs: " + " \u00b7 ".join(f"{word} {count}" for word, count in counts.items())


def kpi_line(kpi: KpiRow, item: KpiSummary) -> str:
    """A Markdown bullet for a KPI: name, latest value, period, RAG and SPC in words, illustrative flag."""
    if item["value"] is None or item["period_start"] is None or item["period_end"] is None:
        return f"- {kpi['name']}: no values yet"
    value = format_value(item["value"], kpi["unit"], item["qualifier"])
    period = format_period(item["period_start"], item["period_end"])
    extras = [
        RAG_BADGES[item["rag"]][0] if item["rag"] else "",
        "SPC concern" if item["spc"]["variation"] == spc.CONCERN else "",
        "stale" if item["stale"] else "",
        "illustrative" if item["illustrative"] else "",
    ]
    tail = ", ".join(e for e in extras if e)
    return f"- {kpi['name']}: **{value}** ({period})" + (f" *({tail})*" if tail else "")


def chart_block(figure: object, caption: str, table: pd.DataFrame, file_name: str, key: str) -> None:
    """A chart with its caption, the same data as a table in an expander, and a CSV of exactly what is plotted."""
    st.plotly_chart(
        figure, width="stretch", key=f"chart_{key}", config={"displaylogo": False, "displayModeBar": False}
    )  # no toolbar over titles on touch screens; the CSV is below
    st.caption(caption)
    table_with_csv("Table of the data in this chart", table, file_name, f"csv_{key}", rename=False)


def table_with_csv(
    label: str, table: pd.DataFrame, file_name: str, key: str, first: Sequence[str] = (), rename: bool = True
) -> None:
    """A table in a closed expander with a CSV download of exactly what it shows (formula text defused)."""
    with st.expander(label):
        table_and_csv(table, file_name, key, first, rename)


def table_and_csv(
    table: pd.DataFrame, file_name: str, key: str, first: Sequence[str] = (), rename: bool = True
) -> None:
    """A table (the columns in `first` leading; headers in words with `rename`, see tables.show) and a CSV download
    of its rows (formula text defused). The CSV is written when the button is pressed, not on every rerun of the
    page (a page has up to a dozen)."""
    tables.show(table, first, rename=rename)
    st.download_button(
        "Download as CSV",
        functools.partial(exports.csv_bytes, table),
        file_name=file_name,
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",  # a download never reruns the page
        key=key,
    )


def spc_table(points: pd.DataFrame, unit: str) -> pd.DataFrame:
    """The SPC chart's data as a readable table (the chart's table alternative and CSV), with the rule behind each
    special cause."""
    table = points[["period_end", "value", "mean", "lower", "upper", "signal", "rule"]].copy()
    table["signal"] = table["signal"].replace({"": "none"}).str.replace("special_cause_", "special cause ")
    table["rule"] = [
        charts.RULE_WORDS.get(rule, "") if signal else ""
        for rule, signal in zip(points["rule"], points["signal"], strict=True)
    ]
    return table.rename(
        columns={
            "period_end": "month ending",
            "value": unit,
            "lower": "lower process limit",
            "upper": "upper process limit",
            "rule": "why",
        }
    )


def documented_change(label: str, facts: pd.DataFrame, unit: str) -> None:
    """Two documented values (earlier, later) as a metric with the change and the source underneath."""
    if len(facts) < 2:
        st.caption(f"{label}: the documented figures are not loaded.")
        return
    before, after = facts.iloc[0], facts.iloc[-1]
    change = 100 * (after["value"] - before["value"]) / before["value"]
    st.metric(
        label,
        f"{after['value']:g} {unit}",
        delta=f"{change:+.0f}% (from {before['value']:g})",
        delta_color="inverse",
        border=True,
        delta_description=f"{before['period_start']:%Y} compared with {after['period_start']:%Y}",
    )
    st.caption(literal(provenance_text(after["source"], after["source_section"], bool(after["illustrative"]))))


def meeting_summaries(url: str, as_at: date, previous_cutoff: date | None) -> dict[str, summary.KpiSummary]:
    """Every KPI's summary as at a cut-off, by code; cached under the data version (so a change made by any process
    shows on the next rerun) because SPC for all KPIs takes a few hundred ms."""
    return _summaries_at(url, cache.current_version(url), as_at, previous_cutoff)


@st.cache_data(ttl=cache.CACHE_TTL_SECONDS, max_entries=32, show_spinner=False)
def _summaries_at(
    url: str,
    data_version: int,  # noqa: ARG001 - a cache key
    as_at: date,
    previous_cutoff: date | None,
) -> dict[str, summary.KpiSummary]:
    """meeting_summaries, cached per data version."""
    items = summary.summaries(
        queries.kpi_catalogue_as_at(url, as_at), queries.headline_values(url), as_at, previous_cutoff
    )
    return {item["code"]: item for item in items}


def number_or_withheld(value: float | None, decimals: int = 1) -> str:
    """A figure for a metric, or 'withheld' where disclosure control hid it."""
    return "withheld" if value is None or pd.isna(value) else f"{value:,.{decimals}f}"


def spc_panel(url: str, kpi_code: str, cutoff: date, target: float | None) -> tuple[object, pd.DataFrame] | None:
    """A KPI's XmR chart and its table as at a cut-off, or None for a one-off figure. Kept under the data version as
    built objects (st.cache_resource: nothing pickled or copied per rerun; callers never change them), because SPC
    and the plotly figure with its limits and annotations cost tens of ms a KPI."""
    return _spc_panel_at(url, cache.current_version(url), kpi_code, cutoff, target)


@st.cache_resource(ttl=cache.CACHE_TTL_SECONDS, max_entries=cache.KEPT_ENTRIES, show_spinner=False)
def _spc_panel_at(
    url: str,
    data_version: int,  # noqa: ARG001 - a cache key
    kpi_code: str,
    cutoff: date,
    target: float | None,
) -> tuple[object, pd.DataFrame] | None:
    """spc_panel, cached per data version."""
    kpi = queries.kpi_catalogue_as_at(url, cutoff).set_index("code").loc[kpi_code].to_dict() | {"code": kpi_code}
    values = queries.headline_values(url)
    result = summary.spc_result(kpi, values[values["kpi_code"] == kpi_code], cutoff)
    if result is None or len(result.points) < 2:
        return None
    figure = charts.spc_figure(result.points, kpi["name"], kpi["unit"], events.events_for(kpi_code), target)
    return figure, spc_table(result.points, kpi["unit"])


def kpi_link(kpi: KpiRow, meeting: str | None) -> str:
    """A markdown link to where a KPI is shown in full: its priority's page, or the page that carries it."""
    query = f"&meeting={meeting}" if meeting else ""
    if kpi.get("priority_id") is not None and not pd.isna(kpi.get("priority_id")):
        target = f"priorities?priority={int(kpi['priority_id'])}{query}"
    else:
        target = {"CRIME_TOTAL": "crime-asb"}.get(kpi["code"], "sources") + (f"?meeting={meeting}" if meeting else "")
    return f"[{literal(kpi['name'])}]({target})"


MATRIX_TABLE_FROM = 600  # pixels of page width: narrower, the matrix is a list by row (its five columns would not fit)


def summary_matrix(kpis: dict[str, KpiRow], items: list[KpiSummary], width: int) -> None:
    """The Making Data Count summary table: every KPI placed by variation (rows) and assurance (columns), each a link
    to the KPI; words in every heading, so it reads the same without colour. On a page narrower than
    MATRIX_TABLE_FROM (a phone) the same cells are a list under each row's heading, so nothing scrolls sideways."""
    cells = summary.summary_matrix(items)
    meeting = st.query_params.get("meeting")

    def entry(row: str, column: str) -> str:
        """The links of one cell, or a dash."""
        return " \u00b7 ".join(kpi_link(kpis[code], meeting) for code in cells[(row, column)]) or "\u2014"

    if width < MATRIX_TABLE_FROM:
        for row, label in summary.MATRIX_ROWS:
            filled = [(column, name) for column, name in summary.MATRIX_COLUMNS if cells[(row, column)]]
            lines = [f"- {name}: {entry(row, column)}" for column, name in filled] or ["- No KPI."]
            st.markdown(f"**{label}**\n" + "\n".join(lines))
    else:
        header = "| Variation \\ assurance | " + " | ".join(label for _, label in summary.MATRIX_COLUMNS) + " |"
        lines = [header, "|" + " --- |" * (len(summary.MATRIX_COLUMNS) + 1)]
        for row, label in summary.MATRIX_ROWS:
            entries = [entry(row, column) for column, _ in summary.MATRIX_COLUMNS]
            lines.append(f"| **{label}** | " + " | ".join(entries) + " |")
        st.markdown("\n".join(lines))
    st.caption(
        "Each KPI sits in one cell: its latest point's variation (rows) and whether its process limits meet its "
        "target (columns). A dash means no KPI. Links open the KPI's page."
    )


def change_colour(result: significance.RateRatio | None) -> DeltaColour:
    """A rate ratio's colour on a metric: red for a significant rise and green for a significant fall in crime,
    grey (neutral) when the change is not significant, so the colour never says more than the test does."""
    return "inverse" if result is not None and result.significant else "off"


def since_last_meeting_panel(changes: summary.SinceLastMeeting, width: int) -> None:
    """The material changes since the last meeting in four boxes, each saying in words when there are none."""
    boxes = (
        (
            "RAG changes",
            [f"{c['name']}: {c['from'] or 'no RAG'} \u2192 {c['to']}" for c in changes["rag_changes"]],
            "No RAG rating changed.",
        ),
        (
            "New SPC signals",
            [f"{c['name']}: {summary.VARIATION_WORDS[c['variation']]}" for c in changes["new_signals"]],
            "No new special-cause signal.",
        ),
        (
            f"New figures {summary.MATERIAL_CHANGE_PERCENT:g}% or more from the last meeting's",
            [f"{c['name']}: {c['percent']:+.1f}% ({c['judgement']})" for c in changes["moved"]],
            f"No new figure moved {summary.MATERIAL_CHANGE_PERCENT:g}% or more.",
        ),
        (
            "Newly stale data",
            [f"{c['name']} (latest {c['latest']:%b %Y})" for c in changes["newly_stale"]],
            "No KPI went stale.",
        ),
    )
    for cell, (title, lines, none) in zip(grid(len(boxes), width, min_width=280), boxes, strict=True):
        with cell, st.container(border=True):
            st.markdown(f"**{title}**")
            st.markdown("\n".join(f"- {literal(line)}" for line in lines) or none)


@access.fragment()
def provenance_panel(url: str, catalogue: pd.DataFrame) -> None:
    """Every stored value of one KPI or of all, with where it came from, and a CSV of them. A fragment: choosing
    another KPI reruns this panel only, not the whole Data & sources page."""
    labels: dict[str, str] = {"": "All KPIs"} | dict(
        zip(catalogue["code"], catalogue["code"] + " \u2013 " + catalogue["name"], strict=True)
    )
    chosen = st.selectbox("Show values for", list(labels), format_func=lambda code: labels[code], key="provenance_kpi")
    provenance = measures.provenance(url, chosen or None)
    st.caption(
        f"{counted(len(provenance), 'stored value')}, superseded revisions included. City-wide crime counts are "
        "computed from the police.uk aggregate and are not listed here. Ward values of sensitive KPIs are "
        "withheld ([c]): by ward they are published only as financial-year totals on the ward map. "
        + disclosure.EXPLANATION
    )
    tables.show(provenance, first=["kpi_code"])
    st.download_button(
        "Download these values (CSV)",
        lambda: exports.csv_bytes(provenance),  # written when pressed
        file_name=f"provenance-{chosen or 'all'}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",  # a download never reruns the page
    )
