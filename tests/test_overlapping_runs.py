"""Two runs of one PostgreSQL target at once: the second stops, the first finishes alone.

A scheduler's run overlapping a manual one would have both read the same stored state and
both write it. The run that comes second must stop before it writes anything, with a
message naming the run in progress; the tables then equal those of one run. A run that was
killed (SIGKILL: no cleanup) leaves its claim behind: that must not stop the next run.
DuckDB needs no test (a second process cannot open the database file); Spark runs dbt in
the test process.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import signal
import subprocess
import threading

import psycopg2
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.compare import assert_matches_reference, assert_same_tables, snapshot
from tests.reference import sessionize
from tests.strategies import datasets
from tests.test_incremental import PASSTHROUGH, split_by_arrival

MODELS = ("fct_events", "fct_sessions", "state_rejected_rows", "fct_events_passthrough")
BUILD = ("build", "--exclude-resource-type", "unit_test")
TIMEOUT_S = 300
# Long enough for a second run to start and be refused; one that is not waits on the lock.
SECOND_RUN_TIMEOUT_S = 120

SETTINGS = settings(max_examples=1, deadline=None, phases=[Phase.generate], database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def _start_until_written(workspace, model: str) -> tuple[subprocess.Popen[str], list[str]]:
    """An incremental `dbt build` started, returned once it has written `model`; the rest of
    its output is drained in the background (into the returned list)."""
    process = workspace.start_dbt(*BUILD, vars={"rudderstack_schema": workspace.raw_schema, **PASSTHROUGH})
    written = re.compile(rf" OK created .*\.{model} ")
    output: list[str] = []
    watchdog = threading.Timer(TIMEOUT_S, process.kill)  # a run stuck before it writes `model`
    watchdog.start()
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        if written.search(line):
            watchdog.cancel()
            break
    else:
        process.wait()
        watchdog.cancel()
        pytest.fail(f"the run ended before it wrote {model}:\n" + "".join(output)[-3000:])
    threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()  # type: ignore[arg-type]
    return process, output


def _second_workspace(workspace, tmp_path):
    """The same target and raw schema, with a dbt directory of its own (target/, logs/): as
    a second machine or checkout would run it."""
    return dataclasses.replace(workspace, directory=tmp_path / "second_run")


def _prepare(workspace, data) -> None:
    first, second = split_by_arrival(data, [0.5], [], dt.timedelta(0))
    workspace.load_raw(first)
    workspace.build_on_raw(PASSTHROUGH, "--full-refresh")
    workspace.load_raw(second, append=True)


@pytest.mark.engines("postgres")
@SETTINGS
@given(data=datasets(min_actors=5, max_actors=30))
def test_a_run_started_while_another_runs_stops_and_the_result_equals_one_run(
        engine: str, workspace, tmp_path, data) -> None:
    _prepare(workspace, data)

    # The first run is held in the middle, deterministically: a session of the test keeps
    # state_sessions from being written until the second run is over.
    assert workspace.postgres is not None
    holder = psycopg2.connect(**workspace.postgres.connect_kwargs())
    try:
        with holder.cursor() as cursor:
            cursor.execute(f'lock table "{workspace.internal_schema}".state_sessions in exclusive mode')
        first, first_output = _start_until_written(workspace, "int_run_window")

        second = _second_workspace(workspace, tmp_path).start_dbt(
            *BUILD, vars={"rudderstack_schema": workspace.raw_schema, **PASSTHROUGH})
        try:
            second_output, _ = second.communicate(timeout=SECOND_RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            second.kill()
            second_output, _ = second.communicate()
            pytest.fail("the second run did not stop while the first held the target (it waited on the"
                        " first run's table):\n" + second_output[-3000:])
        assert first.poll() is None, "the first run ended before the second started:\n" + "".join(first_output)[-3000:]
    finally:
        holder.rollback()
        holder.close()
    assert first.wait(timeout=TIMEOUT_S) == 0, "the first run failed:\n" + "".join(first_output)[-6000:]

    assert second.returncode != 0, "the second run ran alongside the first:\n" + second_output[-3000:]
    invocation_id = json.loads((workspace.directory / "target" / "run_results.json").read_text())["metadata"][
        "invocation_id"]
    assert "another run" in second_output and invocation_id in second_output, (
        "the second run's message does not name the run in progress (" + invocation_id + "):\n" + second_output[-3000:])
    assert "dbt run-operation rudderstack_clear_run_claim" in second_output, second_output[-3000:]
    assert " OK created " not in second_output, "the second run wrote something:\n" + second_output[-3000:]

    runs = workspace.query("select run_number from {internal}.state_runs order by run_number")
    assert [r["run_number"] for r in runs] == [1, 2], "not exactly one run recorded after the full build"

    # The claim is released: the next run goes ahead.
    workspace.build_on_raw(PASSTHROUGH)
    after_one_run = snapshot(workspace, MODELS)
    workspace.build_on_raw(PASSTHROUGH, "--full-refresh")
    assert_same_tables(after_one_run, snapshot(workspace, MODELS), "one run, another refused alongside it, vs --full-refresh")
    assert_matches_reference(workspace, sessionize(data))


@pytest.mark.engines("postgres")
@SETTINGS
@given(data=datasets(min_actors=5, max_actors=30))
def test_the_claim_of_a_killed_run_does_not_stop_the_next_run(engine: str, workspace, tmp_path, data) -> None:
    _prepare(workspace, data)
    killed, output = _start_until_written(workspace, "int_run_window")
    killed.send_signal(signal.SIGKILL)
    killed.wait()

    # From another directory (no trace of the killed run's files), right away.
    rerun = _second_workspace(workspace, tmp_path).build_on_raw(PASSTHROUGH)
    assert re.search(r"took over the claim of run \S+ .*none of its connections is open", rerun.stdout), (
        "the next run did not report the killed run's claim it took over:\n" + rerun.stdout[-3000:])
    resumed = snapshot(workspace, MODELS)
    workspace.build_on_raw(PASSTHROUGH, "--full-refresh")
    assert_same_tables(resumed, snapshot(workspace, MODELS), "killed, run again, vs --full-refresh")
    assert_matches_reference(workspace, sessionize(data))
