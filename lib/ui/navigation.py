"""The app's pages, listed once: the entry script routes them, and the browser tests and the benchmark visit them.

Adding a page: write pages/<name>.py, add a PageEntry here, and give it its expected heading and content in
tests/test_browser.py (a test fails until you do).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lib.area import current as current_area

# The browser tab's icon: a 64 px PNG shipped with the app (a GOV.UK-blue shield with a tick, drawn with Pillow), so
# no page asks a font server for it; a Material icon name as page_icon would be fetched from fonts.gstatic.com.
ICON = str(Path(__file__).with_name("icon.png"))


@dataclass(frozen=True)
class PageEntry:
    """One page: its script, its title and icon in the sidebar, and its address (None = the home page)."""

    script: str
    title: str
    icon: str
    url_path: str | None = None
    kpis: tuple[str, ...] = ()  # a service page: listed only for a partnership whose catalogue has these KPIs

    @property
    def address(self) -> str:
        """The path after the app's base URL ("" for the home page)."""
        return self.url_path or ""


PAGES: tuple[PageEntry, ...] = (
    PageEntry("pages/overview.py", "Overview", ":material/dashboard:"),
    PageEntry("pages/meeting.py", "Meeting", ":material/groups:", "meeting"),
    PageEntry("pages/reports.py", "Exception reports", ":material/edit_note:", "reports"),
    PageEntry("pages/priority.py", "Priority", ":material/flag:", "priorities"),
    PageEntry(
        "pages/ds1.py",
        "DS1 noise service",
        ":material/volume_up:",
        "noise",
        ("DS1_RESPONSE", "DS1_TRIAGE", "DS1_ATTENDANCE", "DS1_CALLS"),
    ),
    PageEntry(
        "pages/safety_plans.py",
        "Domestic abuse safety plans",
        ":material/health_and_safety:",
        "safety-plans",
        ("DA_SAFETY_PLANS",),
    ),
    PageEntry(
        "pages/walksafe.py",
        "WalkSafe app",
        ":material/directions_walk:",
        "walksafe-app",
        ("WALKSAFE_DOWNLOADS", "WALKSAFE_USES"),
    ),
    PageEntry("pages/crime.py", "Crime and ASB", ":material/local_police:", "crime-asb"),
    PageEntry("pages/peers.py", "Peers", ":material/compare_arrows:", "peers"),
    PageEntry("pages/map.py", "Ward map", ":material/map:", "ward-map"),
    PageEntry("pages/ward.py", "Ward profile", ":material/location_city:", "ward-profile"),
    PageEntry("pages/data_in.py", "Data in", ":material/upload_file:", "data-in"),
    PageEntry("pages/catalogue.py", "Catalogue", ":material/tune:", "catalogue"),
    PageEntry("pages/data_sources.py", "Data & sources", ":material/database:", "sources"),
)


def area_pages() -> tuple[PageEntry, ...]:
    """The pages of this partnership: every page, less the service pages whose KPIs its catalogue lacks."""
    codes = {row["code"] for row in current_area().rows("kpis.csv")}
    return tuple(page for page in PAGES if set(page.kpis) <= codes)


def app_title() -> str:
    """The browser tab's title: the board's name and "dashboard"."""
    return f"{current_area().board} dashboard"
