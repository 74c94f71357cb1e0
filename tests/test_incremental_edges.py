"""Arrival orders that random data rarely produces, each a separate actor in one dataset.

Incremental runs (lookback 0: nothing is read twice) must equal a --full-refresh; so must
a run that resumes after an earlier one stopped between state_events and state_sessions, and
the selection the README recommends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.compare import assert_same_tables, snapshot
from tests.harness import DbtFailed

T = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)
MODELS = ("fct_events", "fct_sessions", "state_rejected_rows", "dim_users", "dim_actor_users")
NO_LOOKBACK = {"rudderstack_lookback_minutes": 0}


def minutes(value: float) -> dt.timedelta:
    return dt.timedelta(minutes=value)


def event(actor: str, name: str, at: float, received: float | None, loaded: float,
          channel: str = "web", sid: int | None = None) -> dict[str, Any]:
    return {"id": f"{actor}-{name}", "anonymous_id": actor, "user_id": None, "timestamp": T + minutes(at),
            "received_at": None if received is None else T + minutes(received), "uuid_ts": T + minutes(loaded),
            "channel": channel, "event_text": "Ping", "context_session_id": sid, "context_session_start": None}


# Per actor (its scenario), the tracks of load 1 and of load 2 (every row of load 2 is
# stamped after every row of load 1: with no lookback, nothing is missed).
SCENARIOS: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {
    # e2 continues e1's derived session but is loaded later.
    "late-event-in-open-session": (
        [event("late-event-in-open-session", "e1", 0, 0, 1)],
        [event("late-event-in-open-session", "e2", 10, 61, 62)],
    ),
    # A retry moves e1 from the first session past the start of the second: the first loses it.
    "retry-moves-event": (
        [event("retry-moves-event", "e0", 0, 0, 1), event("retry-moves-event", "e1", 10, 10, 11),
         event("retry-moves-event", "e2", 60, 60, 61)],
        [event("retry-moves-event", "e1", 70, 120, 121)],
    ),
    # e1 (mobile, 5 min) starts a session 10 min after e0. A web event at the same instant that
    # sorts before it arrives later: it (10 <= 30 min) and then e1 join e0's session.
    "same-instant-other-cohort": (
        [event("same-instant-other-cohort", "e0", 0, 0, 1),
         event("same-instant-other-cohort", "e1", 10, 10, 11, channel="mobile")],
        [event("same-instant-other-cohort", "A1", 10, 120, 121)],
    ),
    # A corrupt copy (no received_at) loaded after the good one must not replace it.
    "corrupt-copy-later": (
        [event("corrupt-copy-later", "e1", 0, 0, 1)],
        [event("corrupt-copy-later", "e1", 0, None, 121), event("corrupt-copy-later", "e2", 200, 200, 201)],
    ),
    # The identify flagging SDK session 1 is loaded after all of that session's events.
    "identify-after-session": (
        [event("identify-after-session", "e1", 0, 0, 1, sid=1)],
        [event("identify-after-session", "e2", 200, 200, 201, sid=2)],
    ),
}
LATE_IDENTIFY = {"id": "identify-after-session-i1", "anonymous_id": "identify-after-session", "user_id": None,
                 "timestamp": T, "received_at": T + minutes(150), "uuid_ts": T + minutes(201), "channel": "web",
                 "context_session_id": 1, "context_session_start": True}
# A sign-in loaded later stitches the earlier anonymous session to the user (fct_sessions,
# dim_users): a stored session's stitched user changes without any of its events arriving.
LATE_SIGN_IN = {"id": "late-sign-in-i1", "anonymous_id": "late-event-in-open-session", "user_id": "user-9",
                "timestamp": T + minutes(100), "received_at": T + minutes(100), "uuid_ts": T + minutes(101),
                "channel": "web", "context_session_id": None, "context_session_start": None}


def load(number: int) -> dict[str, list[dict[str, Any]]]:
    return {"tracks": [row for rows in SCENARIOS.values() for row in rows[number]], "pages": [], "screens": [],
            "identifies": [LATE_IDENTIFY, LATE_SIGN_IN] if number else []}


def test_edge_arrival_orders_equal_a_full_refresh(engine: str, workspace) -> None:
    workspace.load_raw(load(0))
    workspace.build_on_raw(NO_LOOKBACK)
    workspace.load_raw(load(1), append=True)
    workspace.build_on_raw(NO_LOOKBACK)
    incremental = snapshot(workspace, MODELS)
    workspace.build_on_raw(NO_LOOKBACK, "--full-refresh")
    assert_same_tables(snapshot(workspace, MODELS), incremental, "edge arrival orders: incremental vs --full-refresh")


@pytest.mark.engines("duckdb", "postgres")  # Spark: the edge orders above cover its partition rewrites
def test_the_recommended_selection_runs_incrementally(engine: str, workspace) -> None:
    """`dbt build --selector rudderstack_sessions` (the README's, and the partial-run error's) holds
    every state model: its second run is incremental (int_events_arrived holds the window),
    not a silent full rebuild, and still equals a --full-refresh."""
    workspace.load_raw(load(0))
    workspace.build_on_raw(NO_LOOKBACK, "--selector", "rudderstack_sessions")
    workspace.load_raw(load(1), append=True)
    workspace.build_on_raw(NO_LOOKBACK, "--selector", "rudderstack_sessions")
    [window] = workspace.query("select count(*) as row_count from {internal}.int_events_arrived")
    assert window["row_count"] == len(load(1)["tracks"])
    incremental = snapshot(workspace, ("fct_events", "fct_sessions", "state_rejected_rows"))
    workspace.build_on_raw(NO_LOOKBACK, "--selector", "rudderstack_sessions", "--full-refresh")
    assert_same_tables(snapshot(workspace, ("fct_events", "fct_sessions", "state_rejected_rows")), incremental,
                       "--selector rudderstack_sessions: incremental vs --full-refresh")
    [stitched] = workspace.query(
        "select count(*) as row_count from {schema}.fct_sessions where stitched_user_id = 'user-9'")
    assert stitched["row_count"] == 1


@pytest.mark.engines("duckdb", "postgres")  # Spark: the edge orders above cover its partition rewrites
def test_a_run_stopped_before_state_sessions_is_repaired_by_the_next(engine: str, workspace) -> None:
    """state_events is written, state_sessions is not (a failed test, a killed process): what
    it would have used stays, so the next run still rebuilds the session e1 left."""
    workspace.load_raw(load(0))
    workspace.build_on_raw(NO_LOOKBACK)
    workspace.load_raw(load(1), append=True)
    with pytest.raises(DbtFailed, match="must rebuild every sessionization model together"):
        workspace.build_on_raw(NO_LOOKBACK, "--exclude", "state_sessions+")
    workspace.build_on_raw({**NO_LOOKBACK, "rudderstack_allow_partial_runs": True}, "--exclude", "state_sessions+")
    workspace.build_on_raw(NO_LOOKBACK)
    resumed = snapshot(workspace, MODELS)
    workspace.build_on_raw(NO_LOOKBACK, "--full-refresh")
    assert_same_tables(snapshot(workspace, MODELS), resumed, "resumed run vs --full-refresh")


@pytest.mark.engines("duckdb", "postgres")  # Spark: the edge orders above cover its partition rewrites
def test_a_loader_that_replaces_rows_in_place(engine: str, workspace) -> None:
    """PostgreSQL, Snowflake and Redshift loads often replace a row by id instead of
    appending a duplicate: the new delivery must win and leave no duplicate count behind."""
    actor = "replaced"
    workspace.load_raw({"tracks": [event(actor, "e1", 0, 0, 1), event(actor, "e2", 5, 5, 6)]})
    workspace.build_on_raw(NO_LOOKBACK)
    workspace.load_raw({"tracks": [event(actor, "e3", 300, 300, 301)]}, append=True)
    workspace.build_on_raw(NO_LOOKBACK)
    # The loader replaces e1 (loaded before the cutoff) by its retry, which moves it.
    workspace.execute(f"delete from \"{{raw}}\".tracks where id = '{actor}-e1'")
    workspace.load_raw({"tracks": [event(actor, "e1", 290, 400, 401)]}, append=True)
    workspace.build_on_raw(NO_LOOKBACK)
    incremental = snapshot(workspace, MODELS)
    workspace.build_on_raw(NO_LOOKBACK, "--full-refresh")
    assert_same_tables(snapshot(workspace, MODELS), incremental, "replaced in place: incremental vs --full-refresh")
    [row] = workspace.query("select duplicate_row_count from {schema}.fct_events where event_id = 'replaced-e1'")
    assert row["duplicate_row_count"] == 0


@pytest.mark.engines("postgres")
def test_the_raw_table_indexes_serve_an_incremental_run(engine: str, workspace) -> None:
    """`dbt run-operation rudderstack_create_raw_indexes` (README, Incremental runs) indexes
    the raw tables; an incremental run then reads its window through them, and still ends
    where a --full-refresh does."""
    workspace.load_raw(load(0))
    workspace.dbt("run-operation", "rudderstack_create_raw_indexes", vars={"rudderstack_schema": workspace.raw_schema})
    indexes = {r["indexname"] for r in workspace.query(
        f"select indexname from pg_indexes where schemaname = '{workspace.raw_schema}'")}
    assert {"tracks_rudderstack_uuid_ts", "tracks_rudderstack_received_at", "tracks_rudderstack_raw_id",
            "identifies_rudderstack_uuid_ts"} <= indexes, indexes
    workspace.build_on_raw(NO_LOOKBACK)
    workspace.load_raw(load(1), append=True)
    workspace.build_on_raw(NO_LOOKBACK)
    # The window's scan of the raw tracks, planned as the run plans it: through the index.
    sql = (workspace.directory / "target" / "compiled" / "rudderstack_sessions" / "models" / "intermediate"
           / "sessionization" / "int_events_arrived.sql").read_text()
    workspace.execute(f'analyze "{workspace.raw_schema}".tracks')
    plan = "\n".join(r["QUERY PLAN"] for r in workspace.query(
        "set enable_seqscan = off; explain " + sql.split("with tracks as (", 1)[1].split("),\n\npages as", 1)[0]))
    assert "tracks_rudderstack_uuid_ts" in plan, plan
    incremental = snapshot(workspace, MODELS)
    workspace.build_on_raw(NO_LOOKBACK, "--full-refresh")
    assert_same_tables(snapshot(workspace, MODELS), incremental, "indexed raw tables: incremental vs --full-refresh")


@pytest.mark.engines("duckdb", "postgres")  # Spark: the edge orders above re-stitch a late sign-in too
def test_a_sign_in_rewrites_only_the_sessions_it_stitches(engine: str, workspace) -> None:
    """A sign-in loaded later (an identify call and nothing else) re-stitches the sessions of
    its anonymous id and renumbers its user's sessions; the run writes no other session,
    rebuilds no other anonymous id's identity runs and rewrites no event (README,
    Incremental runs), and still ends where a --full-refresh does."""
    def track(actor: str, name: str, at: float, user: str | None = None) -> dict[str, Any]:
        row = event(actor, name, at, at, at + 1)
        return {**row, "anonymous_id": None if actor.startswith("user") else actor, "user_id": user}

    first = {"tracks": [
        # Two visits of a device that signs in later as user-1, who also has a server-side session.
        track("device-1", "v1", 0), track("device-1", "v2", 120),
        track("user-1", "s1", 60, user="user-1"),
        # Another signed-in device, and an anonymous one: nothing of theirs changes.
        track("device-2", "v1", 10), track("device-2", "v2", 15, user="user-2"), track("device-2", "v3", 200),
        track("device-3", "v1", 30), track("device-3", "v2", 300),
    ], "pages": [], "screens": [], "identifies": []}
    sign_in = {"id": "device-1-sign-in", "anonymous_id": "device-1", "user_id": "user-1", "timestamp": T + minutes(400),
               "received_at": T + minutes(400), "uuid_ts": T + minutes(401), "channel": "web",
               "context_session_id": None, "context_session_start": None}
    workspace.load_raw(first)
    workspace.build_on_raw(NO_LOOKBACK)
    workspace.load_raw({"tracks": [], "pages": [], "screens": [], "identifies": [sign_in]}, append=True)
    workspace.build_on_raw(NO_LOOKBACK)

    [run] = workspace.query("select max(run_number) as run_number from {internal}.state_runs")
    written = f"written_in_run = {run['run_number']}"
    assert workspace.query(f"select event_id from {{internal}}.state_events where {written}") == []
    identity = workspace.query(f"select distinct anonymous_id from {{internal}}.state_identity_runs where {written}")
    assert [row["anonymous_id"] for row in identity] == ["device-1"]
    sessions = workspace.query(
        f"select actor_id, stitched_user_id, user_session_number from {{internal}}.state_sessions where {written}"
        " order by user_session_number")
    # device-1's two sessions join user-1's, before and after the server-side one: all three renumbered.
    assert sessions == [
        {"actor_id": "device-1", "stitched_user_id": "user-1", "user_session_number": 1},
        {"actor_id": "user-1", "stitched_user_id": "user-1", "user_session_number": 2},
        {"actor_id": "device-1", "stitched_user_id": "user-1", "user_session_number": 3},
    ]
    incremental = snapshot(workspace, MODELS)
    workspace.build_on_raw(NO_LOOKBACK, "--full-refresh")
    assert_same_tables(snapshot(workspace, MODELS), incremental, "late sign-in: incremental vs --full-refresh")


@pytest.mark.engines("duckdb", "postgres")  # Spark: the hypothesis splits with the cap cover its rewrites
def test_late_events_in_sessions_cut_at_the_cap_equal_a_full_refresh(engine: str, workspace) -> None:
    """With max_session_duration_hours, a stored session's later pieces start with an event
    numbered 1 that starts no uncut session: a late event after one must rebuild the session
    from its uncut start (docs/sessionization.md, "Which sessions a run rebuilds"), or the
    run would cut from the piece's start and give other sessions and ids."""
    cap = {**NO_LOOKBACK, "max_session_duration_hours": 1}
    first = [
        # Derived, 30-minute timeout: pieces 0 (0, 30 and 60 minutes: exactly the cap) and 1 (61).
        event("after-cut", "e1", 0, 0, 1), event("after-cut", "e2", 30, 30, 31),
        event("after-cut", "e3", 60, 60, 61), event("after-cut", "e4", 61, 61, 62),
        # A late event before the start moves the start, and every cut with it.
        event("start-moves", "e1", 0, 0, 1), event("start-moves", "e2", 30, 30, 31),
        event("start-moves", "e3", 55, 55, 56), event("start-moves", "e4", 62, 62, 63),
        # SDK session: pieces 0 and 1.
        event("sdk-cut", "e1", 0, 0, 1, sid=7), event("sdk-cut", "e2", 90, 90, 91, sid=7),
    ]
    later = [
        event("after-cut", "e5", 80, 200, 201),
        event("start-moves", "e0", -20, 200, 201),
        event("sdk-cut", "e3", 100, 200, 201, sid=7),
    ]
    workspace.load_raw({"tracks": first, "pages": [], "screens": []})
    workspace.build_on_raw(cap)
    workspace.load_raw({"tracks": later, "pages": [], "screens": []}, append=True)
    workspace.build_on_raw(cap)
    incremental = snapshot(workspace, MODELS)
    sessions = workspace.query(
        "select actor_id, count(*) as sessions from {schema}.fct_sessions group by actor_id order by actor_id")
    assert sessions == [{"actor_id": "after-cut", "sessions": 2}, {"actor_id": "sdk-cut", "sessions": 2},
                        {"actor_id": "start-moves", "sessions": 2}], sessions
    workspace.build_on_raw(cap, "--full-refresh")
    assert_same_tables(snapshot(workspace, MODELS), incremental, "sessions cut at the cap: incremental vs --full-refresh")
