"""The semantic layer (README, "Metrics with MetricFlow"): every saved query, run with
`mf query` on the demo build, gives the numbers a direct SQL query on the marts gives.

DuckDB only: the README's `mf query` is the demo's (`make demo`), and MetricFlow's SQL is
its own, not the project's.
"""

from __future__ import annotations

import csv
import json
import math
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.harness import PROJECT_DIR, Workspace

MF = str(Path(sys.executable).with_name("mf"))

# Per saved query: SQL on the marts giving the same rows, written from the metric
# definitions (models/semantic/_semantic_models.yml), with the columns mf names.
EXPECTED_SQL = {
    "sessions_by_channel_group_per_day": """
        select cast(cast(session_started_at as date) as timestamp) as metric_time__day,
               channel_group as session__channel_group,
               count(*) as sessions,
               sum(case when is_engaged then 1 else 0 end) as engaged_sessions
        from main.fct_sessions
        group by 1, 2
    """,
    "bounce_rate_by_landing_page": """
        select landing_page_path as session__landing_page_path,
               count(*) as sessions,
               sum(case when is_bounce then 1 else 0 end) / count(*) as bounce_rate
        from main.fct_sessions
        where landing_page_path is not null
        group by 1
    """,
    "session_kpis_by_cohort": """
        select cohort as session__cohort,
               count(*) as sessions,
               count(distinct coalesce(stitched_user_id, actor_id)) as users,
               sum(duration_seconds) / count(*) as average_session_duration_seconds,
               quantile_cont(duration_seconds, 0.5) as median_session_duration_seconds,
               sum(case when is_bounce then 1 else 0 end) / count(*) as bounce_rate,
               sum(case when is_engaged then 1 else 0 end) / count(*) as engaged_session_rate,
               sum(event_count) / count(*) as events_per_session
        from main.fct_sessions
        group by 1
    """,
    "conversion_rate_by_channel_group": """
        select channel_group as session__channel_group,
               count(*) as sessions,
               sum(case when is_converted then 1 else 0 end) as converted_sessions,
               sum(case when is_converted then 1 else 0 end) / count(*) as conversion_rate
        from main.fct_sessions
        group by 1
    """,
    "conversions_and_value_by_channel": """
        select last_non_direct_channel_group as conversion__last_non_direct_channel_group,
               currency as conversion__currency,
               count(*) as conversions,
               sum(value) as value
        from main.fct_conversions
        group by 1, 2
    """,
    "funnel_conversion_by_step": """
        select funnel_name as funnel_step__funnel_name,
               step_index as funnel_step__step_index,
               step_name as funnel_step__step_name,
               entities as funnel_step_entities,
               conversion_from_first_step as funnel_conversion_from_first_step
        from main.fct_funnel_conversion
        where split_by = 'all'
    """,
}


def _project_copy(directory: Path) -> Path:
    """The project as a user checks it out: `mf` reads target/ of the directory it runs in."""
    copy = directory / "project"
    shutil.copytree(PROJECT_DIR, copy, ignore=shutil.ignore_patterns(
        ".git", ".venv", "target", "logs", "*.duckdb", "dbt_packages", "spark-warehouse", "metastore_db",
        "__pycache__", ".hypothesis", ".pytest_cache"))
    return copy


def _value(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text[:10] if text[:4].isdigit() and text[4:5] == "-" else text


def _rows(records: list[dict[str, Any]], keys: list[str]) -> dict[tuple, dict[str, Any]]:
    return {tuple(str(_value(str(r[k]))) for k in keys): {c: _value(str(v)) for c, v in r.items()} for r in records}


@pytest.mark.engines("duckdb")
def test_every_saved_query_matches_sql_on_the_marts(engine: str, tmp_path: Path) -> None:
    project = _project_copy(tmp_path)
    workspace = Workspace(engine, project, "semantic", project_dir=project)
    workspace.dbt("build", "--exclude-resource-type", "unit_test")  # the demo, as `make demo` builds it

    manifest = json.loads((project / "target" / "semantic_manifest.json").read_text())
    saved_queries = {q["name"]: q for q in manifest["saved_queries"]}
    assert set(saved_queries) == set(EXPECTED_SQL), "a saved query without its SQL check here, or the reverse"

    for name, sql in EXPECTED_SQL.items():
        output = tmp_path / f"{name}.csv"
        result = subprocess.run([MF, "query", "--saved-query", name, "--csv", str(output)], cwd=project,
                                env=workspace.env(), capture_output=True, text=True)
        assert result.returncode == 0 and output.exists(), f"mf query --saved-query {name}:\n{result.stdout[-3000:]}"
        with output.open() as handle:
            answered = list(csv.DictReader(handle))
        expected = workspace.query(sql)
        assert answered, f"{name}: mf answered no rows"
        keys = [c for c in expected[0] if "__" in c]
        got, wanted = _rows(answered, keys), _rows(expected, keys)
        assert set(got) == set(wanted), f"{name}: rows differ: {sorted(set(got) ^ set(wanted))[:10]}"
        for key, row in wanted.items():
            for column, value in row.items():
                answer = got[key][column]
                same = (math.isclose(answer, value, rel_tol=1e-9, abs_tol=1e-9)
                        if isinstance(value, float) and isinstance(answer, float) else answer == value)
                assert same, f"{name} {key} {column}: mf {answer!r}, SQL {value!r}"

    # Values in different currencies never add up: `value` over the demo's euros and dollars
    # together is NULL (as fct_sessions.conversion_value is), per currency their sum.
    output = tmp_path / "value.csv"
    result = subprocess.run([MF, "query", "--metrics", "value,conversions", "--csv", str(output)], cwd=project,
                            env=workspace.env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    with output.open() as handle:
        [answer] = list(csv.DictReader(handle))
    [totals] = workspace.query("select count(*) as conversions,"
                               " count(distinct case when value is not null then currency end) as currencies"
                               " from main.fct_conversions")
    assert totals["currencies"] == 2, totals
    assert answer["value"] == "" and float(answer["conversions"]) == totals["conversions"], answer
