"""`saferleeds serve` and `config`: running the app behind nginx, and the settings it runs with."""

from __future__ import annotations

import argparse
import signal

from lib.cli.common import CliError, emit
from lib.core import config
from lib.geo import national_files, reference
from lib.ingest import files
from lib.ingest.policeuk import fetch
from lib.ops import replicas
from lib.store import db, queries


def cmd_serve(url: str, args: argparse.Namespace) -> None:
    """Several app processes behind nginx on one database, until interrupted."""
    queries.check_ready(url)
    if args.replicas < 1:
        raise CliError("--replicas must be 1 or more")

    def interrupted(_signal: int, _frame: object) -> None:
        """A service manager's stop (SIGTERM) stops the deployment as Ctrl-C does."""
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    folder = None
    try:
        with replicas.serve(url, args.replicas, args.port, args.address) as deployment:
            folder = deployment.folder
            print(
                f"Serving {deployment.url} ({args.replicas} app processes: {', '.join(deployment.apps)}); a process "
                f"that dies is restarted; Ctrl-C stops. Configuration and logs: {folder}",
                flush=True,
            )
            reason = deployment.supervise()
        raise CliError(f"the service stopped: {reason}")
    except KeyboardInterrupt:
        print(f"Stopped. The logs are kept in {folder}." if folder else "Stopped.")
    except RuntimeError as error:
        raise CliError(str(error).splitlines()[0]) from error


def cmd_config(_url: str, args: argparse.Namespace) -> None:
    """Show the settings, their values (passwords masked) and help."""
    rows = [
        {
            "name": s.name,
            "value": db.mask_url(config.database_url()) if s is config.DATABASE_URL else config.get(s),
            "default": s.default,
            "help": s.help,
        }
        for s in config.SETTINGS + reference.SETTINGS + national_files.SETTINGS + files.SETTINGS + fetch.SETTINGS
    ]
    emit(rows, args.json)


def register(commands: argparse._SubParsersAction) -> None:
    """The `serve` and `config` commands."""
    serve_parser = commands.add_parser(
        "serve", help="run several app processes behind nginx on this database (sticky sessions; Ctrl-C stops)"
    )
    serve_parser.add_argument("--replicas", type=int, default=2, help="app processes (default 2)")
    serve_parser.add_argument("--port", type=int, default=8080, help="the proxy's port (default 8080)")
    serve_parser.add_argument(
        "--address", default="127.0.0.1", help="the proxy's address (default 127.0.0.1; 0.0.0.0 for every interface)"
    )
    serve_parser.set_defaults(handler=cmd_serve)

    config_parser = commands.add_parser("config", help="show settings and where they come from")
    config_parser.add_argument("--json", action="store_true", help="print JSON")
    config_parser.set_defaults(handler=cmd_config)
