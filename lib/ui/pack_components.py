"""The Overview's board pack: prepared on request for the chosen meeting (a few seconds, with a progress bar), then
downloaded as PowerPoint or PDF. Anonymous visitors of public pages are not offered it: it holds the leads' reports
and the actions."""

from __future__ import annotations

import logging

import streamlit as st

from lib.analysis import agenda
from lib.analysis.measures import slug
from lib.area import current as current_area
from lib.core import roles
from lib.pack import content, files
from lib.store import cache
from lib.ui import access

PACK_KEY = "board_pack"
FORMATS = ((".pptx", "PowerPoint"), (".pdf", "PDF"))
LOGGER = logging.getLogger(__name__)


def _rendered(pack: content.Pack, suffix: str, label: str) -> content.Rendered | str:
    """One format's bytes, or (if it cannot be written) what to tell the reader: one format failing never takes the
    other down. The failure is logged with its traceback for the administrator."""
    try:
        return files.render(pack, suffix)
    except Exception as error:  # noqa: BLE001 - any writer failure is reported in words, the other format kept
        LOGGER.exception("the board pack's %s could not be written", label)
        return (
            f"The {label} could not be written ({type(error).__name__}); the other format is ready. The server's log "
            "has the details for the administrator."
        )


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
            written = {}
            for step, (suffix, label) in enumerate(FORMATS):
                bar.progress(0.85 + 0.1 * step, f"Writing the {label}")
                written[suffix] = _rendered(pack, suffix, label)
            bar.progress(1.0, "Ready")
            ready = st.session_state[PACK_KEY] = (key, written)
        if ready is None or ready[0] != key:
            st.caption(
                "Every section of the meeting's performance report: exceptions with the leads' reports, the headline "
                "KPIs with their SPC charts, each priority, crime and the ward map, actions and decisions, sources."
            )
            return
        stem = f"{slug(current_area().partnership)}-board-pack-{meeting.isoformat()}"
        with st.container(horizontal=True):
            for suffix, label in FORMATS:
                written = ready[1][suffix]
                if isinstance(written, str):
                    st.error(written, icon=":material/error:")
                    continue
                st.download_button(
                    f"Download the board pack ({label})",
                    written.data,
                    file_name=stem + suffix,
                    mime=files.MEDIA_TYPES[suffix],
                    icon=":material/download:",
                    on_click="ignore",  # a download never reruns the page
                    key=f"pack_{suffix}",
                )
        for written in ready[1].values():
            for note in [] if isinstance(written, str) else written.notes:
                st.warning(note, icon=":material/font_download_off:")
