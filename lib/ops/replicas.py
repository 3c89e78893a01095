"""Several app processes behind nginx on one database: how the dashboard scales past one process or machine.

Streamlit keeps each viewer's session in the process that serves their websocket, so the proxy must send a viewer
back to the same process every time (sticky sessions). nginx's open-source build has no sticky-cookie module; this
configuration gives each new browser a random `saferleeds_route` cookie on its first request and hashes on it
(`hash ... consistent`), so the page, its static files and its websocket reach one process, and viewers spread over
all of them. Freshness across processes comes from the database's data version (lib/store/cache.py), not from the
proxy. `saferleeds serve --replicas N` runs it on this machine and keeps it up: a replica that dies is restarted on
its port with back-off while nginx routes to the others; only nginx dying, or every replica at once, ends it. A real
deployment uses the same configuration with
the app processes on other hosts (README, "Deploying").
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60
ROUTE_COOKIE = "saferleeds_route"

NGINX_CONF = """# The partnership dashboard: {count} app processes behind one address, sticky by cookie (lib/ops).
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 512; }}
http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    # Uploads: Streamlit's own limit (.streamlit/config.toml maxUploadSize) is the one users see.
    client_max_body_size 200m;

    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
    # A browser without the cookie gets one: the request id, random per request.
    map $cookie_{cookie} $route {{ "" $request_id; default $cookie_{cookie}; }}
    map $cookie_{cookie} $set_route {{ "" "{cookie}=$request_id; Path=/; HttpOnly; SameSite=Lax"; default ""; }}

    upstream dashboard {{
        hash $route consistent;
{servers}
    }}
    server {{
        listen {address}:{port};
        location / {{
            proxy_pass http://dashboard;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_read_timeout 86400s;  # a websocket stays open while the page is
            proxy_buffering off;
            add_header Set-Cookie $set_route;
            add_header X-Saferleeds-Upstream $upstream_addr;  # which process answered (for checks and tests)
        }}
    }}
}}
"""


def free_port() -> int:
    """A TCP port nobody is listening on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def healthy(base: str) -> bool:
    """True when a Streamlit server (directly or through the proxy) answers its health check."""
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def nginx_config(app_ports: list[int], port: int, prefix: Path, address: str = "127.0.0.1") -> str:
    """The nginx configuration for these app ports behind address:port, with its files under prefix."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=0;" for p in app_ports)
    return NGINX_CONF.format(
        count=len(app_ports), prefix=prefix, servers=servers, port=port, address=address, cookie=ROUTE_COOKIE
    )


def _wait(base: str, process: subprocess.Popen, log: Path) -> None:
    """Wait until base answers its health check; RuntimeError with the log's end if the process dies or is slow."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while not healthy(base):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{base} did not start; see {log}:\n{log.read_text()[-2000:]}")
        time.sleep(0.25)


def _stop(process: subprocess.Popen) -> None:
    """Stop a process, politely first."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_app(
    database_url: str,
    port: int,
    log: Path,
    extra_env: dict[str, str] | None = None,
    script: str = "dashboard.py",
    extra_args: list[str] | None = None,
    append: bool = False,
) -> subprocess.Popen:
    """`streamlit run` on 127.0.0.1:port against database_url, output to log (the caller waits and stops it);
    extra_args are more Streamlit options (for example --secrets.files=... for sign-in). A restart appends to the
    log, so what the earlier process printed before it died is kept."""
    env = {**os.environ, "SAFERLEEDS_DATABASE_URL": database_url, **(extra_env or {})}
    with log.open("a" if append else "w") as output:
        if append:
            output.write(f"\n--- restarted at {time.strftime('%Y-%m-%d %H:%M:%S')} ---\n")
            output.flush()
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                script,
                "--server.headless=true",
                f"--server.port={port}",
                "--server.address=127.0.0.1",
                "--browser.gatherUsageStats=false",
                "--server.fileWatcherType=none",
                *(extra_args or []),
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


@contextmanager
def app_server(
    database_url: str,
    log_folder: Path,
    extra_env: dict[str, str] | None = None,
    script: str = "dashboard.py",
    port: int | None = None,
    extra_args: list[str] | None = None,
) -> Iterator[tuple[str, subprocess.Popen]]:
    """One app process on a loopback port (a free one unless given); yields (its base URL, the process), then
    stops it."""
    port = port or free_port()
    log = log_folder / f"streamlit-{port}.log"
    log_folder.mkdir(parents=True, exist_ok=True)
    process = start_app(database_url, port, log, extra_env, script, extra_args)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, process, log)
        yield base, process
    finally:
        _stop(process)


def nginx_path() -> str:
    """The nginx binary (Debian's package: `apt-get install nginx-light`)."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).is_file()), None)
    if not found:
        raise RuntimeError("nginx is not installed: `sudo apt-get install nginx-light` (Debian's package)")
    return found


RESTART_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0, 30.0)  # seconds before each further restart of a replica that keeps dying
STEADY_SECONDS = 60.0  # a replica that has run this long since its restart starts its back-off again from the first


@dataclass
class Replica:
    """One app process of a deployment, on a fixed loopback port (nginx's configuration names it), restarted there
    when it dies."""

    port: int
    log: Path
    process: subprocess.Popen
    started: float = field(default_factory=time.monotonic)
    deaths: int = 0  # deaths since it last ran steadily: the back-off's step
    restarts: int = 0
    due: float | None = None  # when it is dead: the time of its next restart

    @property
    def base(self) -> str:
        """The process's own address."""
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Deployment:
    """What serve() started: the proxy's address, the replicas and nginx, the folder of their configuration and logs
    (kept when the service ends), and how to start a replica again."""

    url: str
    folder: Path
    database_url: str
    extra_env: dict[str, str] | None = None
    replicas: list[Replica] = field(default_factory=list)
    proxy: subprocess.Popen | None = None
    report: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr, flush=True))
    stopping: bool = False

    @property
    def apps(self) -> list[str]:
        """The replicas' own addresses."""
        return [replica.base for replica in self.replicas]

    @property
    def processes(self) -> list[subprocess.Popen]:
        """The live process of each replica, then nginx."""
        return [replica.process for replica in self.replicas] + ([self.proxy] if self.proxy else [])

    def tend(self, now: float | None = None) -> str | None:
        """One look at the service: a dead replica is restarted on its port after its back-off (nginx routes to the
        others meanwhile: sessions that lived in the dead process are lost, and their browsers reconnect to a live
        one). Returns why the service must end (nginx stopped, or every replica is dead at once), else None."""
        now = time.monotonic() if now is None else now
        if self.stopping:
            return "the service was stopped"
        if self.proxy is not None and self.proxy.poll() is not None:
            return f"nginx stopped (exit code {self.proxy.returncode}); its log is {self.folder / 'error.log'}"
        for replica in self.replicas:
            self._tend(replica, now)
        if all(replica.process.poll() is not None for replica in self.replicas):
            return f"every app process has stopped; their logs are in {self.folder}"
        return None

    def _tend(self, replica: Replica, now: float) -> None:
        """Restart one replica if it is dead and its back-off has passed."""
        code = replica.process.poll()
        if code is None:
            if replica.deaths and now - replica.started >= STEADY_SECONDS:
                replica.deaths = 0
            return
        if replica.due is None:
            delay = RESTART_DELAYS[min(replica.deaths, len(RESTART_DELAYS) - 1)]
            replica.due = now + delay
            self.report(
                f"The app process on port {replica.port} stopped (exit code {code}); nginx sends its viewers to the "
                f"others, and it restarts in {delay:g} s (log: {replica.log})."
            )
            return
        if now >= replica.due and not self.stopping:
            replica.process = start_app(self.database_url, replica.port, replica.log, self.extra_env, append=True)
            replica.started, replica.due = now, None
            replica.deaths += 1
            replica.restarts += 1
            self.report(f"Restarted the app process on port {replica.port} (restart {replica.restarts}).")

    def supervise(self, interval: float = 0.5) -> str:
        """Tend the service until it must end; returns why."""
        while (reason := self.tend()) is None:
            time.sleep(interval)
        return reason

    def stop(self) -> None:
        """Stop nginx, then every replica; nginx's scratch files go, the configuration and the logs stay."""
        self.stopping = True
        if self.proxy is not None:
            _stop(self.proxy)
        for replica in self.replicas:
            _stop(replica.process)
        shutil.rmtree(self.folder / "tmp", ignore_errors=True)


@contextmanager
def serve(
    database_url: str,
    replicas: int = 2,
    port: int | None = None,
    address: str = "127.0.0.1",
    extra_env: dict[str, str] | None = None,
) -> Iterator[Deployment]:
    """Start `replicas` app processes and nginx in front of them (configuration and logs in a new folder, kept
    afterwards); yield the deployment (its supervise() keeps it up), then stop everything."""
    nginx = nginx_path()
    folder = Path(tempfile.mkdtemp(prefix="saferleeds-serve-"))
    (folder / "tmp").mkdir(mode=0o1777)
    os.chmod(folder / "tmp", 0o1777)  # nginx's worker may run as another user
    port = port or free_port()
    deployment = Deployment(f"http://{address}:{port}", folder, database_url, extra_env)
    try:
        for _ in range(replicas):
            app_port = free_port()
            log = folder / f"streamlit-{app_port}.log"
            replica = Replica(app_port, log, start_app(database_url, app_port, log, extra_env))
            deployment.replicas.append(replica)
            _wait(replica.base, replica.process, log)
        config = folder / "nginx.conf"
        config.write_text(nginx_config([r.port for r in deployment.replicas], port, folder, address))
        log = folder / "error.log"
        log.touch()
        deployment.proxy = subprocess.Popen(
            [nginx, "-p", str(folder), "-e", str(log), "-c", str(config), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        _wait(deployment.url, deployment.proxy, log)
        yield deployment
    finally:
        deployment.stop()
