"""`saferleeds import`, `imports`, `kpi template` and `reference fetch`: loading data, and the log of loads."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from lib.area import current as current_area
from lib.cli.common import CliError, actor, command, emit, group, parse_date, positive, records
from lib.core import config, exports, periods
from lib.geo import national_files, reference
from lib.ingest import batches, files, kpi_returns, locking, lookups, policeuk
from lib.store import queries


def cmd_reference_fetch(_url: str, args: argparse.Namespace) -> None:
    """Download the partnership's ward boundaries and LSOA lookups, and the national files peer comparisons read."""
    folder = Path(args.folder) if args.folder else config.reference_dir()
    fetched = []
    try:
        if not args.national:
            fetched += reference.fetch(folder)
        if not args.area:
            fetched += national_files.fetch(folder)
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
            "outside_area": f.rows_outside,
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
                f"{row['updated']:,} updated, {row['outside_area']:,} outside {current_area().name}, "
                f"{row['refused']:,} refused" + "".join(f"\n  - {p}" for p in row["problems"])
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


def register_template(kpi_commands: argparse._SubParsersAction) -> None:
    """`kpi template`, under the `kpi` commands."""
    template = command(
        kpi_commands, "template", "write a KPI return template to fill in", cmd_kpi_template, as_json=False
    )
    template.add_argument("output", help="file to write: .csv or .xlsx (Excel, with a guide sheet)")
    template.add_argument("--owner", help="only the KPIs this owner reports (as in `saferleeds kpi list`)")
    template.add_argument(
        "--meeting", help="YYYY-MM-DD: fill in the periods due for this meeting (default: the latest meeting)"
    )


def register(commands: argparse._SubParsersAction) -> None:
    """The `reference`, `import` and `imports` commands."""
    reference_commands = group(commands, "reference", "ward boundaries and LSOA lookups")
    fetch = command(
        reference_commands,
        "fetch",
        "download them from the ONS Open Geography Portal, with the national files peer comparisons read",
        cmd_reference_fetch,
        as_json=False,
    )
    fetch.add_argument("--folder", help=f"where to write (default {config.REFERENCE_DIR.name})")
    only = fetch.add_mutually_exclusive_group()
    only.add_argument(
        "--national",
        action="store_true",
        help="only the national files: LSOA to district (2021 and 2011), district to partnership to force, today's "
        "district codes and Census 2021 residents by LSOA, for all of England and Wales",
    )
    only.add_argument("--area", action="store_true", help="only the partnership's ward boundaries and LSOA lookups")

    import_commands = group(commands, "import", "load police.uk crime files or a KPI return")
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
