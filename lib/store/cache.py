"""The read cache: Streamlit's st.cache_data inside the running app, a plain call everywhere else.

Streamlit is never imported from here: the wrapper looks for it in sys.modules, so the command line, the importers
and the tests load no Streamlit at all, while inside the app (which imported Streamlit first) reads are cached.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
CACHE_TTL_SECONDS = 600
MAX_ENTRIES = 64


def _running_streamlit() -> Any | None:  # noqa: ANN401 - the streamlit module, when the app is running
    """The streamlit module when this process is serving the app, else None."""
    streamlit = sys.modules.get("streamlit")
    if streamlit is None or not streamlit.runtime.exists():
        return None
    return streamlit


def cached(fn: Callable[P, R]) -> Callable[P, R]:
    """Cache with st.cache_data inside the running app; call straight through from the command line and tests."""
    holder: dict[str, Callable[P, R]] = {}

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        """Call through the Streamlit cache when the app is running."""
        streamlit = _running_streamlit()
        if streamlit is None:
            return fn(*args, **kwargs)
        if "cache" not in holder:
            # Outside a script run Streamlit warns "no runtime"; inside the app it is noise too.
            logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)
            holder["cache"] = streamlit.cache_data(ttl=CACHE_TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)(
                fn
            )
        return holder["cache"](*args, **kwargs)

    return wrapper


def clear_caches() -> None:
    """Forget every cached result (after an import changes the data)."""
    streamlit = _running_streamlit()
    if streamlit is not None:
        streamlit.cache_data.clear()
