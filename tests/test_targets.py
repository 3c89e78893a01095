"""Effective-dated targets (issue 30): a target applies from a date until the next one, and "as at a meeting" uses
the one in force at its cut-off, so a board's record never changes when a target is reset later."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pandas as pd
import pytest
from alembic import command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, text

from lib import cli
from lib.analysis import summary
from lib.core import roles
from lib.ingest import targets
from lib.pack import content
from lib.store import cache, db, queries

ADMIN = roles.operator("admin@council.test")
TRIAGE = "DS1_TRIAGE"  # the Leeds catalogue's one documented target: 120 minutes (maximum)


def _summaries(url: str, code: str | None = None) -> dict[date, list[dict]]:
    """Every meeting's KPI summary as `kpi summary --as-at` gives it (one KPI's only, when a code is given)."""
    table = queries.meetings(url)
    cutoffs = list(table["data_cutoff"])
    values = queries.headline_values(url)
    if code is not None:
        values = values[values["kpi_code"] == code]
    found = {}
    for cutoff, previous in zip(cutoffs, [None, *cutoffs[:-1]], strict=True):
        catalogue = queries.kpi_catalogue_as_at(url, cutoff)
        if code is not None:
            catalogue = catalogue[catalogue["code"] == code]
        found[cutoff] = summary.summaries(catalogue, values, cutoff, previous)
    return found


def test_the_catalogue_is_carried_over_with_todays_targets_from_the_start_of_each_kpis_data(seeded_url):
    catalogue = queries.kpi_catalogue(seeded_url).set_index("code")
    rows = queries.kpi_targets(seeded_url)
    assert set(rows["kpi_code"]) == set(catalogue.index) and rows["kpi_code"].is_unique
    values = queries.headline_values(seeded_url)
    first = values.groupby("kpi_code")["period_start"].min()
    triage = rows.set_index("kpi_code").loc[TRIAGE]
    assert (triage["value"], triage["target_type"]) == (120.0, "maximum")
    assert triage["valid_from"] == first[TRIAGE] and triage["valid_to"] is None
    assert triage["rag_rule"] == catalogue.loc[TRIAGE, "rag_rule"]


def test_migration_0011_carries_the_targets_over_exactly_as_a_new_database_starts(seeded_url):
    before = queries.kpi_targets(seeded_url).drop(columns=["set_by", "set_at"])
    command.downgrade(db._alembic_config(seeded_url), "0010")
    db.get_engine.cache_clear()
    db.upgrade(seeded_url)
    cache.clear_caches()
    after = queries.kpi_targets(seeded_url).drop(columns=["set_by", "set_at"])
    pd.testing.assert_frame_equal(after, before)


def test_a_past_meetings_pack_is_the_same_after_a_later_target_change(seeded_url):
    meeting = queries.meetings(seeded_url).iloc[-3]
    before = content.build(seeded_url, meeting["meeting_date"])
    later = meeting["data_cutoff"] + timedelta(days=1)
    targets.set_target(seeded_url, TRIAGE, 5, "maximum", later, None, ADMIN)  # every month would be red
    after = content.build(seeded_url, meeting["meeting_date"])
    assert after == before
    now = queries.kpi_catalogue_as_at(seeded_url, date.today()).set_index("code").loc[TRIAGE]
    assert (now["target"], now["target_from"]) == (5.0, later)
    newest = queries.meetings(seeded_url)["data_cutoff"].iloc[-1]
    item = next(
        s
        for s in summary.summaries(
            queries.kpi_catalogue_as_at(seeded_url, newest), queries.headline_values(seeded_url), newest, None
        )
        if s["code"] == TRIAGE
    )
    assert item["target"] == 5.0 and item["rag"] == "red"  # the meeting after the change sees the new target


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kpi_code": "NOPE"}, "unknown KPI 'NOPE'"),
        ({"target_type": "most"}, "--type must be maximum or minimum"),
        ({"value": float("nan")}, "--value must be a number"),
        ({"kpi_code": "DS1_ATTENDANCE", "value": 120}, "between 0 and 100"),
    ],
)
def test_a_bad_target_is_refused_in_one_line_and_changes_nothing(seeded_url, change, message):
    before = queries.kpi_targets(seeded_url)
    arguments = {"kpi_code": TRIAGE, "value": 90.0, "target_type": "maximum", "valid_from": date(2024, 4, 1)} | change
    with pytest.raises(ValueError, match=message):
        targets.set_target(seeded_url, rule=None, actor=ADMIN, **arguments)
    assert queries.kpi_targets(seeded_url).equals(before)


def test_a_target_in_force_is_never_overwritten_and_only_admins_set_targets(seeded_url):
    first = queries.kpi_targets(seeded_url, TRIAGE)["valid_from"].iloc[0]
    with pytest.raises(ValueError, match="already has a target from"):
        targets.set_target(seeded_url, TRIAGE, 90, "maximum", first, None, ADMIN)
    lead = roles.Actor("lead@council.test", roles.LEAD, priorities=frozenset({1}))
    with pytest.raises(roles.PermissionDeniedError, match="only admins set targets"):
        targets.set_target(seeded_url, TRIAGE, 90, "maximum", date(2024, 4, 1), None, lead)
    assert len(queries.kpi_targets(seeded_url, TRIAGE)) == 1


def test_target_set_and_list_on_the_command_line(seeded_url, capsys):
    version = queries.data_version(seeded_url)
    code = cli.main(
        ["--database-url", seeded_url, "target", "set", TRIAGE, "--value", "90", "--type", "maximum", "--from",
         "2024-04-01", "--json"]
    )  # fmt: skip
    assert code == 0
    row = json.loads(capsys.readouterr().out)
    assert (row["value"], row["valid_from"]) == (90.0, "2024-04-01") and row["set_by"]  # the operator, by name
    assert cli.main(["--database-url", seeded_url, "target", "list", TRIAGE, "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["value"], r["to"]) for r in listed] == [(120.0, "2024-03-31"), (90.0, None)]
    with pytest.raises(SystemExit) as usage:
        cli.main(["--database-url", seeded_url, "target", "set", TRIAGE, "--value", "x", "--type", "maximum",
                  "--from", "2024-05-01"])  # fmt: skip
    assert usage.value.code == 2
    assert cli.main(["--database-url", seeded_url, "target", "set", TRIAGE, "--value", "9", "--type", "maximum",
                     "--from", "2024-02-30"]) == 1  # fmt: skip
    assert "--from must be a date" in capsys.readouterr().err
    engine = create_engine(seeded_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT target FROM kpi WHERE code = :c"), {"c": TRIAGE}).scalar() == 90.0
    engine.dispose()
    assert queries.data_version(seeded_url) > version


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    changes=st.lists(
        st.tuples(
            st.dates(min_value=date(2021, 6, 1), max_value=date(2025, 6, 1)),
            st.floats(min_value=20, max_value=200, allow_nan=False),
            st.sampled_from(targets.TARGET_TYPES),
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda c: c[0],
    )
)
def test_no_target_change_alters_a_meeting_whose_cut_off_came_before_it(seeded_templates, tmp_path_factory, changes):
    url = seeded_templates.sqlite_copy(tmp_path_factory.mktemp("targets"))
    cache.clear_caches()
    before = _summaries(url, TRIAGE)
    for when, value, kind in changes:
        targets.set_target(url, TRIAGE, value, kind, when, None, ADMIN)
    after = _summaries(url, TRIAGE)
    earliest = min(when for when, _, _ in changes)
    for cutoff, items in before.items():
        if cutoff < earliest:
            assert after[cutoff] == items, cutoff
        in_force = [(when, value) for when, value, _ in changes if when <= cutoff]
        if in_force:  # a meeting after a change is judged against the newest target in force at its cut-off
            assert after[cutoff][0]["target"] == max(in_force)[1], cutoff
    db.get_engine.cache_clear()
