"""Compare a built workspace with the reference, actor by actor, with readable diffs."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from tests.harness import Workspace, normalise
from tests.reference import Result

EVENT_COLUMNS = (
    "event_id", "session_id", "actor_id", "anonymous_id", "user_id", "event_at", "event_type",
    "event_name", "channel", "cohort", "session_source", "sdk_session_id", "is_sdk_session_start",
    "event_number_in_session", "duplicate_row_count",
)
SESSION_COLUMNS = (
    "session_id", "actor_id", "anonymous_id", "session_source", "sdk_session_id", "cohort", "channel",
    "session_started_at", "session_ended_at", "duration_seconds", "event_count", "track_count",
    "page_count", "screen_count", "session_start_flag_count", "has_session_start_flag",
    "is_first_event_session_start",
)


def warehouse_events(workspace: Workspace) -> dict[str, dict[str, Any]]:
    rows = workspace.query(f"select {', '.join(EVENT_COLUMNS)} from {{schema}}.fct_events")
    return {r["event_id"]: {k: normalise(v) for k, v in r.items()} for r in rows}


def warehouse_sessions(workspace: Workspace) -> dict[str, dict[str, Any]]:
    rows = workspace.query(f"select {', '.join(SESSION_COLUMNS)} from {{schema}}.fct_sessions")
    return {r["session_id"]: {k: normalise(v) for k, v in r.items()} for r in rows}


def expected_events(result: Result) -> dict[str, dict[str, Any]]:
    return {
        e.event_id: {c: normalise(getattr(e, c)) for c in EVENT_COLUMNS} for e in result.events.values()
    }


def expected_sessions(result: Result) -> dict[str, dict[str, Any]]:
    return {
        s.session_id: {c: normalise(getattr(s, c)) for c in SESSION_COLUMNS} for s in result.sessions.values()
    }


def _diff_by_actor(name: str, actual: dict[str, dict[str, Any]], expected: dict[str, dict[str, Any]]) -> list[str]:
    problems: dict[str, list[str]] = defaultdict(list)
    for key in sorted(set(actual) | set(expected)):
        got, want = actual.get(key), expected.get(key)
        if got != want:
            actor = (got or want or {}).get("actor_id")
            problems[str(actor)].append(f"  {name} {key}:\n    warehouse {got}\n    reference {want}")
    lines = []
    for actor, entries in sorted(problems.items(), key=lambda item: len(item[1]))[:3]:
        lines.append(f"actor {actor} ({len(entries)} {name} rows differ):")
        lines.extend(entries[:6])
    if problems:
        lines.insert(0, f"{name}: {sum(len(v) for v in problems.values())} rows differ over {len(problems)} actors")
    return lines


def assert_matches_reference(workspace: Workspace, result: Result) -> None:
    """fct_events, fct_sessions and the rejected rows equal the reference, row for row."""
    problems = _diff_by_actor("event", warehouse_events(workspace), expected_events(result))
    problems += _diff_by_actor("session", warehouse_sessions(workspace), expected_sessions(result))
    rejected = Counter(
        (r["rejection_reason"], r["event_id"])
        for r in workspace.query("select rejection_reason, event_id from {internal}.state_rejected_rows")
    )
    if rejected != Counter(result.rejected):
        problems.append(f"rejected rows: warehouse {sorted(rejected.items(), key=str)}\n"
                        f"               reference {sorted(Counter(result.rejected).items(), key=str)}")
    assert not problems, "\n".join(problems)


def assert_conserved(workspace: Workspace, raw_row_count: int) -> None:
    """Raw activity rows = events + discarded duplicates + rejected rows."""
    [counts] = workspace.query(
        "select (select count(*) from {schema}.fct_events) as events,"
        " (select coalesce(sum(duplicate_row_count), 0) from {schema}.fct_events) as duplicates,"
        " (select count(*) from {internal}.state_rejected_rows) as rejected"
    )
    accounted = counts["events"] + counts["duplicates"] + counts["rejected"]
    assert accounted == raw_row_count, f"{counts} add up to {accounted}, raw tables hold {raw_row_count}"


def snapshot(workspace: Workspace, models: tuple[str, ...] = ("fct_events", "fct_sessions", "state_rejected_rows")) -> dict[str, list[tuple]]:
    """Every column of every row of the models, normalised and sorted: equal snapshots are equal tables."""
    tables = {}
    for model in models:
        rows = workspace.query(f"select * from {workspace.relation(model)}")
        tables[model] = sorted(
            (tuple(sorted((k, normalise(v)) for k, v in row.items())) for row in rows), key=repr
        )
    return tables


def assert_same_tables(actual: dict[str, list[tuple]], expected: dict[str, list[tuple]], what: str) -> None:
    for model, rows in expected.items():
        got = actual[model]
        if got != rows:
            missing = [r for r in rows if r not in got][:3]
            extra = [r for r in got if r not in rows][:3]
            raise AssertionError(
                f"{what}: {model} differs ({len(got)} rows vs {len(rows)} expected)\n"
                f"  expected but absent: {missing}\n  present but unexpected: {extra}"
            )
