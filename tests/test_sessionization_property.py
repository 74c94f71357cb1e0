"""Property: on random raw streams, the warehouse's sessions equal the reference's.

Hypothesis draws datasets of many independent actors (see tests/strategies.py); each
example is one load and one `dbt build` per engine, so every example checks dozens of
actors at once. More examples: HYPOTHESIS_MAX_EXAMPLES=20 make test.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.compare import assert_conserved, assert_matches_reference, assert_same_tables, snapshot
from tests.conftest import examples
from tests.reference import sessionize
from tests.strategies import datasets

MAX_EXAMPLES = int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "4"))


# Sessions cut at var max_session_duration_hours: off (the default), and one hour, which
# the generated gaps (timeouts 5, 30, 45 and 10 minutes, and their edges) reach exactly,
# one microsecond short and over.
CAPS = [None, 1]


@pytest.mark.parametrize("cap", CAPS, ids=["no_cap", "cap_1h"])
def test_sessions_match_the_reference(engine: str, workspace_factory, cap: float | None) -> None:
    workspace = workspace_factory(engine, "property")  # reused by every example
    cap_vars = None if cap is None else {"max_session_duration_hours": cap}

    @settings(
        max_examples=examples(engine, MAX_EXAMPLES),
        deadline=None,
        # One example is a dbt run: shrinking would take hundreds. The assertion names the
        # smallest differing actors instead, and print_blob lets a failure be replayed.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    # With the cap, actors whose sessions outlast it too: some session is cut in every example.
    @given(data=datasets(max_actors=40, cap_hours=cap))
    def example(data) -> None:
        workspace.load_raw(data)
        workspace.build_on_raw(cap_vars, "--full-refresh")  # the workspace is reused: start from scratch
        expected = sessionize(data, max_session_duration_hours=cap)
        if cap is not None:
            assert expected.sessions != sessionize(data).sessions, "no session was cut: the cap went untested"
        assert_matches_reference(workspace, expected)
        assert_conserved(workspace, expected.raw_row_count)

    example()


@pytest.mark.engines("duckdb")  # the only engine whose full builds run in slices of actors
def test_a_full_build_in_slices_of_actors_matches_the_reference(engine: str, workspace_factory) -> None:
    """A full build too large for one sort sessionizes one slice of actors at a time
    (macros/state/actor_slices.sql): forced here with a few events per slice, its rows
    are the reference's. The next run, incremental, finds the stored state as a full
    build in one slice leaves it, and changes nothing."""
    workspace = workspace_factory(engine, "slices")

    @settings(
        max_examples=examples(engine, 1),
        deadline=None,
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=datasets(min_actors=12, max_actors=40))
    def example(data) -> None:
        workspace.load_raw(data)
        expected = sessionize(data)
        per_slice = max(1, len(expected.events) // 5)
        result = workspace.build_on_raw({"rudderstack_state_events_per_slice": per_slice}, "--full-refresh")
        slices = re.findall(r"state_events: a full build of \d+ raw rows in (\d+) slices of actors", result.stdout)
        assert slices and int(slices[0]) >= 5, f"no full build in slices:\n{result.stdout[-3000:]}"
        # The slices the post-hook appended hold some events, and slice 0 the others.
        appended = [int(n) for n in re.findall(r"state_events: slice \d+ of \d+: (\d+) rows appended", result.stdout)]
        assert len(appended) == int(slices[0]) - 1, result.stdout[-3000:]
        assert 0 < sum(appended) < len(expected.events), (appended, len(expected.events))
        assert received_kind(workspace) == "BASE TABLE"
        assert_matches_reference(workspace, expected)
        assert_conserved(workspace, expected.raw_row_count)

        sliced = snapshot(workspace)
        workspace.build_on_raw({"rudderstack_state_events_per_slice": per_slice})
        assert received_kind(workspace) == "VIEW"  # an incremental run takes one slice
        assert_same_tables(snapshot(workspace), sliced, "an incremental run with nothing new, after a full build in slices")

    example()


def received_kind(workspace) -> str:
    [received] = workspace.query(
        "select table_type from information_schema.tables"
        " where table_schema = '{internal}' and table_name = 'int_events_deduplicated'")
    return received["table_type"]
