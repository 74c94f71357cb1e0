"""Vars: the README's per-user-type override works; invalid values fail at compile time."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings

from tests.compare import assert_matches_reference
from tests.harness import PROJECT_DIR
from tests.reference import sessionize
from tests.strategies import datasets

README = PROJECT_DIR / "README.md"


def readme_command_vars(section: str) -> dict:
    """The --vars of the first shell block of a README section, as bash passes them to dbt
    (dbt replaced by a function that prints its --vars argument): what a user who pastes
    the command gets."""
    text = README.read_text().split(section + "\n", 1)[1]
    command = text.split("```sh\n", 1)[1].split("```", 1)[0]
    shim = 'dbt() { while [ "$#" -gt 0 ]; do [ "$1" = --vars ] && printf %s "$2"; shift; done; }\n'
    printed = subprocess.run(["bash", "-c", shim + command.replace(".venv/bin/dbt ", "dbt ")],
                             capture_output=True, text=True, check=True).stdout
    return yaml.safe_load(printed)


PER_USER_TYPE = readme_command_vars("### Per-cohort timeouts: by user type")


def test_the_readme_command_passes_its_vars_through_a_shell() -> None:
    """The cohort rule's SQL quotes survive the shell: `''default''` inside single quotes
    once reached dbt as the keyword `default`."""
    assert PER_USER_TYPE == {
        "event_passthrough_columns": ["context_traits_user_type"],
        "sessionization_cohort": "coalesce(context_traits_user_type, 'default')",
        "session_timeout_minutes": {"buyer": 45, "seller": 10, "default": 30},
    }


@settings(max_examples=1, deadline=None, phases=[Phase.generate], database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=datasets(max_actors=30))
def test_per_user_type_timeouts(engine: str, workspace, data) -> None:
    # The mobile SDK of this workspace never sends the trait: NULL, so cohort 'default'.
    data["screens"] = [{k: v for k, v in row.items() if k != "context_traits_user_type"} for row in data["screens"]]
    workspace.load_raw(data, drop_columns={"screens": ["context_traits_user_type"]})
    workspace.build_on_raw(PER_USER_TYPE)
    expected = sessionize(
        data,
        timeouts_minutes=PER_USER_TYPE["session_timeout_minutes"],
        cohort_rule=lambda row: row.get("context_traits_user_type") or "default",
    )
    assert_matches_reference(workspace, expected)
    carried = {
        r["event_id"]: r["context_traits_user_type"]
        for r in workspace.query("select event_id, context_traits_user_type from {schema}.fct_events_passthrough")
    }
    kept = {e.event_id: e.cohort for e in expected.events.values()}
    assert carried.keys() == kept.keys()
    assert all((carried[event_id] or "default") == cohort for event_id, cohort in kept.items())


INVALID_VARS = [
    ({"session_timeout_minutes": {"web": 30}}, "no 'default' key"),
    ({"session_timeout_minutes": {"default": 0}}, "must be a positive number"),
    ({"session_timeout_minutes": {"default": -5}}, "must be a positive number"),
    ({"session_timeout_minutes": {"default": 30, "web": "thirty"}}, "cohort 'web' must be a positive number"),
    ({"session_timeout_minutes": {"default": True}}, "must be a positive number"),
    ({"session_timeout_minutes": 30}, "must map cohort names to minutes"),
    ({"event_passthrough_columns": "context_traits_user_type"}, "must be a list of column names"),
    ({"event_passthrough_columns": ["channel"]}, "reserved name"),
    ({"event_passthrough_columns": ["context traits"]}, "not a plain column name"),
    ({"sessionization_cohort": " "}, "must be a SQL expression"),
    ({"session_engagement": {"min_views": 0}}, "'min_views' must be a positive number"),
    ({"session_engagement": {"min_duration": 10}}, "unknown keys min_duration"),
    ({"session_engagement": {"events": "Signed Up"}}, "'events' must be a list of event names"),
    ({"rudderstack_funnels": [{"name": "f", "scope": "session", "steps": []}]}, "'steps' must be a list of at least one step"),
    ({"rudderstack_funnels": [{"name": "f", "scope": "session"}]}, "'steps' must be a list of at least one step"),
    ({"rudderstack_funnels": [{"name": "f", "scope": "session", "steps": ["A"]},
                  {"name": "f", "scope": "user", "steps": ["B"]}]}, "the name is used twice"),
    ({"rudderstack_funnels": [{"name": "f", "scope": "account", "steps": ["A"]}]}, "'scope' must be 'session' or 'user'"),
    ({"rudderstack_funnels": [{"name": "f", "scope": "user", "steps": ["A", "B"], "conversion_window_minutes": 0}]},
     "'conversion_window_minutes' must be a positive number"),
    ({"rudderstack_funnels": [{"name": "f", "scope": "user", "steps": ["A", "B"], "conversion_window_minutes": "1h"}]},
     "'conversion_window_minutes' must be a positive number"),
    ({"rudderstack_funnels": [{"name": "f", "scope": "user", "steps": ["A", {"page": "/x"}]}]}, "step 2 must be an event name"),
    ({"rudderstack_funnels": [{"scope": "user", "steps": ["A"]}]}, "'name' must be a non-empty text"),
    ({"rudderstack_funnels": {"name": "f", "scope": "user", "steps": ["A"]}}, "must be a list of funnels"),
    ({"rudderstack_state_events_per_slice": 0}, "must be a whole number of events, at least 1"),
    ({"rudderstack_state_events_per_slice": 2.5}, "must be a whole number of events, at least 1"),
    ({"rudderstack_state_events_per_slice": "10M"}, "must be a whole number of events, at least 1"),
    ({"rudderstack_automated_events_per_minute": 0}, "must be a positive number of events per minute"),
    ({"rudderstack_attribution_lookback_days": 0}, "must be a positive number of days"),
    ({"rudderstack_attribution_lookback_days": "30d"}, "must be a positive number of days"),
    ({"max_session_duration_hours": 0}, "must be a positive number of hours, or null"),
    ({"max_session_duration_hours": -24}, "must be a positive number of hours, or null"),
    ({"max_session_duration_hours": "24h"}, "must be a positive number of hours, or null"),
    ({"max_session_duration_hours": True}, "must be a positive number of hours, or null"),
    ({"rudderstack_personal_columns": ["context_traits_email"]}, "is not in event_passthrough_columns"),
    ({"rudderstack_personal_columns": "context_traits_email"}, "must be a list of passthrough column names"),
    ({"analyst_roles": "analyst"}, "must be a list of database role names"),
    ({"analyst_roles": ["bi team"]}, "must be a list of database role names (letters, digits and _), got 'bi team'"),
    ({"rudderstack_timeout_candidates_minutes": 30}, "must be a non-empty list of timeouts in minutes"),
    ({"rudderstack_timeout_candidates_minutes": []}, "must be a non-empty list of timeouts in minutes"),
    ({"rudderstack_timeout_candidates_minutes": [5, 0]}, "candidate '0' must be a positive number of minutes"),
    ({"rudderstack_timeout_candidates_minutes": [5, "30m"]}, "candidate '30m' must be a positive number of minutes"),
    ({"rudderstack_timeout_candidates_minutes": [True]}, "candidate 'True' must be a positive number of minutes"),
    ({"rudderstack_conversions": {"event": "Order Completed"}}, "must be a list of conversions"),
    ({"rudderstack_conversions": ["Order Completed"]}, "conversion 1 must be a mapping"),
    ({"rudderstack_conversions": [{"event": "Order Completed", "value": "revenue"}]}, "unknown keys value"),
    ({"rudderstack_conversions": [{"value_column": "revenue"}]}, "'event' must be a non-empty text"),
    ({"rudderstack_conversions": [{"event": "Order Completed", "value_column": "order revenue"}]},
     "'value_column' must be a plain column name"),
    ({"rudderstack_conversions": [{"event": "Order Completed", "currency_column": 3}]},
     "'currency_column' must be a plain column name"),
    ({"rudderstack_conversions": [{"event": "Order Completed", "table": "shop.orders"}]},
     "'table' must be a plain table name"),
    ({"rudderstack_conversions": [{"event": "Order Completed"}, {"event": "Order Completed"}]},
     "the event is listed twice"),
    ({"rudderstack_conversions": [{"event": "!!!"}]}, "gives no table name"),
]


@pytest.mark.parametrize(("bad_vars", "message"), INVALID_VARS, ids=[m for _, m in INVALID_VARS])
def test_invalid_vars_fail_at_compile_time(workspace_factory, bad_vars, message) -> None:
    workspace = workspace_factory("duckdb", "invalid_vars")
    result = workspace.dbt("compile", vars=bad_vars, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    var_name = next(iter(bad_vars))
    assert f"var '{var_name}'" in output and message in output and "Example" in output, output[-3000:]


@pytest.mark.engines("duckdb", "postgres")  # Spark: the demo's build runs the same data test
def test_a_funnel_step_that_matches_no_event_warns(engine: str, workspace) -> None:
    """A misspelt funnel step builds, with a warning from the funnel_steps_match_events
    test for that step alone (a step that matches stays quiet)."""
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    workspace.load_raw({"tracks": [{"id": f"t{i}", "anonymous_id": "a", "timestamp": at, "received_at": at,
                                    "channel": "web", "event_text": "Product Viewed"} for i in range(2)]})
    result = workspace.build_on_raw({"rudderstack_funnels": [
        {"name": "checkout", "scope": "session", "steps": ["Product Viewed", "Order Complted"]}]})
    output = result.stdout
    warning = output.split("Warning in test funnel_steps_match_events", 1)
    assert len(warning) == 2, output[-3000:]
    assert "Got 1 result, configured to warn if != 0" in warning[1].split("Warning in", 1)[0], output[-3000:]


@pytest.mark.engines("duckdb", "postgres")  # Spark: the demo's build runs the same data test
def test_a_timeout_key_that_no_cohort_has_warns(engine: str, workspace) -> None:
    """A key of session_timeout_minutes that no event's cohort equals (a misspelt cohort)
    builds, with a warning from the timeout_cohorts_match_events test for that key alone;
    a key that some event has stays quiet."""
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    workspace.load_raw({"tracks": [{"id": f"t{i}", "anonymous_id": "a", "timestamp": at, "received_at": at,
                                    "channel": "web", "event_text": "Product Viewed"} for i in range(2)]})
    result = workspace.build_on_raw({"session_timeout_minutes": {"web": 30, "Mobile": 5, "default": 30}})
    output = result.stdout
    warning = output.split("Warning in test timeout_cohorts_match_events", 1)
    assert len(warning) == 2, output[-3000:]
    assert "Got 1 result, configured to warn if != 0" in warning[1].split("Warning in", 1)[0], output[-3000:]


def test_a_misspelt_var_fails_and_every_project_var_is_known(workspace_factory) -> None:
    """A var on the command line that the project does not read fails, naming it and the
    var meant; every var of dbt_project.yml (and the one defaulted in a macro) passes."""
    workspace = workspace_factory("duckdb", "misspelt_var")
    result = workspace.dbt("compile", vars={"session_timeout_minute": {"default": 10}}, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert "var 'session_timeout_minute' is not a var of this project (did you mean session_timeout_minutes?)" \
        in output, output[-3000:]
    project_vars = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]
    every = {**project_vars, "rudderstack_on_config_change": "fail"}
    result = workspace.dbt("compile", vars=every, check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


@pytest.mark.parametrize(("old", "replacement"), [
    ("funnels", "var rudderstack_funnels"),
    ("incremental_lookback_minutes", "var rudderstack_lookback_minutes"),
    ("spark_file_format", "the model config file_format"),
])
def test_a_renamed_var_fails_naming_its_replacement(workspace_factory, old, replacement) -> None:
    """Names that could collide with another package's took a prefix: the old name is
    refused with the new one, never silently ignored (the default would apply)."""
    workspace = workspace_factory("duckdb", f"renamed_{old}")
    result = workspace.dbt("compile", vars={old: []}, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert f"var '{old}' was renamed: use {replacement}" in output, output[-3000:]


def test_every_command_an_error_message_shows_survives_the_shell() -> None:
    """The `--vars '...'` examples in the project's messages, pasted into bash, reach dbt
    as a mapping of vars the project reads (no single quote inside ends the quoting)."""
    import re
    known = set(yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]) | {
        "rudderstack_on_config_change"}
    examples = []
    for path in (PROJECT_DIR / "macros").rglob("*.sql"):
        # Join the literals a message is built from ("..." ~ "..." across lines).
        text = re.sub(r'"\s*~\s*"', "", path.read_text())
        examples += re.findall(r"--vars\s+'([^'\n]*)'", text.replace('\\"', '"'))
    assert len(examples) >= 10, examples
    for example in examples:
        shell = subprocess.run(["bash", "-c", f"printf %s '{example}'"], capture_output=True, text=True, check=True)
        value = yaml.safe_load(shell.stdout)
        assert isinstance(value, dict) and set(value) <= known, (example, value)
