"""Settings as data: each setting has a name, a default and help text, read from the environment or secrets."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"


@dataclass(frozen=True)
class Setting:
    """One configuration setting: environment variable name, default and what it is for."""

    name: str
    default: str
    help: str


DATABASE_URL = Setting(
    "SAFERLEEDS_DATABASE_URL",
    "sqlite:///data/saferleeds.db",
    "Any SQLAlchemy URL. The default is the embedded SQLite file (relative paths are taken from the project "
    "folder). PostgreSQL: postgresql+psycopg://user:password@host:5432/dbname.",
)
REFERENCE_DIR = Setting(
    "SAFERLEEDS_REFERENCE_DIR",
    "data/reference",
    "Folder holding ward boundaries (GeoJSON, WD19 or WD25 codes) and LSOA-to-ward lookups. Not committed; "
    "relative paths are taken from the project folder.",
)
SIGN_IN = Setting(
    "SAFERLEEDS_SIGN_IN",
    "auto",
    "required: only signed-in users (in `saferleeds users list`) see the dashboard; off: anyone who can reach it may "
    "read and change data, and every page says so. auto: required when .streamlit/secrets.toml has an [auth] "
    "section, else off.",
)
PUBLIC_PAGES = Setting(
    "SAFERLEEDS_PUBLIC_PAGES",
    "none",
    "With sign-in required: page addresses anonymous visitors may see, comma-separated (for example "
    "ward-map,crime-asb for residents), or none. Data in is never public.",
)
REPORT_DEADLINE_DAYS = Setting(
    "SAFERLEEDS_REPORT_DEADLINE_DAYS",
    "5",
    "Exception reports for a meeting are due this many working days before it (Monday to Friday, less England and "
    "Wales bank holidays).",
)
AREAS_DIR = DATA_DIR / "areas"
AREA = Setting(
    "SAFERLEEDS_AREA",
    (AREAS_DIR / "DEFAULT").read_text(encoding="utf-8").strip(),  # the shipped default's name
    "The partnership: a shipped area's name (a folder of data/areas/; the default is named in data/areas/DEFAULT) or "
    "the folder `saferleeds area build` wrote (relative paths are taken from the project folder). It names the "
    "place, its wards, boundaries, lookups and catalogue.",
)
SETTINGS: tuple[Setting, ...] = (DATABASE_URL, AREA, REFERENCE_DIR, SIGN_IN, PUBLIC_PAGES, REPORT_DEADLINE_DAYS)


def _secrets() -> dict[str, object]:
    """Values from .streamlit/secrets.toml, if the file exists (it is never committed)."""
    path = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if not path.is_file():
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def get(setting: Setting) -> str:
    """The value of a setting: environment first, then .streamlit/secrets.toml, then the default."""
    if os.environ.get(setting.name):
        return os.environ[setting.name]
    secret = _secrets().get(setting.name)
    return str(secret) if secret else setting.default


def database_url() -> str:
    """The configured database URL, with relative SQLite paths anchored at the project folder."""
    url = get(DATABASE_URL)
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        path = url[len(prefix) :]
        if path and path != ":memory:":
            url = prefix + str(PROJECT_ROOT / path)
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg (v3) is the driver we install; SQLAlchemy's bare scheme would ask for psycopg2.
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def reference_dir() -> Path:
    """The configured reference-data folder as an absolute path."""
    path = Path(get(REFERENCE_DIR))
    return path if path.is_absolute() else PROJECT_ROOT / path


def report_deadline_days() -> int:
    """SAFERLEEDS_REPORT_DEADLINE_DAYS as a whole number of working days (the default when it is not one)."""
    value = get(REPORT_DEADLINE_DAYS).strip()
    return int(value) if value.isdigit() else int(REPORT_DEADLINE_DAYS.default)


def area_dir() -> Path:
    """The folder SAFERLEEDS_AREA names: a shipped area's name (data/areas/<name>; unset, data/areas/DEFAULT's), or a
    path (relative paths from the
    project folder). What is in it is lib/area's business."""
    value = get(AREA)
    shipped = AREAS_DIR / value
    if "/" not in value and shipped.is_dir():
        return shipped
    path = Path(value).expanduser()
    return path if path.is_absolute() else PROJECT_ROOT / path
