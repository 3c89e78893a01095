"""The meeting summary: RAG, changes judged by direction, as-at cut-offs, and the JSON command."""

import json
from datetime import date, timedelta

import pandas as pd
import pytest

from lib import cli
from lib.analysis import kpis, spc, summary
from lib.store import queries


@pytest.mark.parametrize(
    ("value", "target", "kind", "rag"),
    [
        (100, 120, "maximum", "green"),
        (110, 120, "maximum", "amber"),
        (121, 120, "maximum", "red"),
        (140, 120, "minimum", "green"),
        (125, 120, "minimum", "amber"),
        (119, 120, "minimum", "red"),
        (5, None, None, None),
    ],
)
def test_rag_status(value, target, kind, rag):
    assert kpis.rag_status(value, target, kind) == rag


@pytest.mark.parametrize(
    ("change", "direction", "word"),
    [
        (-10, "lower_is_better", "better"),
        (10, "lower_is_better", "worse"),
        (10, "higher_is_better", "better"),
        (-3, "higher_is_better", "worse"),
        (0.01, "higher_is_better", "no change"),
        (5, "neutral", "up"),
    ],
)
def test_changes_are_judged_by_direction_not_sign(change, direction, word):
    assert kpis.judged_change(change, direction) == word


def _kpi(**overrides):
    return {
        "code": "X",
        "name": "Response",
        "priority_id": 1,
        "unit": "minutes",
        "direction": "lower_is_better",
        "target": 120.0,
        "target_type": "maximum",
        "frequency": "monthly",
        "rag_rule": "",
        "definition": "",
    } | overrides


def _monthly_values(values, start=date(2022, 1, 1)):
    starts = pd.date_range(start, periods=len(values), freq="MS")
    ends = (starts + pd.offsets.MonthEnd(0)).date
    return pd.DataFrame(
        {
            "kpi_code": "X",
            "period_start": starts.date,
            "period_end": ends,
            "value": [float(v) for v in values],
            "illustrative": False,
            "qualifier": "",
            "source": "s",
            "source_section": "t",
        }
    )


def test_summary_of_a_hand_made_series():
    values = _monthly_values([60, 62] * 7 + [30])  # 15 months, the last far below the limits
    item = summary.kpi_summary(_kpi(), values, as_at=date(2023, 3, 31), previous_cutoff=date(2023, 1, 31))
    assert item["value"] == 30 and item["period_end"] == date(2023, 3, 31)
    assert item["rag"] == "green"
    assert item["change_vs_last_year"] == {"percent": pytest.approx(-50.0), "judgement": "better"}  # Mar 2022: 60
    assert item["change_vs_previous_meeting"] == {"percent": pytest.approx(-50.0), "judgement": "better"}  # Jan: 60
    assert item["spc"]["variation"] == spc.IMPROVEMENT and item["spc"]["assurance"] == spc.PASSING
    assert item["narrative"].startswith("Response was 30 minutes in Mar 2023")
    assert "120 minutes target" in item["narrative"]


def test_summary_never_uses_data_after_the_as_at_date():
    values = _monthly_values([60, 62] * 7 + [30])
    item = summary.kpi_summary(_kpi(), values, as_at=date(2023, 2, 27), previous_cutoff=None)
    assert item["period_end"] == date(2023, 1, 31) and item["value"] == 60
    assert max(item["sparkline"]) == 62 and 30 not in item["sparkline"]


def test_stale_when_no_value_for_longer_than_the_frequency():
    values = _monthly_values([10] * 3)
    assert summary.kpi_summary(_kpi(), values, date(2022, 6, 30), None)["stale"]
    assert not summary.kpi_summary(_kpi(), values, date(2022, 4, 30), None)["stale"]


def test_a_one_off_figure_is_stale_two_years_after_its_period_ends():
    """A 2011/12 documented figure in a 2024 meeting's cards is flagged; one from the last annual report is not."""
    from lib.analysis import kpis

    assert kpis.is_stale("period", date(2012, 3, 31), date(2024, 10, 31))
    assert not kpis.is_stale("period", date(2023, 3, 31), date(2024, 10, 31))
    assert kpis.is_stale("period", date(2022, 10, 30), date(2024, 10, 31))  # 732 days
    assert not kpis.is_stale("period", date(2022, 11, 1), date(2024, 10, 31))  # 730 days


def test_since_last_meeting_lists_rag_moves_new_signals_and_newly_stale():
    before = [
        {"code": "A", "name": "a", "rag": "green", "stale": False, "spc": {"variation": spc.COMMON}},
        {"code": "B", "name": "b", "rag": None, "stale": False, "spc": {"variation": spc.COMMON}},
    ]
    now = [
        {"code": "A", "name": "a", "rag": "red", "stale": False, "spc": {"variation": spc.CONCERN}},
        {
            "code": "B",
            "name": "b",
            "rag": None,
            "stale": True,
            "period_end": date(2024, 1, 31),
            "spc": {"variation": spc.COMMON},
        },
    ]
    changes = summary.since_last_meeting(now, before)
    assert changes["rag_changes"] == [{"code": "A", "name": "a", "from": "green", "to": "red"}]
    assert [c["code"] for c in changes["new_signals"]] == ["A"]
    assert [c["code"] for c in changes["newly_stale"]] == ["B"]


def test_meetings_are_seeded_bi_monthly_and_flagged(shared_seeded_url):
    meetings = queries.meetings(shared_seeded_url)
    assert len(meetings) == 22 and meetings["illustrative"].all()
    assert meetings["meeting_date"].iloc[0] == date(2021, 5, 20) and meetings["data_cutoff"].iloc[0] == date(
        2021, 4, 30
    )
    assert all(d.weekday() == 3 for d in meetings["meeting_date"])


def test_kpi_summary_json_as_at(capsys, shared_seeded_url):
    assert cli.main(["--database-url", shared_seeded_url, "kpi", "summary", "--json", "--as-at", "2022-12-31"]) == 0
    rows = {r["code"]: r for r in json.loads(capsys.readouterr().out)}
    assert len(rows) == len(queries.kpi_catalogue(shared_seeded_url))
    triage = rows["DS1_TRIAGE"]
    assert {
        "code",
        "period_start",
        "period_end",
        "value",
        "target",
        "rag",
        "change_vs_last_year",
        "change_vs_previous_meeting",
        "spc",
        "stale",
        "illustrative",
    } <= set(triage)
    assert triage["period_end"] == "2022-12-31" and triage["rag"] == "green" and triage["target"] == 120
    assert set(triage["spc"]) >= {"variation", "assurance", "signals"}
    assert all(r["period_end"] is None or r["period_end"] <= "2022-12-31" for r in rows.values())
    assert rows["DA_SAFETY_PLANS"]["change_vs_previous_meeting"] is not None


def test_since_last_meeting_lists_new_figures_that_moved_ten_percent_or_more():
    def item(code, percent):
        change = None if percent is None else {"percent": percent, "judgement": "worse" if percent > 0 else "better"}
        return {
            "code": code,
            "name": code,
            "rag": None,
            "stale": False,
            "spc": {"variation": spc.COMMON},
            "change_vs_previous_meeting": change,
        }

    before = [item(code, None) for code in "ABCD"]
    now = [item("A", 12.0), item("B", -10.0), item("C", 9.9), item("D", None)]
    moved = summary.since_last_meeting(now, before)["moved"]
    assert [(c["code"], c["percent"], c["judgement"]) for c in moved] == [("A", 12.0, "worse"), ("B", -10.0, "better")]


def test_a_kpi_with_no_new_figure_since_the_last_meeting_reports_no_change():
    kpi = {
        "code": "K",
        "name": "K",
        "priority_id": 1,
        "unit": "count",
        "direction": "lower_is_better",
        "target": None,
        "target_type": None,
        "frequency": "monthly",
    }
    starts = [date(2024, m, 1) for m in range(1, 4)]
    values = pd.DataFrame(
        {
            "kpi_code": "K",
            "area_code": "E08000035",
            "period_start": starts,
            "period_end": [date(2024, m + 1, 1) - timedelta(days=1) for m in range(1, 4)],
            "value": [10.0, 12.0, 30.0],
            "qualifier": "",
            "illustrative": False,
            "source": "",
            "source_section": "",
        }
    )
    # The previous meeting saw March too: no new figure, so nothing "since the last meeting".
    same = summary.kpi_summary(kpi, values, date(2024, 4, 30), date(2024, 3, 31))
    assert same["change_vs_previous_meeting"] is None
    # It saw February: March is new, a 150% rise (worse, lower being better).
    new = summary.kpi_summary(kpi, values, date(2024, 4, 30), date(2024, 2, 29))
    assert new["change_vs_previous_meeting"] == {"percent": 150.0, "judgement": "worse"}


def test_current_figures_lead_and_one_off_history_goes_last():
    items = [
        {"code": "OLD", "period_end": date(2012, 3, 31)},
        {"code": "NONE", "period_end": None},
        {"code": "NOW", "period_end": date(2024, 9, 30)},
        {"code": "MID", "period_end": date(2022, 10, 31)},
    ]
    assert [i["code"] for i in summary.current_first(items)] == ["NOW", "MID", "OLD", "NONE"]
