"""A run killed part-way, then run again, ends where an uninterrupted run would.

A scheduler's timeout, a lost machine or Ctrl-C can stop `dbt build` between any two
models of an incremental run: after the run window was decided, after state_events
rewrote its events (the sessions that lost them not yet replaced), or after
state_sessions (the run not yet recorded in state_runs). The next run must finish the
job: the same tables as a --full-refresh, and as the reference sessionizer.
"""

from __future__ import annotations

import datetime as dt
import re
import signal

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.compare import assert_matches_reference, assert_same_tables, snapshot
from tests.reference import sessionize
from tests.strategies import datasets
from tests.test_incremental import PASSTHROUGH, split_by_arrival

MODELS = ("fct_events", "fct_sessions", "state_rejected_rows", "fct_events_passthrough")


def _build_killed_after(workspace, model: str, vars: dict) -> None:
    """An incremental `dbt build`, killed (SIGKILL: no cleanup) as soon as `model` is written."""
    process = workspace.start_dbt("build", "--exclude-resource-type", "unit_test",
                                  vars={"rudderstack_schema": workspace.raw_schema, **vars})
    written = re.compile(rf" OK created .*\.{model} ")
    output = []
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if written.search(line):
            process.send_signal(signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the run ended before it wrote " + model + ":\n" + "".join(output)[-3000:]


@pytest.mark.engines("duckdb", "postgres")  # Spark runs dbt inside the test process, which a kill would end
@pytest.mark.parametrize("killed_after", ["int_run_window", "state_events", "state_sessions"])
@settings(max_examples=1, deadline=None, phases=[Phase.generate], database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=datasets(min_actors=5, max_actors=30))
def test_a_killed_run_run_again_equals_an_uninterrupted_one(engine: str, workspace, killed_after: str, data) -> None:
    first, second = split_by_arrival(data, [0.5], [], dt.timedelta(0))
    workspace.load_raw(first)
    workspace.build_on_raw(PASSTHROUGH, "--full-refresh")
    workspace.load_raw(second, append=True)

    _build_killed_after(workspace, killed_after, PASSTHROUGH)
    recorded = workspace.query("select max(run_number) as run_number from {internal}.state_runs")[0]["run_number"]
    assert recorded == 1, "the killed run recorded itself: it was not stopped part-way"

    workspace.build_on_raw(PASSTHROUGH)
    resumed = snapshot(workspace, MODELS)
    workspace.build_on_raw(PASSTHROUGH, "--full-refresh")
    assert_same_tables(resumed, snapshot(workspace, MODELS), f"killed after {killed_after}, run again, vs --full-refresh")
    assert_matches_reference(workspace, sessionize(data))
