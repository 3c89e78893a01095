"""`saferleeds serve --replicas` keeps serving when an app process dies (issue 27): killing one replica once took
nginx and the healthy replica down a second later, and the log folder it named had just been deleted. Real nginx
(Debian's nginx-light) in front of two real Streamlit processes on one database."""

from __future__ import annotations

import os
import signal
import threading
import time
import urllib.request

import pytest
from browser import nginx_or_skip

from lib.ops import replicas

REQUIRE = os.environ.get("SAFERLEEDS_REQUIRE_BROWSER") == "1" or os.environ.get("CI") == "true"


@pytest.fixture
def service(seeded_templates, tmp_path, shared_dir):
    """Two replicas behind nginx on a copy of the seeded SQLite database, supervised in a thread; yields the
    deployment and the list of lines it reported, then the reason it ended (None if it was still up)."""
    nginx_or_skip(REQUIRE)
    url = seeded_templates.sqlite_copy(tmp_path)
    env = {"SAFERLEEDS_REFERENCE_DIR": str(shared_dir / "data" / "lookups")}
    with replicas.serve(url, replicas=2, extra_env=env) as deployment:
        reported: list[str] = []
        deployment.report = reported.append
        ended: list[str] = []
        watcher = threading.Thread(target=lambda: ended.append(deployment.supervise(0.2)), daemon=True)
        watcher.start()
        yield deployment, reported, ended


def _answer(base: str) -> tuple[int, str]:
    """The health check through the proxy: its status and which process answered."""
    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=5) as response:
        return response.status, response.headers.get("X-Saferleeds-Upstream", "")


def test_a_killed_replica_is_restarted_while_nginx_keeps_answering(service):
    deployment, reported, ended = service
    victim = deployment.replicas[0]
    first_pid = victim.process.pid
    os.kill(first_pid, signal.SIGKILL)
    answers, deadline = [], time.monotonic() + replicas.STARTUP_SECONDS
    while time.monotonic() < deadline:
        answers.append(_answer(deployment.url))
        if victim.process.pid != first_pid and replicas.healthy(victim.base):
            break
        time.sleep(0.2)
    assert ended == [], ended  # the service never stopped
    assert {status for status, _ in answers} == {200} and len(answers) >= 5
    assert victim.process.pid != first_pid and replicas.healthy(victim.base)
    assert deployment.replicas[1].process.poll() is None and deployment.proxy.poll() is None
    assert any(f"port {victim.port} stopped" in line for line in reported)
    assert any(f"Restarted the app process on port {victim.port}" in line for line in reported)
    assert "restarted at" in victim.log.read_text()  # the dead process's output is kept above the new one's


def test_the_service_ends_only_when_nginx_dies_and_its_logs_survive(service):
    deployment, _, ended = service
    os.kill(deployment.replicas[1].process.pid, signal.SIGKILL)
    time.sleep(1.5)
    assert ended == [] and _answer(deployment.url)[0] == 200
    deployment.proxy.kill()
    deadline = time.monotonic() + 10
    while not ended and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ended and ended[0].startswith("nginx stopped")
    folder = deployment.folder
    deployment.stop()
    assert sorted(p.name for p in folder.glob("*.log") if p.name.startswith("streamlit-")) == sorted(
        r.log.name for r in deployment.replicas
    )
    assert (folder / "nginx.conf").is_file() and (folder / "error.log").is_file()


def test_every_replica_dying_at_once_ends_the_service(service):
    deployment, _, ended = service
    for replica in deployment.replicas:
        os.kill(replica.process.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while not ended and time.monotonic() < deadline:
        time.sleep(0.1)
    assert ended and ended[0].startswith("every app process has stopped")
