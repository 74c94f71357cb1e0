"""The shipped demo: builds with plain `dbt build`, matches the reference, is the same everywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.compare import (
    assert_conserved,
    assert_matches_reference,
    assert_same_tables,
    snapshot,
    warehouse_events,
    warehouse_sessions,
)
from tests.harness import PROJECT_DIR, Workspace
from tests.reference import sessionize
from tests.test_conversions import assert_conversions_match
from tools.load import read_csv_rows
from tools.rudderstack_tables import TABLES

SEEDS = PROJECT_DIR / "seeds" / "rudderstack_demo"
_builds: dict[str, Workspace] = {}


def demo_workspace(engine: str, workspace_factory) -> Workspace:
    """The demo built once per engine with the README's command: seeds, unit tests, data tests."""
    if engine not in _builds:
        workspace = workspace_factory(engine, "demo")
        workspace.dbt("build")
        _builds[engine] = workspace
    return _builds[engine]


def demo_rows() -> dict[str, list[dict]]:
    return {table: read_csv_rows(SEEDS / f"{table}.csv", table) for table in TABLES}


def test_demo_matches_the_reference(engine: str, workspace_factory) -> None:
    workspace = demo_workspace(engine, workspace_factory)
    expected = sessionize(demo_rows())
    assert_matches_reference(workspace, expected)
    assert_conserved(workspace, expected.raw_row_count)


def test_demo_conversions_match_the_reference(engine: str, workspace_factory) -> None:
    """The demo's orders (its conversions while var rudderstack_conversions is unset, valued from the seed
    order_completed, in two currencies) on fct_conversions and fct_sessions, as the reference
    reads them from the raw rows, with each conversion's first-touch and last-non-direct
    attribution, and every session's last-non-direct attribution."""
    workspace = demo_workspace(engine, workspace_factory)
    listed = [{"event": "Order Completed", "value_column": "revenue", "currency_column": "currency"}]
    wanted, _ = assert_conversions_match(workspace, demo_rows(), listed)
    # What the demo is for: valued orders in two currencies, some credited to an earlier session.
    assert {r["currency"] for r in wanted.values() if r["value"] is not None} == {"EUR", "USD"}, wanted
    assert any(r["channel_group"] == "Direct" and r["last_non_direct_channel_group"] != "Direct"
               for r in wanted.values()), wanted


@pytest.mark.engines("duckdb")
def test_the_demo_shop_is_consistent(engine: str, workspace_factory) -> None:
    """Numbers an analyst can believe: each funnel step of a session only after the one
    before it, fewer sessions at each step, visits landing on pages people land on."""
    workspace = demo_workspace(engine, workspace_factory)
    steps = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed"]
    rows = workspace.query(
        "select session_id, event_name, event_at, event_id from {schema}.fct_events"
        f" where event_name in ({', '.join(repr(s) for s in steps)}) order by session_id, event_at, event_id")
    reached: dict[str, list[str]] = {}
    for row in rows:
        reached.setdefault(row["session_id"], []).append(row["event_name"])
    out_of_order = {s: names for s, names in reached.items() if names != steps[:len(names)]}
    assert not out_of_order, sorted(out_of_order.items())[:5]
    counts = [sum(1 for names in reached.values() if step in names) for step in steps]
    assert counts[0] > counts[1] > counts[2] > counts[3] > 0, counts
    landings = {r["landing_page_path"] for r in workspace.query(
        "select distinct landing_page_path from {schema}.fct_sessions where landing_page_path is not null")}
    assert landings and not landings & {"/cart", "/checkout", "/checkout/complete"}, landings


def test_demo_covers_what_it_promises(engine: str, workspace_factory) -> None:
    """Web ms ids, mobile s ids, derived server and web sessions, duplicates, rejects, late rows."""
    workspace = demo_workspace(engine, workspace_factory)
    [row] = workspace.query(
        "select"
        " sum(case when session_source = 'sdk' and cohort = 'web' and length(sdk_session_id) = 13 then 1 else 0 end) as web_ms,"
        " sum(case when session_source = 'sdk' and cohort = 'mobile' and length(sdk_session_id) = 10 then 1 else 0 end) as mobile_s,"
        " sum(case when session_source = 'derived' and cohort = 'server' then 1 else 0 end) as server_derived,"
        " sum(case when session_source = 'derived' and cohort = 'web' then 1 else 0 end) as web_derived,"
        " sum(case when has_session_start_flag = false then 1 else 0 end) as lost_flags"
        " from {schema}.fct_sessions"
    )
    assert all(value > 0 for value in row.values()), row
    [row] = workspace.query(
        "select sum(duplicate_row_count) as duplicates,"
        " sum(case when received_at > event_at + interval '1 day' then 1 else 0 end) as late"
        " from {schema}.fct_events"
    )
    assert row["duplicates"] > 0 and row["late"] > 0, row
    reasons = {r["rejection_reason"] for r in workspace.query("select rejection_reason from {internal}.state_rejected_rows")}
    assert reasons == {"missing_event_id", "missing_timestamp", "missing_actor"}


def test_same_session_ids_on_every_engine(request: pytest.FixtureRequest, workspace_factory) -> None:
    engines = [e for e in request.config.getoption("engines").split(",") if e]
    if len(engines) < 2:
        pytest.skip("needs at least two engines")
    built = {engine: demo_workspace(engine, workspace_factory) for engine in engines}
    first, *others = engines
    events, sessions = warehouse_events(built[first]), warehouse_sessions(built[first])
    assert events and sessions
    for engine in others:
        assert warehouse_events(built[engine]) == events, f"fct_events differ between {first} and {engine}"
        assert warehouse_sessions(built[engine]) == sessions, f"fct_sessions differ between {first} and {engine}"
    # Every column of the analyst marts, too (attribution, stitching, funnels, medians, the timeout advisor).
    marts = ("fct_sessions", "dim_users", "dim_actor_users", "fct_funnel_steps", "fct_funnel_conversion",
             "fct_conversions", "rpt_session_timeouts", "rpt_session_gap_histogram")
    tables = snapshot(built[first], marts)
    assert all(tables.values()), {model: len(rows) for model, rows in tables.items()}
    for engine in others:
        assert_same_tables(snapshot(built[engine], marts), tables, f"{engine} vs {first}")


def readme_queries() -> list[str]:
    """The SQL blocks of the README's "Example queries" section, as written."""
    text = (PROJECT_DIR / "README.md").read_text()
    section = text.split("## Example queries", 1)[1].split("\n## ", 1)[0]
    return [block.split("```", 1)[0].strip() for block in section.split("```sql\n")[1:]]


def test_readme_queries_run_on_the_demo(engine: str, workspace_factory) -> None:
    workspace = demo_workspace(engine, workspace_factory)
    queries = readme_queries()
    assert len(queries) == 4, "the README's example queries moved: update this test"
    # Unqualified table names, as an analyst writes them: DuckDB's default schema is the
    # target's; on PostgreSQL the search path points at it, on Spark the current database.
    prefix = 'set search_path to "{schema}"; ' if engine == "postgres" else ""
    if engine == "spark":
        workspace.execute(f"use {workspace.target_schema}")
    by_day, by_landing_page, checkout, users = (workspace.query(prefix + q) for q in queries)
    [total] = workspace.query("select count(*) as sessions from {schema}.fct_sessions")
    assert sum(r["sessions"] for r in by_day) == total["sessions"]
    assert by_landing_page and all(0 <= r["bounce_rate"] <= 1 for r in by_landing_page)
    assert {r["step_index"] for r in checkout} == {1, 2, 3, 4}
    assert all(r["conversion_from_first_step"] == 1 for r in checkout if r["step_index"] == 1)
    assert any(r["step_index"] == 4 and r["entities"] > 0 for r in checkout), "nobody completed an order"
    assert users and all(r["sessions"] >= 1 for r in users)


def test_every_model_and_column_is_documented(engine: str, workspace_factory, tmp_path) -> None:
    """Every model has a description, and every column of every model as built (dbt's catalog,
    not just the properties) has one: dbt-coverage over `dbt docs generate`'s artifacts."""
    workspace = demo_workspace(engine, workspace_factory)
    workspace.dbt("docs", "generate")
    target = workspace.directory / "target"
    manifest = json.loads((target / "manifest.json").read_text())
    undocumented = sorted(n["name"] for n in manifest["nodes"].values() if n["resource_type"] == "model"
                          and n["package_name"] == "rudderstack_sessions" and not n["description"].strip())
    report = tmp_path / "coverage.json"
    subprocess.run([str(Path(sys.executable).with_name("dbt-coverage")), "compute", "doc",
                    "--project-dir", str(PROJECT_DIR), "--run-artifacts-dir", str(target),
                    "--model-path-filter", "models/",
                    # The raw RudderStack tables' columns are RudderStack's, not this project's.
                    "--model-path-exclusion-filter", "models/staging/rudderstack/_rudderstack__sources.yml",
                    "--cov-report", str(report)], check=True, capture_output=True, text=True)
    coverage = json.loads(report.read_text())
    assert len(coverage["tables"]) >= 20, [t["name"] for t in coverage["tables"]]
    undocumented += [f"{table['name']}.{column['name']}" for table in coverage["tables"]
                     for column in table["columns"] if not column["covered"]]
    assert not undocumented, f"undocumented: {undocumented}"
