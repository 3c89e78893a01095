"""Named points where a test may stop this process dead (SIGKILL), to prove an import killed there leaves nothing
half-written and no batch stuck as running, or hold it there a while, to make two imports overlap. Set
SAFERLEEDS_FAILPOINT to a point's name (kill) or to NAME=SECONDS (pause); unset, a point does nothing.
"""

from __future__ import annotations

import os
import signal
import time

ENVIRONMENT = "SAFERLEEDS_FAILPOINT"
CHECKED = "import:checked"  # the files are checked and their batches logged as running; nothing written yet
WRITING = "import:writing"  # the first chunk of records is written, inside the import's transaction
AGGREGATES = "import:aggregates"  # every record is written; the aggregates are being rebuilt


def hit(name: str) -> None:
    """Kill this process here, or pause it, if SAFERLEEDS_FAILPOINT names this point (tests only)."""
    point, _, seconds = os.environ.get(ENVIRONMENT, "").partition("=")
    if point != name:
        return
    if seconds:
        time.sleep(float(seconds))
    else:
        os.kill(os.getpid(), signal.SIGKILL)
