"""Disclosure control against an attacker who can run every CLI command, read every public page and preview any
return (issues 14 and 26). Each attack below recovered withheld counts before it was closed, and is run here in full:

- subtracting `saferleeds ward measure` answers for overlapping windows (rolling 12 months a month apart, windows
  reaching past the data), solved as a linear system;
- the same answers solved as an integer program (scipy's milp) with what the labels promise: `<5` is 1-4, `[c]` is
  from 5 to the smallest published count, counts are whole numbers, and the city's monthly figures are exact. It
  pinned hidden counts that the linear span alone could not. Sensitive measures by ward now come only by financial
  year, and financial years never overlap;
- a ward holding one month of a sensitive KPI, published as its "12-month" value;
- `crime counts --real-only` over a window whose real months are fewer than twelve;
- a ward's monthly crime total (the Crime page) less its other crime types by month (the Ward map);
- previewing one-row returns that guess 0-4 for a withheld cell.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp
from sqlalchemy import text

from lib import cli
from lib.analysis import crime, measures
from lib.area import events
from lib.core import periods, roles
from lib.core.vocabulary import POLICE_UK_CRIME_TYPES
from lib.ingest import kpi_returns, users, versions
from lib.ingest.kpi_values import write_kpi_values
from lib.store import db, queries

LEEDS_CODE = "E08000035"  # the Leeds area's partnership-wide code (data/areas/leeds/area.toml)

KPI = "DA_SAFETY_PLANS"
MEASURE = f"kpi:{KPI}"
VSO = "Violence and sexual offences"
VSO_MEASURE = f"crime:{measures.slug(VSO)}"
FIRST = date(2021, 4, 1)
MONTHS = 43  # April 2021 to October 2024: three whole financial years and 32 rolling 12-month windows
HAREHILLS, HAREWOOD = "E05011394", "E05011396"


def _month_end(month: date) -> date:
    return periods.month_end(month)


def _kpi_row(ward: str, month: date, value: float) -> dict:
    return {
        "kpi_code": KPI,
        "area_code": ward,
        "period_start": month,
        "period_end": _month_end(month),
        "value": float(value),
        "illustrative": False,
        "source": "test return",
        "source_section": "",
    }


def _sparse_truth(url: str, seed: int) -> dict[tuple[str, date], int]:
    """A ward x month mix an attacker would like: most wards busy, a third sparse (a case in about a third of months),
    so that 12-month totals of 1 to 4 sit beside published 5s and 6s: the labels then bound the hidden cells tightly.
    On the rolling windows of commit 38cbba0 the integer program pinned hidden cells of this mix exactly."""
    rng = random.Random(seed)
    wards = queries.wards(url)["code"].tolist()
    truth = {}
    for i, ward in enumerate(wards):
        for m in range(MONTHS):
            month = periods.add_months(FIRST, m)
            truth[(ward, month)] = (1 if rng.random() < 0.35 else 0) if i % 3 == 0 else rng.randint(0, 9)
    return truth


@pytest.fixture
def ward_values(seeded_url):
    """Safety plans by ward for 43 months (sparse in a third of the wards), and Leeds's monthly figure as their sum:
    {(ward, month): value}."""
    truth = _sparse_truth(seeded_url, 26)
    rows = [_kpi_row(ward, month, value) for (ward, month), value in truth.items()]
    months = sorted({month for _, month in truth})
    rows += [_kpi_row(LEEDS_CODE, m, sum(v for (_, mm), v in truth.items() if mm == m)) for m in months]
    with db.get_engine(seeded_url).begin() as connection:
        write_kpi_values(connection, rows, None)
    return seeded_url, truth


@pytest.fixture
def vso_values(seeded_url):
    """Violence and sexual offences by ward rewritten to the same sparse mix (the aggregate the pages read)."""
    truth = _sparse_truth(seeded_url, 27)
    with db.get_engine(seeded_url).begin() as connection:
        connection.execute(
            text("UPDATE crimemonthly SET count = :n WHERE ward_code = :w AND month = :m AND crime_type = :t"),
            [{"n": n, "w": w, "m": m, "t": VSO} for (w, m), n in truth.items()],
        )
        versions.bump(connection)
    return seeded_url, truth


def _cli(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@dataclass
class Published:
    """Everything the attacker collected: equations (window sums of one ward, or of all wards) and hidden cells."""

    exact: list[tuple[tuple[str, ...], tuple[date, ...], float]] = field(default_factory=list)
    hidden: dict[tuple[str, tuple[date, ...]], tuple[float, float]] = field(default_factory=dict)
    answered: list[str] = field(default_factory=list)
    refused: int = 0


def _specs() -> list[str]:
    """Every period an attacker might ask for: each month and rolling window from a year before the data to a year
    after, and every financial year around them."""
    lasts = [periods.add_months(FIRST, m) for m in range(-12, MONTHS + 12)]
    return (
        [f"month:{m:%Y-%m}" for m in lasts]
        + [f"12m:{m:%Y-%m}" for m in lasts]
        + [f"fy:{y}" for y in range(FIRST.year - 1, FIRST.year + 5)]
    )


def _add_table(
    found: Published, wards: pd.DataFrame, window: tuple[date, ...], value: str, total: float, labels: bool = True
) -> None:
    """One published ward table: published cells are equations, hidden ones bounds from their labels."""
    shown = wards.dropna(subset=[value])
    found.exact.extend(((w,), window, float(v)) for w, v in zip(shown["ward_code"], shown[value], strict=True))
    found.exact.append((tuple(wards["ward_code"]), window, float(total)))
    if not labels:  # a change table's year before: its labels are those of that year's own table, collected too
        return
    published = shown[value]
    upper = float(published[published >= 5].min()) if (published >= 5).any() else float("inf")
    for ward, label in zip(wards["ward_code"], wards["shown"], strict=True):
        if ward in set(shown["ward_code"]):
            continue
        bounds = (1.0, 4.0) if label == "<5" else (5.0, upper) if upper < float("inf") else (0.0, float("inf"))
        found.hidden[(ward, window)] = bounds


def _collect(url: str, measure_id: str, data_months: list[date]) -> Published:
    """Ask for every period and basis through the map's function (the CLI, map, CSV and pack all use it); keep every
    answer, with the labels as the map's table shows them."""
    found = Published()
    for spec in _specs():
        for basis in (measures.COUNT, measures.CHANGE):
            period = periods.parse(spec)
            try:
                table = measures.ward_table(url, measure_id, period, basis)
            except ValueError:
                found.refused += 1
                continue
            found.answered.append(f"{spec} {basis}")
            window = tuple(m for m in data_months if period.first <= m <= period.last)
            _add_table(found, table.wards, window, "value", table.city["value"])
            if basis == measures.CHANGE:
                earlier = period.year_earlier()
                before = tuple(m for m in data_months if earlier.first <= m <= earlier.last)
                _add_table(found, table.wards, before, "previous_value", table.city["previous_value"], labels=False)
    return found


def _leeds_monthly(url: str, capsys, measure_id: str) -> dict[date, float]:
    """Leeds's own monthly figure, public at city level: the KPI's city rows, or crime counts by type and month."""
    if measure_id == MEASURE:
        code, out, _ = _cli(capsys, "--database-url", url, "kpi", "values", KPI, "--json")
        assert code == 0
        monthly = [
            r
            for r in json.loads(out)
            if r["ward_code"] is None
            and periods.is_calendar_month(*map(date.fromisoformat, (r["period_start"], r["period_end"])))
        ]  # the documented annual totals are city rows too, over other periods
        return {date.fromisoformat(r["period_start"]): r["value"] for r in monthly}
    code, out, _ = _cli(capsys, "--database-url", url, "crime", "counts", "--by", "crime_type,month", "--json")
    assert code == 0
    return {date.fromisoformat(r["month"]): r["count"] for r in json.loads(out) if r["crime_type"] == VSO}


def _pinned_by_integer_program(found: Published, leeds: dict[date, float], wards: list[str], months: list[date]):
    """For each hidden cell, the smallest and largest whole value it can take given everything published; a cell
    is pinned when they meet. Unknowns: every ward-month count, whole and at least 0."""
    index = {(w, m): i for i, (w, m) in enumerate((w, m) for w in wards for m in months)}

    def row(cell_wards, window) -> np.ndarray:
        vector = np.zeros(len(index))
        for w in cell_wards:
            for m in window:
                vector[index[(w, m)]] = 1
        return vector

    equalities = [(row(ws, window), value) for ws, window, value in found.exact if window]
    equalities += [(row(wards, (m,)), value) for m, value in leeds.items() if m in months]
    a_eq = np.array([r for r, _ in equalities])
    b_eq = np.array([v for _, v in equalities])
    cells = [(key, row((key[0],), key[1]), bounds) for key, bounds in found.hidden.items() if key[1]]
    a_in = np.array([r for _, r, _ in cells]) if cells else np.zeros((0, len(index)))
    constraints = [LinearConstraint(a_eq, b_eq, b_eq)]
    if cells:
        constraints.append(LinearConstraint(a_in, [b[0] for *_, b in cells], [b[1] for *_, b in cells]))
    ceiling = max(leeds.values()) if leeds else 10_000
    options = {
        "constraints": constraints,
        "integrality": np.ones(len(index)),
        "bounds": Bounds(0, ceiling),
        "options": {"time_limit": 20},
    }
    pinned = {}
    for key, objective, _ in cells:
        low = milp(objective, **options)
        high = milp(-objective, **options)
        assert low.status == 0 and high.status == 0, (key, low.message, high.message)  # the attacker's view holds
        if round(low.fun) == round(-high.fun):
            pinned[key] = round(low.fun)
    return pinned, len(cells)


def _linear_span_pins(found: Published, wards: list[str], months: list[date]) -> list[tuple[str, date]]:
    """Ward-months whose unit vector lies in the span of the published equations (exactly recoverable)."""
    index = {(w, m): i for i, (w, m) in enumerate((w, m) for w in wards for m in months)}
    matrix = []
    for cell_wards, window, _ in found.exact:
        vector = np.zeros(len(index))
        for w in cell_wards:
            for m in window:
                vector[index[(w, m)]] = 1
        matrix.append(vector)
    _, singular, vt = np.linalg.svd(np.array(matrix), full_matrices=False)
    basis = vt[singular > singular[0] * 1e-10]
    reach = (basis**2).sum(axis=0)
    return [key for key, i in index.items() if reach[i] > 1 - 1e-8]


def test_every_window_and_basis_of_a_sensitive_kpi_pins_no_hidden_count(ward_values, capsys):
    _attack_every_window(*ward_values, MEASURE, capsys)


def test_every_window_and_basis_of_violence_and_sexual_offences_pins_no_hidden_count(vso_values, capsys):
    _attack_every_window(*vso_values, VSO_MEASURE, capsys)


def _attack_every_window(url: str, truth: dict, measure_id: str, capsys) -> None:
    """Both attackers, linear and integer, over every period and basis the measure might answer."""
    wards = sorted({w for w, _ in truth})
    months = sorted({m for _, m in truth})
    found = _collect(url, measure_id, months)
    # Only the three whole financial years answer (counts), and the two with a year before them (changes).
    assert sorted(found.answered) == sorted(
        ["fy:2021 count", "fy:2022 count", "fy:2023 count", "fy:2022 change", "fy:2023 change"]
    )
    assert found.hidden, "the sparse wards must give the attacker hidden cells to work on"
    sensitive_months = [(w, m) for w, m in _linear_span_pins(found, wards, months) if truth[(w, m)]]
    assert sensitive_months == [], f"{len(sensitive_months)} ward-months can be worked out, e.g. {sensitive_months[:3]}"
    pinned, attacked_cells = _pinned_by_integer_program(found, _leeds_monthly(url, capsys, measure_id), wards, months)
    recovered = {k: v for k, v in pinned.items() if v == sum(truth[(k[0], m)] for m in k[1])}
    assert recovered == {}, f"the integer program pins {len(recovered)} of {attacked_cells} hidden cells"


def test_all_crime_less_the_other_types_gives_no_more_than_the_sensitive_table(vso_values):
    """All crime by ward holds violence and sexual offences: every ward it publishes, less that ward's other types
    (published by ward), equals the sensitive type's own published count; no ward hidden there is shown here."""
    url, _ = vso_values
    year = periods.parse("fy:2023")
    everything = measures.ward_table(url, measures.ALL_CRIME, year, measures.COUNT).wards.set_index("ward_code")
    vso = measures.ward_table(url, VSO_MEASURE, year, measures.COUNT).wards.set_index("ward_code")
    others = sum(
        measures.ward_table(url, f"crime:{measures.slug(t)}", year, measures.COUNT).wards.set_index("ward_code")[
            "value"
        ]
        for t in POLICE_UK_CRIME_TYPES
        if t not in (VSO, "Anti-social behaviour")
    )
    derived = (everything["value"] - others).dropna()
    assert set(derived.index) <= set(vso.index[~vso["suppressed"]])
    assert (derived == vso.loc[derived.index, "value"]).all()


def test_a_ward_with_one_month_of_a_sensitive_kpi_is_withheld_not_published_as_its_year(seeded_url, capsys):
    """Gipton & Harehills holds all twelve months of 2023/24 (10 a month); Harewood only March 2024 (37). Harewood's
    "year" would be that month alone: it is withheld, and so is another cell, so Leeds less the rest does not
    give it away. The same holds for a ward missing one month."""
    year = periods.parse("fy:2023")
    rows = [_kpi_row(HAREHILLS, periods.add_months(year.first, i), 10) for i in range(12)]
    rows.append(_kpi_row(HAREWOOD, date(2024, 3, 1), 37))
    with db.get_engine(seeded_url).begin() as connection:
        write_kpi_values(connection, rows, None)
    for basis in ("count", "rate"):
        code, out, _ = _cli(
            capsys, "--database-url", seeded_url, "ward", "measure", MEASURE, "--period", year.spec, "--basis",
            basis, "--json",
        )  # fmt: skip
        assert code == 0
        payload = json.loads(out)
        by_ward = {r["ward_code"]: r for r in payload["wards"]}
        assert by_ward[HAREWOOD]["value"] is None and by_ward[HAREWOOD]["suppressed"] is True
        assert by_ward[HAREWOOD]["rate_per_1000"] is None and by_ward[HAREWOOD]["rank"] is None
        # Leeds is 157: had Gipton & Harehills been published (120), Harewood would be 157 - 120.
        assert payload["area"]["value"] == 157 and by_ward[HAREHILLS]["value"] is None
    # A third ward with eleven months of twelve: withheld too.
    third = next(w for w in queries.wards(seeded_url)["code"] if w not in (HAREHILLS, HAREWOOD))
    with db.get_engine(seeded_url).begin() as connection:
        write_kpi_values(connection, [_kpi_row(third, periods.add_months(year.first, i), 6) for i in range(11)], None)
    table = measures.ward_table(seeded_url, MEASURE, year, measures.COUNT).wards.set_index("ward_code")
    assert table.loc[third, "suppressed"] and pd.isna(table.loc[third, "value"])
    assert table.loc[HAREWOOD, "suppressed"]  # two withheld wards: Leeds less the rest gives only their sum


def test_crime_counts_real_only_publishes_a_sensitive_type_by_ward_only_for_a_year_of_real_months(
    seeded_url, capsys, monkeypatch, shared_dir
):
    """Only March 2024 is real. Summed over its real months, 2023/24 holds March alone: its violence and sexual
    offences by ward are withheld. Over every month (real and illustrative) the year is whole and is published."""
    monkeypatch.setenv("SAFERLEEDS_REFERENCE_DIR", str(shared_dir / "data" / "lookups"))
    march = shared_dir / "data" / "policeuk" / "2024-03-west-yorkshire-street.csv"
    code, _, err = _cli(capsys, "--database-url", seeded_url, "import", "policeuk", str(march), "--json")
    assert code == 0, err

    def vso_rows(*args: str) -> list[dict]:
        code, out, err = _cli(capsys, "--database-url", seeded_url, "crime", "counts", *args, "--json")
        assert code == 0, err
        return [r for r in json.loads(out) if r["crime_type"] == VSO]

    for window in (("--from", "2023-04", "--to", "2024-03"), ("--from", "2023-10", "--to", "2024-09")):
        rows = vso_rows("--by", "ward,crime_type", *window, "--real-only")
        assert len(rows) == 33 and all(r["count"] is None and r["suppressed"] == "[c]" for r in rows), window
    year = vso_rows("--by", "ward,crime_type", "--from", "2023-04", "--to", "2024-03")
    assert len(year) == 33 and any(r["count"] is not None for r in year)
    # Ward totals over the real months alone include the withheld type: withheld with it.
    code, out, _ = _cli(
        capsys, "--database-url", seeded_url, "crime", "counts", "--by", "ward", "--from", "2023-04", "--to",
        "2024-03", "--real-only", "--json",
    )  # fmt: skip
    assert code == 0 and all(r["count"] is None for r in json.loads(out))


def test_crime_counts_by_ward_publish_sensitive_types_only_for_a_whole_financial_year(shared_seeded_url, capsys):
    def vso_rows(*args: str) -> list[dict]:
        code, out, _ = _cli(capsys, "--database-url", shared_seeded_url, "crime", "counts", *args, "--json")
        assert code == 0
        return [r for r in json.loads(out) if r["crime_type"] == VSO]

    window = vso_rows("--by", "ward,crime_type", "--from", "2023-04", "--to", "2024-03")
    assert len(window) == 33 and any(r["count"] is not None for r in window)
    for args in (
        ("--by", "ward,crime_type", "--from", "2023-10", "--to", "2024-09"),  # a rolling 12 months
        ("--by", "ward,crime_type", "--from", "2023-05", "--to", "2024-03"),  # a year less a month
        ("--by", "ward,crime_type", "--month", "2024-09"),
        ("--by", "ward,crime_type,month", "--from", "2023-04", "--to", "2024-03"),
    ):
        rows = vso_rows(*args)
        assert rows and all(r["count"] is None and r["suppressed"] == "[c]" for r in rows), args
    code, out, _ = _cli(
        capsys, "--database-url", shared_seeded_url, "crime", "counts", "--by", "ward,crime_type", "--month",
        "2024-09", "--json",
    )  # fmt: skip
    burglary = [r for r in json.loads(out) if r["crime_type"] == "Burglary"]
    assert all(r["count"] is not None for r in burglary)  # other types are unaffected


def test_the_crime_page_ward_series_less_the_maps_other_types_gives_nothing(shared_seeded_url):
    """The Crime page publishes Gipton & Harehills's crime by month; the Ward map publishes each other type by ward
    by month. Before, the first less the second was the ward's violence and sexual offences, month by month."""
    url = shared_seeded_url
    cutoff = queries.meetings(url)["data_cutoff"].iloc[-1]
    series = crime.before_and_after(url, events.initiatives()[0], cutoff).monthly.set_index("month")["count"]
    truth = queries.ward_crime_monthly(url, (VSO,), series.index.min(), series.index.max())
    truth = truth[truth["ward_code"] == HAREHILLS].set_index("month")["count"]
    assert len(series) >= 24 and (truth >= 5).all()  # counts no suppression would hide
    others = [t for t in POLICE_UK_CRIME_TYPES if t not in (VSO, "Anti-social behaviour")]
    recovered = 0
    for month, shown in series.items():
        by_type = sum(
            measures.ward_table(url, f"crime:{measures.slug(t)}", periods.month(month), measures.COUNT)
            .wards.set_index("ward_code")
            .loc[HAREHILLS, "value"]
            for t in others
        )
        recovered += not pd.isna(shown) and shown - by_type == truth[month]
    assert recovered == 0


def test_rolling_windows_and_months_are_refused_in_one_line(ward_values, capsys):
    url, _ = ward_values
    for spec in ("12m:2024-09", "12m:2025-08", "month:2024-09"):
        for basis in ("count", "change"):
            code, _, err = _cli(
                capsys, "--database-url", url, "ward", "measure", MEASURE, "--period", spec, "--basis", basis, "--json"
            )
            assert code == 1 and len(err.strip().splitlines()) == 1 and "only by financial year" in err
    code, _, err = _cli(capsys, "--database-url", url, "ward", "measure", MEASURE, "--period", "fy:2024", "--json")
    assert code == 1 and "fully cover" in err  # 2024/25 has seven months of data
    assert _cli(capsys, "--database-url", url, "ward", "measure", MEASURE, "--period", "fy:2023", "--json")[0] == 0
    # Without --period: the latest financial year.
    code, out, _ = _cli(capsys, "--database-url", url, "ward", "measure", MEASURE, "--json")
    assert code == 0 and json.loads(out)["period"] == "fy:2023"


def test_previewing_guesses_reveals_nothing_about_a_withheld_cell(ward_values, capsys, tmp_path):
    url, truth = ward_values
    hidden = [(w, m) for (w, m), v in truth.items() if v <= 4][:12]  # a sample of withheld small cells
    header = ",".join(kpi_returns.COLUMNS)
    for ward, month in hidden:
        answers = set()
        for guess in range(5):
            path = tmp_path / f"guess-{guess}.csv"
            path.write_text(f"{header}\n{KPI},{month},{_month_end(month)},{ward},{guess},,,\n")
            code, out, _ = _cli(capsys, "--database-url", url, "import", "kpi", str(path), "--dry-run", "--json")
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


def test_measures_module_names_the_check(ward_values):
    url, _ = ward_values
    with pytest.raises(ValueError, match="only by financial year"):
        measures.ward_table(url, MEASURE, periods.parse("12m:2024-08"), measures.COUNT)
    with pytest.raises(ValueError, match="fully cover"):
        measures.ward_table(url, MEASURE, periods.parse("fy:2020"), measures.COUNT)
