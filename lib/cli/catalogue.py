"""The catalogue on the command line: `kpi add`, `kpi update`, `kpi retire`; `target set` and `target list` (a
KPI's targets, each in force from a date until the next one's); `catalogue export` and `catalogue import` (the whole
catalogue as one file, lib/ingest/catalogue_file.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from lib.cli.common import CliError, actor, command, emit, group, parse_date, records
from lib.core import roles
from lib.ingest import catalogue as changes
from lib.ingest import catalogue_file, targets
from lib.ingest.files import ImportRejectedError
from lib.store import queries


def cmd_target_set(url: str, args: argparse.Namespace) -> None:
    """Set a KPI's target from a date (an admin); past meetings keep the target they had."""
    queries.check_ready(url)
    valid_from = parse_date(args.valid_from, "--from")
    try:
        row = targets.set_target(url, args.code, args.value, args.type, valid_from, args.rule, actor(url, args))
    except (ValueError, roles.PermissionDeniedError) as error:
        raise CliError(str(error)) from error
    if args.json:
        emit(row, True)
        return
    print(f"{args.code}: target {args.value:g} ({args.type}) from {valid_from:%d %B %Y}, set by {row['set_by']}.")


def cmd_target_list(url: str, args: argparse.Namespace) -> None:
    """Every target a KPI has had, oldest first: value, type, from, to, set_by, set_at."""
    queries.check_ready(url)
    if args.code not in set(queries.kpi_catalogue(url)["code"]):
        raise CliError(f"unknown KPI {args.code!r} (see `saferleeds kpi list`)")
    frame = queries.kpi_targets(url, args.code).rename(columns={"valid_from": "from", "valid_to": "to"})
    emit(
        records(
            frame[["value", "target_type", "from", "to", "rag_rule", "set_by", "set_at"]].rename(
                columns={"target_type": "type"}
            )
        ),
        args.json,
    )


def cmd_catalogue_export(url: str, args: argparse.Namespace) -> None:
    """Write the whole catalogue to a file: .xlsx (one sheet per table) or .zip (one CSV per table)."""
    queries.check_ready(url)
    path = Path(args.file)
    path.write_bytes(catalogue_file.export_bytes(url, path.name))
    counts = {sheet: len(table) for sheet, table in catalogue_file.frames(url).items()}
    emit(
        {"file": str(path), "rows": counts}
        if args.json
        else f"{path}: " + ", ".join(f"{n} {sheet}" for sheet, n in counts.items()) + " (and an about sheet)",
        args.json,
    )


def cmd_catalogue_import(url: str, args: argparse.Namespace) -> None:
    """Check a catalogue file and, unless --dry-run, import it whole (an admin)."""
    queries.check_ready(url)
    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    try:
        plan = catalogue_file.import_catalogue(
            url, path.name, path.read_bytes(), actor(url, args), args.relax_disclosure, args.dry_run
        )
    except (ImportRejectedError, roles.PermissionDeniedError) as error:
        raise CliError(str(error)) from error
    payload = {"file": path.name, "ok": plan.ok, "imported": plan.ok and not args.dry_run, **plan.counts()}
    payload["problems"] = records(plan.problem_table)
    if args.json:
        emit(payload, True)
    elif plan.ok:
        verb = "would add" if args.dry_run else "added"
        print(
            f"{path.name}: {verb} "
            + ", ".join(f"{n} {sheet}" for sheet, n in payload["added"].items())
            + "; changed "
            + ", ".join(f"{n} {sheet}" for sheet, n in payload["changed"].items())
            + f"; {plan.unchanged} rows unchanged."
        )
    if not plan.ok:
        more = f" (and {len(plan.problems) - 1} more: --json lists them all)" if len(plan.problems) > 1 else ""
        raise CliError(f"{path.name}: nothing was imported: {plan.problems[0]}{more}")


def register(commands: argparse._SubParsersAction) -> None:
    """The `target` and `catalogue` commands."""
    whole = group(commands, "catalogue", "the whole catalogue as one file: priorities, boards, KPIs and targets")
    export = command(whole, "export", "write the catalogue to FILE (.xlsx, or .zip of CSVs)", cmd_catalogue_export)
    export.add_argument("file", help="where to write it; from an empty catalogue this is the template to fill in")
    load = command(
        whole, "import", "check a catalogue file and import it whole (admins)", cmd_catalogue_import, True, True
    )
    load.add_argument("file", help="an .xlsx, a .zip of CSVs, or one CSV named after its sheet (kpis.csv)")
    load.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    load.add_argument("--relax-disclosure", action="store_true", help="confirm turning sensitive flags off")
    target = group(commands, "target", "KPI targets, each in force from a date (past meetings keep theirs)")
    setting = command(target, "set", "set a KPI's target from a date (admins)", cmd_target_set, user=True)
    setting.add_argument("code", help="the KPI's code (see `saferleeds kpi list`)")
    setting.add_argument("--value", type=float, required=True, help="the target, in the KPI's unit")
    setting.add_argument("--type", required=True, choices=targets.TARGET_TYPES, help="maximum or minimum")
    setting.add_argument("--from", dest="valid_from", required=True, help="YYYY-MM-DD: the day it applies from")
    setting.add_argument("--rule", help="the RAG rule in words (default: green within 10%% of the target, as applied)")
    listing = command(target, "list", "every target a KPI has had, oldest first", cmd_target_list)
    listing.add_argument("code", help="the KPI's code")


def _kpi_fields(args: argparse.Namespace) -> dict:
    """The KPI fields given on the command line (None where not given)."""
    return {
        "name": args.name,
        "priority_id": args.priority,
        "unit": args.unit,
        "direction": args.direction,
        "frequency": args.frequency,
        "geography": args.geography,
        "definition": args.definition,
        "source": args.source,
        "owner": args.owner,
    }


def cmd_kpi_add(url: str, args: argparse.Namespace) -> None:
    """Add a KPI to the catalogue (an admin)."""
    queries.check_ready(url)
    fields = {k: v for k, v in _kpi_fields(args).items() if v is not None} | {"sensitive": args.sensitive}
    try:
        row = changes.add_kpi(url, args.code, fields, actor(url, args))
    except (ValueError, roles.PermissionDeniedError) as error:
        raise CliError(str(error)) from error
    emit(row if args.json else f"{args.code} added: {row['name']}.", args.json)


def cmd_kpi_update(url: str, args: argparse.Namespace) -> None:
    """Change a KPI's fields (an admin), under the catalogue's rules."""
    queries.check_ready(url)
    wanted = {k: v for k, v in _kpi_fields(args).items() if v is not None}
    if args.sensitive is not None:
        wanted["sensitive"] = args.sensitive
    try:
        changed = changes.update_kpi(url, args.code, wanted, actor(url, args), args.relax_disclosure)
    except (ValueError, roles.PermissionDeniedError) as error:
        raise CliError(str(error)) from error
    emit(
        changed
        if args.json
        else (f"{args.code}: " + ", ".join(changed) + " changed." if changed else "nothing changed"),
        args.json,
    )


def cmd_kpi_retire(url: str, args: argparse.Namespace) -> None:
    """Retire a KPI from a day (an admin): earlier meetings keep it."""
    queries.check_ready(url)
    retired_from = parse_date(args.retired_from, "--from")
    try:
        changes.retire_kpi(url, args.code, retired_from, actor(url, args))
    except (ValueError, roles.PermissionDeniedError) as error:
        raise CliError(str(error)) from error
    emit(
        {"code": args.code, "retired_from": retired_from}
        if args.json
        else f"{args.code} retired from {retired_from:%d %B %Y}.",
        args.json,
    )


def _field_options(parser: argparse.ArgumentParser, required: bool) -> None:
    """The KPI field options of `kpi add` (required) and `kpi update` (optional)."""
    parser.add_argument("code", help="the KPI's code: capitals, digits and underscores (permanent once it has values)")
    parser.add_argument("--name", required=required)
    parser.add_argument("--priority", type=int, help="the shared priority's number")
    parser.add_argument("--unit", required=required, help="e.g. count, minutes, percent")
    parser.add_argument("--direction", required=required, choices=changes.DIRECTIONS)
    parser.add_argument("--frequency", required=required, choices=changes.FREQUENCIES)
    parser.add_argument("--geography", required=required, choices=changes.GEOGRAPHIES)
    parser.add_argument("--definition", required=required)
    parser.add_argument("--source", required=required, help="where its figures come from (document and section)")
    parser.add_argument("--owner", required=required, help="who reports it")


def register_kpi_changes(kpi_commands: argparse._SubParsersAction) -> None:
    """`kpi add`, `kpi update` and `kpi retire`, in the `kpi` group."""
    add = command(kpi_commands, "add", "add a KPI to the catalogue (admins)", cmd_kpi_add, user=True)
    _field_options(add, required=True)
    add.add_argument("--sensitive", action="store_true", help="ward-level counts go through disclosure control")
    change = command(
        kpi_commands,
        "update",
        "change a KPI's fields (admins; unit and direction fixed once it has values)",
        cmd_kpi_update,
        user=True,
    )
    _field_options(change, required=False)
    change.add_argument("--sensitive", dest="sensitive", action="store_true", default=None)
    change.add_argument("--not-sensitive", dest="sensitive", action="store_false")
    change.add_argument("--relax-disclosure", action="store_true", help="confirm turning the sensitive flag off")
    retire = command(
        kpi_commands, "retire", "retire a KPI from a day (admins; its values are kept)", cmd_kpi_retire, user=True
    )
    retire.add_argument("code")
    retire.add_argument(
        "--from", dest="retired_from", required=True, help="YYYY-MM-DD: meetings from then leave it out"
    )
