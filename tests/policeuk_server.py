"""A police.uk-shaped archive and API on loopback for the fetch tests (issue 31): archives built in police.uk's layout
from the shared police.uk files, served by nginx (which supports Range) with the API's recorded answer beside them,
and a small server for the faults nginx does not make (a 500, a dropped connection, Range ignored)."""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lib.ops import replicas

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
WEST_YORKSHIRE = {month: SHARED / "policeuk" / f"{month}-west-yorkshire-street.csv" for month in ("2024-03", "2025-02")}
OTHER_FORCES = SHARED / "areas" / "policeuk" / "other-forces-2024-01-to-03.zip"
NEWEST = "2025-02"
PROBE = "ready-probe"  # the query string of the readiness probe, left out of the requests a test reads
DECOY = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Outcome type\n"

NGINX = """user root;  # the test folders are private to the user running the tests
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    log_format sent '$request_uri $status $bytes_sent $http_range';
    access_log {prefix}/access.log sent;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location /api/ {{ default_type application/json; }}
    }}
}}
"""


def months_back(newest: str, count: int) -> list[str]:
    """newest and the count - 1 months before it, newest first."""
    year, month = map(int, newest.split("-"))
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


def street_files() -> dict[str, bytes]:
    """Every street file the shared data has, by its archive member name (YYYY-MM/YYYY-MM-<force>-street.csv)."""
    found = {f"{m}/{m}-west-yorkshire-street.csv": path.read_bytes() for m, path in WEST_YORKSHIRE.items()}
    with zipfile.ZipFile(OTHER_FORCES) as other:
        for info in other.infolist():
            found[info.filename] = other.read(info)
    return found


def build_archive(path: Path, newest: str = NEWEST, drop: set[str] = frozenset(), decoy_bytes: int = 200_000) -> dict:
    """An archive in police.uk's layout at path holding the shared street files of months newest-35..newest (less
    those in drop), with outcomes and stop-and-search decoys for each force and month; what it holds."""
    window = set(months_back(newest, 36))
    streets = {name: data for name, data in street_files().items() if name[:7] in window and name not in drop}
    forces = sorted({re.match(r"\d{4}-\d{2}/\d{4}-\d{2}-(.+)-street\.csv", name)[1] for name in streets})
    decoy = (DECOY + "x," * 20 + "\n") * (decoy_bytes // 60)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(streets):
            month = name[:7]
            force = name[16:-11]
            archive.writestr(name, streets[name])
            archive.writestr(f"{month}/{month}-{force}-outcomes.csv", decoy)
            archive.writestr(f"{month}/{month}-{force}-stop-and-search.csv", decoy)
    return {"streets": streets, "forces": forces, "size": path.stat().st_size}


def api_answer(newest: str = NEWEST, forces: tuple[str, ...] = ("west-yorkshire",)) -> list[dict]:
    """The shape of https://data.police.uk/api/crimes-street-dates: the months published, newest first."""
    return [{"date": month, "stop-and-search": list(forces)} for month in months_back(newest, 36)]


@dataclass
class Served:
    """A server on loopback: its base address, and nginx's access log when it is nginx."""

    base: str
    log: Path | None = None

    @property
    def archive_url(self) -> str:
        """SAFERLEEDS_POLICEUK_ARCHIVE_URL for it."""
        return f"{self.base}/data/archive/"

    @property
    def api_url(self) -> str:
        """SAFERLEEDS_POLICEUK_API_URL for it."""
        return f"{self.base}/api/"

    def requests(self) -> list[tuple[str, int, int, str]]:
        """nginx's access log: (path, status, bytes sent, Range asked for) per request."""
        assert self.log is not None
        lines = [line for line in self.log.read_text(encoding="utf-8").splitlines() if f"?{PROBE}" not in line]
        out = []
        for line in lines:
            path, status, sent, *rest = line.split(" ")
            out.append((path, int(status), int(sent), " ".join(rest)))
        return out

    def bytes_sent(self, prefix: str = "/data/archive/") -> int:
        """Bytes nginx sent for the archives (headers included)."""
        return sum(sent for path, _, sent, _ in self.requests() if path.startswith(prefix))


def site(root: Path, newest: str = NEWEST, **archive: object) -> dict:
    """A folder laid out like data.police.uk: data/archive/<newest>.zip and latest.zip, api/crimes-street-dates."""
    held = build_archive(root / "data" / "archive" / f"{newest}.zip", newest, **archive)  # type: ignore[arg-type]
    (root / "data" / "archive" / "latest.zip").write_bytes((root / "data" / "archive" / f"{newest}.zip").read_bytes())
    (root / "api").mkdir(parents=True, exist_ok=True)
    (root / "api" / "crimes-street-dates").write_text(json.dumps(api_answer(newest, tuple(held["forces"]))))
    return held


@contextmanager
def nginx(root: Path, scratch: Path) -> Iterator[Served]:
    """nginx serving root on a free loopback port."""
    port = replicas.free_port()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (scratch / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    conf = scratch / "nginx.conf"
    conf.write_text(NGINX.format(prefix=scratch, port=port, root=root), encoding="utf-8")
    process = subprocess.Popen([replicas.nginx_path(), "-c", str(conf), "-p", str(scratch), "-g", "daemon off;"])
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/crimes-street-dates?{PROBE}", timeout=1).close()  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        (scratch / "access.log").write_text("")  # the readiness probe is not the test's traffic
        subprocess.run([replicas.nginx_path(), "-c", str(conf), "-p", str(scratch), "-s", "reopen"], check=True)
        time.sleep(0.2)
        yield Served(base, scratch / "access.log")
    finally:
        process.terminate()
        process.wait(timeout=10)


class Faults:
    """What the fault server does wrong: errors answered first, a drop after some bytes of a member, Range ignored."""

    def __init__(self) -> None:
        """Nothing wrong until told."""
        self.errors_first = 0  # answer this many requests with 500 first
        self.drop_after: int | None = None  # once: cut a range answer of more than this many bytes after them
        self.ignore_range = False
        self.seen: list[str] = []


@contextmanager
def fault_server(root: Path, faults: Faults) -> Iterator[Served]:
    """A small server of root's files that supports Range (one range, as nginx) and makes the faults asked for."""

    class Handler(http.server.BaseHTTPRequestHandler):
        """GET with Range, plus faults."""

        def log_message(self, *_args: object) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            """Answer a GET."""
            faults.seen.append(f"{self.path} {self.headers.get('Range', '')}")
            if faults.errors_first > 0:
                faults.errors_first -= 1
                self.send_error(500)
                return
            path = root / self.path.lstrip("/")
            if not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            wanted = self.headers.get("Range")
            if not wanted or faults.ignore_range:
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            match = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted)
            assert match
            if match[1] == "":
                start, end = max(0, len(data) - int(match[2])), len(data) - 1
            else:
                start, end = int(match[1]), min(int(match[2] or len(data) - 1), len(data) - 1)
            body = data[start : end + 1]
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if faults.drop_after is not None and len(body) > faults.drop_after:
                cut, faults.drop_after = faults.drop_after, None
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
