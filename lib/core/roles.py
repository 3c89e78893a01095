"""Who may do what: the roles, the acting person (an Actor) and the rules, as plain data and functions.

Roles (stored per person in the database, lib/store/models.py AppUser):
- admin: manages users and settings, and may load anything;
- analyst: police.uk crime files and any KPI return;
- lead: KPI returns for the priorities or KPIs they own (their scopes);
- executive, councillor: read everything; a councillor's own wards are offered first.

The rules are enforced where data is written (lib/ingest), not only in navigation: the import functions take the
acting person and refuse, with a plain message, what their role does not allow.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ADMIN, ANALYST, LEAD, EXECUTIVE, COUNCILLOR = "admin", "analyst", "lead", "executive", "councillor"
ROLES: dict[str, str] = {
    ADMIN: "manages users and settings; may load anything",
    ANALYST: "loads police.uk crime files and any KPI return",
    LEAD: "loads KPI returns for the priorities or KPIs they own",
    EXECUTIVE: "reads everything",
    COUNCILLOR: "reads everything; their own wards are offered first",
}
SCOPE_KINDS = ("priority", "kpi", "ward")
PUBLIC = "public"  # an anonymous visitor of the pages made public (SAFERLEEDS_PUBLIC_PAGES)


class PermissionDeniedError(Exception):
    """The acting person's role does not allow this; nothing was written. The message says what to do."""


@dataclass(frozen=True)
class Actor:
    """The person acting: their e-mail (what the logs record), name, role and scopes.

    `operator` is someone with the server in their hands: the command line run on the server without --user, or the
    app with sign-in switched off (a demo, which says so on every page). They may do anything an admin may.
    """

    email: str
    role: str
    name: str = ""
    priorities: frozenset[int] = field(default_factory=frozenset)
    kpis: frozenset[str] = field(default_factory=frozenset)
    wards: frozenset[str] = field(default_factory=frozenset)
    operator: bool = False

    @property
    def label(self) -> str:
        """Who, as the import log and audit trail record it."""
        return self.email


def operator(who: str) -> Actor:
    """The local operator (or the app in demo mode) acting as `who`."""
    return Actor(who, ADMIN, who, operator=True)


def may_load_crime(actor: Actor) -> bool:
    """Whether the person may import police.uk files."""
    return actor.operator or actor.role in (ADMIN, ANALYST)


def may_load_returns(actor: Actor) -> bool:
    """Whether the person may import KPI returns at all (a lead only their own KPIs)."""
    return actor.operator or actor.role in (ADMIN, ANALYST, LEAD)


def may_manage_users(actor: Actor) -> bool:
    """Whether the person may add, change or remove users."""
    return actor.operator or actor.role == ADMIN


def may_manage_catalogue(actor: Actor) -> bool:
    """Whether the person may change the catalogue: KPIs, targets, priorities, boards."""
    return actor.operator or actor.role == ADMIN


def owned_kpis(actor: Actor, kpi_priorities: Mapping[str, int | None]) -> set[str]:
    """The KPI codes (of kpi_priorities: code -> priority) the person may load returns for."""
    if actor.operator or actor.role in (ADMIN, ANALYST):
        return set(kpi_priorities)
    if actor.role != LEAD:
        return set()
    return {code for code, priority in kpi_priorities.items() if code in actor.kpis or priority in actor.priorities}


def refused_kpis(actor: Actor, codes: Iterable[str], kpi_priorities: Mapping[str, int | None]) -> list[str]:
    """Of these KPI codes, those the person may not load, sorted."""
    allowed = owned_kpis(actor, kpi_priorities)
    return sorted({code for code in codes if code not in allowed})


def role_words(role: str) -> str:
    """'a lead', 'an executive', 'an admin', 'an analyst': the role with its article."""
    return f"{'an' if role[:1].lower() in 'aeiou' else 'a'} {role}"


def is_a(actor: Actor) -> str:
    """'lead1@council.test is a lead': who the person is, in words."""
    return f"{actor.email} is {role_words(actor.role)}"


def crime_refusal(actor: Actor) -> str:
    """The plain message for someone who may not import police.uk files."""
    return (
        f"{is_a(actor)}: only analysts and admins import police.uk files. Ask an admin "
        "(saferleeds users update) if you need to."
    )


def returns_refusal(actor: Actor, refused: list[str]) -> str:
    """The plain message for a return holding KPIs the person may not load."""
    listed = ", ".join(refused[:10]) + (f" and {len(refused) - 10} more" if len(refused) > 10 else "")
    if actor.role in (EXECUTIVE, COUNCILLOR, PUBLIC):
        return f"{is_a(actor)}: {actor.role}s read the dashboard but do not load data."
    return (
        f"{actor.email} may load returns only for their own priorities or KPIs; this return also holds {listed}. "
        "Remove those rows, or ask their owner or an admin."
    )


# The meeting's records (lib/ingest/meeting_records.py): exception reports, actions and decisions.


def may_write_report(actor: Actor, kpi_code: str, priority: int | None) -> bool:
    """Whether the person may write the exception report or commentary for a KPI: its lead, or an admin."""
    if actor.operator or actor.role == ADMIN:
        return True
    return actor.role == LEAD and (kpi_code in actor.kpis or priority in actor.priorities)


def may_record_decisions(actor: Actor) -> bool:
    """Whether the person may record the meeting's decisions, schedule meetings and raise actions for anyone."""
    return actor.operator or actor.role in (ADMIN, EXECUTIVE)


def may_raise_action(actor: Actor, owner_email: str) -> bool:
    """Whether the person may raise an action owned by owner_email: an executive or admin for anyone, a lead for
    themself."""
    return may_record_decisions(actor) or (actor.role == LEAD and owner_email.lower() == actor.email.lower())


def scope_words(actor: Actor) -> str:
    """A lead's scopes in words: 'priority 1; KPI DS1_CALLS', or 'no priorities or KPIs'."""
    parts = [f"priority {p}" for p in sorted(actor.priorities)] + [f"KPI {k}" for k in sorted(actor.kpis)]
    return "; ".join(parts) or "no priorities or KPIs"


def action_in_scope(actor: Actor, priority: int | None, kpi_code: str | None, kpi_priority: int | None) -> bool:
    """Whether an action's priority and KPI are the person's to raise it on: anything for an executive or admin; for
    a lead, as for reports, only their own priorities and KPIs."""
    if actor.role != LEAD or actor.operator:
        return True
    kpi_owned = kpi_code is None or kpi_code in actor.kpis or kpi_priority in actor.priorities
    priority_owned = (
        priority is None or priority in actor.priorities or (kpi_code in actor.kpis and priority == kpi_priority)
    )
    return kpi_owned and priority_owned


def may_update_action(actor: Actor, owner_email: str) -> bool:
    """Whether the person may change an action's status or add an update: its owner (a lead), an executive or an
    admin."""
    return may_raise_action(actor, owner_email)


WHO_TO_ASK = {  # for a refused change to the meeting's records: who can make it instead
    "write reports": "the KPI's priority lead or an admin",
    "record decisions": "an executive or an admin",
    "schedule meetings": "an executive or an admin",
    "change meetings": "an executive or an admin",
    "remove meetings": "an executive or an admin",
}


def meeting_refusal(actor: Actor, what: str) -> str:
    """The plain message for someone whose role does not allow a change to the meeting's records, naming who can."""
    if actor.role in (COUNCILLOR, PUBLIC, ANALYST):
        return f"{is_a(actor)}: {actor.role}s read the meeting's records but do not change them."
    ask = WHO_TO_ASK.get(what, "the action's owner, an executive or an admin")
    return f"{is_a(actor)} and may not {what}. Ask {ask}."
