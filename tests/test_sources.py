"""Several RudderStack sources (var rudderstack_sources): a web, a mobile and a server
schema, each with the tables its SDK writes, read as one stream. Deduplication spans the
sources, identity stitching links users across them, a table missing from one is fine,
and every event and session carries its source's name."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.compare import assert_matches_reference
from tests.reference import sessionize
from tests.strategies import datasets

SOURCES = ("web", "mobile", "server")
FLOOR = dt.datetime.min.replace(tzinfo=dt.timezone.utc)


def source_of(table: str, row: dict[str, Any]) -> str:
    """Where each SDK writes: pages from the web, screens from apps, tracks and identify
    calls by their channel (a server's identify calls land with the web's)."""
    if table == "pages":
        return "web"
    if table == "screens":
        return "mobile"
    channel = row.get("channel")
    if table == "identifies":
        return "mobile" if channel == "mobile" else "web"
    return channel if channel in ("web", "mobile") else "server"


def split_by_source(data: dict[str, list[dict]]) -> dict[str, dict[str, list[dict]]]:
    """Each row into its source's schema; the later copies of a redelivered id into the
    server's, so that deduplication has to span schemas. The web schema never holds
    screens, the mobile one never pages."""
    split: dict[str, dict[str, list[dict]]] = {name: defaultdict(list) for name in SOURCES}
    seen: set[str] = set()
    for table, rows in data.items():
        for row in rows:
            source = source_of(table, row)
            if row.get("id") is not None and row["id"] in seen and table != "identifies":
                source = "server"
            seen.add(row.get("id"))
            split[source][table].append(row)
    return {name: dict(tables) for name, tables in split.items()}


def _utc(value: Any) -> dt.datetime:
    if value is None:
        return FLOOR
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def expected_sources(split: dict[str, dict[str, list[dict]]]) -> dict[str, str]:
    """event id -> the source of the delivery deduplication keeps (docs/sessionization.md,
    "Deduplication"): received last, loaded last, latest event time; of copies equal in
    every column, the first source by name. Ids whose tied deliveries differ in other
    columns are left out (the column order decides them, which the reference does not model)."""
    deliveries = defaultdict(list)
    for source, tables in split.items():
        for table, rows in tables.items():
            for row in rows:
                if table != "identifies" and row.get("id") and row.get("timestamp"):
                    key = (_utc(row.get("received_at")), _utc(row.get("uuid_ts")), _utc(row["timestamp"]))
                    deliveries[row["id"].strip()].append((key, source, table, row))
    expected = {}
    for event_id, candidates in deliveries.items():
        best = max(key for key, _, _, _ in candidates)
        tied = [(source, table, row) for key, source, table, row in candidates if key == best]
        if all((table, row) == (tied[0][1], tied[0][2]) for _, table, row in tied):
            expected[event_id] = min(source for source, _, _ in tied)
    return expected


@pytest.mark.engines("duckdb", "postgres")
@settings(max_examples=1, deadline=None, phases=[Phase.generate], database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
@given(data=datasets(max_actors=30, min_actors=10))
def test_several_sources_are_one_stream(engine: str, workspace, data) -> None:
    # Whatever was drawn: a page delivered again a minute later, and a track delivered
    # twice identically; split_by_source sends both second copies to the server's schema.
    page = next(row for row in data["pages"] + data["tracks"] if row.get("id") and row.get("received_at"))
    table = "pages" if page in data["pages"] else "tracks"
    later = page["received_at"] + dt.timedelta(minutes=1)
    data[table].append({**page, "received_at": later, "uuid_ts": later})
    track = next(row for row in data["tracks"] if row.get("id") and row is not page and row["id"] != page["id"])
    data["tracks"].append(dict(track))
    split = split_by_source(data)
    assert "screens" not in split["web"] and "pages" not in split["mobile"]
    raw = workspace.raw_schema
    schemas = {name: f"{raw}_{name}" for name in SOURCES}
    for name, tables in split.items():
        if not tables.keys() & {"tracks", "pages", "screens"}:
            tables["tracks"] = []  # a source whose SDK sent nothing yet: its table, empty
        workspace.raw_schema = schemas[name]
        workspace.load_raw(tables)
    workspace.raw_schema = raw
    sources = [{"name": name, "schema": schema} for name, schema in schemas.items()]
    workspace.dbt("build", "--exclude-resource-type", "unit_test", vars={"rudderstack_sources": sources})

    # The sources read as one: dedup across schemas, sessions and stitching as for one schema.
    assert_matches_reference(workspace, sessionize(data))

    events = {r["event_id"]: r for r in workspace.query(
        "select event_id, source_name, event_number_in_session, session_id from {schema}.fct_events")}
    expected = expected_sources(split)
    assert len(expected) > len(events) * 0.9, "most events have one kept delivery to check"
    wrong = {i: (events[i]["source_name"], s) for i, s in expected.items() if i in events
             and events[i]["source_name"] != s}
    assert not wrong, f"event id: (warehouse source, expected source): {sorted(wrong.items())[:10]}"
    cross = sum(1 for tables in [split["server"]] for rows in tables.values() for row in rows
                if row.get("channel") in ("web", "mobile"))
    assert cross > 0, "no redelivery crossed schemas: the data did not test deduplication across sources"

    # A session's source is its first event's.
    first = {r["session_id"]: r["source_name"] for r in events.values() if r["event_number_in_session"] == 1}
    sessions = workspace.query("select session_id, source_name from {schema}.fct_sessions")
    assert {r["session_id"]: r["source_name"] for r in sessions} == first


@pytest.mark.engines("duckdb")
@pytest.mark.parametrize(("sources", "message"), [
    ([{"name": "web", "schema": "a"}, {"name": "web", "schema": "b"}], "the name 'web' is used twice"),
    ([{"name": "web"}], "source 1 needs a non-empty 'schema'"),
    ([{"name": "web", "schema": "a", "warehouse": "x"}], "source 1 has unknown keys warehouse"),
    ({"name": "web", "schema": "a"}, "must be a list of sources"),
])
def test_a_malformed_source_list_fails_naming_the_entry(engine: str, workspace, sources, message) -> None:
    result = workspace.dbt("compile", "--select", "stg_rudderstack__tracks",
                           vars={"rudderstack_sources": sources}, check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and message in output, output[-3000:]


@pytest.mark.engines("duckdb")
def test_a_source_without_event_tables_fails_naming_it(engine: str, workspace) -> None:
    workspace.load_raw({"tracks": []})
    workspace.execute('create schema if not exists "{raw}_typo"')
    sources = [{"name": "web", "schema": workspace.raw_schema}, {"name": "ios", "schema": f"{workspace.raw_schema}_typo"}]
    result = workspace.dbt("build", "--exclude-resource-type", "unit_test", vars={"rudderstack_sources": sources},
                           check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert f"schema {workspace.raw_schema}_typo" in output and "source ios) holds none of RudderStack's event tables" \
        in output, output[-3000:]


@pytest.mark.engines("duckdb")
def test_the_dbt_source_points_at_the_first_source(engine: str, workspace) -> None:
    """The dbt source `rudderstack` (lineage, `dbt source freshness`) restates in yml the rule
    of rudderstack_sources(): the first listed source, else rudderstack_schema (with
    rudderstack_database), else the demo seeds."""
    import json

    def located(vars: dict | None) -> tuple[str, str]:
        result = workspace.dbt("ls", "--select", "source:rudderstack.tracks", "--output", "json",
                               "--output-keys", "database", "schema", "--quiet", vars=vars)
        found = json.loads(result.stdout.strip().splitlines()[-1])
        return found["database"], found["schema"]

    assert located(None)[1] == f"{workspace.target_schema}_rudderstack_demo"
    assert located({"rudderstack_schema": "web_prod", "rudderstack_database": "raw"}) == ("raw", "web_prod")
    assert located({"rudderstack_sources": [{"name": "web", "schema": "web_prod", "database": "raw"},
                                            {"name": "ios", "schema": "ios_prod"}]}) == ("raw", "web_prod")
    assert located({"rudderstack_sources": [{"name": "ios", "schema": "ios_prod"},
                                            {"name": "web", "schema": "web_prod", "database": "raw"}],
                    "rudderstack_database": "lake"}) == ("lake", "ios_prod")
