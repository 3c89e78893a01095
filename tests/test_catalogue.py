"""The catalogue managed by admins (issue 30): KPIs added, updated and retired under rules that keep past meetings
and figures true, every change logged with who and when."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from lib import cli
from lib.analysis import summary
from lib.core import roles
from lib.ingest import catalogue
from lib.store import queries

ADMIN = roles.operator("admin@council.test")
NEW = {
    "name": "Repeat victims of domestic abuse supported",
    "priority_id": 2,
    "unit": "count",
    "direction": "higher_is_better",
    "frequency": "monthly",
    "geography": "city",
    "definition": "People referred again within 12 months who were given support.",
    "source": "Leeds Domestic Violence Service returns",
    "owner": "Leeds Domestic Violence Service",
}


def test_an_admin_adds_a_kpi_and_it_is_in_the_catalogue_with_the_change_logged(seeded_url):
    row = catalogue.add_kpi(seeded_url, "DA_REPEAT_SUPPORTED", NEW, ADMIN)
    assert row["area_code"] == "E08000035"
    listed = queries.kpi_catalogue(seeded_url).set_index("code").loc["DA_REPEAT_SUPPORTED"]
    assert listed["name"] == NEW["name"] and listed["priority_id"] == 2 and pd_isna(listed["target"])
    log = queries.catalogue_changes(seeded_url).iloc[0]
    assert (log["kind"], log["code"], log["changed_by"]) == ("kpi added", "DA_REPEAT_SUPPORTED", ADMIN.label)


def pd_isna(value) -> bool:
    return value is None or value != value


@pytest.mark.parametrize(
    ("code", "change", "message"),
    [
        ("DS1_TRIAGE", {}, "already in the catalogue"),
        ("lower case", {}, "is not a KPI code"),
        ("DA_NEW", {"direction": "up"}, "--direction must be one of"),
        ("DA_NEW", {"priority_id": 99}, "no priority 99"),
        ("DA_NEW", {"owner": "  "}, "--owner is empty"),
    ],
)
def test_a_bad_new_kpi_is_refused_and_changes_nothing(seeded_url, code, change, message):
    before = queries.kpi_catalogue(seeded_url)
    with pytest.raises(ValueError, match=message):
        catalogue.add_kpi(seeded_url, code, NEW | change, ADMIN)
    assert queries.kpi_catalogue(seeded_url).equals(before)
    assert queries.catalogue_changes(seeded_url).empty


def test_unit_and_direction_are_fixed_while_values_exist_and_other_fields_change_with_history(seeded_url):
    with pytest.raises(ValueError, match="cannot change .* add a new KPI"):
        catalogue.update_kpi(seeded_url, "DS1_TRIAGE", {"unit": "hours"}, ADMIN)
    with pytest.raises(ValueError, match="direction cannot change"):
        catalogue.update_kpi(seeded_url, "DS1_TRIAGE", {"direction": "higher_is_better"}, ADMIN)
    changed = catalogue.update_kpi(seeded_url, "DS1_TRIAGE", {"owner": "Leedswatch control room"}, ADMIN)
    assert changed == {"owner": {"from": "Leeds City Council: Leedswatch", "to": "Leedswatch control room"}}
    assert (
        "owner: 'Leeds City Council: Leedswatch' -> 'Leedswatch control room'"
        in (queries.catalogue_changes(seeded_url).iloc[0]["detail"])
    )
    catalogue.add_kpi(seeded_url, "DA_NEW", NEW, ADMIN)  # no values yet: its unit may still be corrected
    assert catalogue.update_kpi(seeded_url, "DA_NEW", {"unit": "people"}, ADMIN) == {
        "unit": {"from": "count", "to": "people"}
    }


def test_disclosure_is_never_relaxed_by_accident(seeded_url):
    sensitive = next(k for k in queries.kpi_catalogue(seeded_url).to_dict(orient="records") if k["sensitive"])
    with pytest.raises(ValueError, match="--relax-disclosure"):
        catalogue.update_kpi(seeded_url, sensitive["code"], {"sensitive": False}, ADMIN)
    assert queries.kpi_catalogue(seeded_url).set_index("code").loc[sensitive["code"], "sensitive"]
    catalogue.update_kpi(seeded_url, sensitive["code"], {"sensitive": False}, ADMIN, relax_disclosure=True)
    assert not queries.kpi_catalogue(seeded_url).set_index("code").loc[sensitive["code"], "sensitive"]
    catalogue.update_kpi(seeded_url, "DS1_CALLS", {"sensitive": True}, ADMIN)  # tightening needs no confirmation
    assert queries.kpi_catalogue(seeded_url).set_index("code").loc["DS1_CALLS", "sensitive"]


def test_a_retired_kpi_shows_on_meetings_before_its_retirement_and_not_after(seeded_url):
    meetings = queries.meetings(seeded_url)
    before, after = meetings["data_cutoff"].iloc[-3], meetings["data_cutoff"].iloc[-1]
    values = len(queries.kpi_series(seeded_url, "DS1_CALLS"))
    catalogue.retire_kpi(seeded_url, "DS1_CALLS", before + timedelta(days=1), ADMIN)
    earlier = summary.summaries(
        queries.kpi_catalogue_as_at(seeded_url, before), queries.headline_values(seeded_url), before, None
    )
    later = summary.summaries(
        queries.kpi_catalogue_as_at(seeded_url, after), queries.headline_values(seeded_url), after, None
    )
    assert "DS1_CALLS" in {s["code"] for s in earlier} and "DS1_CALLS" not in {s["code"] for s in later}
    assert len(queries.kpi_series(seeded_url, "DS1_CALLS")) == values  # its values and history are kept
    with pytest.raises(ValueError, match="already retired"):
        catalogue.retire_kpi(seeded_url, "DS1_CALLS", date(2025, 1, 1), ADMIN)


def test_only_admins_change_the_catalogue(seeded_url):
    lead = roles.Actor("lead@council.test", roles.LEAD, priorities=frozenset({1}))
    for change in (
        lambda: catalogue.add_kpi(seeded_url, "DA_NEW", NEW, lead),
        lambda: catalogue.update_kpi(seeded_url, "DS1_TRIAGE", {"name": "x"}, lead),
        lambda: catalogue.retire_kpi(seeded_url, "DS1_TRIAGE", date(2025, 1, 1), lead),
    ):
        with pytest.raises(roles.PermissionDeniedError, match="only admins change the catalogue"):
            change()
    assert queries.catalogue_changes(seeded_url).empty


def test_kpi_add_update_and_retire_on_the_command_line(seeded_url, capsys):
    base = ["--database-url", seeded_url, "kpi"]
    add = [*base, "add", "DA_NEW", "--name", NEW["name"], "--priority", "2", "--unit", "count", "--direction",
           "higher_is_better", "--frequency", "monthly", "--geography", "city", "--definition", NEW["definition"],
           "--source", NEW["source"], "--owner", NEW["owner"], "--json"]  # fmt: skip
    assert cli.main(add) == 0 and json.loads(capsys.readouterr().out)["code"] == "DA_NEW"
    assert cli.main(add) == 1 and "already in the catalogue" in capsys.readouterr().err
    assert cli.main([*base, "update", "DS1_TRIAGE", "--unit", "hours"]) == 1
    err = capsys.readouterr().err
    assert "cannot change" in err and err.count("\n") == 1
    assert cli.main([*base, "retire", "DA_NEW", "--from", "2025-01-01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"code": "DA_NEW", "retired_from": "2025-01-01"}
    assert cli.main([*base, "list", "--json"]) == 0
    listed = {k["code"]: k for k in json.loads(capsys.readouterr().out)}
    assert listed["DA_NEW"]["retired_from"] == "2025-01-01"
