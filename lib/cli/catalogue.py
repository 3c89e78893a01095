"""`saferleeds target set` and `target list`: a KPI's targets, each in force from a date until the next one's."""

from __future__ import annotations

import argparse

from lib.cli.common import CliError, actor, command, emit, group, parse_date, records
from lib.core import roles
from lib.ingest import targets
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


def register(commands: argparse._SubParsersAction) -> None:
    """The `target` commands."""
    target = group(commands, "target", "KPI targets, each in force from a date (past meetings keep theirs)")
    setting = command(target, "set", "set a KPI's target from a date (admins)", cmd_target_set, user=True)
    setting.add_argument("code", help="the KPI's code (see `saferleeds kpi list`)")
    setting.add_argument("--value", type=float, required=True, help="the target, in the KPI's unit")
    setting.add_argument("--type", required=True, choices=targets.TARGET_TYPES, help="maximum or minimum")
    setting.add_argument("--from", dest="valid_from", required=True, help="YYYY-MM-DD: the day it applies from")
    setting.add_argument("--rule", help="the RAG rule in words (default: green within 10%% of the target, as applied)")
    listing = command(target, "list", "every target a KPI has had, oldest first", cmd_target_list)
    listing.add_argument("code", help="the KPI's code")
