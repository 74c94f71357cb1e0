"""A workspace without some tables or columns still builds, with typed NULLs in their place."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, Phase, given, settings

from tests.compare import assert_conserved, assert_matches_reference
from tests.reference import sessionize
from tests.strategies import datasets

# Web-only workspace: no screens table; an SDK too old for session-start flags; no load
# timestamps on tracks; pages without a channel. (No identifies table in any generated set.)
DROPPED_COLUMNS = {
    "tracks": ["context_session_start", "uuid_ts"],
    "pages": ["context_session_start", "channel"],
}


@settings(max_examples=1, deadline=None, phases=[Phase.generate], database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=datasets(max_actors=25))
def test_missing_tables_and_columns_build(engine: str, workspace, data) -> None:
    data.pop("screens")
    for table, columns in DROPPED_COLUMNS.items():
        data[table] = [{k: v for k, v in row.items() if k not in columns} for row in data[table]]
    workspace.load_raw(data, drop_columns=DROPPED_COLUMNS)
    result = workspace.build_on_raw()
    assert "every row of it will be rejected" not in result.stdout

    expected = sessionize({t: [{"channel": None, **row} for row in rows] for t, rows in data.items()})
    assert_matches_reference(workspace, expected)
    assert_conserved(workspace, expected.raw_row_count)
    flags = workspace.query(
        "select distinct has_session_start_flag from {schema}.fct_sessions where session_source = 'sdk'"
    )
    assert {r["has_session_start_flag"] for r in flags} <= {False}
    [screens] = workspace.query("select count(*) as n from {schema}.stg_rudderstack__screens")
    assert screens["n"] == 0


def test_a_table_without_ids_warns_and_rejects_its_rows(engine: str, workspace) -> None:
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    tracks = [{"id": f"t{i}", "anonymous_id": "a", "timestamp": at, "received_at": at, "channel": "web",
               "event_text": "Clicked"} for i in range(3)]
    pages = [{"id": "p1", "anonymous_id": "a", "timestamp": at, "received_at": at, "channel": "web", "name": "Home"}]
    workspace.load_raw({"tracks": tracks, "pages": pages}, drop_columns={"tracks": ["id"]})
    result = workspace.build_on_raw()
    assert "has no column id: every row of it will be rejected" in result.stdout
    rejected = workspace.query("select rejection_reason, count(*) as n from {schema}.int_events_rejected group by 1")
    assert [(r["rejection_reason"], r["n"]) for r in rejected] == [("missing_event_id", 3)]
    assert [r["event_id"] for r in workspace.query("select event_id from {schema}.fct_events")] == ["p1"]
