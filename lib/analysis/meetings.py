"""Meeting arithmetic: which cut-off applies, and which meeting came before (plain pandas)."""

from __future__ import annotations

from datetime import date

import pandas as pd


def previous_cutoff(meetings: pd.DataFrame, as_at: date) -> date | None:
    """The data cut-off of the latest meeting whose cut-off is before as_at (the 'previous meeting')."""
    earlier = meetings[meetings["data_cutoff"] < as_at] if not meetings.empty else meetings
    return None if earlier.empty else earlier["data_cutoff"].iloc[-1]


def label(meeting: dict) -> str:
    """'21 Nov 2024' for a selector: short enough for the sidebar (the cut-off and flags go in cutoff_note)."""
    return f"{meeting['meeting_date']:%d %b %Y}"


def cutoff_note(meeting: dict) -> str:
    """'Data to 31 Oct 2024.' under the selector, saying (once, not on every option) if the date is illustrative."""
    flag = (
        " Illustrative meeting date: an example, not the Executive's calendar." if meeting.get("illustrative") else ""
    )
    return f"Data to {meeting['data_cutoff']:%d %b %Y}.{flag}"


def nearest_earlier(meeting_dates: list[str], wanted: str) -> str | None:
    """The latest ISO meeting date on or before `wanted` (an ISO date); None if wanted is not a date or precedes
    every meeting."""
    try:
        day = date.fromisoformat(wanted)
    except ValueError:
        return None
    earlier = [d for d in meeting_dates if date.fromisoformat(d) <= day]
    return max(earlier) if earlier else None
