"""Forms that change records: a form keeps what was typed until it is saved, a refusal says what was wrong and
leaves every field as it was, and a saved change reruns the page with a line saying what it did."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lib.core import roles
from lib.core.text import literal
from lib.store import db

FLASH_KEY = "records_flash"
FORM_GENERATIONS = "form_generations"  # form name -> how many times it was saved (its key's suffix)


def flash() -> None:
    """Say what the last change did (it was made on the previous run, before the page reran)."""
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/check:")


def form(name: str) -> DeltaGenerator:
    """A form that keeps what was typed until it is saved: a refusal (bad input, a busy database) leaves every field
    as it was, and only a successful save (write) gives the next run a fresh, empty form (a new key)."""
    generation = st.session_state.setdefault(FORM_GENERATIONS, {}).get(name, 0)
    return st.form(f"{name}_{generation}")


def write(change: Callable[[], object], done: str, name: str | None = None) -> None:
    """Make a change; on success rerun the page with a note (and the form of that name empty), else say what was wrong:
    nothing was written and the form still holds what was typed."""
    try:
        change()
    except (ValueError, roles.PermissionDeniedError) as error:
        st.error(literal(error), icon=":material/error:")
        return
    except db.DatabaseBusyError as error:
        st.error(f"{error} What you typed is still in the form.", icon=":material/hourglass_top:")
        return
    if name is not None:
        generations = st.session_state.setdefault(FORM_GENERATIONS, {})
        generations[name] = generations.get(name, 0) + 1
    st.session_state[FLASH_KEY] = done
    st.rerun()
