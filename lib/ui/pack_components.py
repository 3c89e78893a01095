"""The Overview's board pack: prepared on request for the chosen meeting (a few seconds, with a progress bar), then
downloaded as PowerPoint or PDF. Anonymous visitors of public pages are not offered it: it holds the leads' reports
and the actions."""

from __future__ import annotations

import streamlit as st

from lib.analysis import agenda
from lib.core import roles
from lib.pack import content, files
from lib.store import cache
from lib.ui import access

PACK_KEY = "board_pack"


def board_pack(url: str, plan: agenda.Agenda) -> None:
    """Prepare, then download, the chosen meeting's board pack."""
    if access.current().role == roles.PUBLIC:
        return
    meeting = plan.dates.meeting
    key = (url, meeting, cache.current_version(url))  # a pack prepared before any change is not offered
    with st.expander(
        f"Board pack for the meeting of {meeting:%d %B %Y} (PowerPoint and PDF)", icon=":material/slideshow:"
    ):
        ready = st.session_state.get(PACK_KEY)
        if (ready is None or ready[0] != key) and st.button("Prepare the board pack", icon=":material/build:"):
            bar = st.progress(0.0, "Starting")

            def advance(fraction: float, text: str) -> None:
                """Move the bar while the pack's content is read."""
                bar.progress(fraction * 0.8, text)

            pack = content.build(url, meeting, advance)
            bar.progress(0.85, "Writing the PowerPoint")
            pptx = files.render(pack, ".pptx")
            bar.progress(0.95, "Writing the PDF")
            pdf = files.render(pack, ".pdf")
            bar.progress(1.0, "Ready")
            ready = st.session_state[PACK_KEY] = (key, pptx, pdf)
        if ready is None or ready[0] != key:
            st.caption(
                "Every section of the meeting's performance report: exceptions with the leads' reports, the headline "
                "KPIs with their SPC charts, each priority, crime and the ward map, actions and decisions, sources."
            )
            return
        stem = f"safer-leeds-board-pack-{meeting.isoformat()}"
        with st.container(horizontal=True):
            for suffix, label in ((".pptx", "PowerPoint"), (".pdf", "PDF")):
                st.download_button(
                    f"Download the board pack ({label})",
                    ready[1] if suffix == ".pptx" else ready[2],
                    file_name=stem + suffix,
                    mime=files.MEDIA_TYPES[suffix],
                    icon=":material/download:",
                    key=f"pack_{suffix}",
                )
