"""The analyst marts against tests/analyst_reference.py, on generated data, on DuckDB and PostgreSQL.

Data: tools.generate (web, mobile and server actors, sign-ins, shared campaigns and
referrers). Sessions' attribution and identity columns must equal the reference; then
hypothesis draws sets of funnels (session and user scope, event-name and mapping steps,
repeated steps, windows) and each set is built in one dbt run and compared row for row.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import pytest

from tests import analyst_reference as reference
from tests.harness import Workspace, normalise

MAX_EXAMPLES = int(os.environ.get("HYPOTHESIS_FUNNEL_EXAMPLES", "2"))
# Spark: test_demo compares every column of these marts with DuckDB's and PostgreSQL's.
pytestmark = pytest.mark.engines("duckdb", "postgres")
SESSION_COLUMNS = (
    "session_user_id", "landing_page_path", "exit_page_path", "referrer", "referring_domain", *reference.UTM,
    "channel_group", "device_type", "os_name", "library_name", "library_version", "is_bounce", "is_engaged",
    "stitched_user_id", "user_session_number", "is_long_session", "has_automated_event_rate",
    "last_non_direct_session_id", "last_non_direct_channel_group", "last_non_direct_utm_source",
    "last_non_direct_utm_medium", "last_non_direct_utm_campaign", "last_non_direct_referring_domain",
)
EVENT_COLUMNS = (
    "event_id", "session_id", "actor_id", "anonymous_id", "user_id", "event_at", "event_type", "event_name",
    "page_path", "page_referrer", "page_referring_domain", *reference.UTM, "device_type", "os_name",
    "library_name", "library_version", "cohort", "event_number_in_session",
)
_built: dict[str, tuple[Workspace, str]] = {}


def built(engine: str, workspace_factory) -> tuple[Workspace, str]:
    """Generated data, built once per engine; returns the workspace and its raw schema."""
    if engine not in _built:
        from tools.generate import DuckDBWriter, FileWriter, Knobs, PostgresWriter, generate

        workspace = workspace_factory(engine, "analyst")
        knobs = Knobs(events=15_000, days=4, start=dt.date(2026, 3, 1), seed=23)
        raw = "generated_analyst"
        if engine == "duckdb":
            generate(knobs, DuckDBWriter(workspace.duckdb_path, raw), quiet=True)
        elif engine == "spark":
            generate(knobs, FileWriter(workspace.directory / raw, "parquet"), quiet=True)
            workspace.register_parquet(workspace.directory / raw, raw)
        else:
            generate(knobs, PostgresWriter(workspace.postgres.connect_kwargs(), raw), quiet=True)
        workspace.dbt("build", "--exclude-resource-type", "unit_test", vars={"rudderstack_schema": raw})
        _built[engine] = (workspace, raw)
    return _built[engine]


def rows(workspace: Workspace, sql: str) -> list[dict[str, Any]]:
    return [{k: normalise(v) for k, v in row.items()} for row in workspace.query(sql)]


def inputs(workspace: Workspace) -> tuple[list[dict], list[dict]]:
    events = rows(workspace, f"select {', '.join(EVENT_COLUMNS)} from {{schema}}.fct_events")
    identifies = rows(workspace, "select event_id, anonymous_id, user_id, identified_at"
                                 " from {internal}.stg_rudderstack__identifies")
    return events, identifies


def test_session_attribution_and_identity_match_the_reference(engine: str, workspace_factory) -> None:
    workspace, _ = built(engine, workspace_factory)
    events, identifies = inputs(workspace)
    expected = reference.sessions(events, identifies)
    actual = {
        r["session_id"]: {c: r[c] for c in SESSION_COLUMNS}
        for r in rows(workspace, f"select session_id, {', '.join(SESSION_COLUMNS)} from {{schema}}.fct_sessions")
    }
    wanted = {session_id: {c: s[c] for c in SESSION_COLUMNS} for session_id, s in expected.items()}
    differ = [(k, actual.get(k), wanted.get(k)) for k in sorted(set(actual) | set(wanted)) if actual.get(k) != wanted.get(k)]
    assert not differ, f"{len(differ)} sessions differ, e.g. {differ[:3]}"
    # The data exercises what the columns are for.
    assert {s["channel_group"] for s in wanted.values()} >= {"Direct", "Paid Search", "Email", "Social"}
    assert any(s["session_user_id"] is None and s["stitched_user_id"] for s in wanted.values())
    assert any(s["is_bounce"] for s in wanted.values()) and any(s["is_engaged"] for s in wanted.values())
    # Direct sessions credited to an earlier touch, and some left Direct.
    assert any(s["channel_group"] == "Direct" and s["last_non_direct_session_id"] for s in wanted.values())
    assert any(s["last_non_direct_channel_group"] == "Direct" for s in wanted.values())


@st.composite
def funnel_sets(draw: st.DrawFn, names: list[str], pages: list[str]) -> list[dict]:
    step = st.one_of(
        st.sampled_from(names),
        st.builds(lambda name: {"event_name": name, "name": f"did {name}"}, st.sampled_from(names)),
        st.builds(lambda path: {"event_type": "page", "page_path": path}, st.sampled_from(pages)),
    )
    # Two fixed funnels that the generated shop data takes past step 1 (hypothesis'
    # first examples are its simplest), then the drawn ones.
    funnels: list[dict[str, Any]] = [
        {"name": "shop_session", "scope": "session", "steps": ["Product Viewed", "Product Added", "Checkout Started"]},
        {"name": "shop_user", "scope": "user", "conversion_window_minutes": 1440,
         "steps": ["Product Viewed", "Order Completed", "Product Viewed"]},
    ]
    for number in range(draw(st.integers(2, 5))):
        funnel: dict[str, Any] = {
            "name": f"funnel_{number}",
            "scope": draw(st.sampled_from(["session", "user"])),
            "steps": draw(st.lists(step, min_size=1, max_size=4)),
        }
        window = draw(st.one_of(st.none(), st.integers(1, 60), st.integers(61, 4 * 24 * 60)))
        if window is not None:
            funnel["conversion_window_minutes"] = window
        funnels.append(funnel)
    return funnels


def test_funnels_match_the_reference(engine: str, workspace_factory) -> None:
    workspace, raw = built(engine, workspace_factory)
    events, identifies = inputs(workspace)
    sessions = reference.sessions(events, identifies)
    names = sorted({e["event_name"] for e in events if e["event_type"] == "track"})
    pages = sorted({e["page_path"] for e in events if e["event_type"] == "page" and e["page_path"]})
    checked = {"later_steps": 0}

    @settings(max_examples=MAX_EXAMPLES, deadline=None, phases=[Phase.generate], database=None,
              suppress_health_check=list(HealthCheck))
    @given(funnels=funnel_sets(names, pages))
    def check(funnels: list[dict]) -> None:
        workspace.dbt("build", "--select", "fct_funnel_steps", "fct_funnel_conversion",
                      "--exclude-resource-type", "unit_test", vars={"rudderstack_schema": raw, "rudderstack_funnels": funnels})
        expected = reference.funnel_steps(events, sessions, funnels)
        key = ("funnel_name", "entity_id", "step_index")
        actual = {tuple(r[k] for k in key): r for r in rows(workspace, "select * from {schema}.fct_funnel_steps")}
        wanted = {tuple(r[k] for k in key): r for r in expected}
        assert set(actual) == set(wanted), (
            f"steps only in the warehouse: {sorted(set(actual) - set(wanted))[:5]};"
            f" only in the reference: {sorted(set(wanted) - set(actual))[:5]}")
        for k, want in wanted.items():
            got = {c: actual[k][c] for c in want}
            assert got == {c: normalise(v) for c, v in want.items()}, f"{k}: warehouse {got} reference {want}"
        conversion = {
            (r["funnel_name"], r["split_by"], r["first_step_date"], r["cohort"], r["step_index"]): r
            for r in rows(workspace, "select * from {schema}.fct_funnel_conversion")
        }
        expected_conversion = reference.funnel_conversion(expected, funnels)
        assert set(conversion) == set(expected_conversion)
        for k, want in expected_conversion.items():
            got = {c: conversion[k][c] for c in want}
            assert got == {c: normalise(v) for c, v in want.items()}, f"{k}: warehouse {got} reference {want}"
        checked["later_steps"] += sum(1 for r in expected if r["step_index"] > 1)

    check()
    assert checked["later_steps"] > 0, "no funnel got past step 1: the examples tested nothing beyond it"
