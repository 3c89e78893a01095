"""What pages and the command line read of the meeting's records: exception reports, actions and their updates,
decisions. Small tables, cached in the app under the data version like every other read (lib/store/cache.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlmodel import col

from lib.store.cache import cached
from lib.store.models import ActionUpdate, Decision, KpiReport, MeetingAction, MeetingChange
from lib.store.queries import select_frame

REPORT_COLUMNS = [c.name for c in KpiReport.__table__.columns]  # type: ignore[attr-defined]


@cached
def reports(url: str, meeting_date: date | None = None, current_only: bool = True) -> pd.DataFrame:
    """Exception reports and commentary (the current revision of each, or every revision), oldest meeting first."""
    statement = select(KpiReport).order_by(
        col(KpiReport.meeting_date), col(KpiReport.kpi_code), col(KpiReport.revision)
    )
    if meeting_date is not None:
        statement = statement.where(col(KpiReport.meeting_date) == meeting_date)
    if current_only:
        statement = statement.where(col(KpiReport.is_current).is_(True))
    frame = select_frame(url, statement)
    frame["is_current"] = frame["is_current"].astype(bool)
    for column in ("meeting_date", "by_when"):
        frame[column] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame[column]]
    return frame


@cached
def actions(url: str) -> pd.DataFrame:
    """Every action, oldest first, with its stored status (open, done or dropped) and latest note."""
    frame = select_frame(url, select(MeetingAction).order_by(col(MeetingAction.id)))
    updates = action_updates(url)
    notes = updates[updates["note"] != ""].groupby("action_id")["note"].last()
    frame["latest_note"] = [notes.get(i, "") for i in frame["id"]]
    for column in ("meeting_raised", "due"):
        frame[column] = [pd.Timestamp(v).date() for v in frame[column]]
    frame["priority_id"] = frame["priority_id"].astype("Int64")
    return frame


@cached
def action_updates(url: str) -> pd.DataFrame:
    """Every entry in every action's history (raised, status changes, notes), oldest first."""
    return select_frame(url, select(ActionUpdate).order_by(col(ActionUpdate.action_id), col(ActionUpdate.id)))


@cached
def decisions(url: str, meeting_date: date | None = None) -> pd.DataFrame:
    """Decisions, by meeting then as recorded."""
    statement = select(Decision).order_by(col(Decision.meeting_date), col(Decision.id))
    if meeting_date is not None:
        statement = statement.where(col(Decision.meeting_date) == meeting_date)
    frame = select_frame(url, statement)
    frame["meeting_date"] = [pd.Timestamp(v).date() for v in frame["meeting_date"]]
    frame["priority_id"] = frame["priority_id"].astype("Int64")
    return frame


@cached
def meeting_changes(url: str) -> pd.DataFrame:
    """Every meeting scheduled, corrected or removed, newest first: when, who, what, the dates before and after."""
    return select_frame(url, select(MeetingChange).order_by(col(MeetingChange.at).desc(), col(MeetingChange.id).desc()))
