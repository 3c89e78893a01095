"""What a board member reads on a KPI tile for each SPC rule: the sentence names the rule, the badge says the
verdict in words with the Making Data Count colour and icon (never colour alone)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

CASES = {  # series (oldest first), direction, what the sentence must say, the badge's words, colour, icon
    "outside": (
        [10, 12] * 5 + [10, 30],
        "higher_is_better",
        "an improvement (above the upper process limit)",
        ("Special cause improvement", "blue", "thumb_up"),
    ),
    "shift": (
        [12, 13] * 5 + [11.5, 11.2, 11.4, 11.3, 11.5, 11.2, 11.4],
        "lower_is_better",
        "an improvement (7 months in a row below the average)",
        ("Special cause improvement", "blue", "thumb_up"),
    ),
    "trend": (
        [10, 11] * 4 + [10, 10.2, 10.4, 10.6, 10.8, 11.0, 11.2],
        "lower_is_better",
        "a concern (6 months in a row rising)",
        ("Special cause concern", "orange", "warning"),
    ),
    "two in three": (
        [10, 10.4] * 4 + [10, 12.5, 11.0, 12.5],
        "higher_is_better",
        "an improvement (2 of the last 3 months close to the upper limit)",
        ("Special cause improvement", "blue", "thumb_up"),
    ),
    "neutral": (
        [10, 12] * 5 + [10, 30],
        "neutral",
        "unusual, though neither better nor worse (above the upper process limit)",
        ("Special cause: high", "violet", "north"),
    ),
}


def _tile(values: list[float], direction: str) -> None:
    """A KPI tile for a made-up monthly series, through the real summary and tile."""
    from datetime import date

    import pandas as pd

    from lib.analysis import summary
    from lib.core import periods
    from lib.ui import components

    starts = [periods.add_months(date(2023, 1, 1), i) for i in range(len(values))]
    frame = pd.DataFrame(
        {
            "kpi_code": "TEST",
            "area_code": "E08000035",
            "period_start": starts,
            "period_end": [periods.month_end(d) for d in starts],
            "value": values,
            "qualifier": "",
            "illustrative": False,
            "source": "test",
            "source_section": "",
        }
    )
    kpi = {
        "code": "TEST",
        "name": "Test KPI",
        "priority_id": 1,
        "unit": "count",
        "direction": direction,
        "target": None,
        "target_type": None,
        "frequency": "monthly",
        "definition": "A test KPI.",
        "rag_rule": "none",
        "area_name": "Leeds",
    }
    item = summary.kpi_summary(kpi, frame, frame["period_end"].max(), None)
    components.kpi_tile(kpi, item)


@pytest.mark.parametrize("case", list(CASES))
def test_the_tile_names_the_rule_and_shows_the_verdict_in_words_and_colour(case):
    values, direction, sentence, (words, colour, icon) = CASES[case]
    at = AppTest.from_function(_tile, args=(values, direction), default_timeout=30).run()
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert sentence in captions, captions
    badges = [b.proto for b in at.get("badge")] if at.get("badge") else []
    markdown = " ".join(m.value for m in at.markdown)
    shown = f"{markdown} {' '.join(str(b) for b in badges)}"
    assert words in shown and colour in shown and icon in shown, shown
