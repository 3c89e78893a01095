"""Data & sources: KPI definitions, provenance of every value, data freshness, the import log and licences."""

from datetime import date

import streamlit as st

from lib.analysis import kpis, measures
from lib.core import config, documents, roles
from lib.core.formatting import readable
from lib.store import queries
from lib.ui import access, components, import_components, meeting_components, ward_components

url = config.database_url()
components.require_database(url)
catalogue = queries.kpi_catalogue(url)
values = queries.headline_values(url)

st.title("Data & sources")
st.caption("Where every figure comes from, how fresh it is, and what has been loaded.")
components.illustrative_notice(values)

st.header("KPI definitions")
st.dataframe(
    readable(
        catalogue[
            [
                "code",
                "name",
                "priority",
                "definition",
                "unit",
                "direction",
                "target",
                "target_type",
                "rag_rule",
                "frequency",
                "area_name",
                "sensitive",
                "owner",
                "source",
            ]
        ]
    ),
    hide_index=True,
    width="stretch",
    column_config={
        "Sensitive": st.column_config.CheckboxColumn(
            "Sensitive", help="Disclosure control applies to ward-level counts"
        )
    },
)

st.header("Provenance")
components.provenance_panel(url, catalogue)

st.header("Data freshness")
today = date.today()
st.caption(
    f"As of {today:%d %B %Y}. Monthly KPIs are overdue 62 days after their latest month ends; annual ones "
    "after 400 days. One-off figures are documented totals for a stated period."
)
st.dataframe(readable(kpis.freshness(values, catalogue, today)), hide_index=True, width="stretch")

st.header("Revision history")
revisions = measures.withhold_sensitive_wards(url, queries.revision_history(url))
st.caption(
    f"{revisions[['kpi_code', 'area_code', 'period_start', 'period_end']].drop_duplicates().shape[0]:,} "
    "values have been corrected. Every revision is kept; the current one is ticked."
)
st.dataframe(readable(revisions), hide_index=True, width="stretch")

st.header("Import log")
st.caption(
    "Every load, successful or not: file, SHA-256, who, when, rows read / imported / refused / outside Leeds "
    "and the first problems. Load data on the Data in page."
)
import_components.import_log(url)

st.header("Crime data months")
months = queries.crime_months(url)
real = months.loc[months["has_real"] == 1, "month"]
st.caption(
    f"{len(real)} of {len(months)} months hold real police.uk data"
    + (f" ({', '.join(f'{m:%b %Y}' for m in real)})" if len(real) else "")
    + "; the rest are illustrative. A real month replaces the illustrative one on every page."
)
outcomes = queries.crime_record_history(url)
if not outcomes.empty:
    st.subheader("Crime outcomes changed by later files")
    st.caption(
        f"{len(outcomes):,} crimes had their outcome or type changed by a later police.uk file; the earlier "
        "values are kept here."
    )
    st.dataframe(readable(outcomes), hide_index=True, width="stretch")

st.header("Meeting records")
st.caption(
    "Exception reports (every revision), actions and their updates, and decisions, each with who and when; see the "
    "Meeting page for a meeting's business."
)
meeting_components.records_tables(url)

if roles.may_manage_users(access.current()):  # people's e-mails: for admins only
    st.header("Users and sign-ins")
    st.caption(
        "Who may sign in, with what role and scopes (`saferleeds users`), and every sign-in, allowed or not. "
        "Who loaded each file is in the import log above."
    )
    st.dataframe(readable(queries.users(url)), hide_index=True, width="stretch")
    st.dataframe(readable(queries.sign_ins(url)), hide_index=True, width="stretch")

st.header("Wards and licences")
st.dataframe(readable(queries.wards(url)), hide_index=True, width="stretch")
st.markdown(
    "- **Source documents**, cited by title and section on every documented value (the file each is stored as, in "
    "brackets):\n"
    + "".join(f"  - {d.title}, {d.publisher}, {d.published} ({d.file})\n" for d in documents.documents().values())
    + "- **Ward populations**: ONS Census 2021 (TS001 usual residents) summed from LSOAs to wards; **ward centroids** "
    "from ONS ward boundaries (May 2025, BGC). Contains public sector information licensed under the Open Government "
    "Licence v3.0. Source: Office for National Statistics licensed under the OGL v3.0. Contains OS data \u00a9 Crown "
    "copyright and database right.\n"
    "- **Crime**: police.uk street-level crime (Home Office / West Yorkshire Police), Open Government Licence v3.0.\n"
    + ward_components.boundary_status(url)
)
