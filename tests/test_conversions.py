"""Conversions and their value (var rudderstack_conversions) against tests/analyst_reference.py.

Hypothesis streams (tests/strategies.py) whose tracks named 'Order Completed' and 'Cart'
also land in a per-event table, as RudderStack writes them: `order_completed` (found by
the event's snake_case name; revenue numeric, a currency), `cart_viewed` (named by the
var's `table:`; its value stored as text, numbers and not, and no currency column), and
'Home' with no table at all. Some deliveries have no row there, redeliveries carry values
of their own. fct_conversions and fct_sessions' conversion and last-non-direct columns
must equal the reference on every engine.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests import analyst_reference as reference
from tests.harness import PROJECT_DIR, Workspace, normalise
from tests.strategies import CONVERSION_TABLES, CONVERSIONS, conversion_tables, datasets

CONVERSION_COLUMNS = ("conversion_name", "event_at", "session_id", "actor_id", "user_id", "value", "currency",
                      *reference.CONVERSION_SESSION_COLUMNS)
LAST_NON_DIRECT_COLUMNS = ("last_non_direct_session_id", "last_non_direct_channel_group", "last_non_direct_utm_source",
                           "last_non_direct_utm_medium", "last_non_direct_utm_campaign",
                           "last_non_direct_referring_domain")
SESSION_COLUMNS = ("conversion_count", "is_converted", "conversion_value", "conversion_currency",
                   *LAST_NON_DIRECT_COLUMNS)
EVENT_COLUMNS = (
    "event_id", "session_id", "actor_id", "anonymous_id", "user_id", "event_at", "event_type", "event_name",
    "page_path", "page_referrer", "page_referring_domain", *reference.UTM, "device_type", "os_name",
    "library_name", "library_version", "cohort", "event_number_in_session",
)
COLUMN_TYPES = {table: columns for table, columns in CONVERSION_TABLES.values()}


def rows(workspace: Workspace, sql: str) -> list[dict[str, Any]]:
    return [{k: normalise(v) for k, v in row.items()} for row in workspace.query(sql)]


def differences(actual: dict, wanted: dict) -> list:
    return [(k, actual.get(k), wanted.get(k)) for k in sorted(set(actual) | set(wanted)) if actual.get(k) != wanted.get(k)]


def assert_conversions_match(workspace: Workspace, raw: dict[str, list[dict[str, Any]]],
                             listed: list[dict[str, Any]]) -> tuple[dict, dict]:
    """fct_conversions, and every session's conversion and last-non-direct columns, equal the
    reference over the built events and the raw rows; returns what the reference wants of each."""
    events = rows(workspace, f"select {', '.join(EVENT_COLUMNS)} from {{schema}}.fct_events")
    identifies = rows(workspace, "select event_id, anonymous_id, user_id, identified_at"
                                 " from {internal}.stg_rudderstack__identifies")
    sessions = reference.sessions(events, identifies)
    wanted = {k: {c: normalise(v) for c, v in r.items()}
              for k, r in reference.conversions(events, sessions, raw, listed).items()}
    actual = {r["event_id"]: {c: r[c] for c in CONVERSION_COLUMNS} for r in rows(
        workspace, f"select event_id, {', '.join(CONVERSION_COLUMNS)} from {{schema}}.fct_conversions")}
    differ = differences(actual, wanted)
    assert not differ, f"{len(differ)} conversions differ, e.g. {differ[:3]}"

    # And every session's own last-non-direct attribution, converted or not.
    wanted_sessions = {k: {**{c: normalise(v) for c, v in r.items()},
                           **{c: normalise(sessions[k][c]) for c in LAST_NON_DIRECT_COLUMNS}}
                       for k, r in reference.session_conversions(sessions, wanted).items()}
    actual_sessions = {r["session_id"]: {c: r[c] for c in SESSION_COLUMNS} for r in rows(
        workspace, f"select session_id, {', '.join(SESSION_COLUMNS)} from {{schema}}.fct_sessions")}
    differ = differences(actual_sessions, wanted_sessions)
    assert not differ, f"{len(differ)} sessions differ, e.g. {differ[:3]}"
    return wanted, wanted_sessions


@st.composite
def datasets_with_conversions(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    data = draw(datasets(max_actors=40, min_actors=20))
    return {**data, **draw(conversion_tables(data))}


def test_conversions_match_the_reference(engine: str, workspace_factory) -> None:
    workspace = workspace_factory(engine, "conversions")  # reused by every example
    seen = {"valued": 0, "unvalued": 0, "text_not_a_number": 0, "multi": 0, "redelivered": 0, "tied": 0}

    # Two examples on every engine, Spark too: hypothesis' first is its simplest (one event per
    # actor, all named 'Home': no conversion), the second a random one.
    @settings(max_examples=2, deadline=None, phases=[Phase.generate], database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=datasets_with_conversions())
    def example(data) -> None:
        workspace.load_raw(data, column_types=COLUMN_TYPES)
        workspace.build_on_raw({"rudderstack_conversions": CONVERSIONS}, "--full-refresh")

        wanted, wanted_sessions = assert_conversions_match(workspace, data, CONVERSIONS)

        seen["valued"] += sum(r["value"] is not None for r in wanted.values())
        seen["unvalued"] += sum(r["value"] is None for r in wanted.values())
        seen["text_not_a_number"] += sum(
            1 for r in data["cart_viewed"] if r["value"] is not None and reference.conversion_value(r["value"]) is None)
        seen["multi"] += sum(s["conversion_count"] > 1 for s in wanted_sessions.values())
        ids = [r["id"] for table, _ in CONVERSION_TABLES.values() for r in data[table]]
        seen["redelivered"] += len(ids) - len(set(ids))
        arrivals = [(r["id"], r["received_at"], r["uuid_ts"]) for table, _ in CONVERSION_TABLES.values()
                    for r in data[table]]
        seen["tied"] += len(arrivals) - len(set(arrivals))

    example()
    # The data exercised what the rules are for.
    assert all(seen.values()), seen


def test_values_of_any_type_never_fail_the_build(engine: str, workspace) -> None:
    """A value column of floats (NaN and 1e30 among them: NULL, not an overflow), a boolean
    one (NULL), a table without the currency column and a conversion without a table build,
    with a warning naming each missing table and column."""
    import datetime as dt

    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)

    def track(event_id: str, name: str, minutes: int, **properties: Any) -> dict[str, Any]:
        when = at + dt.timedelta(minutes=minutes)
        return {"id": event_id, "anonymous_id": "a", "timestamp": when, "received_at": when, "channel": "web",
                "event_text": name, **properties}

    amounts = {"e1": 1.5, "e2": float("nan"), "e3": 1e30, "e4": -2.25, "e5": None}
    purchases = [track(event_id, "Purchase", number, amount=amount)
                 for number, (event_id, amount) in enumerate(amounts.items())]
    refund = track("r1", "Refund", 10, amount=True)
    signup = track("s1", "Sign Up", 11)
    double = "double precision" if engine == "postgres" else "double"
    workspace.load_raw({"tracks": [*purchases, refund, signup], "purchase": purchases, "refund": [refund]},
                       column_types={"purchase": {"amount": double}, "refund": {"amount": "boolean"}})
    result = workspace.build_on_raw({"rudderstack_conversions": [
        {"event": "Purchase", "value_column": "amount", "currency_column": "curr"},
        {"event": "Refund", "value_column": "amount"},
        {"event": "Sign Up", "value_column": "plan_price"},
    ]})
    values = {r["event_id"]: normalise(r["value"])
              for r in workspace.query("select event_id, value from {schema}.fct_conversions")}
    assert values == {"e1": normalise(1.5), "e2": None, "e3": None, "e4": normalise(-2.25), "e5": None,
                      "r1": None, "s1": None}
    [session] = workspace.query("select conversion_count, conversion_value from {schema}.fct_sessions")
    assert session["conversion_count"] == 7 and normalise(session["conversion_value"]) == normalise(-0.75)
    # The README's queries, as an analyst runs them (unqualified names, as tests/test_demo.py runs the others).
    text = (PROJECT_DIR / "README.md").read_text().split("## Conversions and their value\n", 1)[1]
    queries = [block.split("```", 1)[0] for block in text.split("\n## ", 1)[0].split("```sql\n")[1:]]
    assert len(queries) == 2, "the README's conversion queries moved: update this test"
    if engine == "spark":
        workspace.execute(f"use {workspace.target_schema}")
    [by_channel], by_credited_channel = (
        workspace.query(('set search_path to "{schema}"; ' if engine == "postgres" else "") + query)
        for query in queries)
    assert by_channel["converted_sessions"] == 1 and normalise(by_channel["conversion_rate"]) == 1, by_channel
    # No currency column in 'purchase': one row, the value of e1 and e4 (-0.75), the rest NULL.
    assert [(r["currency"], r["conversions"], normalise(r["value"])) for r in by_credited_channel] == [
        (None, 7, normalise(-0.75))], by_credited_channel
    output = result.stdout
    assert "no source has the table 'sign_up' of conversion 'Sign Up'" in output, output[-3000:]
    assert "table 'purchase' of conversion 'Purchase' has no column 'curr' in any source" in output, output[-3000:]

    # An incremental run refills the mart in place: the same rows, and on PostgreSQL the same
    # table (a replaced one would have dropped the fct_sessions view with it, docs/decisions/0012).
    oid = "select 'fct_conversions'::regclass::oid as oid"
    before = workspace.query(('set search_path to "{schema}"; ' + oid)) if engine == "postgres" else None
    workspace.build_on_raw({"rudderstack_conversions": [
        {"event": "Purchase", "value_column": "amount", "currency_column": "curr"},
        {"event": "Refund", "value_column": "amount"},
        {"event": "Sign Up", "value_column": "plan_price"},
    ]})
    again = {r["event_id"]: normalise(r["value"])
             for r in workspace.query("select event_id, value from {schema}.fct_conversions")}
    assert again == values
    if engine == "postgres":
        assert workspace.query(('set search_path to "{schema}"; ' + oid)) == before
