"""Disclosure control against an attacker who can run every CLI command and preview any return (issue 14).

Two attacks recovered every withheld ward-month value of a sensitive KPI before they were closed:
- subtracting `saferleeds ward measure` answers for overlapping 12-month windows, some holding a single month of data;
- previewing one-row returns that guess 0-4 for a withheld cell: the right guess previewed "unchanged".
Both are run here in full against a sensitive KPI loaded by ward, and no withheld value may be pinned down.
"""

from __future__ import annotations

import json
import random
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lib import cli
from lib.analysis import measures
from lib.core import periods, roles
from lib.ingest import kpi_returns, users
from lib.ingest.kpi_values import write_kpi_values
from lib.store import db, queries

KPI = "DA_SAFETY_PLANS"
MEASURE = f"kpi:{KPI}"
FIRST = date(2022, 10, 1)
MONTHS = 25  # October 2022 to October 2024: 14 fully covered 12-month windows


def _month_end(month: date) -> date:
    return (pd.Timestamp(month) + pd.offsets.MonthEnd(0)).date()


@pytest.fixture
def ward_values(seeded_url):
    """Safety plans by ward for 25 months, a fixed random mix with many counts of 0-4: {(ward, month): value}."""
    rng = random.Random(14)
    wards = queries.wards(seeded_url)["code"].tolist()
    truth = {}
    rows = []
    for ward in wards:
        for m in range(MONTHS):
            month = periods.add_months(FIRST, m)
            value = rng.choice([0, 1, 2, 3, 4]) if rng.random() < 0.4 else rng.randint(5, 30)
            truth[(ward, month)] = value
            rows.append(
                {
                    "kpi_code": KPI,
                    "area_code": ward,
                    "period_start": month,
                    "period_end": _month_end(month),
                    "value": float(value),
                    "illustrative": False,
                    "source": "test return",
                    "source_section": "",
                }
            )
    with db.get_engine(seeded_url).begin() as connection:
        write_kpi_values(connection, rows, None)
    return seeded_url, truth


def _cli(capsys, *args: str) -> tuple[int, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out


def _published_equations(url: str, capsys, wards: list[str], months: list[date]):
    """Every linear equation the attacker gets from `ward measure` over every 12-month window and basis: a row of
    coefficients over the (ward, month) unknowns and the published value. Refused windows give nothing."""
    index = {(ward, month): i for i, (ward, month) in enumerate((w, m) for w in wards for m in months)}
    equations, refused = [], 0
    last_months = [periods.add_months(FIRST, m) for m in range(-12, MONTHS + 12)]  # windows reaching past the data
    for last in last_months:
        for basis in ("count", "change"):
            code, out = _cli(
                capsys, "--database-url", url, "ward", "measure", MEASURE, "--period", f"12m:{last:%Y-%m}",
                "--basis", basis, "--json",
            )  # fmt: skip
            if code != 0:
                refused += 1
                continue
            payload = json.loads(out)
            window = periods.rolling(last)
            inside = [m for m in months if window.first <= m <= window.last]
            earlier = periods.rolling(periods.add_months(last, -12))
            before = [m for m in months if earlier.first <= m <= earlier.last]
            for row in payload["wards"]:
                for value, span in ((row["value"], inside), (row.get("previous_value"), before)):
                    if value is not None and span:
                        equation = np.zeros(len(index))
                        for month in span:
                            equation[index[(row["ward_code"], month)]] = 1
                        equations.append(equation)
            city = np.zeros(len(index))  # the Leeds total is the sum over every ward, hidden ones included
            for ward in wards:
                for month in inside:
                    city[index[(ward, month)]] = 1
            equations.append(city)
    return index, np.array(equations), refused


def test_overlapping_windows_pin_no_withheld_ward_month(ward_values, capsys):
    url, truth = ward_values
    wards = sorted({ward for ward, _ in truth})
    months = sorted({month for _, month in truth})
    index, matrix, refused = _published_equations(url, capsys, wards, months)
    # A value is pinned when its unit vector lies in the span of the published equations: its projection onto that
    # span (orthonormal basis: the leading right singular vectors) then has length 1.
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    basis = vt[singular > singular[0] * 1e-10]
    reach = (basis**2).sum(axis=0)
    pinned = [(ward, month, truth[(ward, month)]) for (ward, month), i in index.items() if reach[i] > 1 - 1e-8]
    assert pinned == [], f"{len(pinned)} ward-month values can be worked out, e.g. {pinned[:3]}"
    # Only the windows the map offers are answered: 14 counts, and 2 changes (both windows covered); windows reaching
    # before or after the data are refused.
    assert refused == 2 * (len(months) + 24) - (14 + 2)


def test_a_window_with_one_month_of_data_is_refused_in_one_line(ward_values, capsys):
    url, _ = ward_values
    for basis in ("count", "change"):
        code = cli.main(
            ["--database-url", url, "ward", "measure", MEASURE, "--period", "12m:2025-08", "--basis", basis, "--json"]
        )
        err = capsys.readouterr().err
        assert code == 1 and len(err.strip().splitlines()) == 1 and "fully cover" in err
    # A window the map offers still answers.
    assert cli.main(["--database-url", url, "ward", "measure", MEASURE, "--period", "12m:2024-10", "--json"]) == 0


def test_previewing_guesses_reveals_nothing_about_a_withheld_cell(ward_values, capsys, tmp_path):
    url, truth = ward_values
    hidden = [(w, m) for (w, m), v in truth.items() if v <= 4][:12]  # a sample of withheld small cells
    header = ",".join(kpi_returns.COLUMNS)
    for ward, month in hidden:
        answers = set()
        for guess in range(5):
            path = tmp_path / f"guess-{guess}.csv"
            path.write_text(f"{header}\n{KPI},{month},{_month_end(month)},{ward},{guess},,,\n")
            code, out = _cli(capsys, "--database-url", url, "import", "kpi", str(path), "--dry-run", "--json")
            assert code == 0
            payload = json.loads(out)
            answers.add(json.dumps([r["outcome"] for r in payload["rows"]]))
        assert answers == {json.dumps([kpi_returns.SENSITIVE_WARD_OUTCOME])}, (ward, month)


def test_every_preview_is_logged_with_who(ward_values, capsys, tmp_path):
    url, _ = ward_values
    path = tmp_path / "probe.csv"
    path.write_text(f"{','.join(kpi_returns.COLUMNS)}\n{KPI},2024-01-01,2024-01-31,E05011394,2,,,\n")
    users.add(url, "probe@example.org", roles.ANALYST)
    before = len(queries.import_log(url))
    assert (
        cli.main(["--database-url", url, "import", "kpi", str(path), "--dry-run", "--user", "probe@example.org"]) == 0
    )
    capsys.readouterr()
    log = queries.import_log(url)
    assert len(log) == before + 1
    newest = log.iloc[0]
    assert (newest["status"], newest["who"], newest["file_name"]) == ("previewed", "probe@example.org", "probe.csv")


def test_crime_counts_by_ward_publish_sensitive_types_only_for_a_covered_twelve_month_window(shared_seeded_url, capsys):
    vso = "Violence and sexual offences"

    def vso_rows(*args: str) -> list[dict]:
        code, out = _cli(capsys, "--database-url", shared_seeded_url, "crime", "counts", *args, "--json")
        assert code == 0
        return [r for r in json.loads(out) if r["crime_type"] == vso]

    window = vso_rows("--by", "ward,crime_type", "--from", "2023-10", "--to", "2024-09")
    assert len(window) == 33 and any(r["count"] is not None for r in window)
    for args in (
        ("--by", "ward,crime_type", "--from", "2023-11", "--to", "2024-09"),  # 11 months: window minus a month
        ("--by", "ward,crime_type", "--month", "2024-09"),
        ("--by", "ward,crime_type,month", "--from", "2023-10", "--to", "2024-09"),
    ):
        rows = vso_rows(*args)
        assert rows and all(r["count"] is None and r["suppressed"] == "[c]" for r in rows), args
    # Other types are unaffected.
    code, out = _cli(
        capsys, "--database-url", shared_seeded_url, "crime", "counts", "--by", "ward,crime_type", "--month",
        "2024-09", "--json",
    )  # fmt: skip
    burglary = [r for r in json.loads(out) if r["crime_type"] == "Burglary"]
    assert all(r["count"] is not None for r in burglary)


def test_measures_module_names_the_check(ward_values):
    url, _ = ward_values
    with pytest.raises(ValueError, match="fully cover"):
        measures.ward_table(url, MEASURE, periods.parse("12m:2025-08"), measures.COUNT)
