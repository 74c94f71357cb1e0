"""Access (README, "Data quality and safety"): the roles of var analyst_roles read every
mart, and are refused the raw tables, the staging views, the intermediate chain and the
stored state (the rejected rows among them); a role taken off the list loses the marts."""

from __future__ import annotations

import datetime as dt
import os

import psycopg2
import psycopg2.errors
import pytest


def _events() -> dict[str, list[dict]]:
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc)
    tracks = [{"id": f"t{i}", "anonymous_id": "visitor", "timestamp": at + dt.timedelta(minutes=i),
               "received_at": at + dt.timedelta(minutes=i), "channel": "web", "event_text": "Product Viewed"}
              for i in range(3)]
    # No id: a rejected row, kept in state_rejected_rows with its raw values.
    tracks.append({**tracks[0], "id": None})
    return {"tracks": tracks}


def _relations(workspace, schema: str) -> list[str]:
    rows = workspace.query(f"select table_name from information_schema.tables where table_schema = '{schema}'")
    return sorted(f'"{schema}"."{row["table_name"]}"' for row in rows)


def _readable(workspace, role: str, relations: list[str]) -> dict[str, bool]:
    """Whether `role` may select from each relation (SET ROLE in one connection)."""
    assert workspace.postgres is not None
    connection = psycopg2.connect(**workspace.postgres.connect_kwargs())
    connection.autocommit = True
    result = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"set role {role}")
            for relation in relations:
                try:
                    cursor.execute(f"select count(*) from {relation}")
                    cursor.fetchall()
                    result[relation] = True
                except psycopg2.errors.InsufficientPrivilege:
                    result[relation] = False
    finally:
        connection.close()
    return result


@pytest.mark.engines("postgres")
def test_analyst_roles_read_the_marts_and_nothing_else(engine: str, workspace) -> None:
    role = f"analyst_{os.getpid()}"  # roles belong to the cluster: one per test process
    workspace.execute(f"create role {role} nologin")
    try:
        workspace.load_raw(_events())
        workspace.build_on_raw({"analyst_roles": [role]})
        marts = _relations(workspace, workspace.target_schema)
        others = [relation for schema in (workspace.raw_schema, workspace.internal_schema)
                  for relation in _relations(workspace, schema)]
        names = " ".join(marts + others)
        for name in ("fct_sessions", "fct_events", "dim_users", "fct_funnel_steps"):
            assert f'."{name}"' in " ".join(marts), marts
        for name in ("tracks", "stg_rudderstack__tracks", "state_events", "state_rejected_rows", "int_run_window"):
            assert f'."{name}"' in names, names
        assert workspace.query('select count(*) as n from "{internal}".state_rejected_rows')[0]["n"] == 1

        readable = _readable(workspace, role, marts + others)
        assert [r for r in marts if not readable[r]] == [], "marts the analyst cannot read"
        assert [r for r in others if readable[r]] == [], "raw, staging or internal relations the analyst can read"

        # Taken off the list: the next run replaces every mart, without the grant.
        workspace.build_on_raw({})
        readable = _readable(workspace, role, marts)
        assert [r for r in marts if readable[r]] == [], "marts still readable by a role taken off the list"
    finally:
        workspace.execute(f"drop owned by {role}")
        workspace.execute(f"drop role {role}")


@pytest.mark.engines("duckdb")
def test_analyst_roles_on_duckdb_warn_that_nothing_is_granted(engine: str, workspace) -> None:
    workspace.load_raw(_events())
    result = workspace.build_on_raw({"analyst_roles": ["analyst"]})
    assert "var 'analyst_roles' is set, but DuckDB has no database roles: nothing is granted" in result.stdout, \
        result.stdout[-3000:]
