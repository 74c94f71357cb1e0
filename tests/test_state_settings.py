"""The stored state knows what made it: an incremental run whose settings differ from the
stored ones fails before it writes anything, naming each change and the command that
rebuilds; with var rudderstack_on_config_change: full_refresh it rebuilds instead, and ends
where a --full-refresh with the new settings ends.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.compare import assert_same_tables, snapshot
from tests.harness import PROJECT_DIR, DbtFailed, Workspace

T = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)
MODELS = ("fct_events", "fct_sessions", "state_rejected_rows")


def track(event_id: str, minutes: float, channel: str = "web", **extra: Any) -> dict[str, Any]:
    at = T + dt.timedelta(minutes=minutes)
    return {"id": event_id, "anonymous_id": "a1", "timestamp": at, "received_at": at, "uuid_ts": at,
            "channel": channel, "event_text": "Ping", "context_traits_user_type": "buyer",
            "context_campaign_medium": "cpc", **extra}


# Gaps of 8, 20 and 122 minutes, a passthrough trait, a campaign: rows the settings below shape.
ROWS = {"tracks": [track("e1", 0), track("e2", 8), track("e3", 28), track("e4", 150)], "pages": [], "screens": []}
LATER = {"tracks": [track("e5", 400)], "pages": [], "screens": []}

CHANGES = [
    ("sessionization_cohort", {"sessionization_cohort": "'web'"}, "var 'sessionization_cohort'"),
    ("session_timeout_minutes", {"session_timeout_minutes": {"web": 10, "default": 30}},
     "var 'session_timeout_minutes'"),
    ("event_passthrough_columns", {"event_passthrough_columns": ["context_traits_user_type"]},
     "var 'event_passthrough_columns'"),
    ("session_engagement", {"session_engagement": {"min_duration_seconds": 3600}}, "var 'session_engagement'"),
    # e1 to e3 last 28 minutes: a 15-minute cap cuts e3 off.
    ("max_session_duration_hours", {"max_session_duration_hours": 0.25}, "var 'max_session_duration_hours'"),
]


def stored_runs(workspace: Workspace) -> list[dict[str, Any]]:
    return workspace.query("select run_number, watermark_at from {internal}.state_runs order by run_number")


def assert_refused_then_rebuilt(workspace: Workspace, before: dict[str, Any], after: dict[str, Any],
                                message: str) -> None:
    """Build with `before`, load more, then: with `after` an incremental run fails naming the
    change and writes nothing; with the automatic rebuild it ends as a --full-refresh does."""
    workspace.load_raw(ROWS)
    workspace.build_on_raw(before)
    workspace.load_raw(LATER, append=True)
    runs, tables = stored_runs(workspace), snapshot(workspace, MODELS)

    with pytest.raises(DbtFailed) as failure:
        workspace.build_on_raw(after)
    output = str(failure.value)
    assert message in output and "dbt build --full-refresh" in output and "Nothing was written" in output, output
    assert stored_runs(workspace) == runs, "a refused run must not commit"
    assert_same_tables(snapshot(workspace, MODELS), tables, "a refused run")

    workspace.build_on_raw({**after, "rudderstack_on_config_change": "full_refresh"})
    rebuilt = snapshot(workspace, MODELS)
    [last] = workspace.query("select is_incremental, run_reason from {internal}.state_runs"
                             " order by run_number desc limit 1")
    assert not last["is_incremental"] and "changed settings" in last["run_reason"], last
    workspace.build_on_raw(after, "--full-refresh")
    assert_same_tables(snapshot(workspace, MODELS), rebuilt, "automatic rebuild vs --full-refresh")
    # And the next run, with the new settings stored, is incremental again.
    workspace.build_on_raw(after)
    [last] = workspace.query("select is_incremental from {internal}.state_runs order by run_number desc limit 1")
    assert last["is_incremental"]


@pytest.mark.engines("duckdb")  # the check is Jinja over the stored JSON; one engine proves it
@pytest.mark.parametrize(("name", "after", "message"), CHANGES, ids=[c[0] for c in CHANGES])
def test_a_changed_var_refuses_an_incremental_run(engine: str, workspace: Workspace, name: str,
                                                 after: dict[str, Any], message: str) -> None:
    assert_refused_then_rebuilt(workspace, {}, after, message)


@pytest.mark.engines("duckdb")
def test_a_changed_schema_refuses_an_incremental_run(engine: str, workspace: Workspace) -> None:
    """Pointing the project at another RudderStack schema is a changed setting too."""
    other = f"{workspace.raw_schema}_other"
    workspace.load_raw(ROWS)
    workspace.build_on_raw()
    workspace.execute(f'create schema "{other}"')
    for table in ("tracks",):
        workspace.execute(f'create table "{other}".{table} as select * from "{{raw}}".{table}')
    with pytest.raises(DbtFailed, match="the raw tables moved"):
        workspace.dbt("build", "--exclude-resource-type", "unit_test", vars={"rudderstack_schema": other})


@pytest.mark.engines("duckdb", "postgres")
def test_an_edited_channel_groups_seed_refuses_an_incremental_run(engine: str, workspace: Workspace,
                                                                 tmp_path: Path) -> None:
    """The seed's rules are stored in every session's channel group: editing them is a change."""
    project = tmp_path / "project"
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns(".venv", "target", "logs", "*.duckdb", ".git"))
    workspace.project_dir = project
    workspace.load_raw(ROWS)
    workspace.build_on_raw()
    workspace.load_raw(LATER, append=True)
    seed = project / "seeds" / "channel_groups.csv"
    seed.write_text(seed.read_text().replace("20,Paid Search,cpc,,", "20,Paid Search (edited),cpc,,"))
    runs = stored_runs(workspace)
    with pytest.raises(DbtFailed, match="seed channel_groups changed"):
        workspace.build_on_raw()
    assert stored_runs(workspace) == runs
    workspace.build_on_raw({"rudderstack_on_config_change": "full_refresh"})
    groups = {r["channel_group"] for r in workspace.query("select channel_group from {schema}.fct_sessions")}
    assert "Paid Search (edited)" in groups, groups


def test_an_unknown_on_config_change_fails(workspace_factory) -> None:
    workspace = workspace_factory("duckdb", "on_config_change")
    workspace.load_raw(ROWS)
    workspace.build_on_raw()
    result = workspace.dbt("build", vars={"rudderstack_schema": workspace.raw_schema,
                                          "rudderstack_on_config_change": "rebuild"}, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "var 'rudderstack_on_config_change' must be fail or full_refresh" in output, \
        output[-2000:]
