"""An area folder written from a built area: area.toml, wards, lookups, simplified outlines, the hex layout and a
README saying how it was made. It is written beside its target and swapped in whole, so a failure leaves what was
there before."""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import tempfile
from pathlib import Path

from shapely.geometry import mapping

from lib.area import (
    BOUNDARIES_FILE,
    HEXES_FILE,
    LOOKUP_2011_FILE,
    LOOKUP_2021_FILE,
    MANIFEST,
    WARD_COLUMNS,
    WARDS_FILE,
    hexes,
)
from lib.area.build import DECIMALS, POPULATION_YEAR, SIMPLIFY_DEGREES, BuiltArea


def _round(value: object) -> object:
    """Coordinates rounded to DECIMALS, nested lists kept."""
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    return round(float(value), DECIMALS)  # type: ignore[arg-type]


def _write_csv(path: Path, header: list[str], rows: list[list[object]]) -> None:
    """A CSV with a header, newline-terminated lines."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def layout(built: BuiltArea) -> tuple[dict[str, hexes.Cell], float, tuple[float, float], int, int]:
    """The hex layout, its cell size in degrees, the drawing centre, and neighbour pairs kept / all."""
    centroids = {w.code: (w.geometry.centroid.y, w.geometry.centroid.x) for w in built.wards}
    pairs = hexes.true_neighbours({w.code: w.geometry for w in built.wards})
    points = hexes.scaled_centroids(centroids, pairs)
    lat0 = sum(lat for lat, _ in centroids.values()) / len(centroids)
    lon0 = sum(lon for _, lon in centroids.values()) / len(centroids)
    cells = hexes.normalised(hexes.assign(points, pairs))
    kept = sum(1 for pair in pairs if hexes.adjacent(*(cells[c] for c in pair)))
    # drawn around the cells' own middle, so the hex map sits where the area is
    xs = [hexes.centre_xy(*cell)[0] for cell in cells.values()]
    ys = [hexes.centre_xy(*cell)[1] for cell in cells.values()]
    size = 1 / hexes.scale(centroids, pairs)  # one hex unit, in degrees of latitude
    centre = (
        round(lat0 - (max(ys) + min(ys)) / 2 * size, 5),
        round(lon0 - (max(xs) + min(xs)) / 2 * size / math.cos(math.radians(lat0)), 5),
    )
    return cells, round(size, 5), centre, kept, len(pairs)


def write(built: BuiltArea, out: Path, sources_note: str = "") -> Path:
    """Write the area folder: into a new folder beside out, then swapped in whole (what was there is replaced only
    when everything is written)."""
    cells, size, centre, kept, pairs = layout(built)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        _write_folder(built, staging, cells, size, centre, f"{kept} of {pairs}", sources_note)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / out.name)
            os.replace(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out


def _toml_string(text: str) -> str:
    """A TOML basic string."""
    return json.dumps(text, ensure_ascii=False)


def _write_folder(
    built: BuiltArea, folder: Path, cells: dict, size: float, centre: tuple[float, float], kept: str, note: str
) -> None:
    """Every file of the area folder."""
    districts = "\n".join(
        f"[[districts]]\ncode = {_toml_string(code)}\nname = {_toml_string(name)}\n" for code, name in built.districts
    )
    (folder / MANIFEST).write_text(
        "# Built by `saferleeds area build`: the partnership's names, districts and forces. Edit the names freely;\n"
        "# rebuild to change districts.\n"
        f"name = {_toml_string(built.name)}\n"
        f"partnership = {_toml_string(built.partnership)}\n"
        f"board = {_toml_string(built.board)}\n"
        f"code = {_toml_string(built.code)}\n"
        f"forces = [{', '.join(_toml_string(f) for f in built.forces)}]\n"
        f"centre = [{centre[0]}, {centre[1]}]\n"
        f"hex_degrees = {size}\n"
        "demo = false\n"
        "self_contained = true\n\n" + districts,
        encoding="utf-8",
    )
    _write_csv(
        folder / WARDS_FILE,
        [*WARD_COLUMNS, "lad_code", "lsoas"],
        [
            [
                w.code,
                w.wd19_code,
                w.name,
                w.committee_area,
                w.population,
                POPULATION_YEAR,
                round(w.geometry.centroid.y, DECIMALS),
                round(w.geometry.centroid.x, DECIMALS),
                w.district,
                w.lsoas,
            ]
            for w in built.wards
        ],
    )
    _write_csv(
        folder / HEXES_FILE,
        ["ward_code", "ward_name", "q", "r"],
        [[w.code, w.name, *cells[w.code]] for w in built.wards],
    )
    names = {w.code: w.name for w in built.wards}
    for file_name, vintage, lookup in ((LOOKUP_2021_FILE, 21, built.lsoa21), (LOOKUP_2011_FILE, 11, built.lsoa11)):
        _write_csv(
            folder / file_name,
            [f"LSOA{vintage}CD", f"LSOA{vintage}NM", "WD25CD", "WD25NM", "method"],
            [[code, label, ward, names[ward], method] for code, (label, ward, method) in sorted(lookup.items())],
        )
    features = []
    for ward in built.wards:
        outline = mapping(ward.geometry.simplify(SIMPLIFY_DEGREES, preserve_topology=True))
        features.append(
            {
                "type": "Feature",
                "properties": {"ward_code": ward.code, "ward_name": ward.name},
                "geometry": {"type": outline["type"], "coordinates": _round(outline["coordinates"])},
            }
        )
    (folder / BOUNDARIES_FILE).write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")), encoding="utf-8"
    )
    (folder / "README.md").write_text(_readme(built, kept, note), encoding="utf-8")


def _readme(built: BuiltArea, kept: str, note: str) -> str:
    """The folder's own account of what it holds and how it was made."""
    methods21 = ", ".join(f"{m}: {n}" for m, n in built.methods(2021).items())
    methods11 = ", ".join(f"{m}: {n}" for m, n in built.methods(2011).items())
    return (
        f"# {built.partnership}: area folder\n\n"
        f"Built by `saferleeds area build` for {', '.join(f'{n} ({c})' for c, n in built.districts)}"
        f"{f' from {note}' if note else ''}.\n\n"
        f"- {len(built.wards)} wards, {built.population_total:,} residents (Census 2021 usual residents of their "
        "LSOAs, summed by best-fit ward: not ONS mid-year ward estimates).\n"
        f"- LSOA 2021 to ward ({len(built.lsoa21)} LSOAs): {methods21}.\n"
        f"- LSOA 2011 to ward ({len(built.lsoa11)} LSOAs): {methods11}.\n"
        f"- Hex layout: {kept} pairs of neighbouring wards touch on the hex map.\n"
        f"- Police forces: {', '.join(built.forces) or 'none found'}.\n\n"
        "Methods: lib/area/build.py (LSOA placement), lib/area/files.py (simplification) and lib/area/hexes.py (hex "
        "layout).\n"
        "Source: Office for National Statistics licensed under the Open Government Licence v3.0. Contains OS data "
        "© Crown copyright and database right.\n" + "".join(f"\nNote: {n}\n" for n in built.notes)
    )
