"""The embedded default data: documented facts exactly as the documents give them, loaded once, never overwritten."""

import csv
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select

from lib.core.config import PROJECT_ROOT
from lib.ingest import seed
from lib.ingest.kpi_values import write_kpi_values
from lib.store import db, queries, reads
from lib.store.models import ImportBatch, KpiValue

DATA_DIR = PROJECT_ROOT / "data" / "areas" / "leeds"

# (KPI, period start, period end, area, value): each typed in from the document it cites, not from seed_facts.csv.
DOCUMENTED = [
    ("DS1_RESPONSE", "2021-02-14", "2021-11-01", "DS1", 63),  # 001 § DS1: "... was 63 minutes"
    ("DS1_RESPONSE", "2022-02-14", "2022-11-01", "DS1", 36),  # 001 § DS1: "... was 36 minutes"
    ("DS1_TRIAGE", "2021-10-01", "2021-10-31", "DS1", 56),  # 001 § DS1: "56 minutes in October 2021"
    ("DS1_TRIAGE", "2022-10-01", "2022-10-31", "DS1", 17),  # 001 § DS1: "October 2022 ... 17 minutes"
    ("DS1_ATTENDANCE", "2022-07-01", "2022-11-05", "DS1", 95),  # 001 § DS1: "95% of all calls"
    ("DS1_ATTENDANCE", "2022-09-01", "2022-09-30", "DS1", 98),  # 001 § DS1: "as high as 98% in September 2022"
    ("DS1_ATTENDANCE", "2021-01-01", "2021-12-31", "DS1", 70),  # 001 § DS1: "as low as 70%"
    ("DS1_CALLS_CHANGE", "2022-02-01", "2022-10-31", "DS1", -37),  # 001 § DS1: "The reduction equates to 37%"
    ("STUDENT_NOISE_CHANGE", "2023-04-01", "2024-03-31", "DS1", -50),  # 000: "50% reduction ... 2023/24"
    ("DA_SAFETY_PLANS", "2021-11-01", "2022-10-31", "E08000035", 6000),  # 001 § SP2: "more than 6,000"
    ("DA_SAFETY_PLANS", "2023-04-01", "2024-03-31", "E08000035", 4672),  # 000: "4672 victims ... safety plans"
    ("WALKSAFE_DOWNLOADS", "2023-09-01", "2024-02-29", "E08000035", 3500),  # 000: "more than 3500 people"
    ("WALKSAFE_USES", "2023-09-01", "2024-02-29", "E08000035", 26000),  # 000: "over 26,000 times"
    ("HAREHILLS_CRIME_CHANGE", "2023-05-01", "2024-08-31", "E05011394", -40),  # 000: "40% reduction"
    ("ASK_ANGELA_PREMISES", "2021-11-01", "2022-11-30", "E08000035", 601),  # 001 § City Centre: "601 premises"
    ("ASK_ANGELA_MAP_HITS", "2021-11-01", "2022-11-30", "E08000035", 7701),  # 001 § City Centre: "at 7701"
    ("LEEDSWATCH_NOISE_CHANGE", "2021-11-01", "2022-10-31", "E08000035", -34),  # 001 § Leedswatch: "34% less"
    ("LASBT_REPORTS", "2011-04-01", "2012-07-31", "E08000035", 1937),  # 004: "dealt with 1937 reports"
    ("BURGLARY_DOMESTIC_12M", "2011-06-01", "2012-05-31", "E08000035", 7080),  # 004: "7,080 ... domestic burglary"
    ("BURGLARY_DOMESTIC_CHANGE", "2011-06-01", "2012-05-31", "E08000035", -22.3),  # 004: "down 22.3%"
    ("REC_TOTAL", "2002-04-01", "2003-03-31", "E08000035", 128920),  # 004 table, 2002/03 total crime
    ("REC_TOTAL", "2011-04-01", "2012-03-31", "E08000035", 70445),  # 004 table, 2011/12 total crime
    ("REC_BURGLARY", "2011-04-01", "2012-03-31", "E08000035", 7662),  # 004 table, 2011/12 burglary
    ("REC_THEFT_OF_MV", "2009-04-01", "2010-03-31", "E08000035", 2000),  # 004 table, 2009/10 theft of MV
]


@pytest.mark.parametrize(("code", "start", "end", "area", "value"), DOCUMENTED)
def test_documented_fact_is_in_the_database(shared_seeded_url, code, start, end, area, value):
    series = queries.kpi_series(shared_seeded_url, code, area_code=area, real_only=True)
    match = series[
        (series["period_start"] == date.fromisoformat(start)) & (series["period_end"] == date.fromisoformat(end))
    ]
    assert len(match) == 1
    row = match.iloc[0]
    assert row["value"] == value
    assert not row["illustrative"]
    assert row["source"].endswith(".txt") and row["source_section"]


def test_recorded_crime_table_is_complete_and_shows_the_documented_45_percent_fall(shared_seeded_url):
    total = queries.kpi_series(shared_seeded_url, "REC_TOTAL", real_only=True)
    assert len(total) == 10
    assert [d.year for d in total["period_start"]] == list(range(2002, 2012))
    fall = 100 * (total["value"].iloc[-1] / total["value"].iloc[0] - 1)
    assert round(fall) == -45  # 004 table: "% Change (2002/03 to 2011/12) -45%"
    theft_of_mv = queries.kpi_series(shared_seeded_url, "REC_THEFT_OF_MV", real_only=True)["value"]
    assert round(100 * (theft_of_mv.iloc[-1] / theft_of_mv.iloc[0] - 1)) == -87  # table: -87%


def _document_number_forms(value: str) -> set[str]:
    """The ways a number may be written in the documents: 4672, 4,672; percentages without their sign."""
    number = value.lstrip("-")
    forms = {number}
    if "." not in number and len(number) > 3:
        forms.add(f"{int(number):,}")
    return forms


def test_every_seed_fact_quotes_a_number_and_section_found_in_its_source_document(shared_dir):
    for row in csv.DictReader((DATA_DIR / "seed_facts.csv").open(encoding="utf-8")):
        text = (shared_dir / "context" / row["source"]).read_text(encoding="utf-8")
        assert row["source_section"].split(" (")[0] in text, (row["kpi_code"], row["source_section"])
        value = row["value"][:-2] if row["value"].endswith(".0") else row["value"]
        forms = _document_number_forms(value)
        assert any(re.search(rf"(?<![\d,.]){re.escape(form)}(?![\d])", text) for form in forms), row["kpi_code"]


def test_seed_is_idempotent(seeded_url):
    with db.get_engine(seeded_url).connect() as connection:
        before = reads.table_counts(connection)
    result = seed.seed(seeded_url)
    assert (result.reference_rows, result.facts.added, result.illustrative_values.added, result.crime_rows) == (
        0,
        0,
        0,
        0,
    )
    with db.get_engine(seeded_url).connect() as connection:
        assert reads.table_counts(connection) == before


def test_seed_records_its_batches_and_flags_illustrative_rows(shared_seeded_url):
    log = queries.import_log(shared_seeded_url)
    assert set(log["kind"]) == {"seed", "illustrative"}
    assert set(log["status"]) == {"success"}
    illustrative_batch = log.loc[log["kind"] == "illustrative"].iloc[0]
    assert bool(illustrative_batch["illustrative"])
    values = queries.provenance(shared_seeded_url)
    generated = values[values["import_batch_id"] == illustrative_batch["id"]]
    assert len(generated) > 0 and generated["illustrative"].all()


def test_seed_never_overwrites_a_value_a_user_corrected(seeded_url):
    engine = db.get_engine(seeded_url)
    with engine.begin() as connection:
        batch = connection.execute(
            insert(ImportBatch).values(
                kind="kpi_return",
                file_name="fix.csv",
                sha256="0" * 64,
                who="lead",
                status="success",
                started_at=datetime(2024, 1, 1, tzinfo=UTC),
            )
        ).inserted_primary_key[0]
        write_kpi_values(
            connection,
            [
                {
                    "kpi_code": "DA_SAFETY_PLANS",
                    "area_code": "E08000035",
                    "period_start": date(2023, 4, 1),
                    "period_end": date(2024, 3, 31),
                    "value": 4680.0,
                    "illustrative": False,
                    "source": "fix.csv",
                }
            ],
            batch,
        )
    seed.seed(seeded_url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(KpiValue.value, KpiValue.revision, KpiValue.is_current)
            .where(
                KpiValue.kpi_code == "DA_SAFETY_PLANS",
                KpiValue.period_start == date(2023, 4, 1),
                KpiValue.illustrative.is_(False),
            )
            .order_by(KpiValue.revision)
        ).all()
    assert [tuple(r) for r in rows] == [(4672.0, 1, False), (4680.0, 2, True)]


def test_is_empty_tells_a_new_database_from_one_in_use(migrated_url):
    assert seed.is_empty(migrated_url)
    seed.seed(migrated_url)
    assert not seed.is_empty(migrated_url)


def test_wards_are_the_33_with_committee_areas_and_census_populations(shared_seeded_url):
    wards = queries.wards(shared_seeded_url)
    assert len(wards) == 33
    assert wards["committee_area"].nunique() == 10
    assert int(wards["population"].sum()) == 811_957  # Census 2021 usual residents, Leeds
    harehills = wards.set_index("name").loc["Gipton & Harehills"]
    assert harehills["code"] == "E05011394" and harehills["committee_area"] == "Inner East"
    garforth = wards.set_index("name").loc["Garforth & Swillington"]
    assert (garforth["code"], garforth["wd19_code"]) == ("E05013830", "E05011393")


def test_priorities_and_deliverables(shared_seeded_url):
    priorities = queries.priorities(shared_seeded_url)
    assert list(priorities["id"]) == list(range(1, 10))
    assert priorities.set_index("id").loc[2, "name"] == "Domestic Violence and Abuse"
    deliverables = queries.deliverables(shared_seeded_url).set_index("ref")
    assert deliverables.loc["P5-KD2", "status"] == "withdrawn"  # 001 § SP5: "this key deliverable is being withdrawn"
    assert deliverables["board"].notna().sum() == 36  # the 2024-27 strategy's board deliverables
