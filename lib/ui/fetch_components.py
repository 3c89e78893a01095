"""police.uk fetched by itself, on Data in and Data & sources: the last fetch (when, which months, bytes, result), the
newest month published and the newest imported, the fetch history, and Fetch now for admins (in the background,
with progress; the import inside it takes the usual import lock)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.area import current as current_area
from lib.core import roles
from lib.core.text import literal
from lib.core.vocabulary import FetchStatus
from lib.ingest.policeuk import fetch, fetch_log
from lib.store import queries
from lib.ui import access, jobs, tables

FETCH_JOB = "policeuk_fetch_job"
HISTORY_COLUMNS = ["id", "started_at", "who", "status", "months", "bytes_received", "archive_bytes", "message"]


def _megabytes(count: float | None) -> str:
    """Bytes in words."""
    return f"{(count or 0) / 1e6:,.1f} MB"


def status(url: str) -> None:
    """The last fetch and how far the data have got: published against imported."""
    fetch_log.close_stale(url)
    log = queries.policeuk_fetches(url, limit=20)
    forces = list(current_area().forces)
    newest_in = fetch.newest_imported(fetch.imported(url), forces) if forces else None
    published = next((m for m in log.get("newest_published", pd.Series(dtype=str)) if isinstance(m, str) and m), None)
    left, middle, right = st.columns(3)
    left.metric("Newest month published", published or "not yet asked", help="As police.uk's API last listed it")
    middle.metric("Newest month imported", newest_in or "none", help=f"For {', '.join(forces) or 'no force'}")
    if log.empty:
        right.metric("Last fetch", "never")
        st.caption("No police.uk fetch yet: a schedule (README) or Fetch now gets the new months by itself.")
        return
    last = log.iloc[0]
    right.metric("Last fetch", f"{last['started_at']:%d %b %Y %H:%M}", help="UTC")
    words = (
        f"Last fetch by {literal(last['who'])}: **{literal(last['status'])}**"
        f"{' (' + literal(last['months']) + ')' if last['months'] else ''}; "
        f"{_megabytes(last['bytes_received'])} received"
        + (f" of archives totalling {_megabytes(last['archive_bytes'])}" if last["archive_bytes"] else "")
        + (f". {literal(last['message'])}" if last["message"] else "")
    )
    if last["status"] == FetchStatus.RUNNING:
        st.progress(float(last["progress"] or 0), text=f"Fetching: {literal(last['progress_text'])}")
    elif last["status"] == FetchStatus.FAILED:
        st.error(words, icon=":material/error:")
    elif last["status"] == FetchStatus.INCOMPLETE:
        st.warning(words, icon=":material/warning:")
    else:
        st.success(words, icon=":material/check_circle:")


def history(url: str) -> None:
    """Every fetch, newest first."""
    log = queries.policeuk_fetches(url, limit=50)
    if log.empty:
        st.caption("No police.uk fetch yet.")
        return
    tables.show(log[HISTORY_COLUMNS], first=["id"])


def fetch_now(url: str) -> None:
    """Fetch now, for admins: runs in the background; its progress and result show here and in the fetch log."""
    acting = access.current()
    if not (roles.may_manage_catalogue(acting) and roles.may_load_crime(acting)):
        st.caption("An admin can fetch the new months now; a schedule fetches them by itself (README).")
        return
    if st.session_state.get(FETCH_JOB):
        jobs.panel(FETCH_JOB)
    job = jobs.get(st.session_state.get(FETCH_JOB))
    running = job is not None and job.state == "running"
    if st.button("Fetch now", icon=":material/cloud_download:", key="policeuk_fetch_now", disabled=running):
        user = acting.label

        def work(progress: jobs.Progress) -> tuple[bool, str]:
            """Fetch and import; how it ended."""
            try:
                result = fetch.fetch(url, user=user, actor=acting, progress=progress)
            except (fetch.FetchError, fetch_log.FetchBusyError) as error:
                return False, literal(error)
            return result.ok, f"police.uk fetch {literal(result.status)}: {literal(result.message)}"

        st.session_state[FETCH_JOB] = jobs.start("police.uk fetch", work)
        st.rerun()
