"""The project installed as a package, as a team installs it: the `integration_tests/` host
project (packages.yml `local:`, vars scoped to the package in its dbt_project.yml, a model
of its own calling the package's gap macro), built on generated raw data.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections import defaultdict

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings

from tests.compare import assert_matches_reference
from tests.harness import PROJECT_DIR
from tests.reference import epoch_microseconds, session_id_of, sessionize
from tests.strategies import datasets

HOST_DIR = PROJECT_DIR / "integration_tests"
# What the host scoped to the package (vars: rudderstack_sessions: ...).
SCOPED_VARS = yaml.safe_load((HOST_DIR / "dbt_project.yml").read_text())["vars"]["rudderstack_sessions"]
SCOPED_TIMEOUTS = SCOPED_VARS["session_timeout_minutes"]


def host_project(directory) -> object:
    """A copy of integration_tests/ whose `local:` package is this checkout (tests run side by side)."""
    copy = directory / "host"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(HOST_DIR, copy, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages", "package-lock.yml"))
    (copy / "packages.yml").write_text(f"packages:\n  - local: {PROJECT_DIR}\n")
    return copy


def expected_gap_sessions(events) -> dict[str, tuple[str, int]]:
    """host_gap_sessions by the rule in docs/sessionization.md: per actor, every event in
    (event_at, event_id) order, a session starting where the gap exceeds the later event's
    cohort timeout (SDK session ids ignored). event_id -> (session_id, number in session)."""
    by_actor = defaultdict(list)
    for event in events.values():
        by_actor[event.actor_id].append(event)
    expected = {}
    for actor_id, actor_events in by_actor.items():
        start = previous = None
        number = 0
        for event in sorted(actor_events, key=lambda e: (e.event_at, e.event_id)):
            timeout = dt.timedelta(minutes=SCOPED_TIMEOUTS.get(event.channel, SCOPED_TIMEOUTS["default"]))
            if previous is None or event.event_at - previous > timeout:
                start, number = event.event_at, 0
            previous, number = event.event_at, number + 1
            expected[event.event_id] = (session_id_of("derived", actor_id, str(epoch_microseconds(start))), number)
    return expected


@pytest.mark.engines("duckdb", "postgres")
@settings(max_examples=1, deadline=None, phases=[Phase.generate], database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=datasets(max_actors=25, min_actors=5))
def test_a_host_project_installs_and_configures_the_package(engine: str, workspace, data) -> None:
    # Not the package's defaults, or the test could not tell them apart.
    assert SCOPED_TIMEOUTS != yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"][
        "session_timeout_minutes"]
    workspace.project_dir = host_project(workspace.directory)
    workspace.raw_schema = SCOPED_VARS["rudderstack_schema"]
    workspace.load_raw(data)
    workspace.dbt("deps")
    build = workspace.dbt("build")
    expected = sessionize(data, timeouts_minutes=SCOPED_TIMEOUTS)

    # The package's models follow the vars the host scoped to it (its timeouts, its raw schema).
    assert_matches_reference(workspace, expected)

    # The host's own model: the package's gap macro with a cohort, and the package's timeouts.
    rows = workspace.query("select event_id, session_id, event_number_in_session from {schema}.host_gap_sessions")
    got = {r["event_id"]: (r["session_id"], r["event_number_in_session"]) for r in rows}
    want = expected_gap_sessions(expected.events)
    assert got == want, sorted(set(got.items()) ^ set(want.items()))[:10]

    # Analysts see the marts (fct_events_passthrough: none listed) and the host's models in the
    # target schema; the rest is internal.
    tables = workspace.query(
        "select table_schema as s, table_name as t from information_schema.tables"
        " where table_schema in ('{schema}', '{internal}')"
    )
    by_schema = defaultdict(set)
    for row in tables:
        by_schema[row["s"]].add(row["t"])
    assert by_schema[workspace.target_schema] == {
        "fct_events", "fct_sessions", "fct_conversions", "fct_funnel_steps", "fct_funnel_conversion",
        "dim_users", "dim_actor_users", "rpt_session_timeouts", "rpt_session_gap_histogram",
        "rudderstack_time_spine_daily", "host_events", "host_gap_sessions",
    }
    internal = by_schema[workspace.internal_schema]
    assert {"channel_groups", "state_runs", "state_events", "stg_rudderstack__tracks", "int_run_window"} <= internal
    assert not any(name.startswith(("fct_", "dim_")) for name in internal)

    # The package's demo seeds and its own unit tests stay out of a host's build.
    log = build.stdout
    assert "rudderstack_demo" not in log and re.search(r"\bunit test", log) is None, log[-3000:]
    assert not workspace.query(
        "select table_name from information_schema.tables where table_schema = '{schema}_rudderstack_demo'"
    )


@pytest.mark.engines("duckdb")
@settings(max_examples=1, deadline=None, phases=[Phase.generate], database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=datasets(max_actors=3))
def test_a_misspelt_or_renamed_var_scoped_to_the_package_warns(engine: str, workspace, data) -> None:
    """dbt cannot list the vars a host scopes to the package, so a typo there would leave the
    default in force without a word: the package looks for the names a typo of its vars
    gives, and for its renamed vars, and warns naming each and the var meant."""
    workspace.project_dir = host_project(workspace.directory)
    settings_file = workspace.project_dir / "dbt_project.yml"
    project = yaml.safe_load(settings_file.read_text())
    project["vars"]["rudderstack_sessions"].update({
        "session_timeout_minute": {"default": 60},   # a letter dropped
        "rudderstack_funnles": [],                   # two letters swapped
        "lookback_minutes": 60,                      # without the prefix
        "funnels": [],                               # renamed
    })
    settings_file.write_text(yaml.safe_dump(project))
    workspace.raw_schema = SCOPED_VARS["rudderstack_schema"]
    workspace.load_raw(data)
    workspace.dbt("deps")
    result = workspace.dbt("compile", "--select", "int_run_window")
    output = result.stdout + result.stderr
    for warning in (
        "var 'session_timeout_minute' is not a var of this package (did you mean session_timeout_minutes?)",
        "var 'rudderstack_funnles' is not a var of this package (did you mean rudderstack_funnels?)",
        "var 'lookback_minutes' is not a var of this package (did you mean rudderstack_lookback_minutes?)",
        "var 'funnels' was renamed: use var rudderstack_funnels",
    ):
        assert warning in output, (warning, output[-3000:])
    # The vars the host scoped correctly are no typo.
    assert "var 'session_timeout_minutes'" not in output and "var 'rudderstack_schema'" not in output


def test_macros_call_the_packages_macros_by_their_qualified_name() -> None:
    """A host's model calling a macro of this package runs it in the host's namespace, where
    an unqualified call to another macro of the package is undefined ('sql_string' is
    undefined): inside macros/, every call is rudderstack_sessions.<macro>(...)."""
    sources = {path: path.read_text() for path in (PROJECT_DIR / "macros").rglob("*.sql")}
    defined = {name for text in sources.values() for name in re.findall(r"{%-?\s*macro\s+(\w+)", text)}
    # Reached through adapter.dispatch, or by dbt itself, never called by name.
    by_name = {name for name in defined if not re.match(r"(default|duckdb|postgres|spark|databricks)__", name)}
    assert {"sql_string", "session_timeouts", "rudderstack_run_window"} <= by_name
    call = re.compile(r"(?<![.\w])(" + "|".join(sorted(by_name)) + r")\(")
    unqualified = []
    for path, text in sources.items():
        code = re.sub(r"{#.*?#}", "", text, flags=re.S)  # comments may name macros freely
        code = re.sub(r"{%-?\s*macro\s+\w+", "", code)  # definitions
        unqualified += [f"{path.relative_to(PROJECT_DIR)}: {m.group(1)}" for m in call.finditer(code)]
    assert not unqualified, unqualified
