"""Incremental runs equal a full refresh: same rows, same session ids, same everything.

Raw data is cut into batches by arrival (received_at), so late events and redelivered
duplicates cross batch boundaries; each batch is loaded (uuid_ts: its load time) and
followed by an incremental `dbt build`. Then: a run with no new data changes nothing, and
a --full-refresh gives the same tables. Random splits, lookbacks and data per example.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.compare import assert_matches_reference, assert_same_tables, snapshot
from tests.conftest import examples
from tests.harness import DbtFailed
from tests.reference import sessionize
from tests.strategies import CONVERSION_TABLES, CONVERSIONS, conversion_tables, datasets

MAX_EXAMPLES = int(os.environ.get("HYPOTHESIS_INCREMENTAL_EXAMPLES", "3"))
PASSTHROUGH = {"event_passthrough_columns": ["context_traits_user_type"]}
# Conversions with values in per-event tables (tests/strategies.py), loaded with their events.
CONVERSION_VARS = {"rudderstack_conversions": CONVERSIONS}
CONVERSION_COLUMN_TYPES = {table: columns for table, columns in CONVERSION_TABLES.values()}


@st.composite
def datasets_with_conversions(draw: st.DrawFn, max_actors: int,
                              cap_hours: float | None = None) -> dict[str, list[dict[str, Any]]]:
    data = draw(datasets(max_actors=max_actors, cap_hours=cap_hours))
    return {**data, **draw(conversion_tables(data))}

Tables = dict[str, list[dict[str, Any]]]


def split_by_arrival(data: Tables, cuts: list[float], unreceived_batch: list[int],
                     backdate: dt.timedelta = dt.timedelta(0)) -> list[Tables]:
    """Batches of rows by received_at quantile; rows without received_at go where drawn.

    The loader commits continuously: a row's uuid_ts is 7 minutes after it was received
    (its batch's load time when it has no received_at). With `backdate`, one row of each
    later batch is stamped before the previous load committed, as concurrent loads do:
    a lookback longer than `backdate` must pick it up.
    """
    received = sorted(row["received_at"] for rows in data.values() for row in rows if row["received_at"])
    bounds = sorted({received[min(int(c * len(received)), len(received) - 1)] for c in cuts}) + [received[-1]]
    batches: list[Tables] = [{table: [] for table in data} for _ in bounds]
    unplaced = iter(unreceived_batch)
    for table, rows in data.items():
        for row in rows:
            if row["received_at"] is None:
                index = next(unplaced, len(bounds) - 1) % len(bounds)
            else:
                index = next(i for i, bound in enumerate(bounds) if row["received_at"] <= bound)
            batches[index][table].append(row)
    load_time = received[0]
    for index, batch in enumerate(batches):
        previous_load, load_time = load_time, max(load_time, bounds[index]) + dt.timedelta(minutes=7)
        stamped_early = False
        for rows in batch.values():
            for row in rows:
                # The loader commits continuously: a row is stamped 7 minutes after it was received.
                row["uuid_ts"] = (row["received_at"] or load_time - dt.timedelta(minutes=7)) + dt.timedelta(minutes=7)
                # One row per later load stamped before the previous load committed, within the lookback.
                if index and backdate and not stamped_early:
                    row["uuid_ts"], stamped_early = previous_load - backdate, True
    return batches


# Sessions cut at var max_session_duration_hours: off (the default), and one hour (its
# cuts move with late events, as the derived sessions they cut do).
CAPS = [None, 1]


@pytest.mark.parametrize("cap", CAPS, ids=["no_cap", "cap_1h"])
def test_incremental_runs_equal_a_full_refresh(engine: str, workspace_factory, cap: float | None) -> None:
    workspace = workspace_factory(engine, "incremental")  # reused by every example
    models = ("fct_events", "fct_sessions", "state_rejected_rows", "fct_events_passthrough", "fct_conversions")

    @settings(max_examples=examples(engine, MAX_EXAMPLES), deadline=None, phases=[Phase.generate], database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(
        # With the cap, actors whose sessions outlast it too: some session is cut in every example.
        data=datasets_with_conversions(max_actors=30, cap_hours=cap),
        cuts=st.lists(st.floats(min_value=0.05, max_value=0.95), min_size=1, max_size=3),
        unreceived_batch=st.lists(st.integers(0, 3), max_size=20),
        lookback=st.sampled_from([0, 30, 180]),
    )
    def example(data, cuts, unreceived_batch, lookback) -> None:
        batches = split_by_arrival(data, cuts, unreceived_batch, dt.timedelta(minutes=lookback / 2))
        vars = {**PASSTHROUGH, **CONVERSION_VARS, "rudderstack_lookback_minutes": lookback,
                **({} if cap is None else {"max_session_duration_hours": cap})}
        for index, batch in enumerate(batches):
            workspace.load_raw(batch, append=index > 0, column_types=CONVERSION_COLUMN_TYPES)
            # The workspace is reused across examples: its first build starts from scratch.
            workspace.build_on_raw(vars, *(["--full-refresh"] if index == 0 else []))
        incremental = snapshot(workspace, models)
        # Spark writes an incremental run's heavy CTEs as stage tables (macros/cross_db/spark_stages.sql),
        # and none may outlive the run.
        if engine == "spark" and len(batches) > 1:
            assert "__stage_final using parquet as" in (workspace.directory / "logs" / "dbt.log").read_text()
        assert [name for name in workspace.built_columns() if "__stage_" in name] == []

        workspace.build_on_raw(vars)
        assert_same_tables(snapshot(workspace, models), incremental, "a run with no new data")

        workspace.build_on_raw(vars, "--full-refresh")
        assert_same_tables(incremental, snapshot(workspace, models), "incremental runs vs --full-refresh")
        expected = sessionize(data, max_session_duration_hours=cap)
        if cap is not None:
            assert expected.sessions != sessionize(data).sessions, "no session was cut: the cap went untested"
        assert_matches_reference(workspace, expected)

    example()


def _event(event_id: str, at: dt.datetime, received: dt.datetime, loaded: dt.datetime) -> dict[str, Any]:
    return {"id": event_id, "anonymous_id": "late-device", "timestamp": at, "received_at": received,
            "uuid_ts": loaded, "channel": "server", "event_text": "Ping"}


def test_rows_behind_the_lookback_fail_the_run(engine: str, workspace) -> None:
    """A row stamped older than the cutoff but loaded after the last run must not be skipped silently."""
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)
    workspace.load_raw({"tracks": [_event("e1", start, start, start + dt.timedelta(hours=6))]})
    workspace.build_on_raw({"rudderstack_lookback_minutes": 60})
    # Loaded now, but its uuid_ts says five hours before the last load: behind a 60-minute lookback.
    straggler = _event("e2", start + dt.timedelta(minutes=10), start, start + dt.timedelta(hours=1))
    workspace.load_raw({"tracks": [straggler]}, append=True)
    with pytest.raises(DbtFailed, match="arrived .* at or before the incremental cutoff"):
        workspace.build_on_raw({"rudderstack_lookback_minutes": 60})
    # A lookback that reaches it repairs the run: the straggler joins e1's session.
    workspace.build_on_raw({"rudderstack_lookback_minutes": 600})
    sessions = workspace.query("select event_count from {schema}.fct_sessions")
    assert [s["event_count"] for s in sessions] == [2]


@pytest.mark.engines("duckdb", "postgres")  # Spark's Parquet raw tables cannot delete a row
def test_raw_rows_deleted_behind_the_cutoff_fail_the_run(engine: str, workspace) -> None:
    """A raw row deleted after it was read, behind the cutoff, must not leave its event stored silently:
    checked from the previous run's counts (same lookback) and by counting the state (another lookback)."""
    start = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)
    hour = dt.timedelta(hours=1)
    workspace.load_raw({"tracks": [_event("e1", start, start, start), _event("e2", start, start, start + hour)]})
    workspace.build_on_raw({"rudderstack_lookback_minutes": 60})
    workspace.load_raw({"tracks": [_event("e3", start + 5 * hour, start + 5 * hour, start + 5 * hour)]},
                       append=True)
    workspace.execute("delete from \"{raw}\".tracks where id = 'e1'")
    for lookback in (60, 30):
        with pytest.raises(DbtFailed, match=r"raw minus read: tracks, pages and screens -1\)"):
            workspace.build_on_raw({"rudderstack_lookback_minutes": lookback})
    workspace.build_on_raw({"rudderstack_lookback_minutes": 60}, "--full-refresh")
    events = workspace.query("select event_id from {schema}.fct_events order by event_id")
    assert [e["event_id"] for e in events] == ["e2", "e3"]


@pytest.mark.engines("duckdb", "postgres")  # Spark: the hypothesis splits above cover it
def test_daily_loads_of_generated_data_equal_a_full_refresh(engine: str, workspace) -> None:
    """Realistic data from tools.generate, loaded one day of uuid_ts at a time (late mobile
    sessions, redeliveries and identifies arrive on later days than their events)."""
    from tools.generate import DuckDBWriter, Knobs, PostgresWriter, generate
    from tools.rudderstack_tables import TABLES

    knobs = Knobs(events=20_000, days=5, start=dt.date(2026, 2, 1), late_rate=0.2, invalid_rate=0.002, seed=11)
    generated = f"gen_{workspace.raw_schema}"
    if engine == "duckdb":
        generate(knobs, DuckDBWriter(workspace.duckdb_path, generated), quiet=True)
    else:
        generate(knobs, PostgresWriter(workspace.postgres.connect_kwargs(), generated), quiet=True)
    workspace.execute('drop schema if exists "{raw}" cascade')
    workspace.execute('create schema "{raw}"')
    for table in TABLES:
        workspace.execute(f'create table "{{raw}}"."{table}" as select * from "{generated}"."{table}" where 1 = 0')

    day = dt.datetime.combine(knobs.start, dt.time(), dt.timezone.utc)
    models = ("fct_events", "fct_sessions", "state_rejected_rows")
    for number in range(knobs.days + 4):  # late rows arrive up to three days after the last event day
        end = day + dt.timedelta(days=number + 1)
        for table in TABLES:
            workspace.execute(
                f'insert into "{{raw}}"."{table}" select * from "{generated}"."{table}"'
                f" where uuid_ts >= timestamptz '{end - dt.timedelta(days=1)}' and uuid_ts < timestamptz '{end}'"
                + (" or uuid_ts < timestamptz '{0}'".format(end) if number == 0 else "")
            )
        workspace.build_on_raw(None, *(["--full-refresh"] if number == 0 else []))
    incremental = snapshot(workspace, models)
    [counts] = workspace.query("select count(*) as events, sum(duplicate_row_count) as duplicates from {schema}.fct_events")
    assert counts["events"] > 15_000 and counts["duplicates"] > 0

    workspace.build_on_raw(None, "--full-refresh")
    assert_same_tables(incremental, snapshot(workspace, models), "daily incremental runs vs --full-refresh")
