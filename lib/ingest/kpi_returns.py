"""KPI returns from priority leads: a template to fill in, a check of every cell with a preview, and an import that
takes the whole file or nothing.

A value for a KPI, area and period that is already stored becomes a new revision (the old one is kept); the same
file twice changes nothing. Cells are only ever read as text or numbers: a formula (=, +, @) is refused as "not
a number" and never evaluated.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd

from lib.area import current as current_area
from lib.core import periods, roles
from lib.core.text import visible
from lib.core.vocabulary import ImportStatus
from lib.ingest import batches, files, kpi_values, locking
from lib.ingest.files import ImportRejectedError, Problem, check_size, decode_text, sha256
from lib.ingest.kpi_values import WriteCounts, write_kpi_values
from lib.store import cache, db, queries, reads

KIND = "kpi_return"
COLUMNS = ("kpi_code", "period_start", "period_end", "ward_code", "value", "numerator", "denominator", "note")
REQUIRED = ("kpi_code", "period_start", "period_end", "value")
COMPUTED = {"CRIME_TOTAL": "it is computed from police.uk imports (`saferleeds import policeuk`)"}
SIGNED_UNITS = {"% change"}  # every other unit is a count, time or share and cannot be negative
PERCENT_UNITS = {"percent"}
MEASURED_UNITS = {"% change", "percent", "minutes", "days"}  # every other unit counts things: whole numbers only
PERCENT_TOLERANCE = 0.5  # percentage points between value and numerator / denominator x 100
NUMBER = re.compile(r"^-?(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$")
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
EXCEL_TYPES = (".xlsx", ".xlsm")
# What the preview says of a value for a sensitive KPI in a ward where a value is already stored, whatever the figures:
# saying "unchanged" for an equal guess and "revises" for another let anyone read a withheld count back by previewing
# guesses 0 to 4 (issue 14). The import itself still stores a new revision only if the figures differ.
SENSITIVE_WARD_OUTCOME = "replaces the stored value if different (sensitive ward figure: not compared on screen)"
STORED_VALUE_RULE = (
    "the same figures change nothing (a stored 'more than' or 'about' is kept); different figures become a new "
    "revision, stated exactly (no 'more than'), and the earlier one is kept"
)


@dataclass
class Preview:
    """A checked return: every row with its outcome, every problem, and the values to write when there are none."""

    file_name: str
    sha256: str
    rows: pd.DataFrame  # row, kpi_code, period, area, value, ..., outcome
    problems: list[Problem]
    values: list[dict] = field(default_factory=list)
    value_rows: list[int] = field(default_factory=list)  # the file row of each value
    skipped: int = 0  # rows left blank (template rows with no value)
    warnings: list[str] = field(default_factory=list)  # things to know before importing that do not stop it
    refusal: str | None = None  # why the acting person may not load it (also one of the problems)

    @property
    def ok(self) -> bool:
        """True when the file can be imported."""
        return not self.problems and bool(self.values)

    @property
    def problem_table(self) -> pd.DataFrame:
        """Problems as a table: row, column, problem (row and column None for a problem of the whole file; kept as
        whole numbers, never 2.0)."""
        return pd.DataFrame(
            [{"row": p.row, "column": p.column, "problem": p.message} for p in self.problems],
            columns=["row", "column", "problem"],
            dtype=object,
        )


@dataclass(frozen=True)
class ImportOutcome:
    """What an import of a return did."""

    status: str  # an ImportStatus: success, unchanged or rejected
    counts: WriteCounts
    batch_id: int


# Template ----------------------------------------------------------------------------------------------------------


def _last_complete_month(today: date) -> tuple[date, date]:
    """First and last day of the month before today's."""
    start = periods.add_months(today, -1)
    return start, periods.month_end(start)


def _last_financial_year(today: date) -> tuple[date, date]:
    """1 April to 31 March of the latest financial year that has ended."""
    year = today.year - 1 if today.month >= 4 else today.year - 2
    return date(year, 4, 1), date(year + 1, 3, 31)


def _loadable(url: str, owner: str | None, only: set[str] | None = None) -> pd.DataFrame:
    """The KPIs a return can carry (not the computed ones), for one owner or all, and only those in `only` if given
    (a priority lead's own KPIs)."""
    catalogue = queries.kpi_catalogue(url)
    catalogue = catalogue[~catalogue["code"].isin(list(COMPUTED))]
    if only is not None:
        catalogue = catalogue[catalogue["code"].isin(list(only))]
    return catalogue[catalogue["owner"] == owner] if owner else catalogue


def _kpi_priorities(url: str) -> dict[str, int | None]:
    """Each KPI code's priority (None for the city-wide indicators)."""
    catalogue = queries.kpi_catalogue(url)
    return {
        code: None if pd.isna(priority) else int(priority)
        for code, priority in zip(catalogue["code"], catalogue["priority_id"], strict=True)
    }


def owned_codes(url: str, actor: roles.Actor) -> set[str] | None:
    """The KPI codes the acting person may load (None: every KPI)."""
    owners = _kpi_priorities(url)
    owned = roles.owned_kpis(actor, owners)
    return None if owned == set(owners) else owned


def template(
    url: str, owner: str | None = None, cutoff: date | None = None, only: set[str] | None = None
) -> pd.DataFrame:
    """One row per KPI the owner reports (all KPIs if none), values blank, with the period due for the meeting whose
    data cut-off is `cutoff` (by default the latest meeting's; today when none is recorded): the month, or financial
    year, that ends by the cut-off. A period from the computer's clock would land after every meeting's cut-off and
    show on no page."""
    cutoff = cutoff or periods.cutoff_of(_meeting_pairs(url)) or date.today()
    after = cutoff + timedelta(days=1)  # the periods complete by the end of the cut-off day
    catalogue = _loadable(url, owner, only)
    rows = []
    for kpi in catalogue.itertuples():
        start, end = {"monthly": _last_complete_month, "annual": _last_financial_year}.get(
            kpi.frequency, lambda _day: (None, None)
        )(after)
        rows.append(
            {
                "kpi_code": kpi.code,
                "period_start": start,
                "period_end": end,
                "ward_code": "",
                "value": None,
                "numerator": None,
                "denominator": None,
                "note": "",
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def guide(url: str, owner: str | None = None, only: set[str] | None = None) -> pd.DataFrame:
    """What each KPI in the template expects: name, unit, frequency, valid values, the area a blank ward means."""
    catalogue = _loadable(url, owner, only)
    spans = {
        "monthly": "one calendar month (1st to last day)",
        "annual": "one financial year (1 April to 31 March)",
        "period": "any stated period",
    }
    return pd.DataFrame(
        {
            "kpi_code": catalogue["code"],
            "name": catalogue["name"],
            "unit": catalogue["unit"],
            "period": catalogue["frequency"].map(spans),
            "valid values": [_valid_values(unit) for unit in catalogue["unit"]],
            "blank ward_code means": catalogue["area_name"],
            "if a value is already stored": STORED_VALUE_RULE,
            "owner": catalogue["owner"],
        }
    )


def _valid_values(unit: str) -> str:
    """A plain description of the numbers a unit accepts."""
    if unit in PERCENT_UNITS:
        return "0 to 100 (numerator and denominator optional)"
    if unit in SIGNED_UNITS:
        return "any number; negative means a fall"
    return f"0 or more ({unit})"


def template_excel(
    url: str, owner: str | None = None, cutoff: date | None = None, only: set[str] | None = None
) -> bytes:
    """The template as an Excel workbook: a 'return' sheet to fill in and a 'guide' sheet."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        template(url, owner, cutoff, only).to_excel(writer, sheet_name="return", index=False)
        guide(url, owner, only).to_excel(writer, sheet_name="guide", index=False)
    return buffer.getvalue()


# Reading -----------------------------------------------------------------------------------------------------------


def _read_excel(file_name: str, data: bytes) -> list[list[str]]:
    """The "return" sheet of a workbook (else its first) as rows of text (files.read_workbook)."""
    sheets = files.read_workbook(file_name, data)
    return sheets.get("return", next(iter(sheets.values()), []))


def read_rows(file_name: str, data: bytes) -> list[list[str]]:
    """Header and rows of a CSV (UTF-8) or Excel return, as text."""
    check_size(file_name, len(data))
    if not data.strip():
        raise ImportRejectedError(file_name, [Problem("the file is empty")])
    if file_name.lower().endswith(EXCEL_TYPES):
        rows = _read_excel(file_name, data)
    else:
        try:
            rows = list(csv.reader(io.StringIO(decode_text(file_name, data))))
        except csv.Error as error:
            raise ImportRejectedError(file_name, [Problem(f"the file cannot be read as CSV ({error})")]) from error
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise ImportRejectedError(file_name, [Problem("the file is empty")])
    return rows


def _header(file_name: str, header: list[str]) -> list[str]:
    """The normalised column names, or a rejection naming what is missing or unexpected."""
    names = [h.strip().lower() for h in header]
    while names and not names[-1]:
        names.pop()
    missing = [c for c in REQUIRED if c not in names]
    unexpected = [h for h in names if h not in COLUMNS]
    if missing or unexpected:
        hint = " (is the file separated by semicolons or tabs? Use commas)" if len(names) == 1 else ""
        detail = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unexpected {', '.join(unexpected[:5])}" if unexpected else "",
            )
            if part
        )
        raise ImportRejectedError(
            file_name,
            [Problem(f"the columns must be those of the template: {', '.join(COLUMNS)} ({detail}){hint}", row=1)],
        )
    return names


# Checking ----------------------------------------------------------------------------------------------------------


def _number(text: str, unit: str) -> float | None:
    """A plain number (thousands commas and, for percentages, a trailing % allowed); None if it is not one."""
    text = text.strip()
    if unit in PERCENT_UNITS and text.endswith("%"):
        text = text[:-1].strip()
    return float(text.replace(",", "")) if NUMBER.match(text) else None


def _date(text: str) -> date | None:
    """YYYY-MM-DD or DD/MM/YYYY (UK order), else None."""
    text = text.strip()
    try:
        if match := UK_DATE.match(text):
            return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        return date.fromisoformat(text) if re.match(r"^\d{4}-\d{2}-\d{2}$", text) else None
    except ValueError:
        return None


def _frequency_problem(frequency: str, start: date, end: date) -> str | None:
    """Why a period does not fit the KPI's frequency, or None."""
    if frequency == "monthly" and not periods.is_calendar_month(start, end):
        return "this KPI is monthly: the period must be one calendar month (the 1st to the last day)"
    if frequency == "annual" and not periods.is_financial_year(start, end):
        return "this KPI is annual: the period must be a financial year, 1 April to 31 March"
    return None


def _not_a_number(text: str) -> str:
    """The message for a cell that should be a number."""
    if text.strip()[:1] in ("=", "+", "@"):
        return f"{text!r} looks like a formula; formulas are never evaluated: type the number itself"
    return f"{text!r} is not a number"


class _RowChecker:
    """Checks one row of a return against the catalogue and the wards, collecting problems."""

    def __init__(self, catalogue: pd.DataFrame, wards: pd.DataFrame, today: date) -> None:
        """Index the KPIs and ward codes (WD19 codes translate to WD25)."""
        self.kpis = {row["code"]: row for row in catalogue.to_dict(orient="records")}
        self.wards = dict(zip(wards["code"], wards["code"], strict=True)) | dict(
            zip(wards["wd19_code"], wards["code"], strict=True)
        )
        self.today = today

    def check(self, number: int, cells: dict[str, str], problems: list[Problem]) -> dict | None:
        """The KpiValue fields of a valid row; otherwise None, with the reasons added to problems."""
        found: list[Problem] = []

        def problem(column: str, message: str) -> None:
            """Note a problem with a cell of this row."""
            found.append(Problem(message, number, column))

        code = cells.get("kpi_code", "").strip()
        kpi = self.kpis.get(code)
        if code in COMPUTED:
            problem("kpi_code", f"{code} cannot be loaded from a return: {COMPUTED[code]}")
        elif kpi is None:
            problem("kpi_code", f"unknown KPI code {code!r}" if code else "kpi_code is blank")
        start, end = _date(cells.get("period_start", "")), _date(cells.get("period_end", ""))
        for column, parsed in (("period_start", start), ("period_end", end)):
            if parsed is None:
                problem(column, f"{cells.get(column, '')!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)")
        if start and end and end < start:
            problem("period_end", "the period ends before it starts")
        elif start and end and end > self.today:
            problem("period_end", f"the period ends in the future ({end:%d %B %Y})")
        elif start and end and kpi is not None and (why := _frequency_problem(kpi["frequency"], start, end)):
            problem("period_end", why)
        ward_text = cells.get("ward_code", "").strip()
        area = (
            self.wards.get(ward_text) if ward_text else (kpi["area_code"] if kpi is not None else current_area().code)
        )
        if area is None:
            problem(
                "ward_code",
                f"{ward_text!r} is not a {current_area().name} ward code (E05...; leave blank for area-wide)",
            )
        unit = kpi["unit"] if kpi is not None else ""
        numbers: dict[str, float | None] = {}
        for column in ("value", "numerator", "denominator"):
            text = cells.get(column, "").strip()
            if column != "value" and not text:
                numbers[column] = None
                continue
            figure = numbers[column] = _number(text, unit)
            if figure is None:
                problem(column, _not_a_number(text) if text else "value is blank")
            elif figure < 0 and (column != "value" or unit not in SIGNED_UNITS):
                problem(column, f"{text} is negative; a count of {unit or 'this KPI'} cannot be")
            elif not figure.is_integer() and (column != "value" or (kpi is not None and unit not in MEASURED_UNITS)):
                problem(
                    column,
                    f"{text} is not a whole number; {'a count' if column != 'value' else unit} must be (for "
                    "one thousand two hundred and thirty-four write 1234 or 1,234)",
                )
        value = numbers["value"]
        if value is not None and unit in PERCENT_UNITS and not 0 <= value <= 100:
            problem("value", f"{value:g} is a percentage outside 0 to 100")
        numerator, denominator = numbers["numerator"], numbers["denominator"]
        if denominator == 0:
            problem("denominator", "the denominator is 0")
        elif (
            value is not None
            and numerator is not None
            and denominator
            and unit in PERCENT_UNITS
            and abs(100 * numerator / denominator - value) > PERCENT_TOLERANCE
        ):
            share = 100 * numerator / denominator
            problem("value", f"{value:g}% does not match numerator / denominator ({share:.1f}%)")
        problems.extend(found)
        if found:
            return None
        return {
            "kpi_code": code,
            "area_code": area,
            "period_start": start,
            "period_end": end,
            "value": value,
            "numerator": numerator,
            "denominator": denominator,
            "qualifier": None,  # a return states no qualifier: kpi_values keeps or clears it
            "note": visible(cells.get("note", "")).strip(),
            "illustrative": False,
        }


def _blank_value(cells: dict[str, str]) -> bool:
    """A template row left unfilled: no value, numerator or denominator."""
    return not any(cells.get(c, "").strip() for c in ("value", "numerator", "denominator"))


def check(
    url: str, file_name: str, data: bytes, today: date | None = None, actor: roles.Actor | None = None
) -> Preview:
    """Read and check a whole return, and say what each row would do; never writes. Raises ImportRejectedError when
    the file cannot be read."""
    locking.close_stale(url)
    preview = check_cells(file_name, data, queries.kpi_catalogue(url), queries.wards(url), today)
    if actor is not None and (refusal := _refusal(url, actor, preview)):
        preview.refusal = refusal
        preview.problems.append(Problem(refusal, column="kpi_code"))
    if preview.ok:
        _mark_changes(url, preview)
        _mark_meetings(url, preview)
    return preview


def _meeting_pairs(url: str) -> list[tuple[date, date]]:
    """(meeting date, data cut-off) of every meeting, oldest first."""
    table = queries.meetings(url)
    return list(zip(table["meeting_date"], table["data_cutoff"], strict=True))


def _mark_meetings(url: str, preview: Preview) -> None:
    """Say for each row which meeting will first show it, and warn about values no meeting recorded yet shows."""
    pairs = _meeting_pairs(url)
    shown_at = {}
    for number, value in zip(preview.value_rows, preview.values, strict=True):
        meeting = periods.first_meeting_showing(pairs, value["period_end"])
        shown_at[number] = f"{meeting[0]:%d %b %Y}" if meeting else "no meeting yet"
    preview.rows["first shown at"] = [shown_at.get(row, "") for row in preview.rows["row"]]
    late = [v for v in preview.values if periods.first_meeting_showing(pairs, v["period_end"]) is None]
    if late and pairs:
        latest_meeting, cutoff = pairs[-1]
        preview.warnings.append(
            f"{len(late)} value(s) are for periods ending after {cutoff:%d %B %Y}, the data cut-off of the latest "
            f"meeting recorded ({latest_meeting:%d %B %Y}): they will be stored, but no page shows them until a "
            "meeting with a later cut-off is recorded. Check the period if that is not what you meant."
        )


def check_cells(
    file_name: str, data: bytes, catalogue: pd.DataFrame, wards: pd.DataFrame, today: date | None = None
) -> Preview:
    """Every rule a return's file, header and cells must pass, against the KPI catalogue and the wards; touches no
    database (rows that pass have the outcome "ok" until check() compares them with what is stored)."""
    rows = read_rows(file_name, data)
    names = _header(file_name, rows[0])
    checker = _RowChecker(catalogue, wards, today or date.today())
    problems: list[Problem] = []
    values: list[dict] = []
    value_rows: list[int] = []
    shown: list[dict] = []
    skipped = 0
    seen: dict[tuple, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        cells = dict(zip(names, [*row, *[""] * (len(names) - len(row))], strict=False))
        if len(row) < len(names):
            problems.append(
                Problem(
                    f"{len(row)} cells where the header has {len(names)} (a truncated line?)", number, names[len(row)]
                )
            )
            shown.append({"row": number, **{c: cells.get(c, "") for c in COLUMNS}, "outcome": "problem"})
            continue
        if len(row) > len(names) and any(cell.strip() for cell in row[len(names) :]):
            problems.append(Problem(f"{len(row)} cells where the header has {len(names)}", number))
        if _blank_value(cells):
            skipped += 1
            shown.append({"row": number, **{c: cells.get(c, "") for c in COLUMNS}, "outcome": "skipped: no value"})
            continue
        value = checker.check(number, cells, problems)
        outcome = "problem" if value is None else "ok"
        if value is not None:
            key = (value["kpi_code"], value["area_code"], value["period_start"], value["period_end"])
            if key in seen:
                problems.append(Problem(f"the same KPI, area and period as row {seen[key]}", number, "kpi_code"))
                outcome = "problem"
            else:
                seen[key] = number
                values.append(value)
                value_rows.append(number)
        shown.append({"row": number, **{c: cells.get(c, "") for c in COLUMNS}, "outcome": outcome})
    preview = Preview(file_name, sha256(data), pd.DataFrame(shown), problems, values, value_rows, skipped)
    if not problems and not values:
        preview.problems.append(Problem("no row has a value to import"))
    return preview


def _mark_changes(url: str, preview: Preview) -> None:
    """Say for each row whether it is new, a revision of a stored value, or the same as what is stored."""
    with db.get_engine(url).connect() as connection:
        current = reads.current_kpi_values(connection, sorted({v["kpi_code"] for v in preview.values}))
    catalogue = queries.kpi_catalogue(url)
    sensitive = set(catalogue.loc[catalogue["sensitive"], "code"])
    wards = set(queries.wards(url)["code"])
    outcomes = []
    for value, change in zip(preview.values, kpi_values.classify(current, preview.values), strict=True):
        stored = change.stored
        if stored is not None and value["kpi_code"] in sensitive and value["area_code"] in wards:
            outcomes.append(SENSITIVE_WARD_OUTCOME)  # never echo, nor compare with, a withheld ward count
        elif change.outcome != kpi_values.REVISES or stored is None:
            outcomes.append(change.outcome)
        else:
            shown = f"{stored['qualifier']} {stored['value']:g}".strip()
            outcomes.append(f"revises {shown} (revision {stored['revision']})")
    by_row = dict(zip(preview.value_rows, outcomes, strict=True))
    preview.rows["outcome"] = [
        by_row.get(row, outcome) for row, outcome in zip(preview.rows["row"], preview.rows["outcome"], strict=True)
    ]


# Importing ---------------------------------------------------------------------------------------------------------


def record_rejection(
    url: str, file_name: str, data: bytes, problems: list[Problem], user: str | None = None, rows_read: int = 0
) -> int:
    """Log a return that could not be imported (nothing else is written)."""
    return batches.record(
        url,
        KIND,
        file_name,
        sha256(data),
        ImportStatus.REJECTED,
        problems,
        user,
        rows_read=rows_read,
        rows_rejected=rows_read,
    )


def record_preview(url: str, preview: Preview, user: str | None = None) -> int:
    """Log a return that was checked and previewed but not imported (a dry run): every preview is in the log, so
    repeated probing of stored values shows up there with who did it."""
    return batches.record(
        url,
        KIND,
        preview.file_name,
        preview.sha256,
        ImportStatus.PREVIEWED,
        [],
        user,
        rows_read=len(preview.rows),
    )


def _refusal(url: str, actor: roles.Actor, preview: Preview) -> str | None:
    """Why the acting person may not load this return (KPIs they do not own), or None."""
    catalogue = queries.kpi_catalogue(url)
    owners = {
        code: None if pd.isna(p) else int(p)
        for code, p in zip(catalogue["code"], catalogue["priority_id"], strict=True)
    }
    codes = {v["kpi_code"] for v in preview.values} | {str(c) for c in preview.rows.get("kpi_code", []) if c}
    refused = roles.refused_kpis(actor, [c for c in codes if c in owners], owners)
    return roles.returns_refusal(actor, refused) if refused or not roles.may_load_returns(actor) else None


def import_preview(
    url: str, preview: Preview, user: str | None = None, actor: roles.Actor | None = None
) -> ImportOutcome:
    """Write a checked return in one transaction; a rejected preview is only logged. PermissionDeniedError (nothing
    written) if the acting person (None: the local operator) may not load every KPI in it."""
    if actor is not None and preview.ok and (refusal := _refusal(url, actor, preview)):
        raise roles.PermissionDeniedError(refusal)
    rows_read = len(preview.rows)
    if not preview.ok:
        refused = int((preview.rows["outcome"] == "problem").sum()) if rows_read else 0
        batch = batches.record(
            url,
            KIND,
            preview.file_name,
            preview.sha256,
            ImportStatus.REJECTED,
            preview.problems,
            user,
            rows_read=rows_read,
            rows_rejected=refused,
        )
        return ImportOutcome(ImportStatus.REJECTED, WriteCounts(), batch)
    if reads.clean_batch_with_sha(url, KIND, preview.sha256):
        batch = batches.record(
            url,
            KIND,
            preview.file_name,
            preview.sha256,
            ImportStatus.UNCHANGED,
            [Problem("this exact file was imported before: nothing to add")],
            user,
            rows_read=rows_read,
        )
        return ImportOutcome(ImportStatus.UNCHANGED, WriteCounts(unchanged=len(preview.values)), batch)
    batch = locking.start_running(url, KIND, preview.file_name, preview.sha256, user)
    try:
        status, counts = _write_return(url, preview, batch)
    except Exception as error:
        reason = str(error) if isinstance(error, locking.ImportBusyError) else f"{type(error).__name__}: {error}"
        locking.mark(
            url, batch, ImportStatus.FAILED, [Problem(f"the import stopped and nothing was written: {reason}")]
        )
        raise
    cache.clear_caches()
    return ImportOutcome(status, counts, batch)


def _write_return(url: str, preview: Preview, batch: int) -> tuple[str, WriteCounts]:
    """Write a checked return's values under its batch, once no other import is writing."""
    with db.get_engine(url).begin() as connection:
        locking.acquire(connection, url, {batch})
        rows = [
            {**v, "source": f"KPI return {preview.file_name}", "source_section": f"row {number}"}
            for v, number in zip(preview.values, preview.value_rows, strict=True)
        ]
        counts = write_kpi_values(connection, rows, batch)
        status = ImportStatus.SUCCESS if counts.added or counts.revised else ImportStatus.UNCHANGED
        imported = counts.added + counts.revised
        batches.finish(connection, batch, status, rows_read=len(preview.rows), rows_imported=imported)
    return status, counts
