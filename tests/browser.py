"""Fixtures' machinery for the browser tests: a real Streamlit server on a free port and Debian's Chromium.

Nothing here downloads a browser: Chromium must be installed (`apt-get install chromium`); `.ci/run` installs it
and sets SAFERLEEDS_REQUIRE_BROWSER=1, which turns a missing browser into a failure instead of a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = ROOT / "artefacts"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
REQUIRE_BROWSER = os.environ.get("SAFERLEEDS_REQUIRE_BROWSER") == "1"
STARTUP_SECONDS = 60


def chromium_path() -> str:
    """The system Chromium, or skip (fail in CI) with how to install it."""
    found = (
        os.environ.get("SAFERLEEDS_CHROMIUM")
        or next((p for p in CHROMIUM_CANDIDATES if Path(p).is_file()), None)
        or shutil.which("chromium")
    )
    if found:
        return found
    reason = "Chromium is not installed: `sudo apt-get install chromium` (the browser tests never download one)"
    if REQUIRE_BROWSER:
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port nobody is listening on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _healthy(base: str) -> bool:
    """True when Streamlit's health endpoint answers ok."""
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def streamlit_server(
    database_url: str, extra_env: dict[str, str] | None = None, script: str = "dashboard.py"
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`streamlit run` on a free loopback port against database_url; yields (base URL, process), then stops it."""
    port = free_port()
    env = {**os.environ, "SAFERLEEDS_DATABASE_URL": database_url, **(extra_env or {})}
    log = ARTEFACTS / f"streamlit-{port}.log"
    ARTEFACTS.mkdir(exist_ok=True)
    with log.open("w") as output:
        process = subprocess.Popen(
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
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _healthy(base):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Streamlit did not start; see {log}:\n{log.read_text()[-2000:]}")
                time.sleep(0.25)
            yield base, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
