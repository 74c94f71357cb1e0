"""The timeout advisor (rpt_session_timeouts, rpt_session_gap_histogram) against
tests/analyst_reference.py, on generated streams, on every engine.

Data: tests/strategies.py datasets (gaps drawn at the timeouts' edges, to the
microsecond; SDK session ids shared across actors; identical timestamps), with cohorts by
user type as in the README. Sellers' events carry no SDK session id, so one cohort is
advised by the gap distribution alone and the others by agreement with the SDK.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

import pytest

from tests import analyst_reference as reference
from tests.harness import DbtFailed, Workspace, normalise
from tests.strategies import datasets

VARS = {
    "event_passthrough_columns": ["context_traits_user_type"],
    "sessionization_cohort": "coalesce(context_traits_user_type, 'default')",
    # 12.5 is no candidate: the configured timeout gets a row of its own.
    "session_timeout_minutes": {"buyer": 45, "seller": 12.5, "default": 30},
}
REPORT_KEY = ("cohort", "candidate_timeout_minutes")
AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


def fixed_actors() -> list[dict[str, Any]]:
    """Actors that every example holds (hypothesis' first draw is its simplest): a buyer
    whose SDK disagrees with any single timeout (new SDK session after 20 minutes, the same
    one after 50), a buyer mixing SDK and session-less events, a seller whose gaps sit on a
    candidate and on the configured 12.5 minutes exactly, and a one-event actor."""
    def event(actor: str, number: int, minutes: float, user_type: str | None, session_id: int | None) -> dict:
        at = AT + dt.timedelta(minutes=minutes)
        return {"id": f"fixed-{actor}-{number:02d}", "anonymous_id": f"fixed-{actor}", "user_id": None,
                "timestamp": at, "original_timestamp": at, "sent_at": at, "received_at": at, "uuid_ts": at,
                "channel": "web", "context_session_id": session_id, "context_session_start": None,
                "context_traits_user_type": user_type, "event_text": "Home", "event": "home", "name": "Home"}
    return [
        *(event("buyer", n, m, "buyer", s) for n, (m, s) in enumerate(
            [(0, 1772442000000), (10, 1772442000000), (30, 1772443200000), (80, 1772443200000)])),
        *(event("mixed", n, m, "buyer", s) for n, (m, s) in enumerate(
            [(0, None), (5, 1772442000000), (10, 1772442000000), (200, None), (260, None)])),
        *(event("seller", n, m, "seller", None) for n, m in enumerate([0, 1, 11, 23.5, 53.5, 53.5, 300])),
        event("alone", 0, 0, None, None),
    ]
HISTOGRAM_KEY = ("cohort", "bucket_number")


def table(workspace: Workspace, model: str, key: tuple[str, ...]) -> dict[tuple, dict[str, Any]]:
    rows = workspace.query(f"select * from {{schema}}.{model}")
    result = {}
    for row in rows:
        row = {k: normalise(v) for k, v in row.items()}
        result[tuple(row[k] for k in key)] = row
    assert len(result) == len(rows), f"{model}: {len(rows) - len(result)} rows repeat a key {key}"
    return result


def assert_equal(model: str, actual: dict[tuple, dict], expected: dict[tuple, dict]) -> None:
    assert set(actual) == set(expected), (
        f"{model}: keys only in the warehouse {sorted(set(actual) - set(expected), key=str)[:5]};"
        f" only in the reference {sorted(set(expected) - set(actual), key=str)[:5]}")
    differ = []
    for key, want in expected.items():
        assert set(actual[key]) == set(want), f"{model} columns: warehouse {sorted(actual[key])}, reference {sorted(want)}"
        want = {c: normalise(v) for c, v in want.items()}
        if actual[key] != want:
            differ.append((key, {c: (actual[key][c], want[c]) for c in want if actual[key][c] != want[c]}))
    assert not differ, f"{model}: {len(differ)} rows differ (warehouse, reference), e.g. {differ[:3]}"


def check(workspace: Workspace, candidates: tuple = reference.TIMEOUT_CANDIDATES_MINUTES) -> dict[tuple, dict]:
    events = [{k: normalise(v) for k, v in row.items()} for row in workspace.query(
        "select event_id, actor_id, event_at, cohort, sdk_session_id from {schema}.fct_events")]
    expected, histogram = reference.timeout_advisor(events, candidates, VARS["session_timeout_minutes"])
    assert_equal("rpt_session_timeouts", table(workspace, "rpt_session_timeouts", REPORT_KEY), expected)
    assert_equal("rpt_session_gap_histogram", table(workspace, "rpt_session_gap_histogram", HISTOGRAM_KEY), histogram)
    return expected


@settings(max_examples=1, deadline=None, phases=[Phase.generate], database=None,
          suppress_health_check=list(HealthCheck))
@given(data=datasets(max_actors=40, min_actors=25))
def test_the_timeout_advisor_matches_the_reference(engine: str, workspace: Workspace, data) -> None:
    for table_rows in data.values():
        for row in table_rows:
            if row.get("context_traits_user_type") == "seller":
                row["context_session_id"] = None
    data["tracks"].extend(fixed_actors())
    workspace.load_raw(data)
    workspace.build_on_raw(VARS)
    expected = check(workspace)

    # At the configured timeout, the gap rule over the cohort's events without an SDK
    # session id makes exactly the derived sessions the project built.
    derived = {r["cohort"]: r["sessions"] for r in workspace.query(
        "select cohort, count(*) as sessions from {schema}.fct_sessions"
        " where session_source = 'derived' group by cohort")}
    configured = {r["cohort"]: r["derived_session_count"] for r in expected.values() if r["is_configured"]}
    assert {c: n for c, n in configured.items() if n} == derived

    # The data exercises both rules, disagreement with the SDK, and one suggestion per cohort.
    rules = {r["cohort"]: r["suggestion_rule"] for r in expected.values()}
    assert rules.get("seller") == "session_count_knee" and "sdk_agreement" in rules.values(), rules
    assert any(r["sdk_pair_agreement"] is not None and r["sdk_pair_agreement"] < 1 for r in expected.values())
    assert sorted(r["cohort"] for r in expected.values() if r["is_suggested"]) == sorted(rules)

    # Other candidates, decimals among them: only the advisor's models are rebuilt (the
    # gap groups the reports read are bucketed among the candidates).
    candidates = (2.5, 10, 90)
    workspace.dbt("build", "--select", "int_event_gap_groups+",
                  "--exclude-resource-type", "unit_test",
                  vars={"rudderstack_schema": workspace.raw_schema, **VARS,
                        "rudderstack_timeout_candidates_minutes": list(candidates)})
    check(workspace, candidates)

    # A report rebuilt alone with yet other candidates would count among the stored groups'
    # edges: it stops, naming the command that rebuilds the three, and nothing changes.
    # (Jinja over one stored value: one engine proves it.)
    if engine == "duckdb":
        with pytest.raises(DbtFailed) as failure:
            workspace.dbt("build", "--select", "rpt_session_timeouts", "--exclude-resource-type", "unit_test",
                          vars={"rudderstack_schema": workspace.raw_schema, **VARS,
                                "rudderstack_timeout_candidates_minutes": [7]})
        assert "dbt build --select int_event_gap_groups+" in str(failure.value), str(failure.value)[-3000:]
        check(workspace, candidates)
