"""A whole catalogue exported and imported as one file (issue 30): one sheet per table, every problem listed by
sheet, row and column, the file in whole or not at all, the same file twice changing nothing."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pandas as pd
import pytest
from openpyxl import load_workbook

from lib import cli
from lib.core import roles
from lib.ingest import catalogue_file
from lib.ingest.files import ImportRejectedError
from lib.store import queries

ADMIN = roles.operator("admin@council.test")


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    """An .xlsx with the given sheets (header row first)."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, rows in sheets.items():
            pd.DataFrame(rows[1:], columns=rows[0]).to_excel(writer, sheet_name=name, index=False)
    return buffer.getvalue()


def _state(url: str) -> tuple:
    """Everything an import may change, to compare before and after."""
    return (
        queries.priorities(url).to_csv(),
        queries.boards(url).to_csv(),
        queries.kpi_catalogue(url).to_csv(),
        queries.kpi_targets(url).drop(columns=["set_at"]).to_csv(),
        len(queries.catalogue_changes(url)),
    )


@pytest.mark.parametrize("name", ["catalogue.xlsx", "catalogue.zip"])
def test_an_exported_catalogue_imports_back_changing_nothing(seeded_url, name):
    data = catalogue_file.export_bytes(seeded_url, name)
    before = _state(seeded_url)
    plan = catalogue_file.import_catalogue(seeded_url, name, data, ADMIN)
    assert plan.ok, plan.problems[:3]
    assert plan.counts()["added"] == dict.fromkeys(catalogue_file.SHEETS, 0)
    assert plan.counts()["changed"] == dict.fromkeys(catalogue_file.SHEETS, 0)
    assert plan.unchanged == sum(len(t) for t in catalogue_file.frames(seeded_url).values())
    assert _state(seeded_url) == before


def test_the_export_has_one_sheet_per_table_and_an_about_sheet(seeded_url):
    workbook = load_workbook(io.BytesIO(catalogue_file.export_bytes(seeded_url, "c.xlsx")), read_only=True)
    assert workbook.sheetnames == [*catalogue_file.SHEETS, catalogue_file.ABOUT]
    kpis = list(workbook["kpis"].iter_rows(values_only=True))
    assert list(kpis[0]) == [c.name for c in catalogue_file.SHEETS["kpis"]]
    assert len(kpis) - 1 == len(queries.kpi_catalogue(seeded_url))


def test_a_new_partnership_starts_from_the_exported_template(migrated_url):
    template = load_workbook(io.BytesIO(catalogue_file.export_bytes(migrated_url, "t.xlsx")), read_only=True)
    sheets = {name: [list(r) for r in template[name].iter_rows(values_only=True)] for name in catalogue_file.SHEETS}
    assert all(len(rows) == 1 for rows in sheets.values())  # headers only: nothing comes from code
    sheets["priorities"].append([1, "Violence", "Serious Violence Board", "", "", None])
    sheets["boards"].append(["Serious Violence Board", 1, None])
    sheets["kpis"].append(
        ["VIOLENCE_REPEAT", "Repeat victims of violence", 1, "count", "lower_is_better", "monthly", "city", "false",
         "Victims of violence with injury seen again within 12 months", "Force returns", "Violence Reduction Unit",
         "", "", 1, None]
    )  # fmt: skip
    sheets["targets"].append(["VIOLENCE_REPEAT", "2026-04-01", 120, "maximum", ""])
    plan = catalogue_file.import_catalogue(migrated_url, "ours.xlsx", _workbook(sheets), ADMIN)
    assert plan.ok, plan.problems
    assert plan.counts()["added"] == {"priorities": 1, "boards": 1, "kpis": 1, "targets": 1}
    kpi = queries.kpi_catalogue(migrated_url).set_index("code").loc["VIOLENCE_REPEAT"]
    assert (kpi["priority"], kpi["target"], kpi["target_type"]) == ("Violence", 120, "maximum")
    as_at = queries.kpi_catalogue_as_at(migrated_url, date(2026, 6, 30)).set_index("code")
    assert as_at.loc["VIOLENCE_REPEAT", "target_from"] == date(2026, 4, 1)
    assert "catalogue file ours.xlsx" in queries.catalogue_changes(migrated_url).iloc[0]["detail"]
    again = catalogue_file.import_catalogue(migrated_url, "ours.xlsx", _workbook(sheets), ADMIN)
    assert again.ok and again.counts()["added"] == dict.fromkeys(catalogue_file.SHEETS, 0) and again.unchanged == 4


def test_every_problem_is_listed_by_sheet_row_and_column_and_nothing_is_written(seeded_url):
    cols = {sheet: [c.name for c in columns] for sheet, columns in catalogue_file.SHEETS.items()}
    bad_kpi = dict.fromkeys(cols["kpis"], "")
    bad_kpi |= {"code": "DS1_TRIAGE", "name": "Triage", "priority_id": "1", "unit": "hours",
                "direction": "sideways", "frequency": "monthly", "geography": "city", "definition": "d",
                "source": "s", "owner": "o"}  # fmt: skip
    sheets = {
        "priorities": [cols["priorities"], [1, "Hate Crime", "Board", "", "", ""]],
        "kpis": [cols["kpis"], list(bad_kpi.values()), ["NEW_ONE", "", "x", *[""] * 12]],
        "targets": [
            cols["targets"],
            ["DS1_TRIAGE", "2026-13-01", "", "", ""],
            ["NOPE", "2026-01-01", 1, "maximum", ""],
        ],
        "extras": [["a"], ["b"]],
    }
    before = _state(seeded_url)
    plan = catalogue_file.import_catalogue(seeded_url, "bad.xlsx", _workbook(sheets), ADMIN)
    found = {(p.sheet, p.row, p.column) for p in plan.problems}
    assert ("priorities", 2, "name") in found  # priority 3 is already called Hate Crime
    assert ("kpis", 2, "direction") in found
    assert ("kpis", 2, "unit") in found  # DS1_TRIAGE has values: its unit is fixed
    assert ("kpis", 3, "name") in found and ("kpis", 3, "priority_id") in found
    assert ("targets", 2, "valid_from") in found and ("targets", 3, "kpi_code") in found
    assert any("unknown sheet" in p.message and "extras" in p.message for p in plan.problems)
    assert list(plan.problem_table.columns) == ["sheet", "row", "column", "problem"]
    assert _state(seeded_url) == before


def test_a_stored_target_is_history_and_sensitive_needs_confirming(seeded_url):
    frames = catalogue_file.frames(seeded_url)
    targets = frames["targets"]
    first = targets[targets["value"] != ""].iloc[0]
    changed = targets.copy()
    changed.loc[first.name, "value"] = float(first["value"]) + 1
    sensitive = frames["kpis"][frames["kpis"]["sensitive"] == "true"].copy()
    sensitive["sensitive"] = "false"
    data = _workbook({
        "targets": [list(changed.columns), *changed.values.tolist()],
        "kpis": [list(sensitive.columns), *sensitive.values.tolist()],
    })  # fmt: skip
    plan = catalogue_file.import_catalogue(seeded_url, "t.xlsx", data, ADMIN)
    messages = [p.message for p in plan.problems]
    assert any("is history" in m for m in messages)
    assert sum("--relax-disclosure" in m for m in messages) == len(sensitive)


def test_only_admins_import_and_an_unreadable_file_is_refused(seeded_url):
    lead = roles.Actor("lead@council.test", roles.LEAD, priorities=frozenset({1}))
    data = catalogue_file.export_bytes(seeded_url, "c.xlsx")
    with pytest.raises(roles.PermissionDeniedError):
        catalogue_file.import_catalogue(seeded_url, "c.xlsx", data, lead)
    with pytest.raises(ImportRejectedError, match="not a readable Excel"):
        catalogue_file.import_catalogue(seeded_url, "c.xlsx", b"not a workbook", ADMIN)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("readme.txt", "hello")
    plan = catalogue_file.import_catalogue(seeded_url, "c.zip", archive.getvalue(), ADMIN)
    assert any("none of the catalogue's sheets" in p.message for p in plan.problems)


def test_catalogue_export_and_import_on_the_command_line(seeded_url, tmp_path, capsys):
    path = tmp_path / "catalogue.xlsx"
    assert cli.main(["--database-url", seeded_url, "catalogue", "export", str(path)]) == 0
    capsys.readouterr()
    assert cli.main(["--database-url", seeded_url, "catalogue", "import", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["added"] == dict.fromkeys(catalogue_file.SHEETS, 0) and result["problems"] == []
    broken = tmp_path / "kpis.csv"
    broken.write_text("code,name\nX,y\n")
    assert cli.main(["--database-url", seeded_url, "catalogue", "import", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "sheet kpis, row 1" in err and "missing" in err
