"""`make bench`: import speed, page speed, query speed, payload and memory, each against a baseline measured in the
same run, written to benchmarks/results.md.

Every timing is a median over interleaved runs (the measured thing and its baseline take turns), so a busy
machine slows both alike and the ratio stays meaningful. Targets come from the quality-gates issue.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # AppTest's bare-mode warnings would bury the summary
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

import dataset  # noqa: E402 - after the path set-up above
import floors  # noqa: E402
import peers_bench  # noqa: E402
from sqlalchemy import text  # noqa: E402
from timing import Row, fresh_database, interleaved, seconds_for  # noqa: E402

from lib.analysis import measures  # noqa: E402
from lib.ingest import lookups, policeuk  # noqa: E402
from lib.store import db, queries  # noqa: E402
from lib.ui import navigation  # noqa: E402

PAGES = [Path(page.script).name for page in navigation.PAGES]  # one list: lib/ui/navigation.py
URL_PATHS = {Path(page.script).name: page.address for page in navigation.PAGES}
AREAS = ("import", "queries", "peers", "postgres", "spc", "pack", "apptest", "server")
TRIVIAL_APP = 'import streamlit as st\n\nst.selectbox("Pick one", ["a", "b", "c"])\n'
ONE_CHART_APP = (
    "import plotly.graph_objects as go\nimport streamlit as st\n\n"
    "st.plotly_chart(go.Figure(go.Scatter(x=list(range(36)), y=list(range(36)))))\n"
)


def lookup_for(url: str, data: dataset.Dataset) -> lookups.LsoaLookup:
    """The synthetic LSOA lookup for the wards of a database."""
    wards = queries.wards(url)
    return lookups.load(data.lookup_dir, dict(zip(wards["wd19_code"], wards["code"], strict=True)), set(wards["code"]))


def bench_import(
    label: str, backend_url: str | None, data: dataset.Dataset, subset: int, runs: int, work: Path
) -> tuple[list[Row], float]:
    """Import `subset` monthly files into fresh databases, interleaved with its floors: a csv.reader pass over the
    files (the parse floor) and the import's final records written into an empty copy of its tables by the backend's
    fastest path (the insert floor)."""
    files = data.files[:subset]
    rows_in = floors.parse_floor(files) - len(files)
    imports, passes, inserts, same, edited = [], [], [], [], []
    for run in range(runs):
        url = fresh_database(backend_url, work, f"import{run}")
        floor_url = fresh_database(backend_url, work, f"floor{run}")
        lookup = lookup_for(url, data)
        passes.append(seconds_for(lambda f=files: floors.parse_floor(f)))
        imports.append(seconds_for(lambda u=url, lk=lookup: policeuk.import_paths(u, files, lk, accept_unusual=True)))
        records = floors.final_records(url)
        floors.copy_batches(url, floor_url)
        inserts.append(seconds_for(lambda u=floor_url, r=records: floors.insert_floor(u, r)))
        same.append(seconds_for(lambda u=url, lk=lookup: policeuk.import_paths(u, files, lk, accept_unusual=True)))
        edited.append(seconds_for(lambda u=url, lk=lookup: reimport_edited(u, files, lk)))
        db.get_engine.cache_clear()
    seconds, parse, insert = statistics.median(imports), statistics.median(passes), statistics.median(inserts)
    floor = parse + 1.5 * insert
    rate = rows_in / seconds
    again, changed = statistics.median(same), statistics.median(edited)
    path = "executemany of prepared tuples, one transaction" if backend_url is None else "COPY, one transaction"
    return [
        Row(
            label,
            f"parse floor: a csv.reader pass over those {subset} files",
            parse,
            "s",
            note=f"{rows_in / parse:,.0f} rows/s",
        ),
        Row(
            label,
            "insert floor: the import's final records into an empty copy of its tables",
            insert,
            "s",
            note=f"{path}; {len(records['crimerecord']):,} records and the month x ward x type and city rows, "
            "no checks",
        ),
        Row(
            label,
            f"import {rows_in:,} rows ({subset} months)",
            seconds,
            "s",
            floor,
            "≤ parse floor + 1.5× insert floor",
            seconds <= floor,
            f"{rate:,.0f} rows/s; {seconds / parse:.1f}× the parse floor, {seconds / insert:.1f}× the insert floor",
        ),
        Row(
            label,
            "re-import of those months: the same files",
            again,
            "s",
            seconds,
            "≥ 5× faster than the first import",
            seconds / again >= 5,
            f"{seconds / again:,.1f}× faster; each file's SHA-256 is already in the import log: nothing is parsed",
        ),
        Row(
            label,
            "re-import of those months: every file re-issued (one byte changed, same rows)",
            changed,
            "s",
            seconds,
            "≥ 5× faster than the first import",
            seconds / changed >= 5,
            f"{seconds / changed:,.1f}× faster; {REISSUED_NOTE}",
        ),
    ], rate


REISSUED_NOTE = (
    "each file is known by its text fingerprint (its bytes without the trailing blank line), stored with its "
    "records: not parsed, nothing written"
)


def reimport_edited(url: str, files: list[Path], lookup: lookups.LsoaLookup) -> None:
    """Import each file again with a blank line added at its end: new bytes (its SHA-256 is new), the same rows."""
    sources = [policeuk.Source(f"reissued-{path.name}", data=path.read_bytes() + b"\n") for path in files]
    result = policeuk.import_sources(url, sources, lookup, accept_unusual=True)
    assert all(f.status == "unchanged" and not f.rows_imported for f in result.files)  # the same rows: nothing new


PEAK_SCRIPT = (
    "import re, sys\nfrom lib.cli import main\ncode = main(sys.argv[1:])\n"
    "peak = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1))\n"
    "print(peak, code, file=sys.stderr)\n"
)


def load_full(backend_url: str | None, data: dataset.Dataset, work: Path, label: str) -> tuple[str, list[Row]]:
    """Import the whole dataset once, from the command line in its own process, into a database the page and query
    benchmarks read; its time and the process's peak memory."""
    url = fresh_database(backend_url, work, "full")
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, "--database-url", url, "import", "policeuk", *map(str, data.files)]
        + ["--accept-unusual", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SAFERLEEDS_REFERENCE_DIR": str(data.lookup_dir), "PYTHONPATH": str(ROOT)},
        check=False,
    )
    seconds = time.perf_counter() - start
    peak_kib, code = (int(v) for v in run.stderr.strip().splitlines()[-1].split())
    if code != 0:
        raise RuntimeError(f"the full import failed: {run.stderr[-2000:]}")
    return url, [
        Row(
            label,
            f"import all {data.rows:,} rows ({len(data.files)} monthly files)",
            seconds,
            "s",
            note=f"{data.rows / seconds:,.0f} rows/s; the command line, one transaction",
        ),
        Row(
            label,
            f"peak memory of that import ({data.rows:,} rows)",
            peak_kib / 1024,
            "MB",
            target="≤ 500 MB",
            passed=peak_kib / 1024 <= 500,
            note="the process's high-water mark (VmHWM); about 185 MB of it is the interpreter and its libraries",
        ),
    ]


def query_scenarios(url: str) -> dict[str, Callable[[], object]]:
    """Each page's heaviest query on the pre-aggregates (called without the app's cache)."""
    last = queries.crime_months(url)["month"].max()
    last = date.fromisoformat(str(last)[:10])
    first = date(last.year - 1, last.month, 1)
    crime_types = measures.ALL_CRIME_TYPES
    return {
        "Overview: headline values (all KPIs + city crime)": lambda: queries.headline_values(url),
        "Priority: one KPI series": lambda: queries.kpi_series(url, "DS1_RESPONSE"),
        "Crime: counts by type, 12 months": lambda: queries.crime_by_type(url, first, last),
        "Crime: monthly totals, city": lambda: queries.crime_monthly_totals(url),
        "Ward map: ward x month, 12 months": lambda: queries.ward_crime_monthly(url, crime_types, first, last),
        "Ward profile: ward x month, 36 months": lambda: queries.ward_crime_monthly(
            url, crime_types, date(last.year - 3, last.month, 1), last
        ),
        "Data & sources: provenance": lambda: queries.provenance(url),
    }


def bench_queries(label: str, url: str, runs: int) -> list[Row]:
    """Median milliseconds of each page's heaviest query."""
    rows = []
    engine = db.get_engine(url)

    def select_one() -> None:
        """The cheapest round trip: SELECT 1 on a pooled connection."""
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    timed = interleaved(runs * 20, one=select_one, check=lambda: queries.check_ready(url))
    rows.append(
        Row(
            label,
            "data-version check, once per rerun (`queries.check_ready`)",
            timed["check"] * 1000,
            "ms",
            timed["one"] * 1000,
            "≤ 1 ms",
            timed["check"] * 1000 <= 1,
            "reads the migration and the data version in one query",
        )
    )
    baseline = interleaved(runs, trivial=lambda: queries.check_ready(url))["trivial"]
    for name, fn in query_scenarios(url).items():
        fn()  # warm the connection pool and the database's page cache
        seconds = interleaved(runs, q=fn)["q"]
        rows.append(Row(label, name, seconds * 1000, "ms", baseline * 1000, "≤ 15 ms", seconds * 1000 <= 15))
    export = interleaved(runs, q=lambda: queries.crime_counts(url, None, None, True))["q"]
    rows.append(
        Row(
            label,
            "export, not a page: `crime counts` ward x type x month, every month",
            export * 1000,
            "ms",
            baseline * 1000,
            note="an export of the whole aggregate; no page target",
        )
    )
    return rows


def bench_scale(
    pg_url: str, factor: int, runs: int, base_rows: list[Row], data: dataset.Dataset, floor: float | None
) -> list[Row]:
    """`--pg-scale N`: the PostgreSQL database of the full import grown to N times its crimes (each record copied
    N-1 times under new keys, so every month holds N times as many), its aggregates rebuilt from the records, then the
    page queries again, each against its figure at 1x, and 12 new months imported into it against floor (the parse
    floor + 1.5x the insert floor of a 12-month import, measured on PostgreSQL in this run)."""
    from lib.ingest import aggregates

    engine = db.get_engine(pg_url)
    columns = (
        "month, reported_by, falls_within, longitude, latitude, location, lsoa_code, lsoa_name, crime_type, "
        "last_outcome, context, ward_code, import_batch_id"
    )
    start = time.perf_counter()
    with engine.begin() as connection:
        connection.execute(
            text(
                f"INSERT INTO crimerecord (record_key, crime_id, {columns}) "
                f"SELECT record_key || ':' || n, crime_id || ':' || n, {columns} "
                f"FROM crimerecord CROSS JOIN generate_series(1, {factor - 1}) AS n"
            )
        )
        months = [row[0] for row in connection.execute(text("SELECT DISTINCT month FROM crimerecord"))]
        aggregates.refresh_wards(connection, months)
        aggregates.refresh_city(connection, months, illustrative=False)
        total = connection.execute(text("SELECT count(*) FROM crimerecord")).scalar_one()
        cells = connection.execute(text("SELECT count(*) FROM crimemonthly")).scalar_one()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))  # the steady state autovacuum keeps: no dead rows, fresh statistics
    grown = time.perf_counter() - start
    label = f"Queries (PostgreSQL, {factor}x)"
    rows = [
        Row(
            label,
            f"{total:,} crimes: copied, aggregated and analysed",
            grown,
            "s",
            note=f"{cells:,} month x ward x type cells (the aggregate grows with months, wards and types, not crimes)",
        )
    ]
    for row, at_one in zip(bench_queries(label, pg_url, runs), base_rows, strict=True):
        if row.name == at_one.name and not any(word in row.name for word in ("export", "check")):
            row.target, row.passed = "≤ 2× its 1x figure", row.value / at_one.value <= 2
            row.note = f"{row.value / at_one.value:.2f}× its {at_one.value:.1f} ms at 1x"
        rows.append(row)
    lookup = lookup_for(pg_url, data)
    later = dataset.build(data.lookup_dir.parent / "later", 120_000, 12, seed=7, first=date(2024, 4, 1))
    seconds = seconds_for(lambda: policeuk.import_paths(pg_url, later.files, lookup, accept_unusual=True))
    rows.append(
        Row(
            label,
            f"import 120,000 rows (12 new months) into the {total:,}-row table",
            seconds,
            "s",
            floor,
            "≤ parse floor + 1.5× insert floor" if floor else "",
            seconds <= floor if floor else None,
            note=f"{120_000 / seconds:,.0f} rows/s; records are keyed by month, then key, so a month's rows go to "
            "one part of the index",
        )
    )
    return rows


SPC_SERIES, SPC_POINTS = 5_000, 36


def spc_file(work: Path) -> Path:
    """5,000 synthetic monthly series of 36 points (fixed seed): noise, shifts, trends and outliers mixed."""
    import random

    generator = random.Random(2024)
    path = work / "spc-series.csv"
    directions = ("higher_is_better", "lower_is_better", "neutral")
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["series", "period_end", "value", "direction", "target", "target_type", "rebase_dates"])
        for number in range(SPC_SERIES):
            level, slope, direction = generator.uniform(50, 150), generator.choice([0, 0, 0.5, -0.5]), number % 3
            rebase = "2023-01-01" if number % 5 == 0 else ""
            target = f"{level:.0f}" if direction != 2 else ""
            for month in range(SPC_POINTS):
                value = level + slope * month + generator.gauss(0, 5) + (30 if generator.random() < 0.02 else 0)
                day = date(2021 + month // 12, month % 12 + 1, 1)
                writer.writerow([f"s{number}", day, f"{value:.2f}", directions[direction], target, "", rebase])
    return path


def bench_spc(runs: int, work: Path) -> list[Row]:
    """`saferleeds spc` end to end on 5,000 series x 36 points, against reading the same file and writing JSON."""
    import subprocess

    path = spc_file(work)
    command = [sys.executable, "-m", "lib.cli", "spc", str(path), "--json"]
    baseline = [
        sys.executable,
        "-c",
        "import csv, json, sys; json.dump(list(csv.reader(open(sys.argv[1]))), open('/dev/null', 'w'))",
        str(path),
    ]
    timings = interleaved(
        runs,
        spc=lambda: subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL),
        read=lambda: subprocess.run(baseline, check=True),
    )
    seconds = timings["spc"]
    return [
        Row(
            "SPC",
            f"`saferleeds spc` on {SPC_SERIES:,} series x {SPC_POINTS} points (JSON out)",
            seconds,
            "s",
            timings["read"],
            "≤ 10 s",
            seconds <= 10,
            f"{SPC_SERIES / seconds:,.0f} series/s; baseline: read the CSV and write it as JSON",
        )
    ]


def bench_pack(url: str, runs: int, work: Path) -> list[Row]:
    """`saferleeds pack` end to end (PowerPoint, then PDF) for the latest meeting, against `saferleeds meeting list`
    (the same interpreter start, imports and database connection, no pack)."""
    import subprocess

    from lib.store import queries

    meeting = queries.meetings(url)["meeting_date"].iloc[-1].isoformat()
    base = [sys.executable, "-m", "lib.cli", "--database-url", url]
    rows = []
    for suffix, label in ((".pptx", "PowerPoint"), (".pdf", "PDF")):
        command = [*base, "pack", "--meeting", meeting, "--out", str(work / f"pack{suffix}")]
        timings = interleaved(
            runs,
            pack=lambda command=command: subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL),
            start=lambda: subprocess.run([*base, "meeting", "list"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL),
        )
        rows.append(
            Row(
                "Board pack",
                f"`saferleeds pack` as {label} for the meeting of {meeting}",
                timings["pack"],
                "s",
                timings["start"],
                "< 10 s",
                timings["pack"] < 10,
                "baseline: `saferleeds meeting list` (the same start-up and connection)",
            )
        )
    return rows


def bench_apptest(url: str, runs: int, work: Path) -> list[Row]:
    """Each page in AppTest: first run on empty caches, and warm reruns against a one-widget app."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ["SAFERLEEDS_DATABASE_URL"] = url
    trivial = work / "trivial_app.py"
    trivial.write_text(TRIVIAL_APP)
    baseline_app = AppTest.from_file(str(trivial), default_timeout=120)
    baseline_app.run()
    rows = []
    for page in PAGES:
        st.cache_data.clear()
        app = AppTest.from_file(str(ROOT / "pages" / page), default_timeout=120)
        first = seconds_for(app.run)
        warm = interleaved(runs, page=app.run, trivial=baseline_app.run)
        rows.append(
            Row("Pages (AppTest)", f"{page}: first run, empty caches", first, "s", target="≤ 1 s", passed=first <= 1)
        )
        rows.append(
            Row(
                "Pages (AppTest)",
                f"{page}: warm rerun",
                warm["page"] * 1000,
                "ms",
                warm["trivial"] * 1000,
                "≤ 3× a one-widget app",
                warm["page"] / warm["trivial"] <= 3,
            )
        )
    return rows


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


CHART_PAGES = ["priority.py", "ds1.py", "safety_plans.py", "walksafe.py", "crime.py", "map.py", "ward.py"]
FIRST_CHART_JS = (
    "() => !!document.querySelector('[data-testid=stPlotlyChart] .main-svg') || [...document.querySelectorAll("
    "'[data-testid=stDeckGlJsonChart] canvas')].some(c => c.width > 100 && c.height > 100)"
)
MAP_DRAWN_JS = (
    "() => { const c = document.querySelector('[data-testid=stDeckGlJsonChart] canvas');"
    " return !!c && c.width > 100 && c.height > 100; }"
)


def _visit(context: object, address: str, ready_js: str) -> float:
    """Seconds from navigation in a new tab (a new session) until ready_js holds, at a laptop's size."""
    tab = context.new_page()
    tab.set_viewport_size({"width": 1280, "height": 800})
    start = time.perf_counter()
    tab.goto(address)
    tab.wait_for_function(ready_js, timeout=120_000, polling=20)
    seconds = time.perf_counter() - start
    tab.close()
    return seconds


def first_charts(context: object, base: str, one_chart_base: str, runs: int) -> list[Row]:
    """Per page with charts: seconds from navigation until its first chart is drawn (a plotly chart's SVG, or the
    map's canvas sized), in a new tab of the same browser each time. Cold: the page's first visit since the server
    started (its cached reads and figures empty); warm: the median of the next `runs` visits. The baseline is a
    Streamlit app of one small plotly chart measured the same way in the same run: what Streamlit and plotly.js cost
    in this browser before any of ours. Plus the ward map itself drawn."""
    rows = []
    _visit(context, one_chart_base, FIRST_CHART_JS)
    floor = statistics.median(_visit(context, one_chart_base, FIRST_CHART_JS) for _ in range(runs))
    note = f"baseline: a one-chart Streamlit app, {floor:.2f} s"
    for page in CHART_PAGES:
        address = f"{base}/{URL_PATHS[page]}"
        cold = _visit(context, address, FIRST_CHART_JS)
        warm = statistics.median(_visit(context, address, FIRST_CHART_JS) for _ in range(runs))
        rows.append(Row("First chart (Chromium)", f"{page}: cold", cold, "s", floor, "≤ 3 s", cold <= 3, note))
        rows.append(Row("First chart (Chromium)", f"{page}: warm", warm, "s", floor, "≤ 1.5 s", warm <= 1.5, note))
    drawn = statistics.median(_visit(context, f"{base}/{URL_PATHS['map.py']}", MAP_DRAWN_JS) for _ in range(runs))
    rows.append(
        Row(
            "First chart (Chromium)",
            "ward map: the map itself drawn, warm",
            drawn,
            "s",
            target="≤ 1.5 s",
            passed=drawn <= 1.5,
            note="deck.gl on Chromium's software WebGL (no GPU here)",
        )
    )
    return rows


def bench_server(url: str, runs: int, work: Path, reruns: int, sessions: int) -> list[Row]:
    """The real server in Chromium: first load and warm reruns per page, map payload, memory over reruns/sessions."""
    from browser import CHROMIUM_ARGS, chromium_path, streamlit_server
    from playwright.sync_api import sync_playwright
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    trivial = work / "trivial_server_app.py"
    trivial.write_text(TRIVIAL_APP)
    one_chart = work / "one_chart_app.py"
    one_chart.write_text(ONE_CHART_APP)
    rows: list[Row] = []
    env = {"SAFERLEEDS_REFERENCE_DIR": str(work / "no-reference")}
    with (
        streamlit_server(url, env) as (base, server),
        streamlit_server(url, env, str(trivial)) as (trivial_base, _),
        streamlit_server(url, env, str(one_chart)) as (one_chart_base, _),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})

        finished: dict[object, list[float]] = {}  # per tab: when each "script finished" message arrived
        sizes: dict[object, list[int]] = {}

        def watch(tab: object) -> object:
            """Record the size of every websocket message and when each script run finished."""
            finished[tab], sizes[tab] = [], []

            def received(payload: bytes | str) -> None:
                sizes[tab].append(len(payload))
                if isinstance(payload, bytes):
                    message = ForwardMsg()
                    message.ParseFromString(payload)
                    if message.WhichOneof("type") == "script_finished":
                        finished[tab].append(time.perf_counter())

            tab.on("websocket", lambda socket: socket.on("framereceived", received))
            return tab

        def load(tab: object, address: str) -> float:
            start = time.perf_counter()
            tab.goto(address)
            tab.wait_for_selector("[data-test-script-state='notRunning']", timeout=120_000)
            return time.perf_counter() - start

        def rerun(tab: object) -> float:
            """Press "r" (Streamlit's rerun key) and time until the server says the script finished; a press
            that is not taken (it can land while the previous run is being wrapped up) is repeated."""
            tab.bring_to_front()  # background tabs are throttled
            for _attempt in range(5):
                tab.evaluate("() => document.activeElement && document.activeElement.blur()")
                tab.wait_for_selector("[data-test-script-state='notRunning']", timeout=120_000)
                tab.wait_for_timeout(100)  # a run's last messages are handled before the press is timed
                start = time.perf_counter()
                tab.keyboard.press("r")
                while time.perf_counter() - start < 120:
                    tab.wait_for_timeout(2)
                    after = [when for when in finished[tab] if when > start]
                    if after:
                        return after[0] - start
                    if (
                        time.perf_counter() - start > 5
                        and tab.locator("[data-test-script-state='running']").count() == 0
                    ):
                        break
            raise RuntimeError(f"{tab.url}: the app did not rerun after five presses of r")

        base_tab = watch(context.new_page())
        load(base_tab, trivial_base)
        load(base_tab, base)  # warm the server once (a first deep link can show a spurious dialog)
        rows += first_charts(context, base, one_chart_base, runs)  # before the other scenarios: cold is cold
        trivial_tab = watch(context.new_page())
        load(trivial_tab, trivial_base)
        for page in PAGES:
            tab = watch(context.new_page())
            frames = sizes[tab]
            first = load(tab, f"{base}/{URL_PATHS[page]}")
            times = {"page": [], "trivial": []}
            for _ in range(runs):
                times["page"].append(rerun(tab))
                times["trivial"].append(rerun(trivial_tab))
            warm, baseline = statistics.median(times["page"]), statistics.median(times["trivial"])
            rows.append(
                Row("Pages (server)", f"{page}: first load", first, "s", note="includes the browser loading the page")
            )
            rows.append(
                Row(
                    "Pages (server)",
                    f"{page}: warm rerun",
                    warm * 1000,
                    "ms",
                    baseline * 1000,
                    "≤ 3× a one-widget app",
                    warm / baseline <= 3,
                )
            )
            if page == "map.py":
                rows.append(
                    Row(
                        "Payload",
                        "ward map: bytes over the websocket (first load + reruns)",
                        sum(frames) / 1024,
                        "KiB",
                        target="map < 1 MB",
                        passed=sum(frames) < 1_000_000,
                        note=f"{len(frames)} messages",
                    )
                )
                rows.append(
                    Row(
                        "Payload",
                        "ward map: largest single message",
                        max(frames) / 1024,
                        "KiB",
                        target="< 1 MB",
                        passed=max(frames) < 1_000_000,
                    )
                )
            tab.close()

        def choose(tab: object, label: str, option: str) -> float:
            """Pick an option of a select box and time until the server says the (fragment or page) run finished;
            an attempt that does not take (the list can re-render under the pointer) is made again."""
            from playwright.sync_api import Error as PlaywrightError

            tab.bring_to_front()
            for _attempt in range(3):
                tab.wait_for_selector("[data-test-script-state='notRunning']", timeout=120_000)
                tab.wait_for_timeout(200)
                try:
                    box = tab.get_by_label(label, exact=True).first
                    box.scroll_into_view_if_needed(timeout=10_000)
                    box.click(timeout=10_000)
                    box.fill(option, timeout=10_000)  # the list is filtered to it (a long list scrolls)
                    option_button = tab.get_by_role("option", name=option, exact=True).first
                    option_button.wait_for(timeout=10_000)
                    start = time.perf_counter()
                    option_button.click(timeout=10_000)
                except PlaywrightError as error:
                    print(f"  retrying a choice of {option!r} on {tab.url}: {str(error)[:300]}", flush=True)
                    tab.keyboard.press("Escape")
                    continue
                while time.perf_counter() - start < 120:
                    tab.wait_for_timeout(2)
                    after = [when for when in finished[tab] if when > start]
                    if after:
                        return after[0] - start
            raise RuntimeError(f"{tab.url}: no run finished after choosing {option!r}")

        sources = watch(context.new_page())
        load(sources, f"{base}/{URL_PATHS['data_sources.py']}")
        kpi = queries.kpi_catalogue(url).iloc[0]
        options = [f"{kpi['code']} \u2013 {kpi['name']}", "All KPIs"]
        times = {"fragment": [], "trivial": []}
        for run in range(runs * 2):
            times["fragment"].append(choose(sources, "Show values for", options[run % 2]))
            times["trivial"].append(choose(trivial_tab, "Pick one", "ba"[run % 2]))
        fragment, baseline = statistics.median(times["fragment"]), statistics.median(times["trivial"])
        rows.append(
            Row(
                "Pages (server)",
                "data_sources.py: a widget inside a fragment (the KPI whose values are listed)",
                fragment * 1000,
                "ms",
                baseline * 1000,
                "≤ 1.5× a one-widget app",
                fragment / baseline <= 1.5,
                "the fragment reruns, not the page; baseline: the same choice in the one-widget app",
            )
        )
        sources.close()
        tab = watch(context.new_page())
        load(tab, base)
        rerun(tab)
        before = rss_kib(server.pid)
        for _ in range(reruns):
            rerun(tab)
        after = rss_kib(server.pid)
        rows.append(
            Row(
                "Memory",
                f"server RSS growth over {reruns} reruns",
                (after - before) / 1024,
                "MiB",
                target="flat (≤ 5 MiB)",
                passed=(after - before) / 1024 <= 5,
                note=f"{before / 1024:.0f} → {after / 1024:.0f} MiB",
            )
        )
        extra = []
        before = rss_kib(server.pid)
        for _ in range(sessions):
            other = context.new_page()
            load(other, base)
            extra.append(other)
        after = rss_kib(server.pid)
        per_session = (after - before) / 1024 / sessions
        rows.append(
            Row(
                "Memory",
                f"server RSS per extra session ({sessions} sessions)",
                per_session,
                "MiB",
                target="≤ 3 MiB/session",
                passed=per_session <= 3,
            )
        )
        context.close()
        browser.close()
    return rows


def write_results(rows: list[Row], path: Path, started: float, args: argparse.Namespace) -> None:
    """benchmarks/results.md: machine, versions, date, every figure with its baseline, ratio and verdict."""
    import pandas
    import streamlit

    def number(value: float | None) -> str:
        return "" if value is None else f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"

    lines = [
        "# Benchmark results",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` in {time.perf_counter() - started:.0f} s; "
        f"{args.crimes:,} synthetic crimes ({args.months} months), medians of {args.runs} interleaved runs.",
        "",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        f"- Python {platform.python_version()}, Streamlit {streamlit.__version__}, pandas {pandas.__version__}, "
        f"SQLite {__import__('sqlite3').sqlite_version}",
        "",
        "| area | measure | value | baseline | ratio | target | result | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        verdict = "" if row.passed is None else ("pass" if row.passed else "**miss**")
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else ""
        baseline = f"{number(row.baseline)} {row.unit}" if row.baseline is not None else ""
        lines.append(
            f"| {row.area} | {row.name} | {number(row.value)} {row.unit} | {baseline} | {ratio} | "
            f"{row.target} | {verdict} | {row.note} |"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    """Run every scenario and write the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--crimes", type=int, default=1_200_000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--subset", type=int, default=12, help="monthly files per timed import run")
    parser.add_argument("--reruns", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="skip the real-server scenarios")
    parser.add_argument(
        "--only",
        default=",".join(AREAS),
        help=f"comma-separated areas to run, of {', '.join(AREAS)} (the full import always runs: the rest read it)",
    )
    parser.add_argument(
        "--pg-scale",
        type=int,
        default=0,
        help="also grow the PostgreSQL database to this many times the crimes and time the page queries again "
        "(10 gives 12 M crimes; several minutes)",
    )
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results.md"))
    args = parser.parse_args()
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="saferleeds-bench-"))
    cache = ROOT / "artefacts" / "bench-data" / f"{args.crimes}-{args.months}"
    print(f"Building the dataset in {cache} ...", flush=True)
    data = dataset.build(cache, args.crimes, args.months)
    rows: list[Row] = []
    only = set(args.only.split(","))
    if "import" in only:
        print("Import, SQLite ...", flush=True)
        found, sqlite_rate = bench_import("Import (SQLite)", None, data, args.subset, args.runs, work)
        rows += found
        profiled = fresh_database(None, work, "profiled")
        floors.profile(
            lambda: policeuk.import_paths(profiled, data.files[: args.subset], lookup_for(profiled, data),
                                          accept_unusual=True),
            ROOT / "benchmarks" / "profile-import.md",
            f"cProfile of one {args.subset}-month import into a fresh SQLite database (`make bench`)",
        )  # fmt: skip
    url, full = load_full(None, data, work, "Import (SQLite)")
    rows += full
    sqlite_queries = []
    if "queries" in only:
        print("Queries, SQLite ...", flush=True)
        sqlite_queries = bench_queries("Queries (SQLite)", url, args.runs)
        rows += sqlite_queries
    if "peers" in only:
        print("Peers: counting other districts at import, and the page's reads ...", flush=True)
        rows += peers_bench.bench(ROOT, work, args.runs)
    pg_url = os.environ.get("SAFERLEEDS_TEST_PG_URL")
    if pg_url and "postgres" in only:
        print("Import and queries, PostgreSQL ...", flush=True)
        found, pg_rate = bench_import("Import (PostgreSQL)", pg_url, data, args.subset, args.runs, work)
        if "import" in only:
            found[2].note += f"; SQLite/PostgreSQL speed ratio {sqlite_rate / pg_rate:.2f}"
        rows += found
        pg_full_url, pg_full = load_full(pg_url, data, work, "Import (PostgreSQL)")
        rows += pg_full
        pg_queries = bench_queries("Queries (PostgreSQL)", pg_full_url, args.runs)
        for row, sqlite_row in zip(pg_queries, sqlite_queries, strict=False):
            row.note = f"{row.value / sqlite_row.value:.2f}× SQLite"
        rows += pg_queries
        if args.pg_scale > 1:
            print(f"PostgreSQL at {args.pg_scale}x the crimes ...", flush=True)
            floor = found[0].value + 1.5 * found[1].value  # this run's PostgreSQL floors
            rows += bench_scale(pg_full_url, args.pg_scale, args.runs, pg_queries, data, floor)
    if "spc" in only:
        print("SPC over an analyst's file ...", flush=True)
        rows += bench_spc(args.runs, work)
    if "pack" in only:
        print("Board pack ...", flush=True)
        rows += bench_pack(url, args.runs, work)
    if "apptest" in only:
        print("Pages in AppTest ...", flush=True)
        rows += bench_apptest(url, args.runs, work)
    if "server" in only and not args.no_browser:
        print("Pages on the real server in Chromium ...", flush=True)
        try:
            rows += bench_server(url, args.runs, work, args.reruns, args.sessions)
        except Exception as error:  # noqa: BLE001 - the other figures are still worth writing down
            rows.append(
                Row(
                    "Pages (server)",
                    "real-server scenarios",
                    0,
                    "",
                    passed=False,
                    note=f"failed: {type(error).__name__}: {' '.join(str(error).split())[:400]}",
                )
            )
    write_results(rows, Path(args.output), started, args)
    misses = [r for r in rows if r.passed is False]
    for row in rows:
        mark = "" if row.passed is None else (" ok" if row.passed else " MISS")
        ratio = f" ({row.ratio:.2f}× baseline)" if row.ratio else ""
        print(f"{row.area:22} {row.name:60} {row.value:12,.2f} {row.unit}{ratio}{mark}")
    print(
        f"\n{len(rows)} figures, {len(misses)} targets missed; written to {args.output} in "
        f"{time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
