"""`saferleeds area build` and `area show`: a partnership's area folder, and the area this installation serves."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from lib.area import AreaError, clear, current, load, sources
from lib.area import build as builder
from lib.area import files as area_files
from lib.cli.common import CliError, command, emit, group
from lib.geo import reference


def _committee_areas(path: str | None) -> dict[str, str]:
    """Ward code or name -> committee area, from a CSV with ward_code or ward_name and committee_area."""
    if not path:
        return {}
    try:
        rows = sources.rows(Path(path))
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror or error}") from error
    if not rows or "committee_area" not in rows[0]:
        raise CliError(f"{path} needs a committee_area column beside ward_code or ward_name")
    return {(r.get("ward_code") or r.get("ward_name") or "").strip(): r["committee_area"].strip() for r in rows}


def cmd_area_build(_url: str, args: argparse.Namespace) -> None:
    """Build an area folder from ONS files (a folder, or downloaded), check it, and swap it in whole."""
    forces = [f.strip() for f in args.forces.split(",") if f.strip()] if args.forces else None
    with tempfile.TemporaryDirectory(prefix="saferleeds-ons-") as downloads:
        if args.source:
            folder = Path(args.source)
            if not folder.is_dir():
                raise CliError(f"--from {folder}: no such folder")
            note = f"the files in {folder}"
        else:
            folder = Path(downloads)
            try:
                reference.fetch_for_build(folder, args.lad_codes)
            except reference.FetchError as error:
                raise CliError(str(error)) from error
            note = "the ONS Open Geography Portal and Nomis"
        try:
            built = builder.build(
                args.lad_codes,
                args.name,
                folder,
                partnership=args.partnership,
                board=args.board,
                forces=forces,
                committee_areas=_committee_areas(args.committee_areas),
            )
            out = area_files.write(built, Path(args.out), note)
        except builder.BuildError as error:
            raise CliError(f"{error} Nothing was written.") from error
    clear()
    payload = {**built.to_json(), "folder": str(out)}
    if args.json:
        emit(payload, True)
        return
    print(
        f"Built {built.partnership} in {out}: {len(built.wards)} wards, {built.population_total:,} residents, "
        f"{len(built.lsoa21)} LSOAs (2021) and {len(built.lsoa11)} (2011); {payload['placed_from_boundaries']} "
        f"LSOA(s) placed from the boundaries. Police forces: {', '.join(built.forces) or 'none'}. "
        f"Serve it with SAFERLEEDS_AREA={out}."
    )
    for line in built.notes:
        print(f"Note: {line}")


def cmd_area_show(_url: str, args: argparse.Namespace) -> None:
    """The partnership this installation serves (SAFERLEEDS_AREA)."""
    try:
        area = current() if not args.folder else load(Path(args.folder))
    except AreaError as error:
        raise CliError(str(error)) from error
    emit(
        {
            "name": area.name,
            "partnership": area.partnership,
            "board": area.board,
            "code": area.code,
            "lads": [{"code": d.code, "name": d.name} for d in area.districts],
            "forces": list(area.forces),
            "wards": area.ward_count,
            "folder": str(area.folder),
            "demo": area.demo,
        },
        args.json,
    )


def register(commands: argparse._SubParsersAction) -> None:
    """The `area` commands."""
    area = group(commands, "area", "the partnership's area: its districts, wards, lookups and boundaries")
    build_parser = command(
        area, "build", "build an area folder from ONS files (downloaded, or --from a folder)", cmd_area_build
    )
    build_parser.add_argument("lad_codes", nargs="+", metavar="LAD_CODE", help="ONS local authority district codes")
    build_parser.add_argument("--name", required=True, help="the place, as pages name it (e.g. Bradford)")
    build_parser.add_argument("--from", dest="source", help="a folder of ONS files (recognised by their columns)")
    build_parser.add_argument("--out", required=True, help="the area folder to write (replaced only when it passes)")
    build_parser.add_argument(
        "--partnership", help="the partnership's name (default: NAME Community Safety Partnership)"
    )
    build_parser.add_argument("--board", help="the board the dashboard serves (default: the partnership's board)")
    build_parser.add_argument("--forces", help="police.uk force names, comma-separated (default: from the ONS lookup)")
    build_parser.add_argument(
        "--committee-areas", help="CSV of ward_code or ward_name with committee_area (default: each ward's district)"
    )
    show = command(area, "show", "the partnership this installation serves (SAFERLEEDS_AREA)", cmd_area_show)
    show.add_argument("--folder", help="an area folder to show instead")
