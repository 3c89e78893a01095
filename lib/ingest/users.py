"""Users, their roles and scopes, and the sign-in log: every change checked first (a known role, priority, KPI and
ward), written in one transaction with the data version, and nothing personal seeded."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, insert, update
from sqlmodel import col

from lib.core import emails, roles, text
from lib.ingest import catalogue, versions
from lib.store import db, queries
from lib.store.models import AppUser, SignIn, UserScope

NAME_LIMIT = 200


def _scopes(url: str, priorities: list[str], kpis: list[str], wards: list[str]) -> list[tuple[str, str]]:
    """Scopes as (kind, value), each checked against the database; ValueError naming the first unknown one."""
    ward_table = queries.wards(url)
    current = dict(zip(ward_table["code"], ward_table["code"], strict=True))
    current |= dict(zip(ward_table["wd19_code"], ward_table["code"], strict=True))  # 2019 codes stored as today's
    known: dict[str, dict[str, str]] = {
        "priority": {str(v): str(v) for v in queries.priorities(url)["id"]},
        "kpi": {code: code for code in queries.kpi_catalogue(url)["code"]},
        "ward": current,
    }
    found = []
    for kind, values in (("priority", priorities), ("kpi", kpis), ("ward", wards)):
        for value in values:
            if str(value) not in known[kind]:
                raise ValueError(f"unknown {kind} {value!r}; see `saferleeds kpi list` and the Data & sources page")
            found.append((kind, known[kind][str(value)]))
    return found


def _check_role(role: str) -> None:
    """ValueError unless role is known."""
    if role not in roles.ROLES:
        raise ValueError(f"unknown role {role!r}: use one of {', '.join(roles.ROLES)}")


def add(
    url: str,
    email: str,
    role: str,
    name: str = "",
    priorities: list[str] | None = None,
    kpis: list[str] | None = None,
    wards: list[str] | None = None,
) -> None:
    """Add a user with a role and scopes; ValueError (one line) if anything is unknown or they exist already."""
    email, name = emails.checked(email), text.checked(name, "The name", NAME_LIMIT, required=False)
    _check_role(role)
    scopes = _scopes(url, priorities or [], kpis or [], wards or [])
    if queries.user_record(url, email) is not None:
        raise ValueError(f"{email} is a user already: use `saferleeds users update`")
    now = datetime.now(UTC)
    with db.writing(url) as connection:
        connection.execute(
            insert(AppUser).values(email=email, name=name, role=role, active=True, created_at=now, updated_at=now)
        )
        if scopes:
            connection.execute(insert(UserScope), [{"email": email, "kind": k, "value": v} for k, v in scopes])
        versions.bump(connection)


def update_user(
    url: str,
    email: str,
    role: str | None = None,
    name: str | None = None,
    active: bool | None = None,
    priorities: list[str] | None = None,
    kpis: list[str] | None = None,
    wards: list[str] | None = None,
) -> None:
    """Change a user's role, name, active flag or scopes (scopes given replace theirs); ValueError if unknown."""
    record = queries.user_record(url, email)
    if record is None:
        raise ValueError(f"{email} is not a user: use `saferleeds users add`")
    if role is not None:
        _check_role(role)
    replacing = priorities is not None or kpis is not None or wards is not None
    scopes = _scopes(url, priorities or [], kpis or [], wards or []) if replacing else []
    if name is not None:
        name = text.checked(name, "The name", NAME_LIMIT, required=False)
    changes = {k: v for k, v in (("role", role), ("name", name), ("active", active)) if v is not None}
    with db.writing(url) as connection:
        connection.execute(
            update(AppUser).where(col(AppUser.email) == record["email"]).values(**changes, updated_at=datetime.now(UTC))
        )
        if replacing:
            connection.execute(delete(UserScope).where(col(UserScope.email) == record["email"]))
            if scopes:
                connection.execute(
                    insert(UserScope), [{"email": record["email"], "kind": k, "value": v} for k, v in scopes]
                )
        versions.bump(connection)


def remove(url: str, email: str) -> None:
    """Remove a user and their scopes (their past imports keep their name in the log)."""
    record = queries.user_record(url, email)
    if record is None:
        raise ValueError(f"{email} is not a user")
    with db.writing(url) as connection:
        connection.execute(delete(UserScope).where(col(UserScope.email) == record["email"]))
        connection.execute(delete(AppUser).where(col(AppUser.email) == record["email"]))
        versions.bump(connection)


def actor(url: str, email: str) -> roles.Actor | None:
    """The person with this e-mail as an Actor, if they are an active user."""
    record = queries.user_record(url, email)
    if record is None or not record["active"]:
        return None
    scopes = record["scopes"]
    return roles.Actor(
        record["email"],
        record["role"],
        record["name"],
        frozenset(int(p) for p in scopes["priority"]),
        frozenset(scopes["kpi"]),
        frozenset(scopes["ward"]),
    )


def record_sign_in(url: str, email: str, result: str) -> None:
    """Log a sign-in, allowed or not, in a transaction of its own (waiting out an import's lock as long as it takes:
    a sign-in is never refused as busy)."""
    with db.get_engine(url).begin() as connection:
        connection.execute(insert(SignIn).values(at=datetime.now(UTC), email=email, result=result))


def set_owner(url: str, email: str, kind: str, value: str, actor: roles.Actor, owns: bool = True) -> None:
    """Make a user an owner of a priority or KPI (a scope of theirs from sign-in), or no longer one (owns=False); an
    admin only. Logged in the catalogue's change log with who and when."""
    catalogue.allowed(actor)
    if kind not in ("priority", "kpi"):
        raise ValueError(f"an owner owns a priority or a KPI (got {kind!r})")
    record = queries.user_record(url, email)
    if record is None:
        raise ValueError(f"{email} is not a user: add them with `saferleeds users add` first")
    [(kind, value)] = _scopes(url, [value] if kind == "priority" else [], [value] if kind == "kpi" else [], [])
    held = value in record["scopes"][kind]
    if held == owns:
        raise ValueError(f"{record['email']} {'already owns' if owns else 'does not own'} {kind} {value}")
    with db.writing(url) as connection:
        if owns:
            connection.execute(insert(UserScope), [{"email": record["email"], "kind": kind, "value": value}])
        else:
            connection.execute(
                delete(UserScope).where(
                    col(UserScope.email) == record["email"], col(UserScope.kind) == kind, col(UserScope.value) == value
                )
            )
        catalogue.log(
            connection, "owner added" if owns else "owner removed", value, f"{kind} {value}: {record['email']}", actor
        )
