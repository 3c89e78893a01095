"""LSOA-to-ward lookups: which of the area's wards an LSOA (2011 or 2021 code) belongs to, read from its lookup folder.

Any CSV in the folder with an LSOA code column (LSOA21CD or LSOA11CD) and a ward code column (WD25CD, WD19CD, ...)
is used: the files `saferleeds reference fetch` writes, an ONS download, or a national file (rows outside the area are
ignored). Ward codes are translated to the current (WD25) codes through the ward table's crosswalk. Where a code is
in both vintages the 2021 lookup wins, because police.uk has published 2021 codes since 2022.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

LSOA_COLUMNS = {"LSOA21CD": 2021, "LSOA11CD": 2011}
WARD_COLUMN = re.compile(r"^WD(\d\d)CD$", re.IGNORECASE)


class MissingLookupError(Exception):
    """No usable LSOA-to-ward lookup: the message says how to get one."""


@dataclass
class LsoaLookup:
    """LSOA code to current ward code, and how many LSOAs each vintage contributed."""

    wards: dict[str, str] = field(default_factory=dict)
    vintages: dict[int, int] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    def ward(self, lsoa_code: str) -> str | None:
        """The WD25 ward code of an LSOA, or None when it is not one of the area's LSOAs in any lookup."""
        return self.wards.get(lsoa_code)


def _columns(header: Sequence[str]) -> tuple[str, int, str] | None:
    """(LSOA column, its vintage, ward column) of a lookup header, or None if it is not a lookup."""
    upper = {name.strip().upper().lstrip("\ufeff"): name for name in header}
    lsoa = next(((upper[c], year) for c, year in LSOA_COLUMNS.items() if c in upper), None)
    wards = sorted((int(m.group(1)), name) for key, name in upper.items() if (m := WARD_COLUMN.match(key)))
    if lsoa is None or not wards:
        return None
    return lsoa[0], lsoa[1], wards[-1][1]  # the newest ward vintage in the file


def _read(path: Path, crosswalk: dict[str, str], current: set[str]) -> tuple[int, dict[str, str]] | None:
    """(vintage, LSOA -> WD25 for the area's rows) from one CSV, or None if the file is not a lookup."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = _columns(reader.fieldnames or [])
        if columns is None:
            return None
        lsoa_column, vintage, ward_column = columns
        found = {}
        for row in reader:
            ward = (row.get(ward_column) or "").strip()
            ward = crosswalk.get(ward, ward)
            if ward in current:
                found[(row.get(lsoa_column) or "").strip()] = ward
    return vintage, found


def load(folder: Path, crosswalk: dict[str, str], current: set[str]) -> LsoaLookup:
    """Every lookup CSV in folder, for the area's wards `current` (WD25 codes), `crosswalk` mapping WD19 to WD25."""
    read = []
    for path in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        try:
            result = _read(path, crosswalk, current)
        except (OSError, UnicodeDecodeError, csv.Error):
            continue
        if result is not None and result[1]:
            read.append((result[0], path, result[1]))
    if not read:
        raise MissingLookupError(
            f"No LSOA-to-ward lookup in {folder}. Run `saferleeds reference fetch` (downloads the ONS lookups) or "
            "set SAFERLEEDS_REFERENCE_DIR to a folder holding an ONS LSOA-to-ward lookup CSV."
        )
    lookup = LsoaLookup()
    for vintage, path, found in sorted(read, key=lambda item: item[0]):  # 2011 first: 2021 codes override
        lookup.wards.update(found)
        lookup.vintages[vintage] = lookup.vintages.get(vintage, 0) + len(found)
        lookup.files.append(path)
    return lookup
