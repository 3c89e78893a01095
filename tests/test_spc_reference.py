"""The SPC engine against the NHS-R reference implementation (NHSRplotthedots 0.2.2, ../shared/data/spc_reference):
every series, every prefix from 12 points, screening on and off, through the engine and through `saferleeds spc`.

Compared: per-point mean and limits (relative 1e-9), per-point types, and the latest point's variation and
assurance. The one departure, on purpose (README, "SPC"): the dashboard's verdict for a latest segment of fewer than
12 points is "too few points"; the per-point type underneath still equals the reference's.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from contextlib import redirect_stdout
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from lib import cli
from lib.analysis import spc

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "data" / "spc_reference"
DIRECTIONS = {"increase": "higher_is_better", "decrease": "lower_is_better", "neutral": "neutral"}
TARGET_TYPES = {"increase": "minimum", "decrease": "maximum"}
ASSURANCE = {"consistent_pass": spc.PASSING, "consistent_fail": spc.FAILING, "inconsistent": spc.HIT_AND_MISS, "": None}
SCREENING = [True, False]


def _rows(name: str) -> list[dict[str, str]]:
    if not (REFERENCE / name).is_file():
        pytest.skip("../shared/data/spc_reference is not present")
    with (REFERENCE / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def series() -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in _rows("series.csv"):
        grouped[row["series_id"]].append(row)
    return grouped


def _settings(rows: list[dict[str, str]]) -> tuple[str, float | None, str | None, list[date]]:
    first = rows[0]
    target = float(first["target"]) if first["target"] else None
    rebase = [date.fromisoformat(d) for d in first["rebase_dates"].split(";") if d]
    return DIRECTIONS[first["improvement_direction"]], target, TARGET_TYPES.get(first["improvement_direction"]), rebase


def _engine(rows: list[dict[str, str]], screen: bool) -> spc.SeriesResult:
    direction, target, target_type, rebase = _settings(rows)
    dates = [date.fromisoformat(r["date"]) for r in rows]
    values = np.array([float(r["value"]) for r in rows])
    return spc.analyse(values, spc.segments_of(dates, rebase), direction, target, target_type, screen)


def _same(ours: float | None, theirs: str) -> bool:
    expected = float(theirs)
    if ours is None or math.isnan(ours):
        return math.isnan(expected)
    return not math.isnan(expected) and math.isclose(ours, expected, rel_tol=1e-9, abs_tol=1e-12)


def _expected_variation(ours: spc.SeriesResult, reference_type: str) -> str:
    """The reference's verdict, or the dashboard's listed departure for a short latest segment."""
    return reference_type if ours.segment_size[-1] >= spc.MIN_POINTS else spc.INSUFFICIENT


def _expected_assurance(ours: spc.SeriesResult, reference: str) -> str | None:
    expected = ASSURANCE[reference]
    return spc.INSUFFICIENT if expected is not None and ours.segment_size[-1] < spc.MIN_POINTS else expected


@pytest.mark.parametrize("screen", SCREENING, ids=["screened", "unscreened"])
def test_every_point_of_every_series_matches_the_reference(series, screen):
    checked = 0
    for sid, rows in series.items():
        ours = _engine(rows, screen)
        expected = _rows_for(sid, screen)
        assert len(expected) == len(rows), sid
        for i, row in enumerate(expected):
            where = f"{sid} point {i + 1} ({row['date']})"
            assert _same(ours.mean[i], row["mean"]), where
            assert _same(ours.lower[i], row["lpl"]), where
            assert _same(ours.upper[i], row["upl"]), where
            assert ours.point_type[i] == row["point_type"], (where, ours.rules[i], row["special_cause_type"])
            checked += 1
    assert checked == sum(len(rows) for rows in series.values())


@pytest.mark.parametrize("screen", SCREENING, ids=["screened", "unscreened"])
def test_the_latest_point_verdict_matches_the_reference_for_every_prefix(series, screen):
    prefixes = [r for r in _rows("last_point.csv") if (r["screen_outliers"] == "TRUE") == screen]
    assert prefixes
    for row in prefixes:
        ours = _engine(series[row["series_id"]][: int(row["prefix_len"])], screen)
        where = f"{row['series_id']} first {row['prefix_len']} points"
        assert ours.point_type[-1] == row["point_type_of_last_point"], where
        assert _same(ours.mean[-1], row["mean"]) and _same(ours.lower[-1], row["lpl"]), where
        assert _same(ours.upper[-1], row["upl"]), where
        assert ours.variation == _expected_variation(ours, row["point_type_of_last_point"]), where
        assert ours.assurance == _expected_assurance(ours, row["assurance"]), where


def _rows_for(sid: str, screen: bool) -> list[dict[str, str]]:
    return [r for r in _points() if r["series_id"] == sid and (r["screen_outliers"] == "TRUE") == screen]


_POINTS: list[dict[str, str]] = []


def _points() -> list[dict[str, str]]:
    if not _POINTS:
        _POINTS.extend(_rows("points.csv"))
    return _POINTS


def _write_cli_file(path: Path, series: dict[str, list[dict[str, str]]], prefixes: bool) -> None:
    """The reference series as a `saferleeds spc` file: whole series, or one series per prefix ("s01@12")."""
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["series", "period_end", "value", "direction", "target", "target_type", "rebase_dates"])
        for sid, rows in series.items():
            lengths = range(12, len(rows) + 1) if prefixes else [len(rows)]
            for length in lengths:
                for r in rows[:length]:
                    direction = DIRECTIONS[r["improvement_direction"]]
                    name = f"{sid}@{length}" if prefixes else sid
                    writer.writerow([name, r["date"], r["value"], direction, r["target"], "", r["rebase_dates"]])


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(list(args))
    return code, out.getvalue()


@pytest.mark.parametrize("screen", SCREENING, ids=["screened", "unscreened"])
def test_saferleeds_spc_gives_the_reference_points_and_verdicts(series, screen, tmp_path):
    flag = [] if screen else ["--no-screen-outliers"]
    whole, prefixes = tmp_path / "whole.csv", tmp_path / "prefixes.csv"
    _write_cli_file(whole, series, prefixes=False)
    _write_cli_file(prefixes, series, prefixes=True)

    code, out = _cli("spc", str(whole), "--json", *flag)
    assert code == 0
    printed = {s["series"]: s for s in json.loads(out)["series"]}
    assert set(printed) == set(series)
    for sid in series:
        for point, row in zip(printed[sid]["points"], _rows_for(sid, screen), strict=True):
            where = f"{sid} {row['date']}"
            assert point["period_end"] == row["date"], where
            assert _same(point["mean"], row["mean"]) and _same(point["lower"], row["lpl"]), where
            assert _same(point["upper"], row["upl"]) and point["point_type"] == row["point_type"], where
            assert (point["rules"] == []) == (row["point_type"] == spc.COMMON), where

    code, out = _cli("spc", str(prefixes), "--json", *flag)
    assert code == 0
    verdicts = {s["series"]: s for s in json.loads(out)["series"]}
    for row in [r for r in _rows("last_point.csv") if (r["screen_outliers"] == "TRUE") == screen]:
        printed_series = verdicts[f"{row['series_id']}@{row['prefix_len']}"]
        ours = _engine(series[row["series_id"]][: int(row["prefix_len"])], screen)
        assert printed_series["points"][-1]["point_type"] == row["point_type_of_last_point"]
        assert printed_series["variation"] == _expected_variation(ours, row["point_type_of_last_point"])
        assert printed_series["assurance"] == _expected_assurance(ours, row["assurance"])


GOOD_HEADER = "series,period_end,value,direction,target,target_type,rebase_dates"
BAD_FILES = {
    "missing column": ("series,period_end,value\na,2024-01-01,3\n", "row 1: missing column(s) direction"),
    "text in value": (f"{GOOD_HEADER}\na,2024-01-01,3,neutral,,,\na,2024-02-01,lots,neutral,,,\n", "row 3: value"),
    "unsorted dates": (
        f"{GOOD_HEADER}\na,2024-02-01,3,neutral,,,\na,2024-01-01,4,neutral,,,\n",
        "row 3: period_end 2024-01-01 comes before",
    ),
    "duplicate date": (
        f"{GOOD_HEADER}\na,2024-01-01,3,neutral,,,\na,2024-01-01,4,neutral,,,\n",
        "row 3: period_end 2024-01-01 repeats",
    ),
    "unknown direction": (f"{GOOD_HEADER}\na,2024-01-01,3,upwards,,,\n", "row 2: direction 'upwards' is not one of"),
    "bad date": (f"{GOOD_HEADER}\na,01/02/2024,3,neutral,,,\n", "row 2: period_end '01/02/2024' is not a date"),
    "settings differ": (
        f"{GOOD_HEADER}\na,2024-01-01,3,neutral,,,\na,2024-02-01,4,higher_is_better,,,\n",
        "row 3: direction 'higher_is_better' differs",
    ),
    "no rows": (f"{GOOD_HEADER}\n", "no rows"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_saferleeds_spc_refuses_bad_input_in_one_line(case, tmp_path, capsys):
    text, message = BAD_FILES[case]
    path = tmp_path / "series.csv"
    path.write_text(text)
    code = cli.main(["spc", str(path), "--json"])
    error = capsys.readouterr().err.strip()
    assert code == 1 and error.count("\n") == 0, error
    assert message in error, error
    assert "Traceback" not in error


def test_one_unnamed_series_and_a_missing_file(tmp_path, capsys):
    path = tmp_path / "one.csv"
    rows = "\n".join(f"2024-{m:02d}-01,{v},lower_is_better,7,," for m, v in enumerate([3, 4] * 6, start=1))
    path.write_text(f"period_end,value,direction,target,target_type,rebase_dates\n{rows}\n")
    code, out = _cli("spc", str(path), "--json")
    result = json.loads(out)["series"]
    assert code == 0 and len(result) == 1 and result[0]["series"] == ""
    # limits 3.5 +/- 2.66 x 1; a maximum of 7 above the upper limit (6.16) is always met
    assert result[0]["points"][0]["upper"] == pytest.approx(6.16)
    assert result[0]["assurance"] == spc.PASSING
    assert cli.main(["spc", str(tmp_path / "missing.csv")]) == 1
    assert "cannot be read" in capsys.readouterr().err
