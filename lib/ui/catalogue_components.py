"""The Catalogue page's parts (admins): KPIs, targets, priorities and boards, owners, and the whole catalogue as a
file. Every change goes through lib/ingest (checked, one transaction, logged with who and when); a refusal says
what was wrong and the form keeps what was typed (lib/ui/forms.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from lib.core import exports
from lib.core.formatting import counted
from lib.core.text import literal
from lib.ingest import catalogue, catalogue_file, files, priorities, targets, users
from lib.store import queries
from lib.ui import access, forms, tables

NONE = "(none)"
OWNED_WORDS = {"kpi": "KPI", "priority": "priority"}
LISTED = ["code", "name", "priority", "unit", "direction", "frequency", "geography", "sensitive", "owner"]


def _priority_choice(url: str, label: str, current: int | None = None, key: str | None = None) -> int | None:
    """A select box of the priorities in force (and none); the chosen number or None."""
    table = queries.priorities_as_at(url, date.today())
    names = {None: NONE} | {int(n): f"{n}. {name}" for n, name in zip(table["id"], table["name"], strict=True)}
    options = list(names)
    index = options.index(current) if current in names else 0
    return st.selectbox(label, options, index=index, format_func=lambda n: names[n], key=key)


def _kpi_choice(url: str, label: str, key: str) -> str | None:
    """A select box of the KPIs in the catalogue (code: name); the chosen code."""
    table = queries.kpi_catalogue(url)
    names = dict(zip(table["code"], table["name"], strict=True))
    return st.selectbox(label, list(names), format_func=lambda c: f"{c}: {names[c]}", key=key, index=None)


def _clean(text: str) -> str | None:
    """A text input as a change: None when left blank."""
    return text.strip() or None


def kpis_tab(url: str) -> None:
    """The KPIs: listed, added, changed and retired."""
    table = queries.kpi_catalogue(url)
    shown = table.assign(retired=table["retired_from"].map(lambda d: "" if pd.isna(d) else str(d)[:10]))
    tables.show(shown[[*LISTED, "retired"]], first=["code"])
    st.caption(f"{counted(len(table), 'KPI')}; a retired KPI keeps its values and shows on earlier meetings.")
    with st.expander("Add a KPI"), forms.form("kpi_add"):
        code = st.text_input("Code (capitals, digits and underscores; permanent once it has values)")
        name = st.text_input("Name")
        priority = _priority_choice(url, "Shared priority", key="kpi_add_priority")
        unit = st.text_input("Unit (count, minutes, percent, ...)")
        direction = st.selectbox("Which way is better", catalogue.DIRECTIONS)
        frequency = st.selectbox("Frequency", catalogue.FREQUENCIES)
        geography = st.selectbox("Geography", catalogue.GEOGRAPHIES)
        definition = st.text_area("Definition: exactly what is counted or timed")
        source = st.text_input("Source (document and section, or dataset)")
        owner = st.text_input("Owner (the organisation or team that reports it)")
        sensitive = st.checkbox("Sensitive: ward-level counts go through disclosure control")
        if st.form_submit_button("Add the KPI", type="primary", icon=":material/add:"):
            fields = {
                "name": name,
                "priority_id": priority,
                "unit": unit,
                "direction": direction,
                "frequency": frequency,
                "geography": geography,
                "definition": definition,
                "source": source,
                "owner": owner,
                "sensitive": sensitive,
            }
            forms.write(
                lambda: catalogue.add_kpi(url, code.strip(), fields, access.current()),
                f"Added {code.strip()}. Set its target on the Targets tab.",
                "kpi_add",
            )
    with st.expander("Change a KPI"):
        chosen = _kpi_choice(url, "KPI to change", "kpi_change_code")
        if chosen:
            _kpi_change_form(url, table.set_index("code").loc[chosen].to_dict() | {"code": chosen})
    with st.expander("Retire a KPI"), forms.form("kpi_retire"):
        retiring = _kpi_choice(url, "KPI to retire", "kpi_retire_code")
        day = st.date_input("Retired from (meetings from this day leave it out)", None, format="DD/MM/YYYY")
        if st.form_submit_button("Retire the KPI", icon=":material/archive:"):
            if not retiring or not isinstance(day, date):
                st.error("Choose a KPI and the day it is retired from.", icon=":material/error:")
            else:
                forms.write(
                    lambda: catalogue.retire_kpi(url, retiring, day, access.current()),
                    f"Retired {retiring} from {day:%d %B %Y}.",
                    "kpi_retire",
                )


def _kpi_change_form(url: str, kpi: dict) -> None:
    """The chosen KPI's fields, to change (unit and direction fixed once it has values: the check says so)."""
    with forms.form(f"kpi_change_{kpi['code']}"):
        name = st.text_input("Name", kpi["name"])
        current = None if pd.isna(kpi["priority_id"]) else int(kpi["priority_id"])
        priority = _priority_choice(url, "Shared priority", current, key=f"kpi_change_priority_{kpi['code']}")
        unit = st.text_input("Unit", kpi["unit"])
        direction = st.selectbox(
            "Which way is better", catalogue.DIRECTIONS, index=catalogue.DIRECTIONS.index(kpi["direction"])
        )
        definition = st.text_area("Definition", kpi["definition"])
        source = st.text_input("Source", kpi["source"])
        owner = st.text_input("Owner", kpi["owner"])
        sensitive = st.checkbox("Sensitive: ward-level counts go through disclosure control", bool(kpi["sensitive"]))
        relax = st.checkbox(
            "I confirm turning disclosure control off: its ward counts show for every past period",
            disabled=not kpi["sensitive"],
        )
        if st.form_submit_button("Save the changes", type="primary", icon=":material/save:"):
            changes = {
                "name": _clean(name),
                "priority_id": priority,
                "unit": _clean(unit),
                "direction": direction,
                "definition": _clean(definition),
                "source": _clean(source),
                "owner": _clean(owner),
                "sensitive": sensitive,
            }
            forms.write(
                lambda: catalogue.update_kpi(url, kpi["code"], changes, access.current(), relax),
                f"Saved {kpi['code']}.",
            )


def targets_tab(url: str) -> None:
    """A KPI's targets over time, and a new one from a date."""
    code = _kpi_choice(url, "KPI", "target_code")
    if not code:
        st.caption("Choose a KPI to see its targets and set a new one.")
        return
    history = queries.kpi_targets(url, code)
    tables.show(history.drop(columns=["kpi_code"]), first=["valid_from"])
    st.caption("Each target is in force from its day until the next one's; meetings keep the target they had.")
    with forms.form(f"target_set_{code}"):
        value = st.number_input("Target (in the KPI's unit)", value=None, step=1.0)
        kind = st.radio("Type", targets.TARGET_TYPES, horizontal=True, help="maximum: at most; minimum: at least")
        day = st.date_input("In force from", None, format="DD/MM/YYYY")
        rule = st.text_input("RAG rule in words (blank: green within 10% of the target)")
        if st.form_submit_button("Set the target", type="primary", icon=":material/flag:"):
            if value is None or not isinstance(day, date):
                st.error("Give the target and the day it applies from.", icon=":material/error:")
            else:
                forms.write(
                    lambda: targets.set_target(url, code, float(value), kind, day, _clean(rule), access.current()),
                    f"{code}: target {value:g} ({kind}) from {day:%d %B %Y}.",
                    f"target_set_{code}",
                )


def priorities_tab(url: str) -> None:
    """The shared priorities and delivery boards: listed, added, renamed and retired."""
    st.subheader("Shared priorities")
    tables.show(queries.priorities(url).drop(columns=["summary"]), first=["id"])
    with st.expander("Add a priority"), forms.form("priority_add"):
        name = st.text_input("Name")
        board = st.text_input("Silver board that leads it")
        summary = st.text_area("What it covers (a sentence or two)")
        if st.form_submit_button("Add the priority", type="primary", icon=":material/add:"):
            fields = {"name": name, "silver_board": board, "summary": summary}
            forms.write(
                lambda: priorities.add_priority(url, fields, access.current()), f"Added {name.strip()}.", "priority_add"
            )
    with st.expander("Rename or retire a priority"):
        number = _priority_choice(url, "Priority", key="priority_change")
        if number is not None:
            row = queries.priorities(url).set_index("id").loc[number]
            with forms.form(f"priority_change_{number}"):
                name = st.text_input("Name", row["name"])
                board = st.text_input("Silver board", row["silver_board"])
                summary = st.text_area("What it covers", row["summary"])
                if st.form_submit_button("Save the changes", type="primary", icon=":material/save:"):
                    fields = {"name": name, "silver_board": board, "summary": summary}
                    forms.write(
                        lambda: priorities.update_priority(url, number, fields, access.current()),
                        f"Saved priority {number}.",
                    )
            with forms.form(f"priority_retire_{number}"):
                picked = st.date_input("Retired from", None, format="DD/MM/YYYY", key=f"priority_retire_day_{number}")
                if st.form_submit_button("Retire the priority", icon=":material/archive:") and isinstance(picked, date):
                    retired: date = picked
                    forms.write(
                        lambda: priorities.retire_priority(url, number, retired, access.current()),
                        f"Retired priority {number} from {retired:%d %B %Y}.",
                    )
    st.subheader("Delivery boards")
    boards = queries.boards(url)
    tables.show(boards, first=["name"])
    with st.expander("Add a board"), forms.form("board_add"):
        name = st.text_input("Board name")
        serves = _priority_choice(url, "The priority it mainly serves", key="board_add_priority")
        if st.form_submit_button("Add the board", type="primary", icon=":material/add:"):
            forms.write(
                lambda: priorities.add_board(url, name, serves, access.current()), f"Added {name.strip()}.", "board_add"
            )
    with st.expander("Rename or retire a board"), forms.form("board_change"):
        chosen_board = st.selectbox("Board", boards["name"].tolist(), index=None)
        new_name = st.text_input("New name (blank: keep it)")
        day = st.date_input("Retired from (blank: not retiring)", None, format="DD/MM/YYYY")
        if st.form_submit_button("Save", type="primary", icon=":material/save:") and chosen_board:
            board = str(chosen_board)

            def change() -> None:
                """Rename first, then retire under the new name."""
                if _clean(new_name):
                    priorities.update_board(url, board, {"name": new_name}, access.current())
                if isinstance(day, date):
                    priorities.retire_board(url, _clean(new_name) or board, day, access.current())

            forms.write(change, f"Saved {board}.", "board_change")


def owners_tab(url: str) -> None:
    """Who owns each priority and KPI (a lead loads and reports on what they own), and a change to that."""
    owned = queries.owners(url)
    if owned.empty:
        st.caption("No one owns a priority or KPI yet.")
    else:
        tables.show(owned, first=["kind", "value"])
    people = queries.users(url)
    if people.empty:
        st.caption("Add users first (`saferleeds users add EMAIL --role lead`).")
        return
    with forms.form("owner_change"):
        email = st.selectbox("User", people["email"].tolist(), index=None)
        kind = st.radio(
            "Owns a", ("kpi", "priority"), horizontal=True, format_func={"kpi": "KPI", "priority": "priority"}.get
        )
        kpi = _kpi_choice(url, "KPI (for a KPI)", "owner_kpi")
        priority = _priority_choice(url, "Priority (for a priority)", key="owner_priority")
        with st.container(horizontal=True):
            add = st.form_submit_button("Make them an owner", type="primary", icon=":material/person_add:")
            remove = st.form_submit_button("Stop them owning it", icon=":material/person_remove:")
        value = kpi if kind == "kpi" else (None if priority is None else str(priority))
        if (add or remove) and email and value:
            forms.write(
                lambda: users.set_owner(url, email, kind, value, access.current(), owns=add),
                f"{email} {'now owns' if add else 'no longer owns'} {kind} {value}.",
                "owner_change",
            )
        elif add or remove:
            st.error("Choose a user and what they own.", icon=":material/error:")


def file_tab(url: str) -> None:
    """The whole catalogue as one file: download it (or the template), upload a changed one, check, import."""
    st.download_button(
        "Download the catalogue (Excel, one sheet per table)",
        catalogue_file.export_bytes(url, "catalogue.xlsx"),
        file_name="catalogue.xlsx",
        icon=":material/download:",
        on_click="ignore",  # a download never reruns the page
    )
    st.caption(
        "Edit it and upload it here. Rows the file leaves out are kept: retire them with retired_from. A stored "
        "target is never overwritten: add a row from a new date. The about sheet says what every column holds."
    )
    upload = st.file_uploader(
        "Upload a catalogue (.xlsx, or a .zip of CSVs)", type=["xlsx", "zip", "csv"], key="catalogue_upload"
    )
    if upload is None:
        return
    relax = st.checkbox("I confirm turning disclosure control off where the file does so", key="catalogue_relax")
    try:
        plan = catalogue_file.import_catalogue(
            url, upload.name, upload.getvalue(), access.current(), relax, dry_run=True
        )
    except files.ImportRejectedError as error:
        st.error(f"**{literal(upload.name)} cannot be read**: {literal(error)}", icon=":material/error:")
        return
    if not plan.ok:
        st.error(
            f"**{counted(len(plan.problems), 'problem')} in {literal(upload.name)}**: nothing will be imported until "
            "every one is fixed. Each is listed by sheet, row (header = 1) and column.",
            icon=":material/error:",
        )
        tables.show(plan.problem_table, first=["sheet", "row"])
        st.download_button(
            "Download the problems (CSV)",
            exports.csv_bytes(plan.problem_table),
            file_name="catalogue-problems.csv",
            icon=":material/download:",
            on_click="ignore",  # a download never reruns the page
        )
        return
    counts = plan.counts()
    st.info(
        "Passed every check: it adds "
        + ", ".join(f"{n} {sheet}" for sheet, n in counts["added"].items())
        + " and changes "
        + ", ".join(f"{n} {sheet}" for sheet, n in counts["changed"].items())
        + f"; {counted(plan.unchanged, 'row')} unchanged.",
        icon=":material/task:",
    )
    if st.button("Import the catalogue", type="primary", icon=":material/upload:", key="catalogue_import"):
        forms.write(
            lambda: _import(url, upload.name, upload.getvalue(), relax),
            f"Imported {upload.name}.",
        )


def _import(url: str, name: str, data: bytes, relax: bool) -> None:
    """Import the checked file; ValueError (nothing written) if it no longer passes, say after another change."""
    plan = catalogue_file.import_catalogue(url, name, data, access.current(), relax)
    if not plan.ok:
        raise ValueError(f"{name}: nothing was imported: {plan.problems[0]}")
