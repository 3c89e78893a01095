"""The `saferleeds` command line: thin over the same functions the pages call."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import pandas as pd

from lib.analysis import measures, meetings, spc_file, summary
from lib.cli import meeting as meeting_commands
from lib.cli.common import CliError, Parser, actor, command, emit, parse_date, positive, records, user_option
from lib.core import config, exports, periods, roles, text
from lib.geo import reference
from lib.ingest import batches, files, kpi_returns, locking, lookups, policeuk, seed, users
from lib.ops import replicas
from lib.store import db, queries


def cmd_db_upgrade(url: str, _args: argparse.Namespace) -> None:
    """Apply migrations."""
    db.upgrade(url)
    print(f"Database at {db.mask_url(url)} is at revision {db.current_revision(url)}.")


def cmd_db_seed(url: str, _args: argparse.Namespace) -> None:
    """Load the embedded default data (idempotent)."""
    queries.check_ready(url)
    result = seed.seed(url)
    print(
        f"Seeded {db.mask_url(url)}: {result.reference_rows} reference rows, {result.facts.added} documented "
        f"facts (+{result.facts.revised} revised), {result.illustrative_values.added} illustrative KPI values, "
        f"{result.crime_rows} illustrative crime rows added."
    )


def cmd_db_init(url: str, _args: argparse.Namespace) -> None:
    """Migrate, then seed only if the database holds no data yet (never touches a database in use)."""
    db.upgrade(url)
    if seed.is_empty(url):
        cmd_db_seed(url, _args)
    else:
        print(
            f"Database at {db.mask_url(url)} is up to date and already holds data; left as it is "
            "(`saferleeds db seed` adds any missing reference data and documented facts)."
        )


def cmd_kpi_list(url: str, args: argparse.Namespace) -> None:
    """List the KPI catalogue."""
    queries.check_ready(url)
    frame = queries.kpi_catalogue(url)
    columns = ["code", "name", "priority_id", "priority", "unit", "direction", "target", "target_type", "sensitive"]
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
        raise CliError(f"unknown ward code {args.ward!r}: use a Leeds WD19 or WD25 ward code (E05...)")
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
    rows = summary.summaries(queries.kpi_catalogue(url), queries.headline_values(url), as_at, previous)
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


def _user_payload(url: str, email: str) -> dict:
    """One user as the users commands print it."""
    frame = queries.users(url)
    row = frame[frame["email"].str.lower() == email.lower()]
    return records(row.astype(object))[0] if not row.empty else {"email": email, "removed": True}


def _managing(url: str, args: argparse.Namespace) -> None:
    """CliError unless the acting person may manage users."""
    acting = actor(url, args)
    if not roles.may_manage_users(acting):
        raise CliError(f"{roles.is_a(acting)}: only admins manage users")


def _change_users(url: str, args: argparse.Namespace, change: Callable[[], None]) -> None:
    """Run a change to the users table as the acting admin; its ValueError becomes the one-line error."""
    queries.check_ready(url)
    _managing(url, args)
    try:
        change()
    except ValueError as error:
        raise CliError(str(error)) from error


def cmd_users_add(url: str, args: argparse.Namespace) -> None:
    """Add a user."""
    _change_users(
        url, args, lambda: users.add(url, args.email, args.role, args.name or "", args.priority, args.kpi, args.ward)
    )
    emit(_user_payload(url, args.email), args.json)


def cmd_users_update(url: str, args: argparse.Namespace) -> None:
    """Change a user."""
    if args.active and args.inactive:
        raise CliError("give --active or --inactive, not both")
    active = True if args.active else False if args.inactive else None
    _change_users(
        url,
        args,
        lambda: users.update_user(url, args.email, args.role, args.name, active, args.priority, args.kpi, args.ward),
    )
    emit(_user_payload(url, args.email), args.json)


def cmd_users_remove(url: str, args: argparse.Namespace) -> None:
    """Remove a user."""
    _change_users(url, args, lambda: users.remove(url, args.email))
    emit({"email": args.email, "removed": True}, args.json)


def cmd_users_list(url: str, args: argparse.Namespace) -> None:
    """Every user."""
    queries.check_ready(url)
    emit(records(queries.users(url).astype(object)), args.json)


def cmd_serve(url: str, args: argparse.Namespace) -> None:
    """Several app processes behind nginx on one database, until interrupted."""
    queries.check_ready(url)
    if args.replicas < 1:
        raise CliError("--replicas must be 1 or more")

    def interrupted(_signal: int, _frame: object) -> None:
        """A service manager's stop (SIGTERM) stops the deployment as Ctrl-C does."""
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    folder = None
    try:
        with replicas.serve(url, args.replicas, args.port, args.address) as deployment:
            folder = deployment.folder
            print(
                f"Serving {deployment.url} ({args.replicas} app processes: {', '.join(deployment.apps)}); a process "
                f"that dies is restarted; Ctrl-C stops. Configuration and logs: {folder}",
                flush=True,
            )
            reason = deployment.supervise()
        raise CliError(f"the service stopped: {reason}")
    except KeyboardInterrupt:
        print(f"Stopped. The logs are kept in {folder}." if folder else "Stopped.")
    except RuntimeError as error:
        raise CliError(str(error).splitlines()[0]) from error


def cmd_config(_url: str, args: argparse.Namespace) -> None:
    """Show the settings, their values (passwords masked) and help."""
    rows = [
        {
            "name": s.name,
            "value": db.mask_url(config.database_url()) if s is config.DATABASE_URL else config.get(s),
            "default": s.default,
            "help": s.help,
        }
        for s in config.SETTINGS + reference.SETTINGS + files.SETTINGS
    ]
    emit(rows, args.json)


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
        "leeds": table.city,
        "wards": rows,
    }
    emit(payload if args.json else rows, args.json)


def cmd_reference_fetch(_url: str, args: argparse.Namespace) -> None:
    """Download ward boundaries and LSOA lookups from the ONS Open Geography Portal."""
    folder = Path(args.folder) if args.folder else config.reference_dir()
    try:
        fetched = reference.fetch(folder)
    except reference.FetchError as error:
        raise CliError(str(error)) from error
    for item in fetched:
        print(f"Wrote {item.path} ({item.rows} rows from {item.source}).")


class ProgressBar:
    """A one-line progress bar on stderr, drawn only on a terminal and only once a job has run for a second."""

    WIDTH = 30
    DELAY_SECONDS = 1.0

    def __init__(self) -> None:
        """Start the clock."""
        self.started = time.monotonic()
        self.drawn = False

    def __call__(self, fraction: float, text: str) -> None:
        """Redraw with the fraction done and what is happening."""
        if not sys.stderr.isatty() or time.monotonic() - self.started < self.DELAY_SECONDS:
            return
        filled = int(self.WIDTH * max(0.0, min(1.0, fraction)))
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {fraction:4.0%} {text[:70]:<70}")
        sys.stderr.flush()
        self.drawn = True

    def close(self) -> None:
        """End the bar's line, if one was drawn."""
        if self.drawn:
            sys.stderr.write("\n")


def _file_rows(result: policeuk.ImportResult) -> list[dict]:
    """One summary row per file of a police.uk import."""
    return [
        {
            "file": f.name,
            "status": f.status,
            "months": ", ".join(f.months),
            "rows_read": f.rows_read,
            "imported": f.rows_imported,
            "updated": f.rows_updated,
            "outside_leeds": f.rows_outside,
            "refused": f.rows_rejected,
            "problems": [str(p) for p in f.problems],
            "batch_id": f.batch_id,
        }
        for f in result.files
    ]


def cmd_import_policeuk(url: str, args: argparse.Namespace) -> None:
    """Import police.uk street-level crime files, folders or archives."""
    queries.check_ready(url)
    acting = actor(url, args)
    bar = ProgressBar()
    try:
        result = policeuk.import_paths(
            url,
            [Path(p) for p in args.paths],
            user=acting.label,
            progress=bar,
            accept_unusual=args.accept_unusual,
            actor=acting,
        )
    except (files.ImportRejectedError, lookups.MissingLookupError) as error:
        raise CliError(str(error)) from error
    finally:
        bar.close()
    rows = _file_rows(result)
    if args.json:
        emit({"ok": result.ok, "files": rows, "notes": result.notes}, True)
    else:
        for row in rows:
            print(
                f"{row['file']}: {row['status']}; {row['rows_read']:,} rows read, {row['imported']:,} imported, "
                f"{row['updated']:,} updated, {row['outside_leeds']:,} outside Leeds, {row['refused']:,} refused"
                + "".join(f"\n  - {p}" for p in row["problems"])
            )
        for note in result.notes:
            print(f"note: {note}")
    if not result.ok:
        raise CliError("nothing was imported: fix the file(s) above and run the import again")


def cmd_import_kpi(url: str, args: argparse.Namespace) -> None:
    """Check a KPI return and, unless --dry-run, import it whole."""
    queries.check_ready(url)
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    data = path.read_bytes()
    acting = actor(url, args)
    who = acting.label
    try:
        preview = kpi_returns.check(url, path.name, data, actor=acting)
    except files.ImportRejectedError as error:
        kpi_returns.record_rejection(url, path.name, data, error.problems, who)
        raise CliError(str(error)) from error
    payload = {
        "file": path.name,
        "ok": preview.ok,
        "rows": records(preview.rows.astype(object)),
        "problems": records(preview.problem_table),
        "skipped_blank_rows": preview.skipped,
        "warnings": preview.warnings,
    }
    if not preview.ok or args.dry_run:
        if not preview.ok:
            kpi_returns.import_preview(url, preview, who, acting)  # logs the rejection, writes nothing else
        else:
            kpi_returns.record_preview(url, preview, who)
        emit(payload if args.json else payload["problems"] or payload["rows"], args.json)
        if preview.refusal:
            raise CliError(f"{path.name}: {preview.refusal}")
        if not preview.ok:
            raise CliError(f"{path.name}: {len(preview.problems)} problem(s); nothing was imported")
        return
    outcome = kpi_returns.import_preview(url, preview, who, acting)
    payload |= {
        "status": outcome.status,
        "added": outcome.counts.added,
        "revised": outcome.counts.revised,
        "unchanged": outcome.counts.unchanged,
        "batch_id": outcome.batch_id,
    }
    if args.json:
        emit(payload, True)
    else:
        print(
            f"{path.name}: {outcome.status}; {outcome.counts.added} new values, {outcome.counts.revised} "
            f"revised (earlier revisions kept), {outcome.counts.unchanged} unchanged, {preview.skipped} blank "
            "rows skipped."
        )


def cmd_kpi_template(url: str, args: argparse.Namespace) -> None:
    """Write the KPI return template (CSV or Excel) for one owner's KPIs or all."""
    queries.check_ready(url)
    owners = set(queries.kpi_catalogue(url)["owner"])
    if args.owner and args.owner not in owners:
        raise CliError(f"unknown owner {args.owner!r}; owners are: {'; '.join(sorted(owners))}")
    cutoff = None
    if args.meeting:
        table = queries.meetings(url)
        pairs = list(zip(table["meeting_date"], table["data_cutoff"], strict=True))
        cutoff = periods.cutoff_of(pairs, parse_date(args.meeting, "--meeting"))
        if cutoff is None:
            raise CliError(f"no meeting on {args.meeting}; see the Overview's meeting list")
    path = Path(args.output)
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(kpi_returns.template_excel(url, args.owner, cutoff))
    else:
        path.write_bytes(exports.csv_bytes(kpi_returns.template(url, args.owner, cutoff)))
    print(f"Wrote {path}.")


def cmd_imports(url: str, args: argparse.Namespace) -> None:
    """The import log, newest first (imports whose process has gone are marked failed first)."""
    queries.check_ready(url)
    locking.close_stale(url)
    frame = queries.import_log(url).head(args.limit)
    rows = records(frame.astype(object))
    for row in rows:
        row["errors"] = [line for line in (row.get("errors") or "").splitlines() if line]
        row["illustrative"] = bool(row["illustrative"])
    emit(rows if args.json else [{k: r[k] for k in batches.LOG_COLUMNS} for r in rows], args.json)


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


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = Parser(prog="saferleeds", description="Safer Leeds Executive dashboard tools.")
    parser.add_argument("--database-url", help=f"override {config.DATABASE_URL.name}")
    commands = parser.add_subparsers(dest="group", required=True)

    db_parser = commands.add_parser("db", help="database schema and default data")
    db_commands = db_parser.add_subparsers(dest="command", required=True)
    db_commands.add_parser("upgrade", help="apply migrations (safe on a database that holds data)").set_defaults(
        handler=cmd_db_upgrade
    )
    db_commands.add_parser("init", help="upgrade, and seed the default data if the database is empty").set_defaults(
        handler=cmd_db_init
    )
    db_commands.add_parser(
        "seed", help="load reference data, documented facts and the illustrative history (idempotent)"
    ).set_defaults(handler=cmd_db_seed)

    kpi_parser = commands.add_parser("kpi", help="KPI catalogue and values")
    kpi_commands = kpi_parser.add_subparsers(dest="command", required=True)
    command(kpi_commands, "list", "every KPI with unit, direction, target and sensitivity", cmd_kpi_list)
    values = command(kpi_commands, "values", "current values of one KPI", cmd_kpi_values)
    values.add_argument("code", help="KPI code, e.g. DS1_RESPONSE")
    values.add_argument("--ward", help="a ward code (WD19 or WD25); default: the KPI's own area")
    values.add_argument("--real-only", action="store_true", help="leave out illustrative values")
    summary_parser = command(kpi_commands, "summary", "latest value, RAG, changes and SPC per KPI", cmd_kpi_summary)
    summary_parser.add_argument("--as-at", help="YYYY-MM-DD: only data for periods ended by then (default today)")
    template = command(
        kpi_commands, "template", "write a KPI return template to fill in", cmd_kpi_template, as_json=False
    )
    template.add_argument("output", help="file to write: .csv or .xlsx (Excel, with a guide sheet)")
    template.add_argument("--owner", help="only the KPIs this owner reports (as in `saferleeds kpi list`)")
    template.add_argument(
        "--meeting", help="YYYY-MM-DD: fill in the periods due for this meeting (default: the latest meeting)"
    )

    ward_parser = commands.add_parser("ward", help="figures by ward, as on the ward map")
    ward_commands = ward_parser.add_subparsers(dest="command", required=True)
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

    reference_parser = commands.add_parser("reference", help="ward boundaries and LSOA lookups")
    reference_commands = reference_parser.add_subparsers(dest="command", required=True)
    fetch = command(
        reference_commands,
        "fetch",
        "download them from the ONS Open Geography Portal",
        cmd_reference_fetch,
        as_json=False,
    )
    fetch.add_argument("--folder", help=f"where to write (default {config.REFERENCE_DIR.name})")

    import_parser = commands.add_parser("import", help="load police.uk crime files or a KPI return")
    import_commands = import_parser.add_subparsers(dest="command", required=True)
    crime_import = command(
        import_commands,
        "policeuk",
        "police.uk street-level CSVs, folders of them or a custom-download zip (checked first; all or nothing)",
        cmd_import_policeuk,
        user=True,
    )
    crime_import.add_argument("paths", nargs="+", help="YYYY-MM-<force>-street.csv files, folders or .zip archives")
    crime_import.add_argument(
        "--accept-unusual",
        action="store_true",
        help="import files that look unusual for one force's month (far more or fewer rows than the months stored, "
        "or mostly identical rows) after you have checked them",
    )
    kpi_import = command(
        import_commands, "kpi", "a KPI return (CSV or Excel, from `saferleeds kpi template`)", cmd_import_kpi, user=True
    )
    kpi_import.add_argument("file", help="the return: .csv (UTF-8) or .xlsx")
    kpi_import.add_argument("--dry-run", action="store_true", help="check and preview only; write nothing")

    imports = command(commands, "imports", "the import log, newest first", cmd_imports)
    imports.add_argument("--limit", type=positive, default=100, help="how many batches (default 100)")

    crime_parser = commands.add_parser("crime", help="police.uk crime counts")
    crime_commands = crime_parser.add_subparsers(dest="command", required=True)
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

    users_parser = commands.add_parser("users", help="who may sign in, with what role and scopes")
    users_commands = users_parser.add_subparsers(dest="users_command", required=True)
    for name, help_text, handler in (
        ("add", "add a user", cmd_users_add),
        ("update", "change a user's role, name, scopes (given scopes replace theirs) or active flag", cmd_users_update),
    ):
        sub = users_commands.add_parser(name, help=help_text)
        sub.add_argument("email")
        sub.add_argument("--role", required=name == "add", help=", ".join(roles.ROLES))
        sub.add_argument("--name")
        sub.add_argument("--priority", action="append", default=None, help="a priority number (repeat for more)")
        sub.add_argument("--kpi", action="append", default=None, help="a KPI code (repeat for more)")
        sub.add_argument("--ward", action="append", default=None, help="a ward code (repeat for more)")
        user_option(sub, "--as", "--user", help_text="act as this admin (default: the local operator)")
        sub.add_argument("--json", action="store_true", help="print the user as JSON")
        if name == "update":
            sub.add_argument("--inactive", action="store_true", help="stop them signing in (kept in the log)")
            sub.add_argument("--active", action="store_true", help="let them sign in again")
        sub.set_defaults(handler=handler)
    remove_parser = users_commands.add_parser("remove", help="remove a user")
    remove_parser.add_argument("email")
    user_option(remove_parser, "--as", "--user", help_text="act as this admin (default: the local operator)")
    remove_parser.add_argument("--json", action="store_true", help="print JSON")
    remove_parser.set_defaults(handler=cmd_users_remove)
    list_parser = users_commands.add_parser("list", help="every user with role, active and scopes")
    list_parser.add_argument("--json", action="store_true", help="print JSON")
    list_parser.set_defaults(handler=cmd_users_list)

    serve_parser = commands.add_parser(
        "serve", help="run several app processes behind nginx on this database (sticky sessions; Ctrl-C stops)"
    )
    serve_parser.add_argument("--replicas", type=int, default=2, help="app processes (default 2)")
    serve_parser.add_argument("--port", type=int, default=8080, help="the proxy's port (default 8080)")
    serve_parser.add_argument(
        "--address", default="127.0.0.1", help="the proxy's address (default 127.0.0.1; 0.0.0.0 for every interface)"
    )
    serve_parser.set_defaults(handler=cmd_serve)

    meeting_commands.register(commands)

    config_parser = commands.add_parser("config", help="show settings and where they come from")
    config_parser.add_argument("--json", action="store_true", help="print JSON")
    config_parser.set_defaults(handler=cmd_config)
    return parser


def _database_url_first(argv: list[str]) -> list[str]:
    """The arguments with --database-url moved to the front, wherever it was given (before or after the command)."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--database-url" and index + 1 < len(argv):
            front += argv[index : index + 2]
            index += 2
            continue
        (front if token.startswith("--database-url=") else rest).append(token)
        index += 1
    return front + rest


def _not_text(argv: list[str]) -> str | None:
    """The usage error for an argument that is not valid UTF-8 (the terminal sent other bytes), else None."""
    for number, argument in enumerate(argv, start=1):
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:
            shown = argument.encode("utf-8", "replace").decode("utf-8")
            return f"argument {number} ({shown!r}) is not valid UTF-8 text: check the terminal's character encoding"
    return None


def _quiet_stdout() -> None:
    """After a reader such as `head` closed the pipe: send what is left to /dev/null, so nothing more is said."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass  # stdout is not a real file (a test's capture)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code (0 success, 1 error, 2 usage)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    problem = _not_text(arguments)
    if problem:
        parser.error(problem)
    args = parser.parse_args(_database_url_first(arguments))
    url = args.database_url or config.database_url()
    try:
        args.handler(url, args)
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        return 0
    except (CliError, db.DatabaseUnavailableError, db.DatabaseBusyError, roles.PermissionDeniedError) as error:
        print(f"saferleeds: {text.visible(error)}", file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - the user gets one line, never a traceback or an exception's name
        detail = text.visible(str(error).splitlines()[0]) if str(error) else "no details"
        print(f"saferleeds: the command failed unexpectedly ({detail}); nothing more was done", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
