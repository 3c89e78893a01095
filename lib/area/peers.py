"""Peer groups as data: named groups of areas a partnership compares itself with, each area one or more local
authority districts (a whole Community Safety Partnership, or one district).

A shipped area's groups are in its folder's peers.toml; the database keeps the groups in use (seeded from the file,
edited by admins: lib/ingest/peer_groups.py). The partnership itself is never listed: it is always compared.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field

from lib.area import Area, AreaError
from lib.area.national import National

PEERS_FILE = "peers.toml"
DISTRICT_CODE = re.compile(r"^[EW]0[6-9]\d{6}$")
PARTNERSHIP_CODE = re.compile(r"^[EW]22\d{6}$")


@dataclass(frozen=True)
class PeerArea:
    """One area of a group: what it is reported under, its name, its districts (today's codes), and a note (e.g.
    why it has no police.uk data)."""

    code: str
    name: str
    districts: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True)
class PeerGroup:
    """A named group of peer areas."""

    name: str
    areas: tuple[PeerArea, ...]
    note: str = ""


@dataclass
class Spec:
    """An area as someone wrote it: a district code, a partnership (CSP) code, or a district's name."""

    text: str
    name: str = ""
    note: str = ""
    districts: list[str] = field(default_factory=list)


def shipped(area: Area) -> list[PeerGroup]:
    """The groups in the area folder's peers.toml, as written ([] when it has none); AreaError if it is unreadable."""
    path = area.path(PEERS_FILE)
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise AreaError(f"{path} cannot be read: {error}.") from error
    groups = []
    for group in data.get("groups", []):
        areas = tuple(
            PeerArea(
                str(item.get("code") or (item["districts"][0] if len(item["districts"]) == 1 else "")),
                str(item["name"]),
                tuple(str(d) for d in item["districts"]),
                str(item.get("note", "")),
            )
            for item in group.get("areas", [])
        )
        groups.append(PeerGroup(str(group["name"]), areas, str(group.get("note", ""))))
    return groups


def resolve(text: str, national: National, own: Area) -> PeerArea:
    """An area from how a person names it: a district code (any since 2011, read as today's), a partnership (CSP)
    code, or a district's name ("Sheffield", "Bristol, City of"); ValueError saying what is wrong."""
    wanted = text.strip()
    if not wanted:
        raise ValueError("an area is blank: give a district code (E08000039), a partnership code or a name")
    if PARTNERSHIP_CODE.match(wanted):
        if wanted not in national.partnerships:
            raise ValueError(f"{wanted} is not a Community Safety Partnership in the ONS lookup")
        name, districts = national.partnerships[wanted]
        found = PeerArea(wanted, name, districts)
    elif DISTRICT_CODE.match(wanted):
        code = national.today(wanted)
        if code not in national.names:
            raise ValueError(f"{wanted} is not a local authority district in the ONS lookups")
        found = PeerArea(code, national.name_of(code), (code,))
    else:
        matches = sorted(
            {
                code
                for code, name in national.names.items()
                if wanted.lower() in (name.lower(), name.split(",")[0].strip().lower())
            }
        )
        if len(matches) != 1:
            raise ValueError(
                f"no district is called {wanted!r}: give its ONS code (E08000039) instead"
                if not matches
                else f"{wanted!r} names several districts ({', '.join(matches)}): give the code"
            )
        found = PeerArea(matches[0], national.name_of(matches[0]), (matches[0],))
    if set(found.districts) & {national.today(code) for code in own.district_codes}:
        raise ValueError(f"{found.name} is (or includes) {own.name} itself, which every group compares anyway")
    return found
