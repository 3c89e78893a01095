"""Data & sources: KPI definitions, provenance of every value, data freshness, the import log and licences."""

from datetime import date

import streamlit as st

from lib.analysis import kpis, measures
from lib.core import config, documents, roles
from lib.core.formatting import counted
from lib.store import queries
from lib.ui import access, components, fetch_components, import_components, meeting_components, tables, ward_components

url = config.database_url()
components.require_database(url)
catalogue = queries.kpi_catalogue_as_at(url, date.today())  # each target with the day it applies from
values = queries.headline_values(url)

st.title("Data & sources")
st.caption("Where every figure comes from, how fresh it is, and what has been loaded.")
components.illustrative_notice(values)

st.header("KPI definitions")
tables.show(
    catalogue[
        [
            "name",
            "code",
            "priority",
            "definition",
            "unit",
            "direction",
            "target",
            "target_type",
            "target_from",
            "rag_rule",
            "frequency",
            "area_name",
            "sensitive",
            "owner",
            "source",
        ]
    ],
    first=["name"],
)
st.caption(
    "Sensitive: disclosure control applies to the KPI's ward-level counts. Target from: the day the target in force "
    "today applies from; a meeting is judged against the target in force at its data cut-off."
)
st.header("Provenance")
components.provenance_panel(url, catalogue)

st.header("Data freshness")
today = date.today()
st.caption(
    f"As of {today:%d %B %Y}. Monthly KPIs are overdue 62 days after their latest month ends; annual ones "
    "after 400 days. One-off figures are documented totals for a stated period, out of date two years after it ends."
)
tables.show(kpis.freshness(values, catalogue, today), first=["name"])

st.header("Revision history")
revisions = measures.withhold_sensitive_wards(url, queries.revision_history(url))
st.caption(
    f"{counted(revisions[['kpi_code', 'area_code', 'period_start', 'period_end']].drop_duplicates().shape[0], 'value')}"
    " corrected. Every revision is kept; the current one is ticked."
)
tables.show(revisions, first=["kpi_code"])

st.header("Import log")
st.caption(
    "Every load, successful or not: file, SHA-256, who, when, rows read / imported / refused / outside the area "
    "and the first problems. Load data on the Data in page."
)
import_components.import_log(url)

st.header("police.uk fetches")
st.caption(
    "Each fetch from police.uk's monthly archive (on its schedule, or Fetch now on Data in): the months it fetched, "
    "the bytes it received (only the partnership's files) against the archives' size, and how it ended."
)
fetch_components.status(url)
fetch_components.history(url)

st.header("Crime data months")
months = queries.crime_months(url)
real = months.loc[months["has_real"] == 1, "month"]
st.caption(
    f"{len(real)} of {len(months)} months hold real police.uk data"
    + (f" ({', '.join(f'{m:%b %Y}' for m in real)})" if len(real) else "")
    + (
        "; the rest are illustrative. A real month replaces the illustrative one on every page."
        if len(real) < len(months)
        else "."
    )
)
outcomes = queries.crime_record_history(url)
if not outcomes.empty:
    st.subheader("Crime outcomes changed by later files")
    st.caption(
        f"{counted(len(outcomes), 'crime')} had the outcome or type changed by a later police.uk file; the earlier "
        "values are kept here."
    )
    tables.show(outcomes)

st.header("Meeting records")
st.caption(
    "Exception reports (every revision), actions and their updates, and decisions, each with who and when; see the "
    "Meeting page for a meeting's business."
)
meeting_components.records_tables(url)

if roles.may_manage_users(access.current()):  # people's e-mails: for admins only
    st.header("Users and sign-ins")
    st.caption(
        "Who may sign in, with what role and scopes, and every sign-in, allowed or not. "
        "Who loaded each file is in the import log above."
    )
    tables.show(queries.users(url), first=["email"])
    tables.show(queries.sign_ins(url))

st.header("Wards and licences")
tables.show(queries.wards(url), first=["name"])
st.markdown(
    "- **Source documents**, cited by title and section on every documented value:\n"
    + "".join(f"  - {d.title}, {d.publisher}, {d.published}\n" for d in documents.documents().values())
    + "- **Ward populations**: ONS Census 2021 (TS001 usual residents) summed from LSOAs to wards; **ward centroids** "
    "from ONS ward boundaries (May 2025, BGC). Contains public sector information licensed under the Open Government "
    "Licence v3.0. Source: Office for National Statistics licensed under the OGL v3.0. Contains OS data \u00a9 Crown "
    "copyright and database right.\n"
    "- **Crime**: police.uk street-level crime (Home Office and the police forces), Open Government Licence v3.0.\n"
    + ward_components.boundary_status(url)
)

history = queries.target_history(url)
st.header("Targets and catalogue changes")
if history.empty:
    st.caption("No KPI has a target yet.")
else:
    st.subheader("Targets over time")
    tables.show(history, first=["name"])
    st.caption(
        "Every target each KPI has had, with who set it and when. Earlier targets stay with the meetings they "
        "applied to."
    )
changed = queries.catalogue_changes(url)
if not changed.empty:
    st.subheader("Catalogue changes")
    tables.show(changed, first=["changed_at"])
    st.caption(
        "Every KPI, priority and board added, updated or retired, every target set and owner assigned, with who and "
        "when. A retired KPI keeps its values; a renamed priority keeps its old name here."
    )
