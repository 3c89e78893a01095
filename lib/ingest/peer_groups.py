"""Peer groups in the database: seeded once from the area folder's peers.toml, then changed by admins (page and
CLI), each change checked, written in one transaction, logged with who and when and shown on Data & sources."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, update
from sqlmodel import col

from lib.area import Area, peers
from lib.area import current as current_area
from lib.area.national import National
from lib.core import roles
from lib.ingest import catalogue
from lib.store import cache, db, reads
from lib.store.models import PeerArea, PeerGroup

SET, REMOVED = "peer group set", "peer group removed"


def _insert_areas(connection: Connection, group_id: int | None, areas: tuple[peers.PeerArea, ...]) -> None:
    """A group's areas, in order."""
    if areas:
        connection.execute(
            insert(PeerArea),
            [
                {
                    "group_id": group_id,
                    "position": position,
                    "code": area.code,
                    "name": area.name,
                    "districts": ",".join(area.districts),
                    "note": area.note,
                }
                for position, area in enumerate(areas)
            ],
        )


def seed_groups(connection: Connection, area: Area) -> int:
    """The area's shipped groups, into a database that has never had any (an admin's removals stay removed)."""
    if reads.peer_group_ids(connection) or reads.catalogue_change_count(connection, (SET, REMOVED)):
        return 0
    groups = peers.shipped(area)
    for position, group in enumerate(groups):
        group_id = connection.execute(
            insert(PeerGroup).values(name=group.name, position=position, note=group.note).returning(col(PeerGroup.id))
        ).scalar_one()
        _insert_areas(connection, group_id, group.areas)
    return len(groups)


def resolve_all(texts: list[str], national: National) -> tuple[peers.PeerArea, ...]:
    """Each area as named; ValueError listing every one that is not understood (nothing is written)."""
    found, problems = [], []
    for text in texts:
        try:
            found.append(peers.resolve(text, national, current_area()))
        except ValueError as error:
            problems.append(str(error))
    codes = [area.code for area in found]
    problems += [f"{code} is listed twice" for code in sorted({c for c in codes if codes.count(c) > 1})]
    if problems:
        raise ValueError("; ".join(problems))
    if not found:
        raise ValueError("a group needs at least one area")
    return tuple(found)


def set_group(
    url: str, name: str, areas: list[str], national: National, actor: roles.Actor, note: str | None = None
) -> peers.PeerGroup:
    """Create a group, or replace the areas of the one with this name; ValueError (nothing written) when the name is
    blank or any area is not understood. The areas keep notes they had (e.g. why one has no police.uk data)."""
    catalogue.allowed(actor)
    name = " ".join(name.split())
    if not name or len(name) > 60:
        raise ValueError("a group's name must be 1 to 60 characters")
    resolved = resolve_all(areas, national)
    with db.get_engine(url).begin() as connection:
        ids = reads.peer_group_ids(connection)
        kept_notes = reads.peer_area_notes(connection, ids[name]) if name in ids else {}
        resolved = tuple(peers.PeerArea(a.code, a.name, a.districts, kept_notes.get(a.code, "")) for a in resolved)
        if name in ids:
            group_id: int | None = ids[name]
            connection.execute(delete(PeerArea).where(col(PeerArea.group_id) == group_id))
            if note is not None:
                connection.execute(update(PeerGroup).where(col(PeerGroup.id) == group_id).values(note=note))
        else:
            group_id = connection.execute(
                insert(PeerGroup).values(name=name, position=len(ids), note=note or "").returning(col(PeerGroup.id))
            ).scalar_one()
        _insert_areas(connection, group_id, resolved)
        catalogue.log(connection, SET, name, ", ".join(f"{a.name} ({a.code})" for a in resolved), actor)
    cache.clear_caches()
    return peers.PeerGroup(name, resolved, note or "")


def remove_group(url: str, name: str, actor: roles.Actor) -> None:
    """Remove a group (the crime counts stay: they belong to no group)."""
    catalogue.allowed(actor)
    with db.get_engine(url).begin() as connection:
        ids = reads.peer_group_ids(connection)
        if name not in ids:
            raise ValueError(f"no peer group is called {name!r} (see `saferleeds peers groups`)")
        connection.execute(delete(PeerArea).where(col(PeerArea.group_id) == ids[name]))
        connection.execute(delete(PeerGroup).where(col(PeerGroup.id) == ids[name]))
        catalogue.log(connection, REMOVED, name, "removed", actor)
    cache.clear_caches()
