"""The read cache: Streamlit's st.cache_data inside the running app, a plain call everywhere else.

Streamlit is never imported from here: the wrapper looks for it in sys.modules, so the command line, the importers
and the tests load no Streamlit at all, while inside the app (which imported Streamlit first) reads are cached.

Cached reads are keyed on the database's data version (store/models.py DataVersion), which every write increases in
its own transaction: each rerun reads it once (queries.check_ready, where every page starts) and every read of that
rerun uses it, so a viewer sees another process's import on their next rerun, whichever process or replica serves
them. The time limit only bounds memory.
"""

from __future__ import annotations

import functools
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
CACHE_TTL_SECONDS = 3600  # a bound on memory only: freshness comes from the data version
MAX_ENTRIES = 64
KEPT_ENTRIES = 256  # built figures: every chart of every page for a few meetings' cut-offs
NOTED_SECONDS = 2.0  # a version noted by this thread this long ago is this rerun's (a rerun reads it first)
_noted = threading.local()  # per script thread: {url: (version, when noted)}
_reader: list[Callable[[str], int]] = []  # queries.data_version, registered by queries (no SQL here)


def set_version_reader(reader: Callable[[str], int]) -> None:
    """Register how to read a database's data version."""
    _reader[:] = [reader]


def note_version(url: str, version: int) -> None:
    """Remember the data version this thread's rerun read (queries.check_ready calls this)."""
    if not hasattr(_noted, "versions"):
        _noted.versions = {}
    _noted.versions[url] = (version, time.monotonic())


def current_version(url: str) -> int:
    """This rerun's data version: the one its page start read, else read now."""
    noted = getattr(_noted, "versions", {}).get(url)
    if noted is not None and time.monotonic() - noted[1] < NOTED_SECONDS:
        return noted[0]
    version = _reader[0](url) if _reader else 0
    note_version(url, version)
    return version


def _running_streamlit() -> Any | None:  # noqa: ANN401 - the streamlit module, when the app is running
    """The streamlit module when this process is serving the app, else None."""
    streamlit = sys.modules.get("streamlit")
    if streamlit is None or not streamlit.runtime.exists():
        return None
    return streamlit


def _in_app(
    fn: Callable[P, R],
    make_cache: Callable[[Any], Callable[..., R]],
    key: Callable[..., tuple] = lambda *_args, **_kwargs: (),
) -> Callable[P, R]:
    """fn through a Streamlit cache when this process is serving the app (made once, on first use, by make_cache from
    the streamlit module, and called with key(*args, **kwargs) before fn's own arguments); straight through from the
    command line and tests."""
    holder: dict[str, Callable[..., R]] = {}

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        """Call through the Streamlit cache when the app is running."""
        streamlit = _running_streamlit()
        if streamlit is None:
            return fn(*args, **kwargs)
        if "cache" not in holder:
            holder["cache"] = make_cache(streamlit)
        return holder["cache"](*key(*args, **kwargs), *args, **kwargs)

    return wrapper


def cached(fn: Callable[P, R]) -> Callable[P, R]:
    """Cache with st.cache_data inside the running app, keyed on the data version of the URL (the first argument)
    as well as the arguments; call straight through from the command line and tests."""

    def make_cache(streamlit: Any) -> Callable[..., R]:  # noqa: ANN401 - the streamlit module
        """st.cache_data over fn with the data version as its first parameter."""
        # Outside a script run Streamlit warns "no runtime"; inside the app it is noise too.
        logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)

        def versioned(data_version: int, *args: P.args, **kwargs: P.kwargs) -> R:  # noqa: ARG001 - a cache key
            """fn, cached under the data version as well as its arguments (the name must not start with "_":
            Streamlit leaves such parameters out of the key)."""
            return fn(*args, **kwargs)

        # Streamlit tells cached functions apart by module and qualified name: give each its own.
        versioned.__module__, versioned.__qualname__ = fn.__module__, f"{fn.__qualname__}.versioned"
        return streamlit.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)(versioned)

    def version(*args: object, **kwargs: object) -> tuple[int]:
        """This rerun's data version of the URL the call reads."""
        url = args[0] if args and isinstance(args[0], str) else str(kwargs.get("url", ""))
        return (current_version(url),)

    return _in_app(fn, make_cache, version)


def kept(fn: Callable[P, R]) -> Callable[P, R]:
    """For objects built from their arguments alone and never changed afterwards (plotly figures): inside the
    running app, st.cache_resource keyed on the arguments' content, so a rerun is handed the very object built before
    (nothing pickled or copied; a plotly figure with limits and event lines costs 10-40 ms to build); a plain call
    from the command line, the board pack and the tests. Callers must not change what they are given."""
    return _in_app(
        fn,
        lambda streamlit: streamlit.cache_resource(ttl=CACHE_TTL_SECONDS, max_entries=KEPT_ENTRIES, show_spinner=False)(
            fn
        ),
    )


def clear_caches() -> None:
    """Forget every cached result (after an import changes the data)."""
    streamlit = _running_streamlit()
    if streamlit is not None:
        streamlit.cache_data.clear()
