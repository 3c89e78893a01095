"""Imports that outlive the page: a browser import runs in a thread of the server process, not in the page's script,
so changing a widget or another page does not stop it; the page polls its progress and shows how it ended when the
person comes back. The import logs itself as running before it writes (lib/ingest/locking.py), so the import log
shows it whatever happens to the page, the session or the server.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import streamlit as st

from lib.core.text import literal
from lib.ingest import files, locking
from lib.ui import access

Progress = Callable[[float, str], None]
LOG = logging.getLogger(__name__)
KEEP = 200  # finished jobs remembered per server process (each is a few lines of text)


@dataclass
class Job:
    """One import running in the background: what it is, how far it has got, and how it ended."""

    label: str
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    fraction: float = 0.0
    text: str = "Starting"
    state: str = "running"  # running | done | refused | failed
    outcome: str = ""  # what happened, in words (markdown-safe)


_jobs: dict[str, Job] = {}
_guard = threading.Lock()


def start(label: str, work: Callable[[Progress], tuple[bool, str]]) -> str:
    """Run work(progress) in a thread of this process; work returns (went in, what happened). The job's id."""
    job_id = uuid.uuid4().hex
    job = Job(label)

    def progress(fraction: float, text: str) -> None:
        """Note how far the work has got."""
        job.fraction, job.text = min(1.0, max(0.0, fraction)), text

    def run() -> None:
        """Do the work and record how it ended; never raises."""
        try:
            went_in, job.outcome = work(progress)
            job.state = "done" if went_in else "refused"
        except (files.ImportRejectedError, locking.ImportBusyError) as error:
            job.state, job.outcome = "failed", f"Nothing was imported: {literal(error)}"
        except Exception as error:  # noqa: BLE001 - shown plainly; the log keeps the detail
            LOG.exception("import job %s failed", job_id)
            job.state = "failed"
            job.outcome = f"Nothing was imported: {literal(type(error).__name__)}: {literal(error)}"

    with _guard:
        _jobs[job_id] = job
        for old in [key for key, value in _jobs.items() if value.state != "running"][:-KEEP]:
            del _jobs[old]
    threading.Thread(target=run, name=f"import-{job_id[:8]}", daemon=True).start()
    return job_id


def get(job_id: str | None) -> Job | None:
    """A job of this process by id (None if unknown: another process, or the server restarted)."""
    return _jobs.get(job_id) if job_id else None


@access.fragment(run_every=1.0)
def panel(session_key: str) -> None:
    """The session's job under session_key: a progress bar while it runs (polled every second), then how it ended,
    until the person dismisses it."""
    job = get(st.session_state.get(session_key))
    if job is None:
        if st.session_state.pop(session_key, None):
            st.info("The import's progress is no longer held here (the server restarted?): see the import log.")
        return
    if job.state == "running":
        st.progress(job.fraction, text=f"{literal(job.label)}: {literal(job.text)}")
        st.caption("You can leave this page: the import carries on, and the import log records how it ends.")
        return
    show = {"done": st.success, "refused": st.warning, "failed": st.error}[job.state]
    show(job.outcome, icon=":material/check_circle:" if job.state == "done" else ":material/error:")
    if st.button("Dismiss", key=f"{session_key}_dismiss"):
        st.session_state.pop(session_key, None)
        st.rerun()
