"""The Data in page's parts: a KPI return (template, upload, preview, confirm) and police.uk crime files.

Nothing is written until the user confirms a preview with no problems. A rejected file is logged once per upload
(Streamlit reruns the page on every click, so the log entry is keyed by the file's hash in the session).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from lib.area import current as current_area
from lib.core import exports, roles
from lib.core.formatting import counted
from lib.core.text import literal
from lib.core.vocabulary import ImportStatus
from lib.ingest import batches, files, kpi_returns, locking, lookups, policeuk
from lib.store import queries
from lib.ui import access, jobs, tables

ALL_OWNERS = ""
CHECKED_KEY = "crime_upload_checked"  # the session's checked police.uk uploads
KPI_JOB, CRIME_JOB = "kpi_import_job", "crime_import_job"  # the session's imports running in the background
LOG_COLUMNS = [*batches.LOG_COLUMNS, "finished_at", "errors"]


def current_user() -> str:
    """Who is acting, as the import log records them: the signed-in user's e-mail, or the local operator."""
    return access.current().label


def _log_once(key: str, record: Callable[[], object]) -> None:
    """Run record() once per session for this key (a rejected or previewed upload is logged once, not every rerun)."""
    logged = st.session_state.setdefault("logged_rejections", set())
    if key not in logged:
        record()
        logged.add(key)


def _problem_list(problems: list[files.Problem]) -> str:
    """Problems as a markdown bullet list, shown literally (they quote the file's own cells and names)."""
    return "\n".join(f"- {literal(p)}" for p in problems)


# KPI return --------------------------------------------------------------------------------------------------------


def template_downloads(url: str, cutoff: date) -> None:
    """Choose an owner and download their template as CSV or Excel (periods due for the meeting whose data cut-off is
    `cutoff`), with a guide to what each KPI expects."""
    only = kpi_returns.owned_codes(url, access.current())  # a priority lead's own KPIs
    catalogue = queries.kpi_catalogue(url)
    owners = sorted(
        set(catalogue.loc[catalogue["code"].isin(list(only)), "owner"] if only is not None else catalogue["owner"])
    )
    owner = st.selectbox(
        "KPIs owned by", [ALL_OWNERS, *owners], format_func=lambda o: o or "All owners", key="template_owner"
    )
    stem = "kpi-return" + (f"-{''.join(c if c.isalnum() else '-' for c in owner.lower())[:40]}" if owner else "")
    left, right = st.columns(2)
    left.download_button(
        "Template (CSV)",
        lambda: exports.csv_bytes(kpi_returns.template(url, owner or None, cutoff, only)),  # built when pressed
        file_name=f"{stem}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",  # a download never reruns the page
        width="stretch",
    )
    right.download_button(
        "Template (Excel, with a guide sheet)",
        lambda: kpi_returns.template_excel(url, owner or None, cutoff, only),  # built when pressed
        file_name=f"{stem}.xlsx",
        icon=":material/download:",
        on_click="ignore",  # a download never reruns the page
        width="stretch",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    st.caption(
        f"Periods filled in: those due for the chosen meeting (data to {cutoff:%d %B %Y}), chosen in the sidebar."
    )
    with st.expander("What each KPI expects"):
        guide = kpi_returns.guide(url, owner or None, only)
        tables.show(guide.drop(columns=["if a value is already stored"]), first=["name"])  # the rule is below
        st.caption(
            "Columns: kpi_code, period_start, period_end (YYYY-MM-DD or DD/MM/YYYY), ward_code (blank = the "
            "KPI's own area), value, numerator and denominator (optional), note. Rows left without a value "
            f"are skipped. If a value is already stored for the KPI, area and period: {kpi_returns.STORED_VALUE_RULE}."
        )


def _preview_summary(preview: kpi_returns.Preview) -> None:
    """Counts of what the import would do."""
    outcomes = preview.rows["outcome"] if not preview.rows.empty else pd.Series(dtype=str)
    cells = st.columns(4)
    cells[0].metric("New values", int((outcomes == "new").sum()), border=True)
    cells[1].metric("Revisions", int(outcomes.str.startswith("revises").sum()), border=True)
    cells[2].metric("Unchanged", int((outcomes == "unchanged").sum()), border=True)
    cells[3].metric("Blank rows skipped", preview.skipped, border=True)
    sensitive = int((outcomes == kpi_returns.SENSITIVE_WARD_OUTCOME).sum())
    if sensitive:
        st.caption(
            f"{counted(sensitive, 'value')} for a sensitive KPI in a ward that already has a value: each is stored as "
            "a new revision if it differs from the stored one. Whether it differs is not shown, because the stored "
            "ward figure is withheld (disclosure control)."
        )


def kpi_return_upload(url: str) -> None:
    """Upload a return, see every problem or a preview, and import it on confirm."""
    upload = st.file_uploader(
        "Upload a completed return (CSV UTF-8 or Excel)",
        type=["csv", "xlsx"],
        key="kpi_upload",
        max_upload_size=files.max_upload_mb(),  # the box states the limit the import applies
    )
    if st.session_state.get(KPI_JOB):
        jobs.panel(KPI_JOB)
    if upload is None:
        return
    data = upload.getvalue()
    if st.session_state.get(KPI_JOB) and st.session_state.get(KPI_JOB + ":sha") == files.sha256(data):
        return  # this upload is being (or has been) imported: its outcome is above
    try:
        preview = kpi_returns.check(url, upload.name, data, actor=access.current())
    except files.ImportRejectedError as error:
        problems = error.problems
        _log_once(
            files.sha256(data), lambda: kpi_returns.record_rejection(url, upload.name, data, problems, current_user())
        )
        st.error(
            f"**{literal(upload.name)} cannot be read**; nothing was imported.\n\n{_problem_list(problems)}",
            icon=":material/error:",
        )
        return
    if not preview.ok:
        _log_once(preview.sha256, lambda: kpi_returns.import_preview(url, preview, current_user()))
        if preview.refusal:
            st.error(literal(preview.refusal), icon=":material/lock:")
        st.error(
            f"**{counted(len(preview.problems), 'problem')} in {literal(upload.name)}**: nothing will be imported "
            "until every one is fixed. Each is listed by row (as numbered in a spreadsheet, header = 1) and column.",
            icon=":material/error:",
        )
        tables.show(preview.problem_table, first=["row"])
        st.download_button(
            "Download the problems (CSV)",
            exports.csv_bytes(preview.problem_table),
            file_name=f"problems-{upload.name.rsplit('.', 1)[0]}.csv",
            mime="text/csv",
            icon=":material/download:",
            on_click="ignore",  # a download never reruns the page
        )
    else:
        _log_once(f"preview:{preview.sha256}", lambda: kpi_returns.record_preview(url, preview, current_user()))
        st.info(
            f"**{literal(upload.name)}** passed every check. Review the preview, then import.", icon=":material/task:"
        )
        for warning in preview.warnings:
            st.warning(warning, icon=":material/event_busy:")
        _preview_summary(preview)
    with st.expander("Preview of every row", expanded=preview.ok):
        tables.show(preview.rows, first=["row", "outcome"])
    if preview.ok and st.button(
        f"Import {counted(len(preview.values), 'value')}", type="primary", key="kpi_confirm", icon=":material/upload:"
    ):
        user, name, acting = current_user(), upload.name, access.current()

        def work(_progress: jobs.Progress) -> tuple[bool, str]:
            """Import the return; what happened."""
            outcome = kpi_returns.import_preview(url, preview, user, acting)
            return outcome.status != ImportStatus.REJECTED, (
                f"{literal(name)}: {outcome.status}. {outcome.counts.added} new, {outcome.counts.revised} revised "
                f"(earlier revisions kept), {outcome.counts.unchanged} unchanged. Import batch {outcome.batch_id}."
            )

        st.session_state[KPI_JOB] = jobs.start(f"Import of {name}", work)
        st.session_state[KPI_JOB + ":sha"] = preview.sha256
        st.rerun()


# police.uk ---------------------------------------------------------------------------------------------------------


def _lookup(url: str) -> lookups.LsoaLookup | None:
    """The LSOA lookups, or None after telling the user how to configure them."""
    try:
        return policeuk.default_lookup(url)
    except lookups.MissingLookupError as error:
        st.error(str(error), icon=":material/map:")
        return None


def policeuk_upload(url: str) -> None:
    """Upload street-level CSVs or a custom-download zip, check them, and import on confirm."""
    acting = access.current()
    if not roles.may_load_crime(acting):
        st.info(roles.crime_refusal(acting), icon=":material/lock:")
        return
    uploads = st.file_uploader(
        "police.uk street-level files (YYYY-MM-<force>-street.csv) or the zip archive of a custom download",
        type=["csv", "zip"],
        accept_multiple_files=True,
        key="crime_upload",
        max_upload_size=files.max_upload_mb(),
        help='A larger download can be loaded from the command line by an administrator (README, "Command line").',
    )
    if st.session_state.get(CRIME_JOB):
        jobs.panel(CRIME_JOB)
    if not uploads:
        return
    if st.session_state.get(CRIME_JOB) and st.session_state.get(CRIME_JOB + ":uploads") == _uploads_key(uploads):
        return  # these files are being (or have been) imported: the outcome is above
    checked = _checked_uploads(url, uploads)
    if checked is None:
        return
    for note in checked.notes:
        st.caption(literal(note))
    if checked.rejected:
        for result in checked.results:
            if result.status == ImportStatus.REJECTED:
                st.error(
                    f"**{literal(result.name)}** cannot be imported:\n\n{_problem_list(result.problems[:20])}",
                    icon=":material/error:",
                )
        st.warning("Nothing will be imported until every file passes: an import goes in whole or not at all.")
        return
    for result in checked.results:
        st.caption(literal(f"{result.name}: {result.problems[0] if result.problems else result.status}"))
    if not checked.parsed:
        st.info("Every file was imported before: there is nothing new to import.", icon=":material/info:")
        return
    tables.show(
        pd.DataFrame(
            [
                {
                    "file": p.source.name,
                    "months": ", ".join(f"{date.fromisoformat(m):%b %Y}" for m in sorted(p.month_rows)),
                    "rows": p.rows_read,
                    f"{current_area().name} rows": p.area_rows,
                    f"outside {current_area().name}": p.outside,
                    "of which no location": p.without_lsoa,
                }
                for p in checked.parsed
            ]
        ),
        first=["file"],
    )
    confirmed = _confirm_unusual(checked)
    if st.button(
        f"Import {counted(len(checked.parsed), 'file')}",
        type="primary",
        key="crime_confirm",
        icon=":material/upload:",
        disabled=not confirmed,
    ):
        user, acting = current_user(), access.current()

        def work(progress: jobs.Progress) -> tuple[bool, str]:
            """Write the checked files; what happened to each."""
            written = policeuk.write_checked(url, checked, user, progress, accept_unusual=confirmed, actor=acting)
            return written.ok, "; ".join(
                f"{literal(f.name)}: {f.status}, {f.rows_imported:,} new, {f.rows_updated:,} updated"
                for f in written.files
            )

        st.session_state[CRIME_JOB] = jobs.start(f"Import of {counted(len(checked.parsed), 'file')}", work)
        st.session_state[CRIME_JOB + ":uploads"] = _uploads_key(uploads)
        st.session_state.pop(CHECKED_KEY, None)
        st.rerun()


def _uploads_key(uploads: list) -> tuple:
    """What identifies a set of uploaded files within a session."""
    return tuple((u.file_id, u.size) for u in uploads)


def _confirm_unusual(checked: policeuk.CheckedImport) -> bool:
    """Say why any file looks unusual for one force's month and ask the person to confirm it; True when there is
    nothing to confirm or they have."""
    if not checked.unusual:
        return True
    reasons = [f"{name}: {reason}" for name, why in checked.unusual.items() for reason in why]
    st.warning(
        "**Check before importing.** These files do not look like one force's month:\n\n"
        + "\n".join(f"- {literal(reason)}" for reason in reasons),
        icon=":material/warning:",
    )
    return st.checkbox("I have checked these files: import them as they are", key="crime_accept_unusual")


def _checked_uploads(url: str, uploads: list) -> policeuk.CheckedImport | None:
    """The uploaded files checked once per set of uploads (kept in the session: reruns reuse it, so each file is
    parsed and its rejection logged once); None after saying why nothing can be checked."""
    key = _uploads_key(uploads)
    held = st.session_state.get(CHECKED_KEY)
    if held is not None and held[0] == key:
        return held[1]
    lookup = _lookup(url)
    if lookup is None:
        return None
    sources, notes = [], []
    try:
        for upload in uploads:
            found, more = policeuk.uploaded(upload.name, upload.getvalue())
            sources += found
            notes += more
        files.check_total(", ".join(u.name for u in uploads), (s.byte_size for s in sources))
    except files.ImportRejectedError as error:
        rejected = error
        _log_once(
            f"{rejected.file_name}:{rejected}",
            lambda: batches.record(
                url, policeuk.KIND, rejected.file_name, "", ImportStatus.REJECTED, rejected.problems, current_user()
            ),
        )
        st.error(f"**{literal(error.file_name)}**:\n\n{_problem_list(error.problems)}", icon=":material/error:")
        return None
    if not sources:
        st.warning(
            "There is nothing to import: no police.uk street file (YYYY-MM-<force>-street.csv) in "
            + ", ".join(literal(u.name) for u in uploads)
            + ".",
            icon=":material/info:",
        )
        for note in notes:
            st.caption(literal(note))
        return None
    with st.spinner("Checking every row"):
        checked = policeuk.check_sources(url, sources, lookup, current_user(), notes=notes)
    st.session_state[CHECKED_KEY] = (key, checked)
    return checked


# Log ---------------------------------------------------------------------------------------------------------------


def import_log(url: str, limit: int | None = None) -> None:
    """The import log table, newest first (imports whose process has gone are marked failed first)."""
    locking.close_stale(url)
    log = queries.import_log(url)
    if limit:
        log = log.head(limit)
    tables.show(log[[c for c in LOG_COLUMNS if c in log]].rename(columns={"errors": "first problems"}), first=["id"])
