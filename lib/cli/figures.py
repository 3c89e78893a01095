"""`saferleeds kpi`, `ward`, `crime` and `spc`: the figures the pages show, read out (hidden counts null)."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

import pandas as pd

from lib.analysis import measures, meetings, spc_file, summary
from lib.area import current as current_area
from lib.cli import catalogue, loading
from lib.cli.common import CliError, command, emit, group, parse_date, records
from lib.core import periods
from lib.store import queries


def cmd_kpi_list(url: str, args: argparse.Namespace) -> None:
    """List the KPI catalogue."""
    queries.check_ready(url)
    frame = queries.kpi_catalogue(url)
    columns = ["code", "name", "priority_id", "priority", "unit", "direction", "target", "target_type", "sensitive"]
    columns.append("retired_from")  # null while the KPI is in use
    frame = frame[columns].rename(columns={"priority": "priority_name", "priority_id": "priority"})
    frame["sensitive"] = frame["sensitive"].astype(bool)
    frame = frame.astype(object)
    frame["priority"] = pd.Series([None if pd.isna(p) else int(p) for p in frame["priority"]], frame.index, object)
    emit(records(frame), args.json)


def cmd_kpi_values(url: str, args: argparse.Namespace) -> None:
    """List one KPI's current values."""
    queries.check_ready(url)
    catalogue = queries.kpi_catalogue(url)
    if args.code not in set(catalogue["code"]):
        raise CliError(f"unknown KPI code {args.code!r}; see `saferleeds kpi list`")
    if args.ward and args.ward not in set(queries.wards(url)["code"]) | set(queries.wards(url)["wd19_code"]):
        raise CliError(f"unknown ward code {args.ward!r}: use a {current_area().name} WD19 or WD25 ward code (E05...)")
    ward = _current_ward_code(url, args.ward) if args.ward else None
    frame = queries.kpi_series(url, args.code, area_code=ward, real_only=args.real_only)
    if not frame.empty:
        frame = measures.withhold_sensitive_wards(url, frame)
    ward_codes = set(queries.wards(url)["code"])
    rows = [
        {
            "period_start": r["period_start"],
            "period_end": r["period_end"],
            "ward_code": r["area_code"] if r["area_code"] in ward_codes else None,
            "area_code": r["area_code"],
            "value": r["value"],
            "suppressed": r.get("suppressed") or "",
            "qualifier": r.get("qualifier") or "",
            "illustrative": bool(r["illustrative"]),
            "source": r["source"],
            "source_section": r.get("source_section") or "",
        }
        for r in records(frame)
    ]
    emit(rows, args.json)


def cmd_kpi_summary(url: str, args: argparse.Namespace) -> None:
    """Every KPI's latest value, RAG, changes and SPC verdicts as at a date (default: today)."""
    queries.check_ready(url)
    as_at = parse_date(args.as_at, "--as-at") if args.as_at else date.today()
    previous = meetings.previous_cutoff(queries.meetings(url), as_at)
    rows = summary.summaries(queries.kpi_catalogue_as_at(url, as_at), queries.headline_values(url), as_at, previous)
    emit(
        rows
        if args.json
        else [
            {
                "code": r["code"],
                "value": r["value"],
                "period_end": r["period_end"],
                "rag": r["rag"],
                "stale": r["stale"],
            }
            for r in rows
        ],
        args.json,
    )


def _current_ward_code(url: str, code: str) -> str:
    """The WD25 code for a WD19 or WD25 ward code."""
    wards = queries.wards(url)
    match = wards[(wards["code"] == code) | (wards["wd19_code"] == code)]
    return str(match.iloc[0]["code"])


def cmd_spc(_url: str, args: argparse.Namespace) -> None:
    """Run the dashboard's SPC engine over series in a CSV file."""
    try:
        result = spc_file.run(Path(args.file), screen_outliers=not args.no_screen_outliers)
    except spc_file.SpcFileError as error:
        raise CliError(f"{args.file}: {error}") from error
    if args.json:
        emit(result, True, compact=True)  # thousands of series: one line, fast
        return
    emit(
        [
            {
                "series": s["series"],
                "points": len(s["points"]),
                "variation": s["variation"],
                "assurance": s["assurance"],
            }
            for s in result["series"]
        ],
        False,
    )


def cmd_ward_measures(url: str, args: argparse.Namespace) -> None:
    """List what a ward map can show."""
    queries.check_ready(url)
    emit(
        [
            {"id": m.id, "label": m.label, "unit": m.unit, "sensitive": m.sensitive, "periods": list(m.period_kinds)}
            for m in measures.measures(url)
        ],
        args.json,
    )


def cmd_ward_measure(url: str, args: argparse.Namespace) -> None:
    """One measure by ward for a period, through the same function (and disclosure control) as the map."""
    queries.check_ready(url)
    try:
        measure = measures.get(url, args.measure)
        if args.period:
            period = periods.parse(args.period)
        else:
            latest = measures.latest_period(url, measure)
            if latest is None:
                raise CliError(f"no complete 12 months of {measure.label} yet; give --period")
            period = latest
        table = measures.ward_table(url, measure.id, period, args.basis)
    except ValueError as error:
        raise CliError(str(error)) from error
    columns = ["ward_code", "ward_name", "value", "suppressed", "rate_per_1000", "rank"]
    if table.basis == measures.CHANGE:
        columns += ["previous_value", "change_percent"]
    rows = records(table.wards[columns].astype(object))
    for row in rows:
        row["rank"] = None if row["rank"] is None or pd.isna(row["rank"]) else int(row["rank"])
    payload = {
        "measure": measure.id,
        "label": measure.label,
        "unit": measure.unit,
        "sensitive": measure.sensitive,
        "period": period.spec,
        "period_label": period.label,
        "basis": table.basis,
        "illustrative": table.illustrative,
        "area": table.city,
        "wards": rows,
    }
    emit(payload if args.json else rows, args.json)


def _month(text: str | None, option: str) -> date | None:
    """A YYYY-MM option as the first of the month."""
    if text is None:
        return None
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError as error:
        raise CliError(f"{option} must be a month as YYYY-MM (got {text!r})") from error


def cmd_crime_counts(url: str, args: argparse.Namespace) -> None:
    """Crime counts by ward, crime type and/or month, with disclosure control by ward."""
    queries.check_ready(url)
    if args.month and (args.from_month or args.to_month):
        raise CliError("give either --month or --from/--to, not both")
    first = _month(args.month or args.from_month, "--month" if args.month else "--from")
    last = _month(args.month or args.to_month, "--month" if args.month else "--to")
    if first is not None and last is not None and first > last:
        raise CliError(f"--from {first:%Y-%m} is after --to {last:%Y-%m}: give the earlier month first")
    by = tuple(part.strip() for part in args.by.split(",") if part.strip())
    try:
        frame = measures.crime_counts(url, by, first, last, args.real_only)
    except ValueError as error:
        raise CliError(str(error)) from error
    rows = records(frame.astype(object))
    for row in rows:
        row["count"] = None if row["count"] is None else int(row["count"])
        row["illustrative"] = bool(row["illustrative"])
    emit(rows, args.json)


def register(commands: argparse._SubParsersAction) -> None:
    """The `kpi`, `ward`, `crime` and `spc` commands (`kpi template` is loading's, listed with the KPIs)."""
    kpi_commands = group(commands, "kpi", "KPI catalogue and values")
    command(kpi_commands, "list", "every KPI with unit, direction, target and sensitivity", cmd_kpi_list)
    values = command(kpi_commands, "values", "current values of one KPI", cmd_kpi_values)
    values.add_argument("code", help="KPI code, e.g. DS1_RESPONSE")
    values.add_argument("--ward", help="a ward code (WD19 or WD25); default: the KPI's own area")
    values.add_argument("--real-only", action="store_true", help="leave out illustrative values")
    summary_parser = command(kpi_commands, "summary", "latest value, RAG, changes and SPC per KPI", cmd_kpi_summary)
    summary_parser.add_argument("--as-at", help="YYYY-MM-DD: only data for periods ended by then (default today)")
    loading.register_template(kpi_commands)
    catalogue.register_kpi_changes(kpi_commands)

    ward_commands = group(commands, "ward", "figures by ward, as on the ward map")
    command(ward_commands, "measures", "what the ward map can show", cmd_ward_measures)
    measure = command(ward_commands, "measure", "one measure by ward (hidden counts are null)", cmd_ward_measure)
    measure.add_argument("measure", help="a measure id from `saferleeds ward measures`, e.g. crime:all")
    measure.add_argument(
        "--period",
        help="month:YYYY-MM, 12m:YYYY-MM (12 months to) or fy:YYYY (April YYYY to "
        "March); default: the latest 12 months",
    )
    measure.add_argument(
        "--basis",
        choices=list(measures.BASES),
        default=measures.RATE,
        help="what ranks the wards: count, rate per 1,000 (default) or change on a year earlier",
    )

    crime_commands = group(commands, "crime", "police.uk crime counts")
    counts = command(
        crime_commands, "counts", "counts by ward, crime type and/or month (hidden counts are null)", cmd_crime_counts
    )
    counts.add_argument(
        "--by", default="ward,crime_type", help="comma-separated: ward, crime_type, month (default ward,crime_type)"
    )
    counts.add_argument("--month", help="one month, YYYY-MM")
    counts.add_argument("--from", dest="from_month", help="first month, YYYY-MM")
    counts.add_argument("--to", dest="to_month", help="last month, YYYY-MM")
    counts.add_argument("--real-only", action="store_true", help="police.uk months only, no illustrative data")

    spc_parser = command(
        commands, "spc", "Making Data Count SPC (XmR) for series in a CSV file, as on the tiles", cmd_spc
    )
    spc_parser.add_argument(
        "file", help="CSV: series (optional), period_end, value, direction, target, target_type, rebase_dates"
    )
    spc_parser.add_argument(
        "--no-screen-outliers",
        action="store_true",
        help="keep moving ranges of 3.267 x their mean or more in the limits (screened out by default)",
    )
