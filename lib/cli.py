"""The `saferleeds` command line: thin over the same functions the pages call."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from lib import config, db, measures, meetings, periods, queries, reference, seed, summary


class CliError(Exception):
    """An error to report to the user as one line, with a non-zero exit."""


def _json_default(value: object) -> object:
    """Dates as ISO strings, numpy numbers as Python numbers."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _records(frame: pd.DataFrame) -> list[dict]:
    """DataFrame rows as dicts with NaN turned into None."""
    return [{k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def _print(payload: object, as_json: bool) -> None:
    """Print JSON, or a readable table for lists of dicts."""
    if as_json:
        print(json.dumps(payload, default=_json_default, indent=2))
    elif isinstance(payload, list) and payload:
        print(pd.DataFrame(payload).to_string(index=False))
    else:
        print(payload)


def cmd_db_upgrade(url: str, _args: argparse.Namespace) -> None:
    """Apply migrations."""
    db.upgrade(url)
    print(f"Database at {db.mask_url(url)} is at revision {db.current_revision(url)}.")


def cmd_db_seed(url: str, _args: argparse.Namespace) -> None:
    """Load the embedded default data (idempotent)."""
    queries.check_ready(url)
    result = seed.seed(url)
    print(f"Seeded {db.mask_url(url)}: {result.reference_rows} reference rows, {result.facts.added} documented "
          f"facts (+{result.facts.revised} revised), {result.illustrative_values.added} illustrative KPI values, "
          f"{result.crime_rows} illustrative crime rows added.")


def cmd_db_init(url: str, _args: argparse.Namespace) -> None:
    """Migrate, then seed only if the database holds no data yet (never touches a database in use)."""
    db.upgrade(url)
    if seed.is_empty(url):
        cmd_db_seed(url, _args)
    else:
        print(f"Database at {db.mask_url(url)} is up to date and already holds data; left as it is "
              "(`saferleeds db seed` adds any missing reference data and documented facts).")


def cmd_kpi_list(url: str, args: argparse.Namespace) -> None:
    """List the KPI catalogue."""
    queries.check_ready(url)
    frame = queries.kpi_catalogue(url)
    columns = ["code", "name", "priority_id", "priority", "unit", "direction", "target", "target_type", "sensitive"]
    frame = frame[columns].rename(columns={"priority": "priority_name", "priority_id": "priority"})
    frame["sensitive"] = frame["sensitive"].astype(bool)
    _print(_records(frame), args.json)


def cmd_kpi_values(url: str, args: argparse.Namespace) -> None:
    """List one KPI's current values."""
    queries.check_ready(url)
    catalogue = queries.kpi_catalogue(url)
    if args.code not in set(catalogue["code"]):
        raise CliError(f"unknown KPI code {args.code!r}; see `saferleeds kpi list`")
    if args.ward and args.ward not in set(queries.wards(url)["code"]) | set(queries.wards(url)["wd19_code"]):
        raise CliError(f"unknown ward code {args.ward!r}: use a Leeds WD19 or WD25 ward code (E05...)")
    ward = _current_ward_code(url, args.ward) if args.ward else None
    frame = queries.kpi_series(url, args.code, area_code=ward, real_only=args.real_only)
    ward_codes = set(queries.wards(url)["code"])
    rows = [{"period_start": r["period_start"], "period_end": r["period_end"],
             "ward_code": r["area_code"] if r["area_code"] in ward_codes else None, "area_code": r["area_code"],
             "value": r["value"], "qualifier": r.get("qualifier") or "", "illustrative": bool(r["illustrative"]),
             "source": r["source"], "source_section": r.get("source_section") or ""}
            for r in _records(frame)]
    _print(rows, args.json)


def cmd_kpi_summary(url: str, args: argparse.Namespace) -> None:
    """Every KPI's latest value, RAG, changes and SPC verdicts as at a date (default: today)."""
    queries.check_ready(url)
    as_at = date.fromisoformat(args.as_at) if args.as_at else date.today()
    previous = meetings.previous_cutoff(queries.meetings(url), as_at)
    rows = summary.summaries(queries.kpi_catalogue(url), queries.headline_values(url), as_at, previous)
    _print(rows if args.json else [{k: r[k] for k in ("code", "value", "period_end", "rag", "stale")} for r in rows],
           args.json)


def _current_ward_code(url: str, code: str) -> str:
    """The WD25 code for a WD19 or WD25 ward code."""
    wards = queries.wards(url)
    match = wards[(wards["code"] == code) | (wards["wd19_code"] == code)]
    return str(match.iloc[0]["code"])


def cmd_config(_url: str, args: argparse.Namespace) -> None:
    """Show the settings, their values (passwords masked) and help."""
    rows = [{"name": s.name, "value": db.mask_url(config.database_url()) if s is config.DATABASE_URL
             else config.get(s), "default": s.default, "help": s.help} for s in config.SETTINGS + reference.SETTINGS]
    _print(rows, args.json)


def cmd_ward_measures(url: str, args: argparse.Namespace) -> None:
    """List what a ward map can show."""
    queries.check_ready(url)
    _print([{"id": m.id, "label": m.label, "unit": m.unit, "sensitive": m.sensitive,
             "periods": list(m.period_kinds)} for m in measures.measures(url)], args.json)


def cmd_ward_measure(url: str, args: argparse.Namespace) -> None:
    """One measure by ward for a period, through the same function (and disclosure control) as the map."""
    queries.check_ready(url)
    try:
        measure = measures.get(url, args.measure)
        if args.period:
            period = periods.parse(args.period)
        else:
            found = [p for p in measures.available_periods(url, measure) if p.kind == periods.ROLLING]
            if not found:
                raise CliError(f"no complete 12 months of {measure.label} yet; give --period")
            period = found[0]
        table = measures.ward_table(url, measure.id, period, args.basis)
    except ValueError as error:
        raise CliError(str(error)) from error
    columns = ["ward_code", "ward_name", "value", "suppressed", "rate_per_1000", "rank"]
    if table.basis == measures.CHANGE:
        columns += ["previous_value", "change_percent"]
    rows = _records(table.wards[columns].astype(object))
    for row in rows:
        row["rank"] = None if row["rank"] is None or pd.isna(row["rank"]) else int(row["rank"])
    payload = {"measure": measure.id, "label": measure.label, "unit": measure.unit, "sensitive": measure.sensitive,
               "period": period.spec, "period_label": period.label, "basis": table.basis,
               "illustrative": table.illustrative, "leeds": table.city, "wards": rows}
    _print(payload if args.json else rows, args.json)


def cmd_reference_fetch(_url: str, args: argparse.Namespace) -> None:
    """Download ward boundaries and LSOA lookups from the ONS Open Geography Portal."""
    folder = Path(args.folder) if args.folder else config.reference_dir()
    try:
        fetched = reference.fetch(folder)
    except reference.FetchError as error:
        raise CliError(str(error)) from error
    for item in fetched:
        print(f"Wrote {item.path} ({item.rows} rows from {item.source}).")


def _command(group: argparse._SubParsersAction, name: str, help_text: str, handler: Callable,
             as_json: bool = True) -> argparse.ArgumentParser:
    """A subcommand with its handler and, usually, a --json switch."""
    parser = group.add_parser(name, help=help_text)
    if as_json:
        parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(handler=handler)
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="saferleeds", description="Safer Leeds Executive dashboard tools.")
    parser.add_argument("--database-url", help=f"override {config.DATABASE_URL.name}")
    commands = parser.add_subparsers(dest="group", required=True)

    db_parser = commands.add_parser("db", help="database schema and default data")
    db_commands = db_parser.add_subparsers(dest="command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations (safe on a database that holds data)").set_defaults(
        handler=cmd_db_upgrade)
    db_commands.add_parser("init", help="upgrade, and seed the default data if the database is empty").set_defaults(
        handler=cmd_db_init)
    db_commands.add_parser("seed", help="load reference data, documented facts and the illustrative history "
                                        "(idempotent)").set_defaults(handler=cmd_db_seed)

    kpi_parser = commands.add_parser("kpi", help="KPI catalogue and values")
    kpi_commands = kpi_parser.add_subparsers(dest="command", required=True)
    _command(kpi_commands, "list", "every KPI with unit, direction, target and sensitivity", cmd_kpi_list)
    values = _command(kpi_commands, "values", "current values of one KPI", cmd_kpi_values)
    values.add_argument("code", help="KPI code, e.g. DS1_RESPONSE")
    values.add_argument("--ward", help="a ward code (WD19 or WD25); default: the KPI's own area")
    values.add_argument("--real-only", action="store_true", help="leave out illustrative values")
    summary_parser = _command(kpi_commands, "summary", "latest value, RAG, changes and SPC per KPI", cmd_kpi_summary)
    summary_parser.add_argument("--as-at", help="YYYY-MM-DD: only data for periods ended by then (default today)")

    ward_parser = commands.add_parser("ward", help="figures by ward, as on the ward map")
    ward_commands = ward_parser.add_subparsers(dest="command", required=True)
    _command(ward_commands, "measures", "what the ward map can show", cmd_ward_measures)
    measure = _command(ward_commands, "measure", "one measure by ward (hidden counts are null)", cmd_ward_measure)
    measure.add_argument("measure", help="a measure id from `saferleeds ward measures`, e.g. crime:all")
    measure.add_argument("--period", help="month:YYYY-MM, 12m:YYYY-MM (12 months to) or fy:YYYY (April YYYY to "
                                          "March); default: the latest 12 months")
    measure.add_argument("--basis", choices=list(measures.BASES), default=measures.RATE,
                         help="what ranks the wards: count, rate per 1,000 (default) or change on a year earlier")

    reference_parser = commands.add_parser("reference", help="ward boundaries and LSOA lookups")
    reference_commands = reference_parser.add_subparsers(dest="command", required=True)
    fetch = _command(reference_commands, "fetch", "download them from the ONS Open Geography Portal",
                     cmd_reference_fetch, as_json=False)
    fetch.add_argument("--folder", help=f"where to write (default {config.REFERENCE_DIR.name})")

    config_parser = commands.add_parser("config", help="show settings and where they come from")
    config_parser.add_argument("--json", action="store_true", help="print JSON")
    config_parser.set_defaults(handler=cmd_config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 success, 1 error, 2 usage)."""
    args = build_parser().parse_args(argv)
    url = args.database_url or config.database_url()
    try:
        args.handler(url, args)
    except (CliError, db.DatabaseUnavailableError) as error:
        print(f"saferleeds: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - the user gets one line, never a traceback
        print(f"saferleeds: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
