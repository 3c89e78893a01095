"""KPI maths and formatting on small literal data."""

from datetime import date

import pandas as pd
import pytest

from lib.analysis import kpis
from lib.core import formatting


def _values(rows):
    return pd.DataFrame(rows, columns=["kpi_code", "period_start", "period_end", "value", "illustrative"])


def test_latest_value_prefers_latest_end_then_shorter_period_then_real():
    values = _values(
        [
            ("A", date(2024, 1, 1), date(2024, 1, 31), 1.0, True),
            ("A", date(2024, 2, 1), date(2024, 2, 29), 2.0, True),
            ("A", date(2023, 3, 1), date(2024, 2, 29), 12.0, False),
            ("B", date(2024, 2, 1), date(2024, 2, 29), 5.0, True),
            ("B", date(2024, 2, 1), date(2024, 2, 29), 6.0, False),
        ]
    )
    latest = kpis.latest_values(values).set_index("kpi_code")
    assert latest.loc["A", "value"] == 2.0
    assert latest.loc["B", "value"] == 6.0


def test_freshness_marks_overdue_monthly_one_off_and_missing():
    catalogue = pd.DataFrame(
        {"code": ["M", "P", "N"], "name": ["m", "p", "n"], "frequency": ["monthly", "period", "monthly"]}
    )
    values = _values(
        [
            ("M", date(2024, 8, 1), date(2024, 8, 31), 1.0, True),
            ("M", date(2024, 9, 1), date(2024, 9, 30), 1.0, False),
            ("P", date(2023, 4, 1), date(2024, 3, 31), 9.0, False),
        ]
    )
    fresh = kpis.freshness(values, catalogue, as_of=date(2024, 12, 15)).set_index("code")
    assert fresh.loc["M", "status"] == "overdue" and fresh.loc["M", "days_since_latest"] == 76
    assert (fresh.loc["M", "real_values"], fresh.loc["M", "illustrative_values"]) == (1, 1)
    assert fresh.loc["P", "status"] == "one-off figure"
    assert fresh.loc["N", "status"] == "no data" and fresh.loc["N", "values"] == 0
    assert kpis.freshness(values, catalogue, as_of=date(2024, 10, 20)).set_index("code").loc["M", "status"] == (
        "up to date"
    )


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "text"),
    [
        (36.0, "minutes", "", "36 minutes"),
        (98.0, "percent", "", "98%"),
        (-37.0, "% change", "", "\u221237%"),
        (24.3, "% change", "", "+24.3%"),
        (6000.0, "safety plans", "more than", "more than 6,000 safety plans"),
        (1.0, "crimes", "", "1 crime"),
        (70.0, "percent", "as low as", "as low as 70%"),
    ],
)
def test_format_value(value, unit, qualifier, text):
    assert formatting.format_value(value, unit, qualifier) == text


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (date(2024, 9, 1), date(2024, 9, 30), "Sep 2024"),
        (date(2023, 4, 1), date(2024, 3, 31), "2023/24"),
        (date(2021, 1, 1), date(2021, 12, 31), "2021"),
        (date(2022, 2, 1), date(2022, 10, 31), "Feb 2022 to Oct 2022"),
        (date(2021, 2, 14), date(2021, 11, 1), "14 Feb 2021 to 1 Nov 2021"),
    ],
)
def test_format_period(start, end, text):
    assert formatting.format_period(start, end) == text


def test_provenance_text_says_illustrative_or_cites_the_source():
    assert "Illustrative" in formatting.provenance_text("x", "y", True)
    assert formatting.provenance_text("001.txt", "Leedswatch", False) == "Source: 001.txt \u00a7 Leedswatch."


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (35.9, "minutes", ("35.9 min", "")),
        (386.0, "safety plans", ("386", "safety plans")),
        (98.0, "percent", ("98%", "")),
        (8128.0, "crimes", ("8,128", "crimes")),
        (1.0, "crimes", ("1", "crime")),
    ],
)
def test_format_headline_splits_number_and_words(value, unit, expected):
    assert formatting.format_headline(value, unit) == expected


def test_documents_are_cited_by_title_publisher_and_date():
    from lib.core import documents

    cited = formatting.provenance_text("001_cf5d9940d488cdb5.txt", "Leedswatch", False)
    assert cited == (
        "Source: Safer Leeds Executive Annual Report 2021/22 (Safer Leeds / Leeds City Council, Feb 2023) § Leedswatch."
    )
    assert documents.cite("KPI return october.csv") == "KPI return october.csv"  # not a document: as stored
    shown = formatting.readable(
        pd.DataFrame({"kpi_code": ["A"], "period_start": [1], "source": ["004_94eba5691181e0a4.txt"]})
    )
    assert list(shown.columns) == ["KPI", "Period start", "Source"]
    assert shown["Source"].iloc[0].startswith("Safer Leeds Partnership Business Plan 2012-2015")


def test_every_source_document_is_listed_with_its_title(shared_dir):
    from lib.core import documents

    files = {p.name for p in (shared_dir / "context").glob("*.txt")}
    assert set(documents.documents()) == files
    readme = (shared_dir / "context" / "README.md").read_text(encoding="utf-8")
    for document in documents.documents().values():
        line = next(line for line in readme.splitlines() if line.startswith(f"| {document.file}"))
        assert document.published.split()[-1] in line, (document.file, document.published)  # the year it says
