"""Deterministic illustrative history (fixed seed) so every chart has a past, calibrated to the documents.

Everything here is made up except the constraints it is calibrated to, each quoted from the source documents
(see CALIBRATION). Rows from here are stored with illustrative = true and badged on screen. Plain Python and
pandas only: no database, no Streamlit.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date

from lib.area import current as current_area
from lib.area import events
from lib.core.periods import month_end, month_starts
from lib.core.vocabulary import ASB, POLICE_UK_CRIME_TYPES

SEED = 42
GENERATOR_VERSION = "1"  # bump when the output changes, so a seeded database can tell
# How the generated data is named where people read it (the import log, a value's source): in words. The generator's
# module and seed are in the README and this module, not on screen. Migration 0010 renamed the older wording.
BATCH_NAME = "Illustrative demonstration data (generated)"
SOURCE = "Illustrative series generated for demonstration"
SOURCE_SECTION = "calibrated to the documented figures"
START = date(2021, 4, 1)  # the illustrative history runs April 2021 ...
END = date(2024, 9, 1)  # ... to September 2024 (DS1 series start January 2021 to cover the 2021 baselines)
DS1_START = date(2021, 1, 1)
DS1_LAUNCH = date(2022, 2, 1)
WALKSAFE_LAUNCH = date(2023, 9, 1)
STUDENT_WARDS = ("E05011397", "E05011403", "E05011413")  # Headingley & Hyde Park, Little London & Woodhouse, Weetwood


# Documented aggregates the generator reproduces, with where they come from.
CALIBRATION = {
    "ds1_response_2021": (63, "DS1 average response Feb-Oct 2021 (calls-weighted), 001 § DS1"),
    "ds1_response_2022": (36, "DS1 average response Feb-Oct 2022 (calls-weighted), 001 § DS1"),
    "ds1_triage_oct_2021": (56, "Triage call-back October 2021, 001 § DS1"),
    "ds1_triage_oct_2022": (17, "Triage call-back October 2022, 001 § DS1"),
    "ds1_attendance_jul_oct_2022": (95, "Attended share of calls needing attendance Jul-early Nov 2022, 001 § DS1"),
    "ds1_attendance_sep_2022": (98, "Attended share September 2022, 001 § DS1"),
    "ds1_attendance_2021_min": (70, "Lowest attended share in 2021, 001 § DS1"),
    "ds1_calls_change_2022": (-37, "DS1-area calls Feb-Oct 2022 vs Feb-Oct 2021 (%), 001 § DS1"),
    "student_noise_change_2023_24": (-50, "Student-area noise complaints 2023/24 vs 2022/23 (%), 000 § paragraph 4"),
    "da_safety_plans_nov21_oct22": (6120, "More than 6,000 safety plans in the 12 months of the 2021/22 report"),
    "da_safety_plans_fy2023_24": (4672, "4,672 safety plans April 2023-March 2024, 000 § paragraph 4"),
    "walksafe_downloads_6m": (3520, "More than 3,500 downloads, Sept 2023-Feb 2024, 000 § paragraph 4"),
    "walksafe_uses_6m": (26150, "Over 26,000 uses in 6 months, Sept 2023-Feb 2024, 000 § paragraph 4"),
    "harehills_crime_change": (-40, "Gipton & Harehills crime, 16 months after vs before Clear-Hold-Build (%), 000"),
}


@dataclass
class IllustrativeData:
    """Generated rows: KPI values (dicts ready for KpiValue) and crime counts (dicts ready for CrimeMonthly)."""

    kpi_values: list[dict] = field(default_factory=list)
    crime_monthly: list[dict] = field(default_factory=list)


def round_to_total(values: list[float], total: int) -> list[int]:
    """Round non-negative floats to integers that add up to total exactly (largest-remainder method)."""
    scale = total / sum(values) if sum(values) else 0.0
    scaled = [v * scale for v in values]
    floors = [math.floor(v) for v in scaled]
    remainder = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (scaled[i] - floors[i], -i), reverse=True)
    for i in order[:remainder]:
        floors[i] += 1
    return floors


def poisson(rng: random.Random, mean: float) -> int:
    """A Poisson draw from the stdlib generator (Knuth below 30, normal approximation above)."""
    if mean <= 0:
        return 0
    if mean >= 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


# Noise calls by calendar month: students away in summer; Freshers' (Sept/Oct); Halloween and Bonfire Night (Oct/Nov).
NOISE_SEASON = {
    1: 0.80,
    2: 0.85,
    3: 0.90,
    4: 0.85,
    5: 0.90,
    6: 0.85,
    7: 0.70,
    8: 0.60,
    9: 1.45,
    10: 1.60,
    11: 1.30,
    12: 0.90,
}
# ASB by calendar month: light nights in summer; Halloween and Bonfire Night peaks.
ASB_SEASON = {1: 0.85, 2: 0.85, 3: 0.95, 4: 1.0, 5: 1.05, 6: 1.1, 7: 1.1, 8: 1.05, 9: 1.0, 10: 1.2, 11: 1.15, 12: 0.8}
VIOLENCE_SEASON = {
    1: 0.92,
    2: 0.9,
    3: 0.98,
    4: 1.0,
    5: 1.05,
    6: 1.07,
    7: 1.08,
    8: 1.04,
    9: 1.0,
    10: 1.0,
    11: 0.97,
    12: 0.99,
}


def _index(months: list[date], first: date, last: date) -> list[int]:
    """Positions of the months that fall between first and last inclusive."""
    return [i for i, m in enumerate(months) if first <= m <= last]


def _kpi_row(
    code: str,
    month: date,
    value: float,
    area: str | None = None,
    numerator: float | None = None,
    denominator: float | None = None,
) -> dict:
    """One monthly KPI value as a dict of KpiValue fields."""
    return {
        "kpi_code": code,
        "area_code": area or current_area().code,
        "period_start": month,
        "period_end": month_end(month),
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
    }


def ds1_series(rng: random.Random) -> list[dict]:
    """DS1 calls, attendance, response and triage, January 2021 to September 2024, calibrated to the report."""
    months = month_starts(DS1_START, END)
    calls_f = [430 * NOISE_SEASON[m.month] * rng.uniform(0.94, 1.06) for m in months]
    w2021 = _index(months, date(2021, 2, 1), date(2021, 10, 1))
    w2022 = _index(months, date(2022, 2, 1), date(2022, 10, 1))
    fy22 = _index(months, date(2022, 4, 1), date(2023, 3, 1))
    fy23 = _index(months, date(2023, 4, 1), date(2024, 3, 1))
    # Level shifts: DS1 from February 2022 (-37%), and the 2023/24 student-area fall (-50%).
    k1 = 0.63 * sum(calls_f[i] for i in w2021) / sum(calls_f[i] for i in w2022)
    calls_f = [c * k1 if months[i] >= DS1_LAUNCH else c for i, c in enumerate(calls_f)]
    k2 = 0.5 * sum(calls_f[i] for i in fy22) / sum(calls_f[i] for i in fy23)
    calls_f = [c * k2 if months[i] >= date(2023, 4, 1) else c for i, c in enumerate(calls_f)]
    calls = [round(c) for c in calls_f]
    target_2022 = round(0.63 * sum(calls[i] for i in w2021))
    for i, v in zip(w2022, round_to_total([calls_f[i] for i in w2022], target_2022), strict=True):
        calls[i] = v
    target_fy23 = round(0.5 * sum(calls[i] for i in fy22))
    for i, v in zip(fy23, round_to_total([calls_f[i] for i in fy23], target_fy23), strict=True):
        calls[i] = v

    # Calls needing attendance (denominator) and attended (numerator).
    need = [max(10, round(c * rng.uniform(0.42, 0.48))) for c in calls]
    attended_share = []
    for m in months:
        if m < DS1_LAUNCH:
            attended_share.append(rng.uniform(0.76, 0.88) - (0.04 if m.month in (9, 10, 11) else 0.0))
        else:
            attended_share.append(min(0.99, rng.uniform(0.93, 0.975)))
    i_oct21, i_sep22 = months.index(date(2021, 10, 1)), months.index(date(2022, 9, 1))
    need[i_oct21] = max(10, round(need[i_oct21] / 10) * 10)  # so 70% is exact
    need[i_sep22] = max(50, round(need[i_sep22] / 50) * 50)  # so 98% is exact
    attended = [round(n * s) for n, s in zip(need, attended_share, strict=True)]
    attended[i_oct21] = need[i_oct21] * 7 // 10
    attended[i_sep22] = need[i_sep22] * 49 // 50
    peak = [months.index(date(2022, m, 1)) for m in (7, 8, 10)]
    window_need = sum(need[i] for i in peak) + need[i_sep22]
    rest = round(0.95 * window_need) - attended[i_sep22]
    for i, v in zip(peak, round_to_total([need[i] * 0.95 for i in peak], rest), strict=True):
        attended[i] = min(v, need[i])

    # Response minutes: about 63 before DS1, about 36 after, slower in the autumn peak, improving slowly.
    response = []
    for i, m in enumerate(months):
        base = 63.0 if m < DS1_LAUNCH else 36.0 - 0.12 * max(0, i - months.index(DS1_LAUNCH) - 9)
        response.append(base * (1 + 0.18 * (NOISE_SEASON[m.month] - 1)) * rng.uniform(0.95, 1.05))
    for window, target in ((w2021, 63.0), (w2022, 36.0)):
        weighted = sum(response[i] * attended[i] for i in window) / sum(attended[i] for i in window)
        for i in window:
            response[i] *= target / weighted

    # Triage call-back minutes: about 55 before DS1, under 20 after; October values are documented.
    triage = [(55.0 if m < DS1_LAUNCH else 19.0 - 0.08 * i / 4) * rng.uniform(0.88, 1.12) for i, m in enumerate(months)]
    triage[i_oct21], triage[months.index(date(2022, 10, 1))] = 56.0, 17.0

    rows = []
    for i, m in enumerate(months):
        minutes = round(response[i], 1)
        rows.append(_kpi_row("DS1_CALLS", m, float(calls[i]), "DS1"))
        rows.append(
            _kpi_row(
                "DS1_ATTENDANCE", m, round(100 * attended[i] / need[i], 1), "DS1", float(attended[i]), float(need[i])
            )
        )
        rows.append(_kpi_row("DS1_RESPONSE", m, minutes, "DS1", round(minutes * attended[i], 1), float(attended[i])))
        rows.append(_kpi_row("DS1_TRIAGE", m, round(triage[i], 1), "DS1"))
    return rows


def calibrated_counts(raw: list[float], months: list[date], windows: list[tuple[date, date, int]]) -> list[int]:
    """Integers shaped like raw whose totals over each (first, last, total) window are exact.

    Months between windows are scaled by a factor interpolated between the neighbouring windows' factors.
    """
    spans = [(_index(months, first, last), total) for first, last, total in windows]
    anchors = [(sum(idx) / len(idx), total / sum(raw[i] for i in idx)) for idx, total in spans]
    scaled = []
    for i, value in enumerate(raw):
        before = [a for a in anchors if a[0] <= i]
        after = [a for a in anchors if a[0] > i]
        if before and after:
            (x0, f0), (x1, f1) = before[-1], after[0]
            factor = f0 + (f1 - f0) * (i - x0) / (x1 - x0)
        else:
            factor = (before[-1] if before else after[0])[1]
        scaled.append(value * factor)
    counts = [round(v) for v in scaled]
    for idx, total in spans:
        for i, v in zip(idx, round_to_total([scaled[i] for i in idx], total), strict=True):
            counts[i] = v
    return counts


def safety_plan_series(rng: random.Random) -> list[dict]:
    """Monthly domestic abuse safety plans, April 2021 to September 2024."""
    months = month_starts(START, END)
    season = {
        1: 1.05,
        2: 0.92,
        3: 0.98,
        4: 0.97,
        5: 1.0,
        6: 1.04,
        7: 1.06,
        8: 1.03,
        9: 0.98,
        10: 0.98,
        11: 0.96,
        12: 1.05,
    }
    raw = [500 * season[m.month] * rng.uniform(0.93, 1.07) for m in months]
    counts = calibrated_counts(
        raw,
        months,
        [
            (date(2021, 11, 1), date(2022, 10, 1), CALIBRATION["da_safety_plans_nov21_oct22"][0]),
            (date(2023, 4, 1), date(2024, 3, 1), CALIBRATION["da_safety_plans_fy2023_24"][0]),
        ],
    )
    return [_kpi_row("DA_SAFETY_PLANS", m, float(c)) for m, c in zip(months, counts, strict=True)]


def walksafe_series(rng: random.Random) -> list[dict]:
    """Monthly WalkSafe app downloads and uses from the September 2023 launch to September 2024."""
    months = month_starts(WALKSAFE_LAUNCH, END)
    downloads_raw = [900 * (0.78**i) * rng.uniform(0.9, 1.1) + 180 for i in range(len(months))]
    installed, uses_raw = 0.0, []
    for i, d in enumerate(downloads_raw):
        installed += d
        uses_raw.append(installed * 1.4 * (0.6 if i == 0 else 1.0) * rng.uniform(0.9, 1.1))
    window = (WALKSAFE_LAUNCH, date(2024, 2, 1))
    downloads = calibrated_counts(downloads_raw, months, [(*window, CALIBRATION["walksafe_downloads_6m"][0])])
    uses = calibrated_counts(uses_raw, months, [(*window, CALIBRATION["walksafe_uses_6m"][0])])
    rows = [_kpi_row("WALKSAFE_DOWNLOADS", m, float(d)) for m, d in zip(months, downloads, strict=True)]
    rows += [_kpi_row("WALKSAFE_USES", m, float(u)) for m, u in zip(months, uses, strict=True)]
    return rows


def load_crime_mix() -> dict[tuple[str, str], float]:
    """Mean monthly count by (ward code, crime type) from the area's illustrative_crime_mix.csv."""
    rows = current_area().rows("illustrative_crime_mix.csv")
    return {(r["ward_code"], r["crime_type"]): float(r["mean_monthly_count"]) for r in rows}


def crime_series(rng: random.Random, ward_codes: list[str]) -> list[dict]:
    """Monthly police.uk-style counts by ward and crime type, with Clear-Hold-Build calibrated in Harehills."""
    mix = load_crime_mix()
    months = month_starts(START, END)
    means: dict[tuple[str, str, date], float] = {}
    for ward in ward_codes:
        for crime_type in POLICE_UK_CRIME_TYPES:
            base = max(mix.get((ward, crime_type), 0.0), 0.3)
            for i, m in enumerate(months):
                trend = 0.92 + 0.08 * min(1.0, i / 12)  # recovery from 2021 lockdown levels
                if crime_type in (ASB, "Public order", "Criminal damage and arson"):
                    season = ASB_SEASON[m.month]
                    if ward in STUDENT_WARDS and m.month in (9, 10):
                        season *= 1.25  # Freshers'
                else:
                    season = VIOLENCE_SEASON[m.month]
                means[(ward, crime_type, m)] = base * trend * season
    counts = {key: poisson(rng, mean) for key, mean in means.items()}

    # Clear-Hold-Build (from May 2023): Gipton & Harehills crime (excluding ASB) 40% lower in the 16 months after.
    initiative = next(iter(events.initiatives()), None)
    if initiative is None:
        return [{"month": m, "ward_code": w, "crime_type": t, "count": c} for (w, t, m), c in counts.items() if c > 0]
    place, start = initiative.ward_code, initiative.when
    before = [k for k in counts if k[0] == place and k[1] != ASB and date(2022, 1, 1) <= k[2] < start]
    after = [k for k in counts if k[0] == place and k[1] != ASB and start <= k[2] <= date(2024, 8, 1)]
    target = round(0.6 * sum(counts[k] for k in before))
    for key, value in zip(after, round_to_total([means[k] for k in after], target), strict=True):
        counts[key] = value
    for key in counts:
        if key[0] == place and key[1] != ASB and key[2] > date(2024, 8, 1):
            counts[key] = poisson(rng, means[key] * 0.6)
    return [{"month": m, "ward_code": w, "crime_type": t, "count": c} for (w, t, m), c in counts.items() if c > 0]


def generate(ward_codes: list[str], seed: int = SEED) -> IllustrativeData:
    """All illustrative series for the given ward codes; the same seed always gives the same rows."""
    rng = random.Random(seed)
    data = IllustrativeData()
    data.kpi_values = ds1_series(rng) + safety_plan_series(rng) + walksafe_series(rng)
    data.crime_monthly = crime_series(rng, sorted(ward_codes))
    return data
