"""`saferleeds peers`: how the partnership compares with its peer groups on police.uk crime, and the groups."""

from __future__ import annotations

import argparse

from lib.analysis import peers
from lib.area.national import NationalDataError
from lib.cli.common import CliError, actor, command, emit
from lib.core import periods
from lib.ingest import peer_groups
from lib.store import queries


def _period(url: str, spec: str | None) -> periods.Period:
    """The period asked for, or the newest 12 months the partnership's real police.uk data cover."""
    if spec:
        try:
            return periods.parse(spec)
        except ValueError as error:
            raise CliError(str(error)) from error
    latest = peers.latest_period(url)
    if latest is None:
        raise CliError("no 12 months of real police.uk crime are loaded: give --period month:YYYY-MM")
    return latest


def cmd_peers(url: str, args: argparse.Namespace) -> None:
    """Each area's rate per 1,000 residents for a crime type and period, with the partnership's rank."""
    queries.check_ready(url)
    try:
        group = peers.group_named(url, args.group)
        crime_type = peers.crime_type_of(args.type)
        comparison = peers.compare(url, group, _period(url, args.period), crime_type)
    except (ValueError, NationalDataError) as error:
        raise CliError(str(error)) from error
    rows = comparison.records()
    if args.json:
        emit(
            {
                "group": group.name,
                "type": args.type if crime_type is None else crime_type,
                "period": comparison.period.spec,
                "period_label": comparison.period.label,
                "standing": comparison.standing,
                "peer_average_per_1000": None if comparison.average is None else round(comparison.average, 3),
                "ratio_to_peer_average": None if comparison.ratio is None else round(comparison.ratio, 3),
                "verdict": comparison.verdict,
                "rows": rows,
                "caveat": peers.CAVEAT,
            },
            True,
        )
        return
    print(f"{comparison.type_label}, {comparison.period.label}: {comparison.standing}")
    emit([{k: r[k] for k in (*peers.COLUMNS, "reason")} for r in rows], False)
    print(peers.CAVEAT)


def cmd_groups(url: str, args: argparse.Namespace) -> None:
    """The peer groups and their areas."""
    queries.check_ready(url)
    found = peers.groups(url)
    if args.json:
        emit(
            [
                {
                    "name": g.name,
                    "note": g.note,
                    "areas": [
                        {"code": a.code, "name": a.name, "districts": list(a.districts), "note": a.note}
                        for a in g.areas
                    ],
                }
                for g in found
            ],
            True,
        )
        return
    rows = [{"group": g.name, "area": a.name, "code": a.code, "note": a.note} for g in found for a in g.areas]
    emit(rows if rows else "No peer groups: an admin adds one with `saferleeds peers group set`.", False)


def cmd_group_set(url: str, args: argparse.Namespace) -> None:
    """Create a group, or replace its areas."""
    queries.check_ready(url)
    areas = [a.strip() for a in args.areas.split(",")]
    try:
        group = peer_groups.set_group(url, args.name, areas, peers.national(), actor(url, args), args.note)
    except (ValueError, NationalDataError) as error:
        raise CliError(str(error)) from error
    emit({"name": group.name, "areas": [{"code": a.code, "name": a.name} for a in group.areas]}, args.json)


def cmd_group_remove(url: str, args: argparse.Namespace) -> None:
    """Remove a group."""
    queries.check_ready(url)
    try:
        peer_groups.remove_group(url, args.name, actor(url, args))
    except ValueError as error:
        raise CliError(str(error)) from error
    emit({"removed": args.name}, args.json)


def register(commands: argparse._SubParsersAction) -> None:
    """The `peers` commands."""
    compare = command(
        commands,
        "peers",
        "the partnership's police.uk crime rate per 1,000 residents beside its peers', with its rank",
        cmd_peers,
    )
    compare.add_argument("--group", metavar="NAME", help="a peer group (default: the first; see `peers groups`)")
    compare.add_argument(
        "--type", default=peers.ALL, metavar="TYPE", help="a police.uk crime type, or all (default; without ASB)"
    )
    compare.add_argument(
        "--period", metavar="SPEC", help="month:YYYY-MM, 12m:YYYY-MM or fy:YYYY (default: the newest 12 months)"
    )
    below = compare.add_subparsers(dest="peers_command", required=False)
    command(below, "groups", "the peer groups and their areas", cmd_groups)
    group_commands = below.add_parser("group", help="change the peer groups (admins)").add_subparsers(
        dest="group_command", required=True
    )
    set_group = command(group_commands, "set", "create a group, or replace its areas", cmd_group_set, user=True)
    set_group.add_argument("name", help="the group's name")
    set_group.add_argument(
        "--areas",
        required=True,
        metavar="AREA,...",
        help="district codes (E08000039), partnership codes (E22...) or district names, comma-separated",
    )
    set_group.add_argument("--note", help="what the group is (shown with it)")
    remove = command(group_commands, "remove", "remove a group", cmd_group_remove, user=True)
    remove.add_argument("name", help="the group's name")
