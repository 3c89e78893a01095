"""A whole catalogue as one file: the shared priorities, delivery boards, KPIs and targets, one sheet per table in an
Excel workbook, or one CSV per table (a zip of them, or a single CSV named after its table).

Export gives a file to edit; from a database with no catalogue yet it is the template a new partnership starts from
(its "about" sheet says what every column holds). Import checks every cell first, lists each problem by sheet, row
and column, and writes the whole file in one transaction, or nothing. What it does with each row:
- a priority (by number), board (by name) or KPI (by code) not stored yet is added; a stored one takes the file's
  values under the catalogue's rules (lib/ingest/catalogue.py): unit and direction fixed while values exist, the
  sensitive flag turned off only with relax_disclosure, a priority not retired from under KPIs in force;
- a target (KPI and start date) not stored yet is added; one stored with other figures is refused, since a target
  that was in force is history: set a new one from another date;
- what the file leaves out is kept (nothing is deleted): retire it with retired_from instead.
Importing the same file again changes nothing. Every change is logged with who, when and the file's name.
"""

from __future__ import annotations

import csv
import functools
import io
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any

import pandas as pd
from sqlalchemy import Connection, insert, update
from sqlmodel import col

from lib.area import current as current_area
from lib.core import exports, roles
from lib.ingest import catalogue, priorities, targets
from lib.ingest.files import ImportRejectedError, Problem, check_archive, check_size, decode_text, read_workbook
from lib.store import cache, db, queries, reads
from lib.store.models import DeliveryBoard, Kpi, KpiTarget, Priority

ABOUT = "about"
EXCEL = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its name, whether a row must fill it, its kind of value and what it holds."""

    name: str
    required: bool
    kind: str  # "text" | "whole" | "number" | "date" | "yes/no"
    about: str


SHEETS: dict[str, tuple[Column, ...]] = {
    "priorities": (
        Column("id", True, "whole", "the priority's number (permanent: KPIs, deliverables and actions point at it)"),
        Column("name", True, "text", "its name as the board knows it"),
        Column("silver_board", True, "text", "the Silver board that leads it"),
        Column("summary", False, "text", "a sentence or two on what it covers"),
        Column("plan", False, "text", "the plan it belongs to (blank: the area's plan)"),
        Column("retired_from", False, "date", "YYYY-MM-DD: meetings from this day leave it out (blank: in force)"),
    ),
    "boards": (
        Column("name", True, "text", "the delivery board's name (how a row finds a stored board; rename on the CLI)"),
        Column("priority_id", False, "whole", "the number of the priority it mainly serves"),
        Column("retired_from", False, "date", "YYYY-MM-DD: meetings from this day leave it out"),
    ),
    "kpis": (
        Column("code", True, "text", "capitals, digits and underscores; permanent once the KPI has values"),
        Column("name", True, "text", "what the tiles and charts call it"),
        Column("priority_id", False, "whole", "the number of its shared priority"),
        Column("unit", True, "text", "count, minutes, percent, ...; fixed once it has values"),
        Column("direction", True, "text", "lower_is_better, higher_is_better or neutral; fixed once it has values"),
        Column("frequency", True, "text", "monthly, annual or period (one-off figures over a stated period)"),
        Column("geography", True, "text", "city, ward or area (a part of the partnership, named by area_code)"),
        Column("sensitive", False, "yes/no", "true: ward counts go through disclosure control (blank: false)"),
        Column("definition", True, "text", "exactly what is counted or timed"),
        Column("source", True, "text", "where its figures come from (document and section, or dataset)"),
        Column("owner", True, "text", "the organisation or team that reports it"),
        Column("area_code", False, "text", "the area its headline series describes (blank: the partnership's)"),
        Column("area_name", False, "text", "that area's name (blank: the partnership's)"),
        Column("headline_rank", False, "whole", "its place among the Overview's headline tiles (blank: not one)"),
        Column("retired_from", False, "date", "YYYY-MM-DD: meetings from this day leave it out; its values are kept"),
    ),
    "targets": (
        Column("kpi_code", True, "text", "the KPI's code"),
        Column("valid_from", True, "date", "YYYY-MM-DD: the day it applies from, until the KPI's next target"),
        Column("value", False, "number", "the target in the KPI's unit (blank with a blank type: no target)"),
        Column("type", False, "text", "maximum (at most the value) or minimum (at least the value)"),
        Column("rag_rule", False, "text", "the RAG rule in words (blank: green within 10% of the target)"),
    ),
}
TRUE, FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0", ""}


@dataclass
class CataloguePlan:
    """What an import found: the problems (none: it can go in), and what it adds and changes, sheet by sheet."""

    file_name: str
    problems: list[Problem] = field(default_factory=list)
    added: dict[str, list[str]] = field(default_factory=lambda: {sheet: [] for sheet in SHEETS})
    changed: dict[str, list[str]] = field(default_factory=lambda: {sheet: [] for sheet in SHEETS})
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        """True when the file can be imported."""
        return not self.problems

    def counts(self) -> dict:
        """Rows added, changed and unchanged, by sheet (for --json and the page)."""
        return {
            "added": {sheet: len(rows) for sheet, rows in self.added.items()},
            "changed": {sheet: len(rows) for sheet, rows in self.changed.items()},
            "unchanged": self.unchanged,
        }

    @property
    def problem_table(self) -> pd.DataFrame:
        """Problems as a table: sheet, row, column, problem."""
        return pd.DataFrame(
            [{"sheet": p.sheet, "row": p.row, "column": p.column, "problem": p.message} for p in self.problems],
            columns=["sheet", "row", "column", "problem"],
            dtype=object,
        )


# Export ------------------------------------------------------------------------------------------------------------


def _as_text(value: object) -> object:
    """A cell as a file holds it: dates as ISO, yes/no as true/false, missing as blank."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.strftime("%Y-%m-%d")
    return value


def frames(url: str) -> dict[str, pd.DataFrame]:
    """The stored catalogue as one table per sheet, in the sheets' column order."""
    tables = {
        "priorities": queries.priorities(url),
        "boards": queries.boards(url),
        "kpis": queries.kpi_catalogue(url),
        "targets": queries.kpi_targets(url).rename(columns={"target_type": "type"}),
    }
    out = {}
    for sheet, columns in SHEETS.items():
        names = [c.name for c in columns]
        out[sheet] = tables[sheet].reindex(columns=names).astype(object).map(_as_text).map(exports.defuse)
    return out


def about() -> pd.DataFrame:
    """The "about" sheet: every sheet's columns, whether required, and what each holds."""
    rows = [
        {"sheet": sheet, "column": c.name, "required": "yes" if c.required else "", "kind": c.kind, "holds": c.about}
        for sheet, columns in SHEETS.items()
        for c in columns
    ]
    return pd.DataFrame(rows)


def export_bytes(url: str, file_name: str) -> bytes:
    """The catalogue as an Excel workbook (.xlsx) or, for any other name, a zip of one CSV per sheet."""
    tables = frames(url) | {ABOUT: about()}
    buffer = io.BytesIO()
    if file_name.lower().endswith(EXCEL):
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            for sheet, table in tables.items():
                table.to_excel(writer, sheet_name=sheet, index=False)
        return buffer.getvalue()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet, table in tables.items():
            archive.writestr(f"{sheet}.csv", exports.csv_bytes(table))
    return buffer.getvalue()


# Reading -----------------------------------------------------------------------------------------------------------


def _csv_rows(file_name: str, data: bytes) -> list[list[str]]:
    """A CSV's rows as text."""
    try:
        return list(csv.reader(io.StringIO(decode_text(file_name, data))))
    except csv.Error as error:
        raise ImportRejectedError(file_name, [Problem(f"the file cannot be read as CSV ({error})")]) from error


def read_sheets(file_name: str, data: bytes) -> dict[str, list[list[str]]]:
    """The file's sheets as rows of text, by sheet name: a workbook's sheets, a zip's CSV files, or one CSV named
    after its table (kpis.csv)."""
    check_size(file_name, len(data))
    if not data.strip():
        raise ImportRejectedError(file_name, [Problem("the file is empty")])
    lower = file_name.lower()
    if lower.endswith(EXCEL):
        return read_workbook(file_name, data)
    if lower.endswith(".zip"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                check_archive(file_name, archive)
                members = [m for m in archive.infolist() if not m.is_dir()]
                return {
                    PurePosixPath(m.filename).stem: _csv_rows(m.filename, archive.read(m))
                    for m in members
                    if m.filename.lower().endswith(".csv")
                }
        except zipfile.BadZipFile as error:
            raise ImportRejectedError(file_name, [Problem("this is not a readable zip file")]) from error
    return {PurePosixPath(file_name).stem: _csv_rows(file_name, data)}


def _undefuse(text: str) -> str:
    """A text cell as typed: the apostrophe an export put before formula-like text removed (exports.defuse)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(exports.FORMULA_STARTS) else text


def _value(column: Column, text: str) -> tuple[object, str | None]:
    """A cell's value for its column's kind, or the problem with it."""
    text = _undefuse(text.strip())
    if not text:
        return (False if column.kind == "yes/no" else "" if column.kind == "text" else None), None
    if column.kind == "whole":
        return (int(text), None) if text.lstrip("-").isdigit() else (None, f"{text!r} is not a whole number")
    if column.kind == "number":
        try:
            number = float(text.replace(",", ""))
        except ValueError:
            return None, f"{text!r} is not a number"
        return (number, None) if number == number and abs(number) != float("inf") else (None, "not a number")
    if column.kind == "date":
        try:
            return date.fromisoformat(text[:10]), None
        except ValueError:
            return None, f"{text!r} is not a date as YYYY-MM-DD"
    if column.kind == "yes/no":
        if text.lower() in TRUE | FALSE:
            return text.lower() in TRUE, None
        return None, f"{text!r} is not true or false"
    return text, None


@dataclass
class _Row:
    """One row of a sheet: its spreadsheet row number, the columns the file has, and their values."""

    number: int
    values: dict[str, object]


def _parse(file_name: str, sheets: Mapping[str, list[list[str]]], problems: list[Problem]) -> dict[str, list[_Row]]:
    """Each known sheet's rows, parsed; problems of headers and cells appended (sheet, row, column)."""
    unknown = [name for name in sheets if name not in SHEETS and name != ABOUT]
    if unknown:
        problems.append(Problem(f"unknown sheet(s) {', '.join(unknown)}: the sheets are {', '.join(SHEETS)}"))
    if not any(name in SHEETS for name in sheets):
        problems.append(Problem(f"{file_name} has none of the catalogue's sheets ({', '.join(SHEETS)})"))
    parsed: dict[str, list[_Row]] = {}
    for sheet, columns in SHEETS.items():
        if sheet not in sheets:
            continue
        rows = [r for r in sheets[sheet] if any(cell.strip() for cell in r)]
        header = [h.strip().lower() for h in rows[0]] if rows else []
        while header and not header[-1]:
            header.pop()
        by_name = {c.name: c for c in columns}
        missing = [c.name for c in columns if c.required and c.name not in header]
        extra = [h for h in header if h not in by_name]
        if missing or extra or len(set(header)) != len(header):
            detail = "; ".join(
                p for p in (f"missing {', '.join(missing)}" if missing else "", f"unexpected {', '.join(extra)}") if p
            )
            problems.append(
                Problem(f"the columns must be those of the template ({detail or 'a column twice'})", 1, "", sheet)
            )
            continue
        parsed[sheet] = []
        for number, cells in enumerate(rows[1:], start=2):
            values: dict[str, object] = {}
            for index, name in enumerate(header):
                value, problem = _value(by_name[name], cells[index] if index < len(cells) else "")
                if problem:
                    problems.append(Problem(problem, number, name, sheet))
                elif by_name[name].required and value in ("", None):
                    problems.append(Problem(f"{name} is empty", number, name, sheet))
                values[name] = value
            parsed[sheet].append(_Row(number, values))
    return parsed


# Checking against what is stored -----------------------------------------------------------------------------------


def _column(name: str) -> str:
    """How a problem names a field in a file: its column."""
    return name


def _changes(current: Mapping[str, object], wanted: Mapping[str, object]) -> dict[str, tuple[object, object]]:
    """field -> (stored, file's) for each column the file has that differs (a blank is a value here)."""
    return {name: (current.get(name), value) for name, value in wanted.items() if current.get(name) != value}


def _duplicates(sheet: str, rows: list[_Row], key: Callable[[_Row], object], what: str, plan: CataloguePlan) -> None:
    """A problem for each row whose key an earlier row of the sheet has."""
    seen: dict[object, int] = {}
    for row in rows:
        k = key(row)
        if k in seen:
            plan.problems.append(Problem(f"{what} {k} is also on row {seen[k]}", row.number, "", sheet))
        seen.setdefault(k, row.number)


class _Checker:
    """Checks a parsed file against the stored catalogue and against itself, filling a plan; `write` then applies it
    in the same transaction."""

    def __init__(self, connection: Connection, plan: CataloguePlan, actor: roles.Actor, relax_disclosure: bool) -> None:
        """Read the stored catalogue once."""
        self.connection = connection
        self.actor = actor
        self.plan = plan
        self.relax = relax_disclosure
        self.priorities = {row["id"]: row for row in reads.all_rows(connection, Priority)}
        self.boards = {row["name"].casefold(): row for row in reads.all_rows(connection, DeliveryBoard)}
        self.kpis = {row["code"]: row for row in reads.all_rows(connection, Kpi)}
        self.targets = {(row["kpi_code"], row["valid_from"]): row for row in reads.all_rows(connection, KpiTarget)}
        self.with_values = reads.codes_with_values(connection)
        self.writes: list[Callable[[], None]] = []

    def problem(self, sheet: str, row: _Row, column: str, message: str) -> None:
        """One problem of a cell."""
        self.plan.problems.append(Problem(message, row.number, column, sheet))

    def check(self, parsed: dict[str, list[_Row]]) -> None:
        """Every sheet, in the order their rows depend on each other."""
        merged_priorities = dict(self.priorities)
        for row in parsed.get("priorities", []):
            merged_priorities[row.values["id"]] = {**merged_priorities.get(row.values["id"], {}), **row.values}
        numbers = set(merged_priorities)
        self._priorities(parsed.get("priorities", []), merged_priorities)
        self._boards(parsed.get("boards", []), numbers)
        merged_kpis = self._kpis(parsed.get("kpis", []), numbers)
        self._targets(parsed.get("targets", []), merged_kpis)
        self._retirements(parsed.get("priorities", []), merged_kpis)

    def _priorities(self, rows: list[_Row], merged: dict[int, dict]) -> None:
        """Priorities added or changed."""
        _duplicates("priorities", rows, lambda r: r.values["id"], "priority", self.plan)
        for row in rows:
            number, values = int(row.values["id"]), dict(row.values)  # type: ignore[call-overload]
            if values.get("plan") == "":
                values["plan"] = self.priorities.get(number, {}).get("plan") or current_area().plan
            others = {n: r for n, r in merged.items() if n != number and r.get("name")}
            for column, message in priorities.priority_problems(number, values, others, _column):
                self.problem("priorities", row, column, message)
            self._upsert("priorities", number, self.priorities.get(number), values, Priority, col(Priority.id))

    def _boards(self, rows: list[_Row], numbers: set[int]) -> None:
        """Boards added or changed (found by name, any case)."""
        _duplicates("boards", rows, lambda r: str(r.values["name"]).casefold(), "board", self.plan)
        for row in rows:
            values = dict(row.values)
            if values.get("priority_id") is not None and values["priority_id"] not in numbers:
                self.problem("boards", row, "priority_id", f"no priority {values['priority_id']} (here or stored)")
            stored = self.boards.get(str(values["name"]).casefold())
            if stored is not None:
                values["name"] = stored["name"]  # a row finds its board by name; renaming is `saferleeds board update`
            else:
                values["strategy"] = current_area().strategy
            key = stored["id"] if stored else values["name"]
            self._upsert("boards", key, stored, values, DeliveryBoard, col(DeliveryBoard.id))

    def _kpis(self, rows: list[_Row], numbers: set[int]) -> dict[str, dict]:
        """KPIs added or changed under the catalogue's rules; returns the catalogue as it will be."""
        _duplicates("kpis", rows, lambda r: r.values["code"], "KPI", self.plan)
        merged = dict(self.kpis)
        for row in rows:
            code, values = str(row.values["code"]), dict(row.values)
            for name in ("area_code", "area_name"):
                if values.get(name) == "":
                    values[name] = (self.kpis.get(code) or {}).get(name) or (
                        current_area().code if name == "area_code" else current_area().name
                    )
            found = catalogue.code_problems(code) + catalogue.field_problems(values, numbers, _column)
            stored = self.kpis.get(code)
            if stored is not None:
                found += catalogue.change_problems(code, _changes(stored, values), code in self.with_values, self.relax)
            for column, message in found:
                self.problem("kpis", row, column, message)
            if stored is None:
                values = catalogue.new_row(code, values)
            merged[code] = {**(stored or {}), **values}
            self._upsert("kpis", code, stored, values, Kpi, col(Kpi.code))
        return merged

    def _targets(self, rows: list[_Row], kpis: dict[str, dict]) -> None:
        """Targets added: each from a day not yet holding one; a stored one with other figures is refused."""
        _duplicates(
            "targets", rows, lambda r: f"{r.values['kpi_code']} from {r.values['valid_from']}", "target", self.plan
        )
        starts: dict[str, set[date]] = {}
        for code, day in self.targets:
            starts.setdefault(code, set()).add(day)
        for row in rows:
            code, day, value, kind = (row.values.get(k) for k in ("kpi_code", "valid_from", "value", "type"))
            if code not in kpis:
                self.problem("targets", row, "kpi_code", f"unknown KPI {code!r} (not on the kpis sheet nor stored)")
                continue
            if kind not in ("", None, *targets.TARGET_TYPES):
                self.problem("targets", row, "type", f"type must be maximum or minimum (got {kind!r})")
            elif (value is None) != (kind in ("", None)):
                self.problem("targets", row, "type" if value is not None else "value", "give both value and type")
            if value is not None and kpis[code]["unit"] == "percent" and not 0 <= float(value) <= 100:  # type: ignore[arg-type]
                self.problem("targets", row, "value", f"{code} is a percentage: between 0 and 100 (got {value:g})")
            if not isinstance(day, date):
                continue
            stored = self.targets.get((code, day))
            if stored is not None:
                if (stored["value"], stored["target_type"]) != (value, kind or None):
                    self.problem(
                        "targets",
                        row,
                        "value",
                        f"{code} already has a target from {day:%d %B %Y} ({stored['value']} {stored['target_type']}):"
                        " a target that was in force is history; set the new one from another date",
                    )
                self.plan.unchanged += 1
                continue
            rule = str(row.values.get("rag_rule") or "") or (
                targets.rule_words(float(value), str(kind)) if value is not None else "No target is set."  # type: ignore[arg-type]
            )
            target = {
                "kpi_code": code,
                "valid_from": day,
                "value": value,
                "target_type": kind or None,
                "rag_rule": rule,
            }
            known = set(starts.get(str(code), set()))
            starts.setdefault(str(code), set()).add(day)
            self.plan.added["targets"].append(f"{code} from {day.isoformat()}")
            self.writes.append(functools.partial(self._add_target, target, known))

    def _retirements(self, rows: list[_Row], kpis: dict[str, dict]) -> None:
        """A priority retired in the file must have no KPI in force at that day (as the file leaves them)."""
        for row in rows:
            day = row.values.get("retired_from")
            if not isinstance(day, date) or self.priorities.get(row.values["id"], {}).get("retired_from") == day:
                continue
            left = sorted(
                code
                for code, k in kpis.items()
                if k.get("priority_id") == row.values["id"]
                and (k.get("retired_from") is None or k["retired_from"] > day)
            )
            if left:
                self.problem(
                    "priorities",
                    row,
                    "retired_from",
                    f"priority {row.values['id']} still has KPIs in force on {day:%d %B %Y} ({', '.join(left[:5])}):"
                    " move or retire them in the kpis sheet",
                )

    def _upsert(self, sheet: str, key: object, stored: dict | None, values: dict, model: type, column: Any) -> None:  # noqa: ANN401
        """Plan an insert (new) or an update of the changed columns (stored), or count the row unchanged."""
        label = str(values.get("code") or values.get("name") if sheet != "priorities" else key)
        if stored is None:
            self.plan.added[sheet].append(label)
            self.writes.append(lambda: self._insert(sheet, model, values))
            return
        changed = _changes(stored, values)
        if not changed:
            self.plan.unchanged += 1
            return
        self.plan.changed[sheet].append(label)
        self.writes.append(lambda: self._update(sheet, model, column, key, label, changed))

    # Writing (in the checker's transaction, after every check passed)

    def _insert(self, sheet: str, model: type, values: dict) -> None:
        """Add one row and log it."""
        self.connection.execute(insert(model), [values])
        kind = {"priorities": "priority", "boards": "board", "kpis": "kpi"}[sheet]
        key = values.get("code") or values.get("id") or values.get("name")
        self._log(f"{kind} added", key, str(values.get("name", "")))

    def _update(self, sheet: str, model: type, column: Any, key: object, label: str, changed: dict) -> None:  # noqa: ANN401
        """Change one row's columns and log the old and new values."""
        self.connection.execute(update(model).where(column == key).values(**{k: v for k, (_, v) in changed.items()}))
        kind = {"priorities": "priority", "boards": "board", "kpis": "kpi"}[sheet]
        self._log(f"{kind} updated", label, catalogue.change_words(changed))

    def _add_target(self, target: dict, existing: set[date]) -> None:
        """Add one target (the newest mirrored in the catalogue) and log it."""
        targets.add(self.connection, target | {"set_by": self.actor.label, "set_at": datetime.now(UTC)}, existing)
        self._log(
            "target set", target["kpi_code"], f"{target['value']} {target['target_type']} from {target['valid_from']}"
        )

    def _log(self, kind: str, code: object, detail: str) -> None:
        """One line of the change log naming the file."""
        catalogue.log(
            self.connection, kind, code, f"{detail} (catalogue file {self.plan.file_name})".strip(), self.actor
        )

    def write(self) -> None:
        """Apply the plan: priorities, boards, KPIs, then targets (the order they were planned in)."""
        for change in self.writes:
            change()


def import_catalogue(
    url: str,
    file_name: str,
    data: bytes,
    actor: roles.Actor,
    relax_disclosure: bool = False,
    dry_run: bool = False,
) -> CataloguePlan:
    """Check a catalogue file and, if nothing is wrong and this is not a dry run, write it whole in one transaction.
    Returns the plan (its problems, and what was or would be added and changed); PermissionDeniedError for anyone but
    an admin; ImportRejectedError for a file that cannot be read at all."""
    catalogue.allowed(actor)
    plan = CataloguePlan(file_name)
    parsed = _parse(file_name, read_sheets(file_name, data), plan.problems)
    with db.get_engine(url).begin() as connection:
        checker = _Checker(connection, plan, actor, relax_disclosure)
        checker.check(parsed)
        if plan.problems or dry_run:
            connection.rollback()
            return plan
        checker.write()
    cache.clear_caches()
    return plan
