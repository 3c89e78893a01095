"""Shared Streamlit components: the KPI tile, the illustrative badge and the database guard. Pages call these."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib import db, queries
from lib.formatting import format_headline, format_period, provenance_text

STATUS_ICONS = {"on track": ":material/check_circle:", "at risk": ":material/warning:",
                "complete": ":material/task_alt:", "withdrawn": ":material/block:",
                "not yet reported": ":material/schedule:"}


def require_database(url: str) -> None:
    """Stop the page with a plain message (URL masked, what to do) if the database is not ready."""
    try:
        queries.check_ready(url)
    except db.DatabaseUnavailableError as error:
        st.error(str(error), icon=":material/database:")
        st.stop()


def illustrative_badge() -> None:
    """The badge that marks generated (not real) values."""
    st.badge("Illustrative", icon=":material/science:", color="orange",
             help="Generated for demonstration, calibrated to the documented figures. Not real data.")


def illustrative_notice(values: pd.DataFrame) -> None:
    """A banner when any value on the page is illustrative."""
    if not values.empty and values["illustrative"].any():
        st.info("Some figures on this page are **illustrative**: generated demonstration data, calibrated to the "
                "documented figures and badged where shown. Load real returns to replace them.",
                icon=":material/science:")


def kpi_tile(kpi: dict, latest: dict | None) -> None:
    """A bordered tile: KPI name, latest value with unit and period, illustrative badge, provenance on hover."""
    with st.container(border=True):
        if latest is None:
            st.markdown(f"**{kpi['name']}**", help=kpi["definition"])
            st.metric(kpi["name"], "No data yet", label_visibility="collapsed")
            st.caption(f"{kpi['area_name']} \u00b7 no values loaded")
            return
        provenance = provenance_text(latest["source"], latest.get("source_section") or "",
                                     bool(latest["illustrative"]), latest.get("note") or "")
        st.markdown(f"**{kpi['name']}**", help=f"{kpi['definition']}\n\n{provenance}")
        number, words = format_headline(latest["value"], kpi["unit"])
        qualifier = latest.get("qualifier") or ""
        st.metric(kpi["name"], f"{qualifier} {number}".strip(), label_visibility="collapsed")
        period = format_period(latest["period_start"], latest["period_end"])
        st.caption(" \u00b7 ".join(part for part in (words, period, kpi["area_name"]) if part))
        if latest["illustrative"]:
            illustrative_badge()


def status_label(status: str) -> str:
    """A deliverable status as icon plus word (never colour alone)."""
    return f"{STATUS_ICONS.get(status, '')} {status.capitalize()}"
