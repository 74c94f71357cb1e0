"""Workspaces that differ from the standard layout still build, with the same sessions.

Missing tables and columns become typed NULLs; time columns typed as naive timestamps or
as text, and session ids typed as text, are read as RudderStack means them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.compare import assert_conserved, assert_matches_reference
from tests.harness import DbtFailed
from tests.reference import sessionize
from tests.strategies import datasets

# Web-only workspace (no screens, no identifies); an SDK too old for session-start flags;
# no load timestamps on tracks; pages without a channel.
DROPPED_TABLES = ("screens", "identifies")
DROPPED_COLUMNS = {
    "tracks": ["context_session_start", "uuid_ts"],
    "pages": ["context_session_start", "channel"],
}
# Naive UTC times on tracks; ISO-8601 text on pages (half with an offset); text session ids.
COLUMN_TYPES = {
    "tracks": {"timestamp": "timestamp", "received_at": "timestamp"},
    "pages": {"timestamp": "text", "context_session_id": "text"},
}
PLUS_TWO = dt.timezone(dt.timedelta(hours=2))


def as_stored(table: str, index: int, row: dict[str, Any]) -> dict[str, Any]:
    """The row as a warehouse with COLUMN_TYPES holds it (same instants, other types)."""
    stored = {k: v for k, v in row.items() if k not in DROPPED_COLUMNS.get(table, ())}
    for column, sql_type in COLUMN_TYPES.get(table, {}).items():
        value = stored.get(column)
        if isinstance(value, dt.datetime) and sql_type == "timestamp":
            stored[column] = value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
        elif isinstance(value, dt.datetime):
            stored[column] = value.astimezone(PLUS_TWO).isoformat() if index % 2 else (
                value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat())
    return stored


@settings(max_examples=1, deadline=None, phases=[Phase.generate], database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=datasets(max_actors=25))
def test_missing_tables_columns_and_other_types_build(engine: str, workspace, data) -> None:
    for table in DROPPED_TABLES:
        data.pop(table)
    stored = {t: [as_stored(t, i, row) for i, row in enumerate(rows)] for t, rows in data.items()}
    workspace.load_raw(stored, drop_columns=DROPPED_COLUMNS, column_types=COLUMN_TYPES)
    result = workspace.build_on_raw()
    assert "every row of it will be rejected" not in result.stdout

    seen_as = {t: [{**row, **{c: None for c in DROPPED_COLUMNS.get(t, ())}} for row in rows] for t, rows in data.items()}
    expected = sessionize(seen_as)
    assert_matches_reference(workspace, expected)
    assert_conserved(workspace, expected.raw_row_count)
    [screens] = workspace.query("select count(*) as n from {internal}.stg_rudderstack__screens")
    assert screens["n"] == 0


def test_a_table_without_ids_warns_and_rejects_its_rows(engine: str, workspace) -> None:
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    tracks = [{"id": f"t{i}", "anonymous_id": "a", "timestamp": at, "received_at": at, "channel": "web",
               "event_text": "Clicked"} for i in range(3)]
    pages = [{"id": "p1", "anonymous_id": "a", "timestamp": at, "received_at": at, "channel": "web", "name": "Home"}]
    workspace.load_raw({"tracks": tracks, "pages": pages}, drop_columns={"tracks": ["id"]})
    result = workspace.build_on_raw()
    assert "has no column id: every row of it will be rejected" in result.stdout
    rejected = workspace.query("select rejection_reason, count(*) as n from {internal}.state_rejected_rows group by 1")
    assert [(r["rejection_reason"], r["n"]) for r in rejected] == [("missing_event_id", 3)]
    assert [r["event_id"] for r in workspace.query("select event_id from {schema}.fct_events")] == ["p1"]


@pytest.mark.engines("duckdb", "postgres")  # Spark: same Jinja; see the drift test above
def test_a_schema_without_event_tables_fails_and_names_it(engine: str, workspace) -> None:
    """A rudderstack_schema with no tracks, pages or screens table (a typo, another
    source's schema) fails before anything is written, naming the schema and the var;
    it does not build empty marts."""
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    # Only an identifies table: no event table at all.
    workspace.load_raw({"identifies": [{"id": "i1", "anonymous_id": "a", "user_id": "u", "timestamp": at,
                                        "received_at": at, "channel": "web"}]})
    with pytest.raises(DbtFailed) as failed:
        workspace.build_on_raw()
    message = str(failed.value)
    assert f"schema {workspace.raw_schema} " in message, message
    assert "holds none of RudderStack's event tables (tracks, pages, screens)" in message, message
    assert "--vars '{rudderstack_schema: " in message, message
    written = workspace.built_columns().keys() & {"state_events", "state_identifies", "state_runs", "fct_sessions"}
    assert written == set(), written


@pytest.mark.engines("duckdb", "postgres")  # Spark: same Jinja, same introspection
def test_a_passthrough_column_no_table_holds_warns(engine: str, workspace) -> None:
    """A passthrough column that no event table holds (a misspelt trait) is NULL on every
    event: the build says so, naming it, and goes on."""
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    workspace.load_raw({"tracks": [{"id": "t1", "anonymous_id": "a", "timestamp": at, "received_at": at,
                                    "channel": "web", "event_text": "Clicked", "context_traits_user_type": "buyer"}]})
    result = workspace.build_on_raw({"event_passthrough_columns": ["context_traits_user_type", "context_traits_usr_type"]})
    assert "event_passthrough_columns names context_traits_usr_type, which none of" in result.stdout, result.stdout
    assert "names context_traits_user_type," not in result.stdout
    rows = workspace.query("select event_id, context_traits_user_type, context_traits_usr_type"
                           " from {schema}.fct_events_passthrough")
    assert rows == [{"event_id": "t1", "context_traits_user_type": "buyer", "context_traits_usr_type": None}]
